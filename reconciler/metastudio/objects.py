"""Streaming PUTs to presigned object-store URLs, and downloads from them.

Object stores reject chunked uploads, so the body is a file object whose length is known up
front: requests sends Content-Length, and urllib3 reads it in SEND_BLOCK pieces. Memory stays
flat whatever the file size. No MetaStudio auth header ever goes to these URLs: the URL's own
signature is the credential.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import requests

from reconciler.fsutil import ensure_dir, file_error, file_errors
from reconciler.metastudio.endpoint import check_transport
from reconciler.metastudio.errors import MetaStudioError, TransportError
from reconciler.metastudio.policy import RetryPolicy, parse_retry_after
from reconciler.metastudio.redact import SignedUrl, redact_url
from reconciler.metastudio.transport import SEND_BLOCK, Transport

Progress = Callable[[int], None]  # called with the number of bytes just sent


class UploadRejectedError(MetaStudioError):
    """The object store refused the URL itself (expired, or bound to something else)."""


class _CountingReader:
    """A file body with a length, so requests frames it with Content-Length."""

    def __init__(self, stream: BinaryIO, length: int, progress: Progress | None) -> None:
        self._stream = stream
        self._length = length
        self._progress = progress

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1) -> bytes:
        block = self._stream.read(size)
        if block and self._progress:
            self._progress(len(block))
        return block


def _store_error(text: str) -> tuple[str | None, str | None]:
    code = re.search(r"<Code>([^<]*)</Code>", text)
    message = re.search(r"<Message>([^<]*)</Message>", text)
    return (code.group(1) if code else None), (message.group(1) if message else None)


@dataclass
class ObjectStore:
    transport: Transport
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: tuple[float, float] = (10.0, 300.0)

    @property
    def session(self) -> requests.Session:
        return self.transport.session

    def upload(
        self,
        url: SignedUrl,
        path: Path,
        content_type: str,
        *,
        progress: Progress | None = None,
        refresh: Callable[[], SignedUrl] | None = None,
        what: str = "upload",
    ) -> str:
        """PUT the file; returns the ETag. Transient failures are retried from the start;
        a refused URL is replaced once through ``refresh`` when given."""
        check_transport(url.value, "upload URL")
        size = path.stat().st_size
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            sent = 0

            def counted(n: int) -> None:
                nonlocal sent
                sent += n
                if progress:
                    progress(n)

            try:
                with path.open("rb", buffering=0) as stream:
                    response = self.session.put(
                        url.value,
                        data=_CountingReader(stream, size, counted),
                        headers={"Content-Type": content_type},
                        timeout=self.timeout,
                        allow_redirects=False,
                    )
            except requests.RequestException as error:
                self._rewind(progress, sent)
                if attempt >= self.retry.max_attempts:
                    raise TransportError(what, cause=type(error).__name__) from None
                self.transport.sleep(self.retry.delay(attempt, None, self.transport.rng))
                continue
            status = response.status_code
            if status < 300:
                return response.headers.get("ETag", "").strip('"')
            self._rewind(progress, sent)
            code, message = _store_error(response.text)
            request_id = response.headers.get("X-Request-Id") or response.headers.get(
                "x-obs-request-id"
            )
            if status == 403:
                if refresh and not refreshed:
                    refreshed = True
                    url = refresh()
                    check_transport(url.value, "upload URL")
                    continue
                raise UploadRejectedError(
                    what, status=status, error_code=code, error_msg=message,
                    request_id=request_id,
                    hint=f"the upload URL {redact_url(url.value)} was refused; fetch fresh URLs",
                )  # fmt: skip
            if (status == 429 or status >= 500) and attempt < self.retry.max_attempts:
                after = parse_retry_after(response.headers.get("Retry-After"))
                self.transport.sleep(self.retry.delay(attempt, after, self.transport.rng))
                continue
            raise MetaStudioError(
                what, status=status, error_code=code, error_msg=message, request_id=request_id
            )

    @staticmethod
    def _rewind(progress: Progress | None, sent: int) -> None:
        if progress and sent:
            progress(-sent)  # the next attempt starts again from zero

    def download(self, url: SignedUrl, dest: Path, *, what: str = "download") -> int:
        """Stream a GET into ``dest`` atomically; returns the byte count."""
        check_transport(url.value, "download URL")
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                return self._download_once(url, dest, what)
            except (requests.RequestException, _Retryable) as error:
                if attempt >= self.retry.max_attempts:
                    raise TransportError(what, cause=type(error).__name__) from None
                self.transport.sleep(self.retry.delay(attempt, None, self.transport.rng))
        raise AssertionError("unreachable")

    def _download_once(self, url: SignedUrl, dest: Path, what: str) -> int:
        with self.session.get(url.value, stream=True, timeout=self.timeout) as response:
            if response.status_code >= 500 or response.status_code == 429:
                raise _Retryable()
            if response.status_code >= 300:
                code, message = _store_error(response.text)
                raise MetaStudioError(
                    what, status=response.status_code, error_code=code, error_msg=message
                )
            ensure_dir(dest.parent)
            with file_errors("write", dest):
                fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
            total = 0
            try:
                with os.fdopen(fd, "wb") as out:
                    for block in response.iter_content(SEND_BLOCK):
                        out.write(block)
                        total += len(block)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, dest)
            except BaseException as error:
                Path(tmp).unlink(missing_ok=True)
                # requests' own errors are OSErrors too; only the local file's are ours.
                if isinstance(error, OSError) and not isinstance(error, requests.RequestException):
                    raise file_error("write", dest, error) from error
                raise
            return total


class _Retryable(Exception):
    pass
