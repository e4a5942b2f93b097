"""Whether a PostgreSQL DSN holds a secret, judged the way libpq itself reads it.

libpq takes a password in more spellings than a pattern can follow: ``password=`` with quotes
and backslash escapes, a URI's ``user:password@``, and URI query parameters whose keys are
percent-decoded too (``?pass%77ord=``). With psycopg installed, libpq's own parser
(``conninfo_to_dict``) reads the DSN; without it (psycopg is the ``postgres`` extra, and
``validate`` runs without it), a strict port of libpq's two parsers does. Whatever neither can
read is refused as well: what libpq would make of it is unknown.

``passfile`` and ``service`` are allowed: like ~/.pgpass they say where a secret is kept,
not what it is. Messages never quote the DSN, nor libpq's errors, which may quote the secret.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

# libpq's secrets: its password fields (PQconndefaults marks them "*") and SCRAM keys.
SECRET_KEYWORDS = frozenset(
    {"password", "sslpassword", "oauth_client_secret", "scram_client_key", "scram_server_key"}
)
# libpq 18's keywords: libpq refuses any other, and so does the fallback parser.
KNOWN_KEYWORDS = SECRET_KEYWORDS | frozenset(
    (
        "service",
        "user",
        "passfile",
        "channel_binding",
        "connect_timeout",
        "dbname",
        "host",
        "hostaddr",
        "port",
        "client_encoding",
        "options",
        "application_name",
        "fallback_application_name",
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
        "tcp_user_timeout",
        "sslmode",
        "sslnegotiation",
        "sslcompression",
        "sslcert",
        "sslkey",
        "sslcertmode",
        "sslrootcert",
        "sslcrl",
        "sslcrldir",
        "sslsni",
        "requirepeer",
        "require_auth",
        "min_protocol_version",
        "max_protocol_version",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "gssencmode",
        "krbsrvname",
        "gsslib",
        "gssdelegation",
        "replication",
        "target_session_attrs",
        "load_balance_hosts",
        "oauth_issuer",
        "oauth_client_id",
        "oauth_scope",
        "sslkeylogfile",
    )
)
URI_PREFIXES = ("postgresql://", "postgres://")  # case-sensitive, as in libpq
_SPACE = frozenset(" \t\n\v\f\r")  # C isspace()
_HEX = frozenset("0123456789abcdefABCDEF")

UNREADABLE = (
    "the dsn is not a connection string libpq can read (key=value pairs, or a postgresql:// "
    "URI, percent-encoded where needed); it is not shown here, as it may hold a secret"
)

Parser = Callable[[str], Mapping[str, object]]


def dsn_problem(dsn: str) -> str | None:
    """Why ``dsn`` is refused, or None; the message never quotes it."""
    parse, secrets = _libpq()
    if "\0" in dsn:  # libpq would read a C string, cut at the first NUL
        return UNREADABLE
    try:
        options = parse(dsn)
    except Exception:  # whatever the parser raises, refusing is the safe answer
        return UNREADABLE
    found = sorted(k for k in secrets if options.get(k))
    found += sorted(k for k in secrets if _nested_secret(options.get("dbname"), parse, k))
    if found:
        return (
            f"the dsn sets {found[0]}; keep secrets out of the config: libpq reads the "
            "password from PGPASSWORD or ~/.pgpass"
        )
    return None


def _nested_secret(dbname: object, parse: Parser, keyword: str) -> bool:
    """libpq expands a dbname that is itself a connection string (psql and PQconnectdbParams
    do): a secret there is refused too."""
    if not isinstance(dbname, str) or not ("=" in dbname or dbname.startswith(URI_PREFIXES)):
        return False
    try:
        return bool(parse(dbname).get(keyword))
    except Exception:  # not expanded then: libpq would fail on it rather than read it
        return False


def _libpq() -> tuple[Parser, frozenset[str]]:
    try:
        from psycopg import conninfo, pq

        defaults = pq.Conninfo.get_defaults()
    except Exception:  # not installed, or no libpq to load: the port reads it instead
        return parse_conninfo, SECRET_KEYWORDS
    hidden = {o.keyword.decode() for o in defaults if o.dispchar == b"*"}
    return conninfo.conninfo_to_dict, SECRET_KEYWORDS | hidden


def parse_conninfo(dsn: str) -> dict[str, str]:
    """libpq's parse_connection_string: the options set, or ValueError where libpq fails."""
    for prefix in URI_PREFIXES:
        if dsn.startswith(prefix):
            return _parse_uri(dsn[len(prefix) :])
    return _parse_pairs(dsn)


