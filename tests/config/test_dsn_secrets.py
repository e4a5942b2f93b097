"""A DSN is refused for every spelling libpq reads as a secret, and the secret goes nowhere.

Both readers are exercised: libpq's own (psycopg, installed with the tests) and the strict
parser used when the `postgres` extra is not installed (psycopg made unimportable).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.cli_runs import run_cli
from tests.config.helpers import VALID, diagnostics, write

SECRET = "Hunter2-Secret"
DSN_LINE = 12  # in VALID + _section(dsn)

SPELLINGS = [
    f"host=db dbname=voices user=reconciler password={SECRET}",
    f"host=db password = '{SECRET} with spaces'",
    f"host=db password='it\\'s {SECRET}'",
    f"host=db password=escaped\\ {SECRET}",
    f"host=db\vpassword={SECRET}",
    f"password='{SECRET}'host=db",
    f"postgresql://reconciler:{SECRET}@db/voices",
    f"postgres://reconciler:{SECRET}@db/voices",
    "postgresql://%72econciler:%48unter2-Secret@db/voices",
    f"postgresql://reconciler:{SECRET}@db1,db2:5433/voices",
    f"postgresql://reconciler@db/voices?password={SECRET}",
    f"postgresql://reconciler@db/voices?pass%77ord={SECRET}",
    f"postgresql://reconciler@db/voices?%70%61%73%73%77%6F%72%64={SECRET}",
    f"postgresql://reconciler@db/voices?sslmode=require&password={SECRET}&",
    f"postgresql://reconciler@[::1]:5432,db:5433/voices?password={SECRET}",
    f"postgresql://reconciler@db/voices?sslpassword={SECRET}",
    f"host=db oauth_client_secret={SECRET}",
    f"host=db dbname='postgresql://reconciler:{SECRET}@db/voices'",
    f"postgresql://reconciler@db/voices?dbname=password%3D{SECRET}",
]
# libpq cannot read these (keywords are case-sensitive, so is the URI scheme): refused too,
# as nobody can say what they hold.
UNREADABLE = [
    f"host=db PASSWORD={SECRET}",
    f"postgresql://reconciler@db/voices?Password={SECRET}",
    f"POSTGRESQL://reconciler:{SECRET}@db/voices",
    f"postgresql://reconciler@db/voices?password=%zz{SECRET}",
    f"postgresql://reconciler@db/voices?password={SECRET}%00",
    f"host=db password='{SECRET}",
    f"host=db password {SECRET}",
    f"host=db password={SECRET}\0",
]
# passfile and service name where a secret is kept, as ~/.pgpass does; PGPASSWORD is the
# place for the password itself.
ALLOWED = [
    "host=db port=5432 dbname=voices user=reconciler",
    "host=db dbname=voices passfile=/etc/reconciler/pgpass",
    "service=voices",
    "postgresql://reconciler@db1:5432,db2:5433/voices?sslmode=verify-full&passfile=%2Fetc%2Fpgpass",
    "postgresql://reconciler:@db/voices",  # an empty password is none: libpq looks elsewhere
    "host=db password=''",
]


@pytest.fixture(params=["libpq", "strict parser"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "libpq":
        pytest.importorskip("psycopg")
    else:
        monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the extra were not installed
    return str(request.param)


def _section(dsn: str) -> str:
    return f"state:\n  backend: postgres\n  dsn: {json.dumps(dsn)}\n"


def _errors(tmp_path: Path, dsn: str) -> list[str]:
    found = diagnostics(tmp_path, VALID + _section(dsn))
    return [d.format(tmp_path) for d in found if d.is_error]


@pytest.mark.parametrize("dsn", SPELLINGS + UNREADABLE)
def test_a_secret_in_any_spelling_is_refused_located_and_not_echoed(
    tmp_path: Path, reader: str, dsn: str
) -> None:
    errors = _errors(tmp_path, dsn)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"voices.yaml:{DSN_LINE}:") and "state.dsn" in errors[0]
    assert SECRET not in errors[0] and "Secret" not in errors[0], errors
    if dsn in SPELLINGS:
        assert "PGPASSWORD" in errors[0], errors
    else:
        assert "not a connection string libpq can read" in errors[0], errors


@pytest.mark.parametrize("dsn", ALLOWED)
def test_dsns_without_a_secret_pass(tmp_path: Path, reader: str, dsn: str) -> None:
    assert _errors(tmp_path, dsn) == []


@pytest.mark.parametrize("dsn", SPELLINGS + UNREADABLE + ALLOWED)
def test_the_strict_parser_reads_what_libpq_reads(dsn: str) -> None:
    conninfo = pytest.importorskip("psycopg.conninfo")
    from reconciler.config.dsn import parse_conninfo

    try:
        expected: dict[str, str] | None = conninfo.conninfo_to_dict(dsn)
    except Exception:
        expected = None
    try:
        found: dict[str, str] | None = parse_conninfo(dsn)
    except ValueError:
        found = None
    if "\0" not in dsn:  # libpq gets a C string, cut at the NUL; refused before parsing
        assert found == expected


@pytest.mark.parametrize("verb", ["validate", "plan"])
@pytest.mark.parametrize("dsn", [SPELLINGS[0], SPELLINGS[11], UNREADABLE[0]])
def test_the_secret_is_written_nowhere(tmp_path: Path, verb: str, dsn: str) -> None:
    config = write(tmp_path, VALID + _section(dsn))
    (tmp_path / "data" / "alice").mkdir(parents=True)
    code, out, err = run_cli(tmp_path, verb, str(config))
    assert code == 1, out + err
    assert "state.dsn" in err and "Traceback" not in err
    assert SECRET not in out + err
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != config]
    assert [p for p in written if SECRET.encode() in p.read_bytes()] == []
    assert not (tmp_path / ".reconciler" / "cache" / "config").exists() or not any(
        (tmp_path / ".reconciler" / "cache" / "config").iterdir()
    )
