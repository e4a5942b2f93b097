"""Transport-neutral request/response values shared by the dispatchers and the handlers."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from reconciler.emulator.errors import ApiError, invalid_parameter


@dataclass
class Response:
    """``file``, when set, is streamed as the body instead of ``body``."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    file: Path | None = None


@dataclass
class Request:
    """A parsed /v1 call; ``path`` and ``query`` are exactly as received, for signature checks."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: Mapping[str, str]
    body: bytes
    request_id: str
    base_url: str
    project_id: str = ""
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def received(
        cls, exchange: Exchange, body: bytes, project_id: str = "", **params: str
    ) -> Request:
        """The request as the exchange received it: path and query untouched."""
        return cls(
            method=exchange.method,
            path=exchange.raw_path,
            query=parse_qsl(exchange.query_string, keep_blank_values=True),
            headers=exchange.headers_map,
            body=body,
            request_id=exchange.request_id,
            base_url=exchange.base_url,
            project_id=project_id,
            params=dict(params),
        )

    def header(self, name: str) -> str | None:
        return header(self.headers, name)

    def query_all(self, name: str) -> list[str]:
        return [value for key, value in self.query if key == name]

    def query_one(self, name: str) -> str | None:
        values = self.query_all(name)
        if len(values) > 1:
            # The signature sorts the query, so which repeat came last is not signed.
            raise invalid_parameter(name, "is given more than once")
        return values[0] if values else None


class Exchange(Protocol):
    """The HTTP connection as the dispatchers see it; the request handler implements it."""

    method: str
    raw_path: str
    query_string: str
    request_id: str
    base_url: str

    @property
    def headers_map(self) -> Mapping[str, str]: ...

    def read(self, size: int) -> bytes: ...

    def read_body(self, limit: int) -> bytes: ...

    def drain_body(self) -> None: ...

    def send(self, response: Response) -> None: ...

    def reset(self) -> None: ...


def combined_headers(lines: Iterable[tuple[str, str]]) -> dict[str, str]:
    """One entry per name, case-insensitively, repeats joined with ", " (RFC 9110 5.3).

    The signature check and the handlers then read the same value: with a plain dict, a
    repeat in another case would let the check see one value and a handler another.
    """
    combined: dict[str, str] = {}
    spelling: dict[str, str] = {}
    for name, value in lines:
        first = spelling.setdefault(name.lower(), name)
        combined[first] = f"{combined[first]}, {value}" if first in combined else value
    return combined


def header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status, body, "application/json;charset=UTF-8", dict(headers or {}))


def api_error_response(error: ApiError, request_id: str) -> Response:
    payload = {"error_code": error.code, "error_msg": error.message, "request_id": request_id}
    return json_response(payload, error.status, error.headers)


def xml_error_response(
    status: int, code: str, message: str, request_id: str, headers: dict[str, str] | None = None
) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        f"<RequestId>{escape(request_id)}</RequestId></Error>"
    ).encode()
    return Response(status, body, "application/xml", dict(headers or {}))
