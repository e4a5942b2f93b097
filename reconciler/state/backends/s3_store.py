"""The few S3 calls the S3 backend makes, with conditional writes, retries and read-back.

boto3 is imported here, lazily, so the default install needs it only for `backend: s3`.
botocore's own retries are off: a conditional PUT retried behind our back after a 500 could
get 412 for its own first attempt and look like a conflict. Our retries read back instead.

Huawei OBS (an endpoint under myhuaweicloud.com) gets virtual-hosted addressing and
checksums only where the API requires them: OBS rejects boto3's default trailing checksums
(XAmzContentSHA256Mismatch, as reported against Terraform's S3 backend on OBS).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from reconciler.state.backends.remote import describe_error, retrying
from reconciler.state.errors import StateError

OBS_DOMAIN = "myhuaweicloud.com"
INSTALL_HINT = "install the S3 backend with: pip install 'metastudio-reconciler[s3]'"
_TRANSIENT_CODES = {"InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout"}

T = TypeVar("T")


class Conflict(Exception):
    """A condition failed (412, or 409 for a concurrent conditional write)."""


@dataclass(frozen=True)
class Stored:
    data: bytes
    etag: str


def is_obs(endpoint: str | None) -> bool:
    host = (endpoint or "").split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host == OBS_DOMAIN or host.endswith("." + OBS_DOMAIN)


def make_client(endpoint: str | None, region: str | None) -> Any:
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise StateError("the S3 state backend needs boto3", hint=INSTALL_HINT) from None
    options: dict[str, Any] = {
        "retries": {"total_max_attempts": 1, "mode": "standard"},
        "connect_timeout": 10,
        "read_timeout": 30,
    }
    if is_obs(endpoint):
        options.update(
            s3={"addressing_style": "virtual"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=region, config=Config(**options)
    )


class S3Store:
    def __init__(self, client: Any, bucket: str, where: str) -> None:
        self.client = client
        self.bucket = bucket
        self.where = where

    def get(self, key: str) -> Stored | None:
        def call() -> Stored | None:
            try:
                reply = self.client.get_object(Bucket=self.bucket, Key=key)
            except Exception as error:
                if _status(error) == 404 and _code(error) != "NoSuchBucket":
                    return None
                raise
            return Stored(reply["Body"].read(), reply["ETag"])

        return self._run(call, f"read s3://{self.bucket}/{key}")

    def head(self, key: str) -> str | None:
        def call() -> str | None:
            try:
                return str(self.client.head_object(Bucket=self.bucket, Key=key)["ETag"])
            except Exception as error:
                if _status(error) == 404:
                    return None
                raise

        return self._run(call, f"read s3://{self.bucket}/{key}")

    def keys(self, prefix: str) -> list[str]:
        def call() -> list[str]:
            found: list[str] = []
            pages = self.client.get_paginator("list_objects_v2")
            for page in pages.paginate(Bucket=self.bucket, Prefix=prefix):
                found += [item["Key"] for item in page.get("Contents", ())]
            return found

        return self._run(call, f"list s3://{self.bucket}/{prefix}")

    def create(self, key: str, data: bytes) -> str:
        """PUT with If-None-Match: * (Conflict if the key exists); returns the ETag."""
        return self._put(key, data, {"IfNoneMatch": "*"})

    def replace(self, key: str, data: bytes, etag: str | None) -> str:
        """PUT with If-Match on ``etag`` (or create when None); Conflict if it changed."""
        return self._put(key, data, {"IfMatch": etag} if etag else {"IfNoneMatch": "*"})

    def copy(self, source: str, target: str, etag: str) -> None:
        def call() -> None:
            self.client.copy_object(
                Bucket=self.bucket,
                Key=target,
                CopySource={"Bucket": self.bucket, "Key": source},
                CopySourceIfMatch=etag,
            )

        self._run(call, f"copy s3://{self.bucket}/{source}", conflict=True)

    def delete(self, key: str, etag: str | None = None) -> None:
        def call() -> None:
            extra = {"IfMatch": etag} if etag else {}
            try:
                self.client.delete_object(Bucket=self.bucket, Key=key, **extra)
            except Exception as error:
                if _status(error) == 404:
                    return
                if etag and _status(error) == 501:
                    # No conditional deletes here: check, then delete (a narrow race only a
                    # force-unlock can open).
                    if self.head(key) != etag:
                        raise Conflict from None
                    self.client.delete_object(Bucket=self.bucket, Key=key)
                    return
                raise

        self._run(call, f"delete s3://{self.bucket}/{key}", conflict=True)

    def delete_many(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            batch = [{"Key": key} for key in keys[start : start + 1000]]

            def call(batch: list[dict[str, str]] = batch) -> None:
                self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )

            self._run(call, f"delete objects in s3://{self.bucket}")

    def probe(self, prefix: str) -> None:
        """Refuse a store that ignores conditional writes, before anything else is created."""
        key = f"{prefix}.probe/{uuid.uuid4()}"
        self.create(key, b"probe")
        try:
            honoured = {"If-None-Match": False, "If-Match": False}
            try:
                self._put(key, b"again", {"IfNoneMatch": "*"}, read_back=False)
            except Conflict:
                honoured["If-None-Match"] = True
            try:
                self._put(key, b"again", {"IfMatch": '"0"'}, read_back=False)
            except Conflict:
                honoured["If-Match"] = True
        finally:
            self.delete(key)
        ignored = [name for name, ok in honoured.items() if not ok]
        if ignored:
            raise StateError(
                f"the object store behind {self.where} ignores conditional writes "
                f"({' and '.join(ignored)}: a write that must get 412 succeeded), so two runs "
                "could both take the lock and overwrite each other's state",
                hint="use a store that honours If-None-Match and If-Match (AWS S3, MinIO, "
                "Ceph RGW, recent OBS), or keep the state in PostgreSQL (backend: postgres)",
            )

    def _put(self, key: str, data: bytes, condition: dict[str, str], read_back: bool = True) -> str:
        what = f"write s3://{self.bucket}/{key}"
        sent = False

        def call() -> str:
            nonlocal sent
            if sent and read_back:
                # The previous attempt's outcome is unknown: see what is there first.
                stored = self.get(key)
                if stored is not None and stored.data == data:
                    return stored.etag
                if stored is not None and "IfNoneMatch" in condition:
                    raise Conflict
            sent = True
            reply = self.client.put_object(Bucket=self.bucket, Key=key, Body=data, **condition)
            return str(reply["ETag"])

        return self._run(call, what, conflict=True)

    def _run(self, call: Callable[[], T], what: str, conflict: bool = False) -> T:
        def guarded() -> T:
            try:
                return call()
            except Conflict:
                raise
            except Exception as error:
                if conflict and _status(error) in (409, 412) and not _transient(error):
                    raise Conflict from None
                if _transient(error):
                    raise
                raise _fatal(error, what, self.where) from None

        return retrying(guarded, _transient, what)


def _status(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return None
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return int(status) if status is not None else None


def _code(error: BaseException) -> str:
    response = getattr(error, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def _transient(error: BaseException) -> bool:
    from botocore import exceptions

    if isinstance(
        error,
        (exceptions.ConnectionError, exceptions.HTTPClientError, exceptions.ResponseStreamingError),
    ):
        return True
    status = _status(error)
    # 409 OperationAborted/ConditionalRequestConflict: a concurrent conditional write; AWS
    # says to retry, and our read-back turns a real conflict into Conflict.
    return (status is not None and (status >= 500 or status == 429)) or (
        _code(error) in _TRANSIENT_CODES | {"ConditionalRequestConflict", "OperationAborted"}
    )


def _fatal(error: BaseException, what: str, where: str) -> StateError:
    from botocore import exceptions

    if isinstance(error, exceptions.NoCredentialsError):
        return StateError(
            f"cannot {what}: no AWS credentials found",
            hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE "
            "(the standard AWS chain; OBS takes an AK/SK pair the same way)",
        )
    code = _code(error)
    if code == "NoSuchBucket":
        return StateError(
            f"cannot {what}: the bucket does not exist",
            hint=f"create it first (reconciler never creates buckets); state: {where}",
        )
    if _status(error) == 403 or code in ("AccessDenied", "InvalidAccessKeyId"):
        return StateError(
            f"cannot {what}: access denied ({code or 403})",
            hint="check the credentials and the bucket policy (see the README's IAM policy)",
        )
    return StateError(f"cannot {what}: {describe_error(error)}")
