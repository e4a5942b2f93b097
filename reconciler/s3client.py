"""One way to make a boto3 S3 client, for the S3 state backend and object-store training data.

boto3 is imported lazily: the default install needs it only for `backend: s3` or for data in
object storage (the `s3` extra). Huawei OBS (an endpoint under myhuaweicloud.com) gets
virtual-hosted addressing and checksums only where the API requires them: OBS rejects
boto3's default trailing checksums (XAmzContentSHA256Mismatch, as reported against
Terraform's S3 backend on OBS).
"""

from __future__ import annotations

from typing import Any

OBS_DOMAIN = "myhuaweicloud.com"
INSTALL_HINT = "install the s3 extra: pip install 'metastudio-reconciler[s3]'"


def is_obs(endpoint: str | None) -> bool:
    host = (endpoint or "").split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host == OBS_DOMAIN or host.endswith("." + OBS_DOMAIN)


def obs_endpoint(region: str) -> str:
    """The OBS endpoint of a Huawei Cloud region, as the OBS documentation names them."""
    return f"https://obs.{region}.{OBS_DOMAIN}"


def s3_client(endpoint: str | None, region: str | None, *, read_timeout: float = 30) -> Any:
    """A client with botocore's own retries off (callers retry, knowing what is safe to).

    ImportError when boto3 is missing: each caller words it for its own feature.
    ``endpoint`` None: boto3's own choice (AWS_ENDPOINT_URL, the AWS config, else AWS).
    """
    import boto3
    from botocore.config import Config

    options: dict[str, Any] = {
        "retries": {"total_max_attempts": 1, "mode": "standard"},
        "connect_timeout": 10,
        "read_timeout": read_timeout,
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
