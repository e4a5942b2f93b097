"""One exception type for every failed MetaStudio call, with a message a person can act on."""

from __future__ import annotations

import json
from typing import Any

from reconciler.errors import ReconcilerError

TENANT_MISMATCH = "MSS.00010009"
_HINTS = {
    "APIGW.0301": "check the access key, secret key and clock (X-Sdk-Date), or the token",
    "APIGW.0308": "requests were throttled; lower the rate limits or retry later",
    "MSS.00010008": "the X-Auth-Token is invalid or expired; obtain a new IAM token",
    "MSS.00010009": "the project id does not belong to these credentials",
    "MSS.10000002": "the request body was not sent as JSON",
}


def _parse_error_body(text: str) -> tuple[str | None, str | None]:
    """The SDK's order: error_code/error_msg, errorCode/errorMsg, code/message, then nested."""
    try:
        body: Any = json.loads(text)
    except ValueError:
        return None, None

    def search(node: Any) -> tuple[str | None, str | None]:
        if not isinstance(node, dict):
            return None, None
        for code_key, msg_key in (
            ("error_code", "error_msg"),
            ("errorCode", "errorMsg"),
            ("code", "message"),
        ):
            if code_key in node and msg_key in node:
                return str(node[code_key]), str(node[msg_key])
        for value in node.values():
            code, msg = search(value)
            if code is not None:
                return code, msg
        return None, None

    return search(body)


def project_refused_hint(project_id: str, source: str | None) -> str:
    """What to do when MetaStudio answers that the project is not the credentials' one."""
    where = f" (from {source})" if source else ""
    hint = (
        f"MetaStudio refuses project id {project_id}{where} for these credentials: it must be "
        "the project named after the region, in the account of the access key. Find its id "
        "in the console under My Credentials > API Credentials, or leave project_id unset "
        "and set provider.region to look it up in IAM"
    )
    if source and "cached in " in source:
        hint += f"; delete {source.split('cached in ', 1)[1]} to look it up again"
    return hint


class MetaStudioError(ReconcilerError):
    """A call MetaStudio answered with an error (or that never got an answer)."""

    def __init__(
        self,
        operation: str,
        *,
        status: int | None,
        error_code: str | None = None,
        error_msg: str | None = None,
        request_id: str | None = None,
        hint: str | None = None,
        service: str = "MetaStudio",
    ) -> None:
        self.operation = operation
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg
        self.request_id = request_id
        self.service = service
        parts = [f"{service} {operation} failed"]
        if status is not None:
            parts.append(f": HTTP {status}")
        if error_code:
            parts.append(f" {error_code}")
        if error_msg:
            parts.append(f": {error_msg}")
        if request_id:
            parts.append(f" [request id {request_id}]")
        super().__init__("".join(parts), hint=hint or _HINTS.get(error_code or ""))

    @classmethod
    def from_response(
        cls,
        operation: str,
        status: int,
        body: str,
        request_id: str | None,
        *,
        service: str = "MetaStudio",
        hint: str | None = None,
    ) -> MetaStudioError:
        code, msg = _parse_error_body(body)
        if code is None:
            code, msg = str(status), (body.strip()[:200] or None)
        return cls(
            operation,
            status=status,
            error_code=code,
            error_msg=msg,
            request_id=request_id,
            service=service,
            hint=hint,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self!s})"


class OutcomeUnknownError(MetaStudioError):
    """A non-idempotent request was sent but no definite answer came back.

    The job may or may not exist. Retrying blindly could create a second paid job, so the
    caller must look for it (list jobs by voice_name since the attempt) before trying again.
    """

    def __init__(self, operation: str, *, cause: str, status: int | None = None) -> None:
        super().__init__(
            operation,
            status=status,
            error_msg=f"outcome unknown ({cause}); not retried",
            hint="the request may have taken effect",
        )


class TransportError(MetaStudioError):
    """No answer at all: ``cause`` says why in a sentence naming the host (DNS, TLS, timeout,
    refused, reset); the message adds whether, and how often, the request was tried again."""

    def __init__(
        self,
        operation: str,
        *,
        cause: str,
        retried: bool = True,
        attempts: int | None = None,
        seconds: float | None = None,
        service: str = "MetaStudio",
        hint: str | None = None,
    ) -> None:
        self.cause = cause
        self.retried = retried
        self.attempts = attempts
        self.seconds = seconds
        if not retried:
            note = "not retried"
        elif attempts is not None and attempts > 1:
            spent = f" in {seconds:.1f} s" if seconds is not None else ""
            note = f"gave up after {attempts} attempts{spent}"
        else:
            note = "not retried"
        super().__init__(
            operation,
            status=None,
            error_msg=f"{cause}; {note}",
            hint=hint or "check the endpoint and the network, then run again",
            service=service,
        )

    def after(self, attempts: int, seconds: float) -> TransportError:
        """The same failure, saying how many attempts it took to give up."""
        return TransportError(
            self.operation,
            cause=self.cause,
            retried=self.retried,
            attempts=attempts,
            seconds=seconds,
            service=self.service,
            hint=self.hint,
        )
