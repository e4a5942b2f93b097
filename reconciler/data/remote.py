"""Training data in object storage (``package: s3://...`` or ``obs://...``).

Plan never reads such an object: its digest is the sha256 declared beside the URL or, without
one there, the sha256 ``reconciler.lock`` records (digest.py), and the preflight only asks the
store, with one HEAD per object, that it exists and fits one upload (and, for a sha256 from
the lock, that its size and ETag are still the ones the lock recorded). Its recordings are
judged by the facts the lock holds for that sha256, which ``validate --update-lock``
measures by reading the object once (into a temporary file: a zip is read from its end);
without them the preflight says "not checked" (a warning: clean data must not be blocked).

Apply reads the object twice, both times as a stream, never whole in memory nor on disk:
once before the job is created, to check its sha256 (creating a job takes a training
resource, so a wrong object must be stopped before that), and once as it is sent to
MetaStudio's upload URL, checked again on the way because the object may have been replaced
in between. That second check holds back the last block until the digest matches: on a
mismatch the PUT is cut short, the store keeps nothing, and the voice is never submitted.

Credentials come from the standard AWS chain (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_PROFILE...). The endpoint is the ``endpoint`` beside the URL, else AWS_ENDPOINT_URL,
else AWS for s3:// and the provider region's OBS endpoint for obs://; an OBS endpoint gets
the client settings OBS needs (reconciler.s3client), as for the S3 state backend.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.config.diagnostics import Diagnostic, Location
from reconciler.config.model import LOCK_NAME, DataSource
from reconciler.data.files import BLOCK_SIZE
from reconciler.data.lock import UPDATE_COMMAND, object_sha256
from reconciler.errors import ConfigError, ReconcilerError
from reconciler.s3client import INSTALL_HINT, obs_endpoint, s3_client

ENDPOINT_ENV = "AWS_ENDPOINT_URL"


class ObjectUnavailable(ConfigError):
    """The object cannot be read: missing, refused, no credentials, no boto3."""


class DigestMismatch(ReconcilerError):
    """The object's bytes are not the ones the YAML declares. Not an OSError on purpose:
    raised inside an upload's body, it must end the PUT, not look like a network fault that
    the HTTP stack retries."""

    problem = ""  # what differs, without the location and the object's name


class SourceInterrupted(ConnectionError):
    """The store failed in passing (a reset, a 5xx): worth a new GET from the first byte.
    A ConnectionError so that an upload reading the stream retries its attempt."""


@dataclass(frozen=True)
class ObjectRef:
    url: str  # as written: s3://bucket/key.zip
    bucket: str
    key: str
    endpoint: str | None  # None: boto3's default (AWS)
    region: str | None


def object_ref(source: DataSource) -> ObjectRef:
    scheme, _, rest = source.declared.partition("://")
    bucket, _, key = rest.partition("/")
    # Read here, not left to boto3, because it must outrank the OBS default below.
    endpoint = source.endpoint or os.environ.get(ENDPOINT_ENV) or None
    if endpoint is None and scheme == "obs":
        if source.region is None:
            raise ObjectUnavailable(
                f"{source.declared}: no OBS endpoint is known",
                hint="set provider.region, an endpoint beside the URL, or AWS_ENDPOINT_URL",
            )
        endpoint = obs_endpoint(source.region)
    return ObjectRef(source.declared, bucket, key, endpoint, source.region)


def sha256_field(source: DataSource) -> str:
    """The YAML field a message about the object's sha256 points at: ``data.sha256``, or
    the URL's line when the sha256 is the lock's."""
    return "data.sha256" if source.sha256 is not None else f"data.{source.kind}"


@dataclass(frozen=True)
class ObjectHead:
    """What a HEAD says of an object: its size and ETag (None if the store sent none)."""

    size: int
    etag: str | None


@dataclass
class ReadCounts:
    """What the streams read: the work a test can count (memory flat = no large block)."""

    bytes_read: int = 0
    largest_block: int = 0
    heads: int = 0
    gets: int = 0


class RemoteObjects:
    """Object-store reads for one run: one client per (endpoint, region), made on first use
    and shared by apply's worker threads (boto3 clients are thread-safe)."""

    def __init__(self) -> None:
        self._clients: dict[tuple[str | None, str | None], Any] = {}
        self._lock = threading.Lock()
        self.counts = ReadCounts()

    def _client(self, ref: ObjectRef) -> Any:
        with self._lock:
            client = self._clients.get((ref.endpoint, ref.region))
            if client is None:
                try:
                    # Long reads: a GET's body is read as fast as MetaStudio's store takes it.
                    client = s3_client(ref.endpoint, ref.region, read_timeout=300)
                except ImportError:
                    raise ObjectUnavailable(
                        f"{ref.url}: training data in object storage needs boto3",
                        hint=INSTALL_HINT,
                    ) from None
                self._clients[ref.endpoint, ref.region] = client
            return client

    def size(self, source: DataSource) -> int:
        """The object's size from a HEAD request; no byte of it is read."""
        return self.head(source).size

    def head(self, source: DataSource) -> ObjectHead:
        """The object's size and ETag from a HEAD request; no byte of it is read."""
        ref = object_ref(source)
        with self._lock:
            self.counts.heads += 1
        try:
            reply = self._client(ref).head_object(Bucket=ref.bucket, Key=ref.key)
        except ObjectUnavailable:
            raise
        except Exception as error:
            raise _unavailable(ref, error) from None
        etag = reply.get("ETag")
        return ObjectHead(int(reply["ContentLength"]), etag if isinstance(etag, str) else None)

    @contextmanager
    def checked(self, source: DataSource, size: int, where: Location) -> Iterator[CheckedStream]:
        """A new GET of the object, as a stream that checks ``size`` and the sha256 the YAML
        declares or, without one there, reconciler.lock records.

        Each call is a new GET from the first byte: a retried upload starts over cleanly."""
        with self._read(source, size, where, object_sha256(source)) as stream:
            yield stream

    @contextmanager
    def _read(
        self, source: DataSource, size: int, where: Location, sha256: str | None
    ) -> Iterator[CheckedStream]:
        """A new GET; ``sha256`` None: the digest is only computed (``update-lock``)."""
        ref = object_ref(source)
        with self._lock:
            self.counts.gets += 1
        try:
            reply = self._client(ref).get_object(Bucket=ref.bucket, Key=ref.key)
        except ObjectUnavailable:
            raise
        except Exception as error:
            if _transient(error):
                raise SourceInterrupted(f"{ref.url}: {type(error).__name__}") from None
            raise _unavailable(ref, error) from None
        body = reply["Body"]
        try:
            yield CheckedStream(body, size, sha256, _Mismatch(source, where), self)
        finally:
            body.close()

    def verify(self, source: DataSource, where: Location, attempts: int = 3) -> int:
        """Read the whole object once, checking its size and sha256; returns the size. A
        read that fails in passing starts again with a new GET."""
        size = self.size(source)
        for attempt in range(1, attempts + 1):
            try:
                with self.checked(source, size, where) as stream:
                    while stream.read(BLOCK_SIZE):
                        pass
                return size
            except SourceInterrupted as error:
                if attempt == attempts:
                    raise ObjectUnavailable(f"{error}; tried {attempts} times") from None
        raise AssertionError("unreachable")

    def download(self, source: DataSource, size: int, where: Location, into: Path) -> str:
        """The object into the file ``into``, its size checked on the way, and its sha256 if
        the YAML declares one (for ``validate --update-lock``, which measures what is inside
        and records the sha256 it returns; plan and apply never write an object to disk).
        A read that fails in passing starts again."""
        for attempt in range(1, 4):
            try:
                with (
                    self._read(source, size, where, source.sha256) as stream,
                    into.open("wb") as sink,
                ):
                    while block := stream.read(BLOCK_SIZE):
                        sink.write(block)
                return stream.hexdigest()
            except SourceInterrupted as error:
                if attempt == 3:
                    raise ObjectUnavailable(f"{error}; tried 3 times") from None
        raise AssertionError("unreachable")

    def _counted(self, block: int) -> None:
        with self._lock:
            self.counts.bytes_read += block
            self.counts.largest_block = max(self.counts.largest_block, block)


