"""Training data: preflight checks, stat-keyed digests, deterministic zip packaging."""

from reconciler.data.checks import DEFAULT_DURATIONS, DurationLimits, tenant_duration_limits
from reconciler.data.digest import DigestCache, data_digest, default_cache_dir
from reconciler.data.files import MAX_PUT_BYTES, DatasetFile, dataset_files
from reconciler.data.package import build_package, package_size
from reconciler.data.preflight import Inspection, inspect_data, preflight
from reconciler.defaults import DEFAULT_BIT_DEPTHS, DEFAULT_SAMPLE_RATES

__all__ = [
    "DEFAULT_BIT_DEPTHS",
    "DEFAULT_DURATIONS",
    "DEFAULT_SAMPLE_RATES",
    "MAX_PUT_BYTES",
    "DatasetFile",
    "DigestCache",
    "DurationLimits",
    "Inspection",
    "build_package",
    "data_digest",
    "dataset_files",
    "default_cache_dir",
    "inspect_data",
    "package_size",
    "preflight",
    "tenant_duration_limits",
]
