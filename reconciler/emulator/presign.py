"""Presigned object URLs in the OBS temporary-URL style, signed with the emulator's secret.

The signature covers the method, the object path, the Content-Type the URL is bound to and the
expiry, so a client that sends another Content-Type or edits any of them is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlencode

from reconciler.emulator.errors import ObsError

ACCESS_KEY_ID = "emulator"


class UrlSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _signature(self, method: str, path: str, bound_type: str, expires: int) -> str:
        message = f"{method}\n{bound_type}\n{expires}\n{path}".encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def url(self, base: str, method: str, path: str, bound_type: str, expires: int) -> str:
        query = urlencode(
            {
                "AccessKeyId": ACCESS_KEY_ID,
                "Expires": str(expires),
                "Signature": self._signature(method, path, bound_type, expires),
            }
        )
        return f"{base}{path}?{query}"

    def check(
        self,
        method: str,
        path: str,
        bound_type: str,
        query: Iterable[tuple[str, str]],
        now: float,
    ) -> None:
        """Raise the OBS error a real bucket would give for this URL, or return if it is valid."""
        params = dict(query)
        expires_text = params.get("Expires", "")
        given = params.get("Signature", "")
        if params.get("AccessKeyId") != ACCESS_KEY_ID or not expires_text.isdigit() or not given:
            raise ObsError(403, "SignatureDoesNotMatch", "The URL is not a valid presigned URL.")
        expected = self._signature(method, path, bound_type, int(expires_text))
        if not hmac.compare_digest(expected, given):
            raise ObsError(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        if now > int(expires_text):
            raise ObsError(403, "AccessDenied", "Request has expired")
