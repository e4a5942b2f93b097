"""A requests-based client for the MetaStudio voice-training, TTS-audition and asset APIs."""

from reconciler.jobstates import JobState
from reconciler.metastudio.client import CONTENT_TYPES, MetaStudioClient
from reconciler.metastudio.credentials import (
    AkSkCredentials,
    Credentials,
    TokenCredentials,
    load_credentials,
)
from reconciler.metastudio.durations import TenantDurations
from reconciler.metastudio.endpoint import resolve_endpoint
from reconciler.metastudio.errors import MetaStudioError, OutcomeUnknownError, TransportError
from reconciler.metastudio.models import TrainingJob, UploadUrls
from reconciler.metastudio.objects import UploadRejectedError
from reconciler.metastudio.policy import RateLimits, RetryPolicy
from reconciler.metastudio.redact import SignedUrl, redact_url

__all__ = [
    "CONTENT_TYPES",
    "AkSkCredentials",
    "Credentials",
    "JobState",
    "MetaStudioClient",
    "MetaStudioError",
    "OutcomeUnknownError",
    "RateLimits",
    "RetryPolicy",
    "SignedUrl",
    "TenantDurations",
    "TokenCredentials",
    "TrainingJob",
    "TransportError",
    "UploadRejectedError",
    "UploadUrls",
    "load_credentials",
    "redact_url",
    "resolve_endpoint",
]
