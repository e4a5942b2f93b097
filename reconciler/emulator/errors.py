"""Errors a handler raises to produce an error response; the dispatcher renders them."""

from __future__ import annotations

INVALID_PARAMETER = "MSS.00000003"
INVALID_BODY = "MSS.00000002"
JSON_CONTENT_TYPE = "MSS.10000002"
API_NOT_FOUND = "MSS.00010003"
METHOD_NOT_ALLOWED = "MSS.00010004"
TENANT_MISMATCH = "MSS.00010009"
IAM_AUTH_FAILED = "APIGW.0301"
THROTTLED = "APIGW.0308"
INTERNAL_ERROR = "MSS.00000001"
ASSET_NOT_FOUND = "MSS.10001001"
# The asset library refuses a second asset of a name (named by the assets issue).
ASSET_NAME_EXISTS = "MSS.10001005"


class ApiError(Exception):
    """A MetaStudio-style JSON error: ``{"error_code", "error_msg", "request_id"}``."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class ObsError(Exception):
    """An OBS/S3-style XML error. ``body_read`` says whether the request body was consumed,
    which decides whether the connection can be kept alive."""

    def __init__(self, status: int, code: str, message: str, *, body_read: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.body_read = body_read


class UploadAborted(Exception):
    """The client stopped sending before Content-Length bytes arrived: nothing to answer."""


def invalid_parameter(name: str, detail: str) -> ApiError:
    return ApiError(400, INVALID_PARAMETER, f"Invalid parameter: {name} {detail}")


def unknown_job(job_id: str) -> ApiError:
    return invalid_parameter("job_id", f"{job_id!r} does not exist")


def asset_not_found(asset_id: str) -> ApiError:
    return ApiError(400, ASSET_NOT_FOUND, f"Asset not found: {asset_id}")


def auth_failed(detail: str) -> ApiError:
    return ApiError(401, IAM_AUTH_FAILED, f"Incorrect IAM authentication information: {detail}")


def tenant_mismatch(detail: str) -> ApiError:
    return ApiError(400, TENANT_MISMATCH, f"urlTenantId is not equal tokenTenantId: {detail}")