@dataclass(frozen=True)
class _Mismatch:
    source: DataSource
    where: Location

    def __call__(self, problem: str) -> DigestMismatch:
        text = f"{self.source.declared} {problem}; nothing from it was submitted"
        if self.source.sha256 is None:  # the lock's sha256: the object changed since
            hint = f"if the object was meant to change, run `{UPDATE_COMMAND}` and plan again"
        else:
            hint = "fix the object or the sha256 in the YAML"
        line = Diagnostic.at(self.where, sha256_field(self.source), text).format(Path.cwd())
        mismatch = DigestMismatch(line, hint=hint)
        mismatch.problem = problem
        return mismatch


class CheckedStream:
    """The object's body, read in blocks no larger than BLOCK_SIZE, hashed on the way.

    The block that completes the object is returned only once the digest matches, so a
    reader (an upload) never sends a complete wrong object."""

    def __init__(
        self, body: Any, size: int, sha256: str | None, mismatch: _Mismatch, owner: RemoteObjects
    ) -> None:
        self._body, self._size, self._sha256 = body, size, sha256
        self._mismatch, self._owner = mismatch, owner
        self._digest = hashlib.sha256()
        self._seen = 0

    def __len__(self) -> int:
        return self._size

    def read(self, size: int = -1) -> bytes:
        want = BLOCK_SIZE if size is None or size < 0 else min(size, BLOCK_SIZE)
        try:
            block: bytes = self._body.read(want)
        except Exception as error:
            raise SourceInterrupted(f"reading {self._mismatch.source.declared}: {error}") from None
        self._owner._counted(len(block))
        self._seen += len(block)
        self._digest.update(block)
        if self._seen > self._size:
            raise self._mismatch(f"grew past the {self._size} bytes it had when it was opened")
        if not block and self._seen < self._size:
            raise self._mismatch(f"ended after {self._seen} of its {self._size} bytes")
        if block and self._seen == self._size and self._sha256 is not None:
            found = self._digest.hexdigest()
            if found != self._sha256:
                said = "declared" if self._mismatch.source.sha256 else f"{LOCK_NAME} records"
                raise self._mismatch(f"has sha256 {found}, not the {self._sha256} {said}")
        return block

    def hexdigest(self) -> str:
        """The sha256 of what was read so far (all of it, once read returned b"")."""
        return self._digest.hexdigest()


