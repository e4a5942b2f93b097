"""A restarted emulator on the same data directory serves the same jobs and objects."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from tests.emulator.conftest import MakeEmulator
from tests.emulator.helpers import USER, Api, put, sentence_zip


def test_restart_keeps_jobs_objects_logs_and_assets(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    data_dir = tmp_path / "shared"
    first = make_emulator(data_dir=data_dir)
    api = Api(first.base_url)
    done = api.create("basic", voice_name="trained")
    zip_data = sentence_zip(20)
    assert put(done["training_data_uploading_url"], zip_data, "application/zip").ok
    api.submit(done["job_id"])
    trained = api.show(done["job_id"])
    pending = api.create("middle", create_type="SEGMENT")
    segment = b"segment text"
    assert put(pending["segment_uploading_url"]["txt_uploading_url"][5], segment, "text/plain").ok
    logs = api.ok("GET", f"{USER}/jobs/{done['job_id']}/op-logs", query=[("limit", "100")])
    listing = api.ok("GET", f"{USER}/jobs")
    first_base = first.base_url
    first.stop()
    with_port_freed = requests.Session()
    second = make_emulator(data_dir=data_dir)
    api = Api(second.base_url, session=with_port_freed)
    assert api.ok("GET", f"{USER}/jobs")["count"] == listing["count"] == 2
    again = api.show(done["job_id"])
    assert again["state"] == "SUCCEED" and again["asset_id"] == trained["asset_id"]
    assert api.ok("GET", f"{USER}/jobs/{done['job_id']}/op-logs", query=[("limit", "100")]) == logs
    assert api.ok("GET", f"digital-assets/{trained['asset_id']}")["asset_name"] == "trained"
    source = again["training_input_source_url"]
    assert requests.get(source, timeout=10).content == zip_data
    # URLs signed before the restart stay valid: the URL secret is persisted too.
    old_url = pending["segment_uploading_url"]["txt_uploading_url"][5]
    resent = put(old_url.replace(first_base, second.base_url), b"v2", "text/plain")
    assert resent.status_code == 200


def test_stop_frees_the_port_and_closes_keep_alive_connections(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    emu = make_emulator(data_dir=tmp_path / "a")
    port = int(emu.base_url.rsplit(":", 1)[1])
    session = requests.Session()
    api = Api(emu.base_url, session=session)
    api.ok("GET", f"{USER}/jobs")  # leaves a keep-alive connection in the session's pool
    emu.stop()
    again = make_emulator(data_dir=tmp_path / "b", port=port)
    assert again.base_url == emu_base(port)
    # The pooled connection was closed by the old server; the new one answers on the port.
    assert api.call("GET", f"{USER}/jobs").status_code == 200
    assert again.stats()["operations"] == {"list_jobs": 1}


def emu_base(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def test_state_files_are_json(make_emulator: MakeEmulator, tmp_path: Path) -> None:
    emu = make_emulator(data_dir=tmp_path / "d")
    Api(emu.base_url).create("basic")
    shards = list((tmp_path / "d" / "jobs").glob("shard-*.json"))
    assert len(shards) == 1
    assert len(json.loads(shards[0].read_text())["jobs"]) == 1
    assert oct((tmp_path / "d" / "url-secret").stat().st_mode & 0o777) == "0o600"
