"""Training data in object storage: moto's S3 server (behind a counting proxy) and the
MetaStudio emulator, both real servers on loopback."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from reconciler import speechlike
from reconciler.config.diagnostics import Location
from reconciler.config.model import DataSource
from reconciler.data.files import BLOCK_SIZE
from reconciler.data.remote import DigestMismatch, ObjectUnavailable, RemoteObjects
from reconciler.emulator import Emulator
from tests.cli_runs import run_cli
from tests.e2e.conftest import Project, config_head
from tests.metastudio.conftest import AK, SK, emulator_config, make_client
from tests.remote.servers import AWS_ENV, Proxy

KEY = "voices/long.zip"


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    with Emulator(emulator_config(tmp_path / "emulator"), host="127.0.0.1", port=0) as emu:
        yield emu


def _put(moto_url: str, bucket: str, key: str, data: bytes) -> None:
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1")
    s3.put_object(Bucket=bucket, Key=key, Body=data)


def _package(tmp_path: Path, seconds: float = 3.0, seed: int = 0) -> bytes:
    take = speechlike.long_take_wav(1, seconds, seed=seed)
    return speechlike.write_package(
        tmp_path / f"take-{seed}.zip", {"recording.wav": take}
    ).read_bytes()


def _project(tmp_path: Path, emulator: Emulator, data_yaml: str) -> Project:
    root = tmp_path / "project"
    root.mkdir(exist_ok=True)
    environ = {
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
        "RECONCILER_CACHE_DIR": str(tmp_path / "cache"),
    }
    project = Project(root, emulator, environ)
    voice = "  third:\n    edition: third-party\n    voice_name: Third\n" + data_yaml
    project.write_config(config_head() + voice.replace("{", "{{").replace("}", "}}"))
    return project


def _data(bucket: str, sha256: str, endpoint: str) -> str:
    return (
        f"    data:\n      package: s3://{bucket}/{KEY}\n      sha256: {sha256}\n"
        f"      endpoint: {endpoint}\n"
    )


def _requests(proxy: Proxy, method: str) -> int:
    return sum(1 for m, path, _ in proxy.sent if m == method and path.endswith(KEY))


def test_plan_reads_no_object_and_apply_streams_it_checked(
    tmp_path: Path, emulator: Emulator, moto_url: str, bucket: str, proxy: Proxy
) -> None:
    data = _package(tmp_path)
    _put(moto_url, bucket, KEY, data)
    project = _project(
        tmp_path, emulator, _data(bucket, hashlib.sha256(data).hexdigest(), proxy.url)
    )

    code, out, err = project.run("plan", "--detailed-exitcode")
    assert code == 2, out + err
    assert "Plan: 1 to create" in out
    assert "not checked" in err and f"s3://{bucket}/{KEY} is in object storage" in err
    assert _requests(proxy, "GET") == 0 and _requests(proxy, "HEAD") >= 1

    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    (job,) = project.jobs()
    assert job["state"] != "CREATING"  # submitted
    stored = list((tmp_path / "emulator").rglob("*.zip"))
    assert [p.read_bytes() for p in stored] == [data]
    # One read to check it before the create, one streamed to MetaStudio.
    assert _requests(proxy, "GET") == 2

    before = _requests(proxy, "GET")
    code, out, err = project.run("plan", "--detailed-exitcode")
    assert code == 0 and "No changes." in out, out + err
    assert _requests(proxy, "GET") == before
    everything = out + err + json.dumps(project.state())
    for secret in (AWS_ENV["AWS_ACCESS_KEY_ID"], AWS_ENV["AWS_SECRET_ACCESS_KEY"]):
        assert secret not in everything


def test_a_wrong_sha256_stops_the_voice_before_anything_is_created(
    tmp_path: Path, emulator: Emulator, moto_url: str, bucket: str, proxy: Proxy
) -> None:
    data = _package(tmp_path)
    _put(moto_url, bucket, KEY, data)
    wrong = hashlib.sha256(b"other bytes").hexdigest()
    project = _project(tmp_path, emulator, _data(bucket, wrong, proxy.url))

    code, out, err = project.run("apply", "--auto-approve")
    assert code == 1, out + err
    line = next(line for line in (out + err).splitlines() if "data.sha256" in line)
    assert "voices.yaml:" in line and f"has sha256 {hashlib.sha256(data).hexdigest()}" in line
    assert project.jobs() == []
    assert "AWS_SECRET" not in out + err


def test_an_object_replaced_after_the_check_is_cut_off_and_never_submitted(
    tmp_path: Path, emulator: Emulator, moto_url: str, bucket: str, proxy: Proxy
) -> None:
    data, other = _package(tmp_path), _package(tmp_path, seed=1)
    _put(moto_url, bucket, KEY, data)
    project = _project(
        tmp_path, emulator, _data(bucket, hashlib.sha256(data).hexdigest(), proxy.url)
    )
    gets = 0

    def replace_before_the_upload(method: str, path: str) -> str | None:
        nonlocal gets
        if method == "GET" and path.endswith(KEY):
            gets += 1
            if gets == 2:  # the check passed; the upload's read finds another object
                _put(moto_url, bucket, KEY, other)
        return None

    proxy.fault = replace_before_the_upload
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 1, out + err
    assert "data.sha256" in err and "nothing from it was submitted" in err
    (job,) = project.jobs()
    assert job["state"] == "CREATING"  # created, never submitted
    assert list((tmp_path / "emulator").rglob("*.zip")) == []  # the PUT was cut short
    assert project.state()["voices"]["third"]["phase"] == "created"

    proxy.fault = None
    _put(moto_url, bucket, KEY, data)
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    (again,) = project.jobs()
    assert again["job_id"] == job["job_id"] and again["state"] != "CREATING"


def test_a_read_that_fails_mid_upload_starts_a_new_get(
    tmp_path: Path, emulator: Emulator, moto_url: str, bucket: str, proxy: Proxy
) -> None:
    data = _package(tmp_path)
    _put(moto_url, bucket, KEY, data)
    project = _project(
        tmp_path, emulator, _data(bucket, hashlib.sha256(data).hexdigest(), proxy.url)
    )
    gets = 0

    def reset_the_upload_read(method: str, path: str) -> str | None:
        nonlocal gets
        if method == "GET" and path.endswith(KEY):
            gets += 1
            return "reset" if gets == 2 else None
        return None

    proxy.fault = reset_the_upload_read
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert gets == 3
    assert [p.read_bytes() for p in (tmp_path / "emulator").rglob("*.zip")] == [data]


def test_the_stream_to_metastudio_is_memory_flat(
    tmp_path: Path, emulator: Emulator, moto_url: str, bucket: str
) -> None:
    data = _package(tmp_path, seconds=40.0)
    assert len(data) > 3 * BLOCK_SIZE
    _put(moto_url, bucket, KEY, data)
    source = DataSource(
        "package", Path(), f"s3://{bucket}/{KEY}", hashlib.sha256(data).hexdigest(), moto_url
    )
    remote = RemoteObjects()
    where = Location(tmp_path / "voices.yaml", 3, 7)
    with make_client(emulator.base_url) as client:
        created = client.create_job("THIRD_PARTY", {"voice_name": "v", "create_type": "PACKAGE"})
        assert created.uploads.package is not None
        size = remote.size(source)
        client.upload_stream(
            created.uploads.package, lambda: remote.checked(source, size, where), size, "package"
        )
    assert size == len(data)
    assert remote.counts.gets == 1 and remote.counts.bytes_read == len(data)
    assert remote.counts.largest_block <= BLOCK_SIZE
    assert [p.read_bytes() for p in (tmp_path / "emulator").rglob("*.zip")] == [data]


def test_a_mismatch_is_found_by_reading_not_by_trusting_the_size(
    tmp_path: Path, moto_url: str, bucket: str
) -> None:
    data = _package(tmp_path)
    _put(moto_url, bucket, KEY, data)
    remote = RemoteObjects()
    wrong = DataSource("package", Path(), f"s3://{bucket}/{KEY}", "0" * 64, moto_url)
    with pytest.raises(DigestMismatch, match="has sha256"):
        remote.verify(wrong, Location(tmp_path / "voices.yaml", 3, 7))
    missing = DataSource("package", Path(), f"s3://{bucket}/nope.zip", "0" * 64, moto_url)
    with pytest.raises(ObjectUnavailable, match="does not exist"):
        remote.size(missing)


def _validate_one_line(tmp_path: Path, package: str, endpoint: str) -> tuple[int, str]:
    text = (
        f"version: 1\nprovider: {{emulator: {tmp_path / 'emu'}}}\nvoices:\n"
        f"  v:\n    edition: premium\n    voice_name: V\n"
        f"    data: {{package: '{package}', sha256: '{'0' * 64}', endpoint: '{endpoint}'}}\n"
    )
    (tmp_path / "voices.yaml").write_text(text)
    code, _, err = run_cli(tmp_path, "validate")
    return code, err


def test_without_boto3_the_error_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)  # as if not installed
    code, err = _validate_one_line(tmp_path, "s3://b-1/v.zip", "http://127.0.0.1:9")
    assert code == 1, err
    assert "voices.yaml:7:" in err and "voices.v.data.package" in err
    assert "pip install 'metastudio-reconciler[s3]'" in err and "Traceback" not in err


def test_without_credentials_or_object_validate_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moto_url: str, bucket: str
) -> None:
    code, err = _validate_one_line(tmp_path, f"s3://{bucket}/missing.zip", moto_url)
    assert code == 1 and err.count("voices.yaml:7:") == 1, err
    assert f"s3://{bucket}/missing.zip does not exist" in err
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask a metadata service
    code, err = _validate_one_line(tmp_path, f"s3://{bucket}/missing.zip", moto_url)
    assert code == 1 and err.count("voices.yaml:7:") == 1, err
    assert "no AWS credentials" in err and "AWS_ACCESS_KEY_ID" in err
    assert "Traceback" not in err and "unexpected" not in err


def test_a_saved_plan_applies_object_store_data_and_holds_no_secret(
    tmp_path: Path, emulator: Emulator, moto_url: str, bucket: str, proxy: Proxy
) -> None:
    data = _package(tmp_path)
    _put(moto_url, bucket, KEY, data)
    sha = hashlib.sha256(data).hexdigest()
    project = _project(tmp_path, emulator, _data(bucket, sha, proxy.url))
    code, out, err = project.run("plan", "--out", "tfplan")
    assert code == 0, out + err
    assert _requests(proxy, "GET") == 0
    saved = (project.root / "tfplan").read_bytes()
    assert sha.encode() in saved  # the digest the plan binds the data to
    for secret in (AWS_ENV["AWS_ACCESS_KEY_ID"], AWS_ENV["AWS_SECRET_ACCESS_KEY"]):
        assert secret.encode() not in saved
    code, out, err = project.run("apply", "tfplan")
    assert code == 0, out + err
    assert [p.read_bytes() for p in (tmp_path / "emulator").rglob("*.zip")] == [data]


def test_the_lock_holds_an_objects_measurements_so_plan_judges_it_reading_nothing(
    tmp_path: Path, emulator: Emulator, moto_url: str, bucket: str, proxy: Proxy
) -> None:
    """validate --update-lock reads the object once and records what is inside under its
    URL; plans then judge the recordings by those facts with no GET, and say nothing is
    "not checked"."""
    data = _package(tmp_path)
    _put(moto_url, bucket, KEY, data)
    sha256 = hashlib.sha256(data).hexdigest()
    project = _project(tmp_path, emulator, _data(bucket, sha256, proxy.url))

    code, out, err = project.run("validate", "--update-lock", "--no-table")
    assert code == 0 and "Wrote reconciler.lock." in out, out + err
    assert _requests(proxy, "GET") == 1
    entry = json.loads((project.root / "reconciler.lock").read_text("utf-8"))["data"]
    assert set(entry) == {f"s3://{bucket}/{KEY}"}
    locked = entry[f"s3://{bucket}/{KEY}"]
    assert (locked["sha256"], locked["size"]) == (sha256, len(data))
    assert locked["members"]["recording.wav"]["wav"]["sample_rate"] == 48000
    assert (tmp_path / "cache").is_dir()  # where the copy was made
    assert not list((tmp_path / "cache").rglob("reconciler-object-*"))  # and removed

    code, out, err = project.run("plan", "--detailed-exitcode")
    assert code == 2 and "Plan: 1 to create" in out, out + err
    assert "not checked" not in err, err
    assert _requests(proxy, "GET") == 1

    # The lock's facts are of that sha256 only: another object is not judged by them.
    other = _package(tmp_path, seed=1)
    _put(moto_url, bucket, KEY, other)
    project = _project(
        tmp_path, emulator, _data(bucket, hashlib.sha256(other).hexdigest(), proxy.url)
    )
    code, out, err = project.run("plan", "--detailed-exitcode")
    assert code == 2, out + err
    assert "reconciler.lock is stale for it" in err and "not checked" in err, err


def test_update_lock_judges_what_is_inside_the_object(
    tmp_path: Path, emulator: Emulator, moto_url: str, bucket: str, proxy: Proxy
) -> None:
    """Recordings the review would refuse are refused from the lock too, at the YAML line."""
    low_rate = speechlike.write_package(
        tmp_path / "low.zip", {"recording.wav": speechlike.tone_wav(40.0, sample_rate=16000)}
    ).read_bytes()
    _put(moto_url, bucket, KEY, low_rate)
    project = _project(
        tmp_path, emulator, _data(bucket, hashlib.sha256(low_rate).hexdigest(), proxy.url)
    )
    code, out, err = project.run("validate", "--update-lock", "--no-table")
    assert code == 1 and "Wrote reconciler.lock." in out, out + err
    assert "recording.wav" in err and "16000" in err, err
    gets = _requests(proxy, "GET")
    code, out, err = project.run("plan")
    assert code == 1, out + err
    said = [line for line in err.splitlines() if "recording.wav" in line and "16000" in line]
    assert said and said[0].startswith("Error: voices.yaml:"), err
    assert _requests(proxy, "GET") == gets  # judged from the lock


def test_update_lock_refuses_an_object_whose_sha256_differs(
    tmp_path: Path, emulator: Emulator, moto_url: str, bucket: str, proxy: Proxy
) -> None:
    data = _package(tmp_path)
    _put(moto_url, bucket, KEY, data)
    project = _project(tmp_path, emulator, _data(bucket, "a" * 64, proxy.url))
    code, out, err = project.run("validate", "--update-lock", "--no-table")
    assert code == 1, out + err
    line = next(line for line in err.splitlines() if f"s3://{bucket}/{KEY} has sha256" in line)
    assert "voices.yaml:" in line and f"not the {'a' * 64} declared" in line, line
    lock = json.loads((project.root / "reconciler.lock").read_text("utf-8"))
    assert lock["data"] == {}


def _unhashed(bucket: str, endpoint: str) -> str:
    """A package in object storage with no sha256 in the YAML: the lock gives it."""
    return f"    data:\n      package: s3://{bucket}/{KEY}\n      endpoint: {endpoint}\n"


def _locked_entry(project: Project, bucket: str) -> dict[str, object]:
    lock = json.loads((project.root / "reconciler.lock").read_text("utf-8"))
    entry: dict[str, object] = lock["data"][f"s3://{bucket}/{KEY}"]
    return entry


def test_the_sha256_may_come_from_the_lock_alone(
    tmp_path: Path, emulator: Emulator, moto_url: str, bucket: str, proxy: Proxy
) -> None:
    """Without sha256 in the YAML, plan asks for the lock (a located error, no GET);
    validate --update-lock reads the object once and records its sha256; plan and apply
    then go by it as by a declared one, with the same data digest."""
    data = _package(tmp_path)
    sha256 = hashlib.sha256(data).hexdigest()
    _put(moto_url, bucket, KEY, data)
    project = _project(tmp_path, emulator, _unhashed(bucket, proxy.url))

    code, out, err = project.run("plan")
    assert code == 1, out + err
    line = next(line for line in err.splitlines() if "has no sha256" in line)
    assert line.startswith("Error: voices.yaml:") and "voices.third.data" in line, line
    assert "reconciler validate --update-lock" in line, line
    assert _requests(proxy, "GET") == 0 and project.jobs() == []

    code, out, err = project.run("validate", "--update-lock", "--no-table")
    assert code == 0 and "Wrote reconciler.lock." in out, out + err
    assert _requests(proxy, "GET") == 1
    entry = _locked_entry(project, bucket)
    assert (entry["sha256"], entry["size"]) == (sha256, len(data))
    assert entry["etag"] == f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"'

    code, out, err = project.run("plan", "--detailed-exitcode")
    assert code == 2 and "Plan: 1 to create" in out, out + err
    assert "not checked" not in err, err
    assert _requests(proxy, "GET") == 1

    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert [p.read_bytes() for p in (tmp_path / "emulator").rglob("*.zip")] == [data]
    assert _requests(proxy, "GET") == 3  # the check before the create, then the upload
    assert project.state()["voices"]["third"]["data_digest"] == f"sha256:{sha256}"

    # Writing the same sha256 into the YAML is no change: the digest is the zip's either way.
    project = _project(tmp_path, emulator, _data(bucket, sha256, proxy.url))
    code, out, err = project.run("plan", "--detailed-exitcode")
    assert code == 0 and "No changes." in out, out + err


def test_an_object_replaced_since_the_lock_is_refused_before_anything_is_spent(
    tmp_path: Path, emulator: Emulator, moto_url: str, bucket: str, proxy: Proxy
) -> None:
    """The lock's sha256 is of the object it read: one of another size or ETag stops plan
    at the YAML line with the command to run, reading nothing, and a saved plan made
    before the object was replaced creates nothing."""
    data = _package(tmp_path)
    _put(moto_url, bucket, KEY, data)
    project = _project(tmp_path, emulator, _unhashed(bucket, proxy.url))
    code, out, err = project.run("validate", "--update-lock", "--no-table")
    assert code == 0, out + err
    code, out, err = project.run("plan", "--out", "tfplan")
    assert code == 0, out + err
    gets = _requests(proxy, "GET")

    same_size = bytearray(data)
    same_size[len(data) // 2] ^= 0xFF  # one byte of the audio: the size alone cannot tell
    for replacement, said in ((bytes(same_size), "its ETag was"), (data + b"\0", "bytes")):
        _put(moto_url, bucket, KEY, replacement)
        code, out, err = project.run("plan")
        assert code == 1, out + err
        line = next(line for line in err.splitlines() if "was replaced since" in line)
        assert line.startswith("Error: voices.yaml:") and said in line, line
        assert "reconciler validate --update-lock" in line, line
        assert _requests(proxy, "GET") == gets

    _put(moto_url, bucket, KEY, bytes(same_size))
    code, out, err = project.run("apply", "tfplan")
    assert code == 1, out + err
    assert "was replaced since" in err and "Traceback" not in err, err
    assert project.jobs() == []


def test_a_stream_checked_against_the_lock_names_it(
    tmp_path: Path, moto_url: str, bucket: str
) -> None:
    """Apply's read checks the bytes against the lock's sha256 as against a declared one;
    the message points at the URL's line and says to update the lock."""
    data = _package(tmp_path)
    _put(moto_url, bucket, KEY, data)
    url = f"s3://{bucket}/{KEY}"
    lock = tmp_path / "reconciler.lock"
    entry = {"sha256": "0" * 64, "size": len(data), "members": {}}
    _write_lock(lock, {url: entry})
    source = DataSource("package", Path(), url, None, moto_url, lock=lock)
    where = Location(tmp_path / "voices.yaml", 3, 7)
    with pytest.raises(DigestMismatch) as raised:
        RemoteObjects().verify(source, where)
    assert f"not the {'0' * 64} reconciler.lock records" in str(raised.value)
    assert "data.package" in str(raised.value)
    assert "validate --update-lock" in (raised.value.hint or "")

    entry["sha256"] = hashlib.sha256(data).hexdigest()
    _write_lock(lock, {url: entry})
    assert RemoteObjects().verify(source, where) == len(data)  # the lock read again


def _write_lock(path: Path, data: dict[str, object]) -> None:
    """As the tool writes it: a new file put in place (so even a rewrite at the same size
    within one timestamp tick is a new file)."""
    fresh = path.with_suffix(".new")
    fresh.write_text(json.dumps({"lock_version": 1, "data": data}))
    fresh.replace(path)