def _transient(error: BaseException) -> bool:
    from botocore import exceptions

    if isinstance(
        error,
        (exceptions.ConnectionError, exceptions.HTTPClientError, exceptions.ResponseStreamingError),
    ):
        return True
    response = getattr(error, "response", None)
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode") if response else None
    return isinstance(status, int) and (status >= 500 or status == 429)


def _unavailable(ref: ObjectRef, error: BaseException) -> ObjectUnavailable:
    from botocore import exceptions

    if isinstance(error, exceptions.NoCredentialsError):
        return ObjectUnavailable(
            f"{ref.url}: no AWS credentials found",
            hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (OBS takes its AK/SK the same "
            "way), or AWS_PROFILE",
        )
    response = getattr(error, "response", None)
    details = response if isinstance(response, dict) else {}
    code = str(details.get("Error", {}).get("Code", ""))
    status = details.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if status == 404 or code in ("404", "NoSuchKey", "NoSuchBucket", "NotFound"):
        return ObjectUnavailable(f"{ref.url} does not exist in the object store")
    if status == 403 or code in ("403", "AccessDenied", "InvalidAccessKeyId", "Forbidden"):
        return ObjectUnavailable(
            f"{ref.url}: access denied ({code or 403})",
            hint="check the credentials and that they may read the object",
        )
    return ObjectUnavailable(f"{ref.url} cannot be read: {type(error).__name__}: {code or error}")
