"""`data: {package: s3://... or obs://..., sha256: ...}`: read, refused where wrong, cached,
and digested without a byte of the object."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from reconciler.config import DataSource, load_config
from reconciler.data import DigestCache, data_digest
from reconciler.data.lock import NoObjectSha256, render_lock
from reconciler.data.remote import ObjectUnavailable, object_ref
from tests.config.helpers import diagnostics, write

SHA = "3A7BD3E2360A3D29EEA436FCFB7E44C735D117C42D1C1835420B6B9942DD4F1B"


def _config(data: str) -> str:
    return f"""\
version: 1
provider:
  region: cn-north-4
voices:
  alice:
    edition: premium
    voice_name: Alice
    data:
{data}
"""


def _errors(tmp_path: Path, data: str) -> list[str]:
    return [d.format() for d in diagnostics(tmp_path, _config(data)) if d.is_error]


def test_object_store_data_is_read_with_its_sha256_and_endpoint(tmp_path: Path) -> None:
    data = f"      package: s3://team-voices/a/alice.zip\n      sha256: {SHA}\n"
    data += "      endpoint: https://obs.cn-north-4.myhuaweicloud.com\n"
    source = load_config(write(tmp_path, _config(data))).voices["alice"].data
    assert source.remote and source.kind == "package"
    assert source.declared == "s3://team-voices/a/alice.zip"
    assert source.sha256 == SHA.lower()
    assert source.endpoint == "https://obs.cn-north-4.myhuaweicloud.com"
    assert source.region == "cn-north-4"


S3 = "      package: s3://team-voices/alice.zip\n"
WITH_SHA = f"      sha256: {SHA}\n"


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        (
            S3.replace("s3://team-voices", "obs://Bad_Bucket") + WITH_SHA,
            "data.package",
            "must be s3://",
        ),
        ("      dir: s3://team-voices/alice/\n", "data.dir", "must be a local folder"),
        (
            "      package: data/alice.zip\n" + WITH_SHA,
            "data.sha256",
            "only for a package in object",
        ),
        (S3 + "      sha256: abc\n", "data.sha256", "64 hex digits"),
        (S3 + WITH_SHA + "      dir: data/alice\n", "data", "exactly one of package, dir or"),
    ],
)
def test_wrong_object_store_data_is_a_located_error(
    tmp_path: Path, data: str, field: str, says: str
) -> None:
    errors = _errors(tmp_path, data)
    assert len(errors) == 1, errors
    assert "voices.yaml:" in errors[0] and f"voices.alice.{field}:" in errors[0]
    assert says in errors[0]


def test_the_digest_is_the_declared_sha256_and_reads_nothing(tmp_path: Path) -> None:
    zipped = tmp_path / "alice.zip"
    zipped.write_bytes(b"PK\x05\x06" + bytes(18))
    sha = hashlib.sha256(zipped.read_bytes()).hexdigest()
    cache = DigestCache(tmp_path / "cache")
    remote = DataSource("package", Path("unused"), "s3://b-1/alice.zip", sha, None, None)
    local = DataSource("package", zipped, "alice.zip")
    before = cache.bytes_read
    assert data_digest(remote, cache) == f"sha256:{sha}"
    assert cache.bytes_read == before
    # The same bytes in a bucket or beside the YAML: the same digest, so no change to plan.
    assert data_digest(local, cache) == data_digest(remote, cache)


def test_a_cached_config_keeps_object_store_data(tmp_path: Path) -> None:
    data = f"      package: obs://team-voices/alice.zip\n      sha256: {SHA}\n"
    path = write(tmp_path, _config(data))
    fresh = load_config(path, cache_dir=tmp_path / "cache").voices["alice"].data
    cached = load_config(path, cache_dir=tmp_path / "cache").voices["alice"].data
    assert list((tmp_path / "cache" / "config").iterdir())  # the second load was a hit
    assert cached == fresh and cached.sha256 == SHA.lower() and cached.region == "cn-north-4"


def test_without_a_sha256_the_digest_is_the_locks_or_an_error_naming_the_command(
    tmp_path: Path,
) -> None:
    """The YAML may leave the sha256 to reconciler.lock; the cached configuration keeps
    where the lock is, never the sha256 itself (the lock changes without the YAML)."""
    path = write(tmp_path, _config(S3))
    for _ in range(2):  # built, then from the configuration cache
        source = load_config(path, cache_dir=tmp_path / "cache").voices["alice"].data
        assert (source.sha256, source.lock) == (None, tmp_path / "reconciler.lock")
    cache = DigestCache(tmp_path / "digests")
    with pytest.raises(NoObjectSha256, match="validate --update-lock"):
        data_digest(source, cache)
    url = "s3://team-voices/alice.zip"
    entry = {"sha256": SHA.lower(), "size": 22, "members": {}}
    (tmp_path / "reconciler.lock").write_text(render_lock({url: entry}))
    assert data_digest(source, cache) == f"sha256:{SHA.lower()}"
    assert cache.bytes_read == 0
    # A sha256 beside the URL outranks the lock's (apply checks the bytes against it).
    declared = load_config(write(tmp_path, _config(S3 + WITH_SHA.replace("3A", "4A")))).voices
    assert data_digest(declared["alice"].data, cache) == f"sha256:{SHA.lower().replace('3a', '4a')}"


def test_obs_urls_default_to_the_regions_obs_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    obs = DataSource("package", Path(), "obs://b-1/k/a.zip", "0" * 64, None, "cn-north-4")
    ref = object_ref(obs)
    assert (ref.bucket, ref.key) == ("b-1", "k/a.zip")
    assert ref.endpoint == "https://obs.cn-north-4.myhuaweicloud.com"
    assert object_ref(DataSource("package", Path(), "s3://b-1/a.zip", "0" * 64)).endpoint is None
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    assert object_ref(obs).endpoint == "http://127.0.0.1:9"
    written = DataSource("package", Path(), "obs://b-1/a.zip", "0" * 64, "https://e.example", None)
    assert object_ref(written).endpoint == "https://e.example"
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    with pytest.raises(ObjectUnavailable, match=r"provider\.region"):
        object_ref(DataSource("package", Path(), "obs://b-1/a.zip", "0" * 64))