def _store(options: dict[str, str], keyword: str, value: str) -> None:
    if keyword == "requiressl":  # libpq's old spelling, still translated
        keyword, value = "sslmode", "require" if value.startswith("1") else "prefer"
    if keyword not in KNOWN_KEYWORDS:
        raise ValueError("invalid connection option")
    options[keyword] = value


def _parse_pairs(text: str) -> dict[str, str]:
    """conninfo_parse: ``keyword = value`` pairs; values plain or single-quoted, with
    backslash escaping any character in either."""
    options: dict[str, str] = {}
    i, n = 0, len(text)
    while i < n:
        if text[i] in _SPACE:
            i += 1
            continue
        start = i
        while i < n and text[i] != "=" and text[i] not in _SPACE:
            i += 1
        keyword = text[start:i]
        while i < n and text[i] in _SPACE:
            i += 1
        if i == n or text[i] != "=":
            raise ValueError('missing "="')
        i += 1
        while i < n and text[i] in _SPACE:
            i += 1
        quoted = i < n and text[i] == "'"
        i += quoted
        value: list[str] = []
        while True:
            if i == n:
                if quoted:
                    raise ValueError("unterminated quoted string")
                break
            char = text[i]
            i += 1
            if char == "\\":
                if i < n:
                    value.append(text[i])
                    i += 1
            elif (quoted and char == "'") or (not quoted and char in _SPACE):
                break
            else:
                value.append(char)
        _store(options, keyword, "".join(value))
    return options


def _parse_uri(uri: str) -> dict[str, str]:
    """conninfo_uri_parse_options: [user[:password]@][host][:port][,...][/dbname][?params]."""
    options: dict[str, str] = {}
    p, n = 0, len(uri)
    at = next((i for i, c in enumerate(uri) if c in "@/"), n)
    if at < n and uri[at] == "@":
        user, colon, password = uri[:at].partition(":")
        if user:
            _store(options, "user", _decode(user))
        if colon and password:
            _store(options, "password", _decode(password))
        p = at + 1
    hosts: list[str] = []
    ports: list[str] = []
    while True:
        if p < n and uri[p] == "[":
            start = p = p + 1
            while p < n and uri[p] != "]":
                p += 1
            if p in (n, start):  # no closing bracket, or nothing inside
                raise ValueError("bad IPv6 host address")
            hosts.append(uri[start:p])
            p += 1
            if p < n and uri[p] not in ":/?,":
                raise ValueError("unexpected character after an IPv6 host address")
        else:
            start = p
            while p < n and uri[p] not in ":/?,":
                p += 1
            hosts.append(uri[start:p])
        port = ""
        if p < n and uri[p] == ":":
            start = p = p + 1
            while p < n and uri[p] not in "/?,":
                p += 1
            port = uri[start:p]
        ports.append(port)
        if p == n or uri[p] != ",":
            break
        p += 1
    if any(hosts) or len(hosts) > 1:
        _store(options, "host", _decode(",".join(hosts)))
    if any(ports) or len(ports) > 1:
        _store(options, "port", _decode(",".join(ports)))
    if p < n and uri[p] == "/":
        start = p = p + 1
        while p < n and uri[p] != "?":
            p += 1
        if p > start:
            _store(options, "dbname", _decode(uri[start:p]))
    if p < n:  # at "?"
        _parse_params(uri[p + 1 :], options)
    return options


def _parse_params(params: str, options: dict[str, str]) -> None:
    """conninfo_uri_parse_params: ``key=value`` joined by ``&``, both percent-decoded."""
    while params:
        pair, _, params = params.partition("&")
        keyword, equals, value = pair.partition("=")
        if not equals or "=" in value:
            raise ValueError("a URI query parameter needs exactly one '='")
        keyword, value = _decode(keyword), _decode(value)
        if keyword == "ssl" and value == "true":  # JDBC's spelling
            keyword, value = "sslmode", "require"
        _store(options, keyword, value)


def _decode(text: str) -> str:
    """conninfo_uri_decode: %XX escapes to bytes (never %00), then UTF-8 as psycopg reads it."""
    out = bytearray()
    i, n = 0, len(text)
    while i < n:
        if text[i] != "%":
            out += text[i].encode("utf-8", "surrogatepass")
            i += 1
            continue
        digits = text[i + 1 : i + 3]
        if len(digits) != 2 or not set(digits) <= _HEX:
            raise ValueError("invalid percent-encoded token")
        if digits == "00":
            raise ValueError("forbidden value %00")
        out.append(int(digits, 16))
        i += 3
    return out.decode("utf-8")
