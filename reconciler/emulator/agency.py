"""Temporary keys the metadata service handed out: the emulator's record of its agency's keys."""

from __future__ import annotations

import secrets
import threading

from reconciler.emulator.config import Credential


class AgencyKeys:
    """Every temporary key issued, by access key: the API accepts them until they expire."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, Credential] = {}
        self._session_tokens: dict[str, float] = {}
        self._last_used: dict[str, float] = {}

    def issue(self, project_id: str, expires_at: float) -> Credential:
        credential = Credential(
            ak="TMP" + secrets.token_hex(8).upper(),
            sk=secrets.token_urlsafe(30),
            project_id=project_id,
            security_token="gQ" + secrets.token_urlsafe(96),
            expires_at=expires_at,
        )
        with self._lock:
            self._keys[credential.ak] = credential
        return credential

    def get(self, access_key: str) -> Credential | None:
        with self._lock:
            return self._keys.get(access_key)

    def used(self, access_key: str, at: float) -> None:
        """A request signed with this key was accepted at ``at`` (emulated time)."""
        with self._lock:
            if access_key in self._keys:
                self._last_used[access_key] = at

    def last_used(self) -> dict[str, float]:
        """When each temporary key last signed an accepted request: shows that calls went on
        past a key's expiry with a newer key."""
        with self._lock:
            return dict(self._last_used)

    def issued(self) -> list[Credential]:
        with self._lock:
            return list(self._keys.values())

    def session_token(self, expires_at: float) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._session_tokens[token] = expires_at
        return token

    def session_token_valid(self, token: str, now: float) -> bool:
        with self._lock:
            expires = self._session_tokens.get(token)
        return expires is not None and now < expires
