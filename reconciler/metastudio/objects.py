"""Streaming PUTs to presigned object-store URLs, and downloads from them.

Object stores reject chunked uploads, so the body is a file object whose length is known up
front: requests sends Content-Length, and urllib3 reads it in SEND_BLOCK pieces. Memory stays
flat whatever the file size. No MetaStudio auth header ever goes to these URLs: the URL's own
signature is the credential.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

import requests

from reconciler.fsutil import atomic_writer, ensure_dir, file_error
from reconciler.metastudio.endpoint import check_transport
from reconciler.metastudio.errors import MetaStudioError, TransportError
from reconciler.metastudio.netfail import host_of
from reconciler.metastudio.policy import RetryPolicy, TryAgain, parse_retry_after, retrying
from reconciler.metastudio.redact import SignedUrl, redact_url
from reconciler.metastudio.transport import SEND_BLOCK, Transport, no_answer, unanswered

Progress = Callable[[int], None]  # called with the number of bytes just sent
T = TypeVar("T")


class UploadRejectedError(MetaStudioError):
    """The object store refused the URL itself (expired, or bound to something else)."""


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


# Opens the body of one attempt: a retried PUT reads its body again from the start.
BodyOpener = Callable[[], AbstractContextManager[Readable]]


class _CountingReader:
    """A file body with a length, so requests frames it with Content-Length."""

    def __init__(self, stream: Readable, length: int, progress: Progress | None) -> None:
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
        size = path.stat().st_size
        return self.upload_stream(
            url,
            lambda: path.open("rb", buffering=0),
            size,
            content_type,
            progress=progress,
            refresh=refresh,
            what=what,
        )

    def upload_stream(
        self,
        url: SignedUrl,
        open_body: BodyOpener,
        size: int,
        content_type: str,
        *,
        progress: Progress | None = None,
        refresh: Callable[[], SignedUrl] | None = None,
        what: str = "upload",
    ) -> str:
        """PUT ``size`` bytes read from ``open_body()``, opened anew for every attempt (a
        file, or a stream from another store); otherwise as :meth:`upload`."""
        check_transport(url.value, "upload URL")
        current, refreshed = url, False

        def attempt() -> str:
            nonlocal current, refreshed
            try:
                return self._put_once(current, open_body, size, content_type, progress, what)
            except UploadRejectedError as rejected:
                if refresh is None or refreshed:
                    raise
                refreshed, current = True, refresh()
                check_transport(current.value, "upload URL")
                raise TryAgain(rejected, why="upload URL refused", at_once=True) from None

        return self._retrying(attempt, what)

    def _put_once(
        self,
        url: SignedUrl,
        open_body: BodyOpener,
        size: int,
        content_type: str,
        progress: Progress | None,
        what: str,
    ) -> str:
        sent = 0

        def counted(n: int) -> None:
            nonlocal sent
            sent += n
            if progress:
                progress(n)

        try:
            with open_body() as stream:
                response = self.session.put(
                    url.value,
                    data=_CountingReader(stream, size, counted),
                    headers={"Content-Type": content_type},
                    timeout=self.timeout,
                    allow_redirects=False,
                )
        except requests.RequestException as error:
            self._rewind(progress, sent)
            raise unanswered(what, no_answer(error, url.value, self.timeout)) from None
        except ConnectionError as error:
            # The body's own source failed before the request went out (a stream from
            # another store): the next attempt opens it again.
            self._rewind(progress, sent)
            cause = type(error).__name__
            raise TryAgain(TransportError(what, cause=cause), why=cause) from None
        except BaseException:
            self._rewind(progress, sent)  # the body refused to go on (a wrong digest, say)
            raise
        status = response.status_code
        if status < 300:
            return response.headers.get("ETag", "").strip('"')
        self._rewind(progress, sent)
        code, message = _store_error(response.text)
        request_id = response.headers.get("X-Request-Id") or response.headers.get(
            "x-obs-request-id"
        )
        if status == 403:
            raise UploadRejectedError(
                what, status=status, error_code=code, error_msg=message,
                request_id=request_id,
                hint=f"the upload URL {redact_url(url.value)} was refused; fetch fresh URLs",
            )  # fmt: skip
        refused = MetaStudioError(
            what, status=status, error_code=code, error_msg=message, request_id=request_id
        )
        if status == 429 or status >= 500:
            after = parse_retry_after(response.headers.get("Retry-After"))
            raise TryAgain(refused, why=f"HTTP {status}", retry_after=after)
        raise refused

    @staticmethod
    def _rewind(progress: Progress | None, sent: int) -> None:
        if progress and sent:
            progress(-sent)  # the next attempt starts again from zero

    def _retrying(self, attempt: Callable[[], T], what: str) -> T:
        return retrying(
            self.retry, attempt, what=what, sleep=self.transport.sleep, rng=self.transport.rng
        )

    def download(self, url: SignedUrl, dest: Path, *, what: str = "download") -> int:
        """Stream a GET into ``dest`` atomically; returns the byte count."""
        check_transport(url.value, "download URL")
        return self._retrying(lambda: self._download_once(url, dest, what), what)

    def _download_once(self, url: SignedUrl, dest: Path, what: str) -> int:
        try:
            return self._get_once(url, dest, what)
        except requests.RequestException as error:
            raise unanswered(what, no_answer(error, url.value, self.timeout)) from None

    def _get_once(self, url: SignedUrl, dest: Path, what: str) -> int:
        with self.session.get(url.value, stream=True, timeout=self.timeout) as response:
            status = response.status_code
            if status >= 500 or status == 429:
                # Backoff alone, without Retry-After, as downloads have always retried.
                cause = f"HTTP {status} from {host_of(url.value)}"
                raise TryAgain(TransportError(what, cause=cause), why=f"HTTP {status}")
            if response.status_code >= 300:
                code, message = _store_error(response.text)
                raise MetaStudioError(
                    what, status=response.status_code, error_code=code, error_msg=message
                )
            ensure_dir(dest.parent)
            total = 0
            try:
                with atomic_writer(dest) as out:
                    for block in response.iter_content(SEND_BLOCK):
                        out.write(block)
                        total += len(block)
            except OSError as error:
                # requests' own errors are OSErrors too; only the local file's are ours.
                if isinstance(error, requests.RequestException):
                    raise
                raise file_error("write", dest, error) from error
            return total
