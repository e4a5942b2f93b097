"""Fault injection: each kind, budgets, glob patterns, seeded reproducibility, stats."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests

from reconciler.emulator import Emulator, FaultPlan
from tests.emulator.conftest import MakeEmulator
from tests.emulator.helpers import USER, Api, put

JOBS = f"{USER}/jobs"


def test_error_500(emu: Emulator, api: Api) -> None:
    emu.set_faults(FaultPlan.parse({"list_jobs": {"error_500": 1.0}}))
    response = api.call("GET", JOBS)
    assert response.status_code == 500
    assert set(response.json()) == {"error_code", "error_msg", "request_id"}
    assert api.create("basic")["job_id"]  # other operations are untouched


def test_throttle_429_with_retry_after(emu: Emulator, api: Api) -> None:
    emu.set_faults(FaultPlan.parse({"show_job": {"throttle_429": 1.0, "retry_after": 3}}))
    job_id = api.create("basic")["job_id"]
    response = api.call("GET", f"{JOBS}/{job_id}")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    body = response.json()
    assert body["error_code"] == "APIGW.0308"
    assert body["error_msg"] == "The throttling threshold has been reached"


def test_reset_closes_without_a_response(emu: Emulator, api: Api) -> None:
    emu.set_faults(FaultPlan.parse({"list_jobs": {"reset": 1.0}}))
    with pytest.raises(requests.ConnectionError):
        api.call("GET", JOBS)
    emu.set_faults(FaultPlan())
    assert api.call("GET", JOBS).status_code == 200


def test_latency(emu: Emulator, api: Api) -> None:
    emu.set_faults(FaultPlan.parse({"list_*": {"latency": 0.3}}))
    started = time.monotonic()
    assert api.call("GET", JOBS).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_drop_response_performs_the_create_once(emu: Emulator, api: Api) -> None:
    emu.set_faults(FaultPlan.parse({"create_basic_job": {"drop_response": 1.0, "times": 1}}))
    with pytest.raises(requests.ConnectionError):
        api.call("POST", f"{USER}/basic-jobs", body={"voice_name": "ghost"})
    listed = api.ok("GET", JOBS, query=[("voice_name", "ghost")])
    assert listed["count"] == 1  # the job exists although the client never heard of it
    api.create("basic", voice_name="ghost")
    assert api.ok("GET", JOBS, query=[("voice_name", "ghost")])["count"] == 2


def test_drop_response_only_applies_to_creates_and_commit(emu: Emulator, api: Api) -> None:
    emu.set_faults(FaultPlan.parse({"*": {"drop_response": 1.0}}))
    assert api.call("GET", JOBS).status_code == 200


def test_times_budget(emu: Emulator, api: Api) -> None:
    emu.set_faults(FaultPlan.parse({"list_jobs": {"error_500": 1.0, "times": 2}}))
    statuses = [api.call("GET", JOBS).status_code for _ in range(4)]
    assert statuses == [500, 500, 200, 200]


def test_glob_patterns(emu: Emulator, api: Api) -> None:
    emu.set_faults(FaultPlan.parse({"create_*": {"error_500": 1.0}}))
    assert api.call("POST", f"{USER}/middle-jobs", body={"voice_name": "v"}).status_code == 500
    assert api.call("GET", JOBS).status_code == 200


def test_object_put_faults_use_xml(emu: Emulator, api: Api) -> None:
    url = api.create("basic")["authorization_letter_uploading_url"]
    emu.set_faults(FaultPlan.parse({"object_put": {"error_500": 1.0, "times": 1}}))
    session = requests.Session()
    failed = session.put(url, data=b"letter" * 1000, headers={"Content-Type": "a/b"})
    assert failed.status_code == 500 and "<Code>" in failed.text
    assert session.put(url, data=b"letter", headers={"Content-Type": "a/b"}).status_code == 200


def test_seeded_faults_are_reproducible(make_emulator: MakeEmulator, tmp_path: Path) -> None:
    base = tmp_path
    runs = []
    for index, seed in enumerate((7, 7, 8)):
        plan = FaultPlan.parse({"list_jobs": {"error_500": 0.5}})
        emu = make_emulator(data_dir=base / f"run{index}", faults=plan, seed=seed)
        api = Api(emu.base_url)
        runs.append([api.call("GET", JOBS).status_code for _ in range(24)])
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    assert 500 in runs[0] and 200 in runs[0]


def test_stats_count_every_request_including_faulted(emu: Emulator, api: Api) -> None:
    emu.set_faults(FaultPlan.parse({"show_job": {"error_500": 1.0}}))
    created = api.create("basic")
    api.call("GET", f"{JOBS}/{created['job_id']}")
    put(created["authorization_letter_uploading_url"], b"x", "text/plain")
    requests.get(f"{emu.base_url}/_emulator/jobs", timeout=5)  # admin calls are not counted
    stats = requests.get(f"{emu.base_url}/_emulator/stats", timeout=5).json()
    assert stats["operations"] == {"create_basic_job": 1, "object_put": 1, "show_job": 1}
    assert stats["total"] == 3
    assert stats["faults"] == {"show_job": {"error_500": 1}}
    assert emu.stats() == stats
    reset = requests.delete(f"{emu.base_url}/_emulator/stats", timeout=5).json()
    assert reset["operations"] == {} and reset["total"] == 0


def test_fault_plan_over_http(emu: Emulator, api: Api) -> None:
    plan = {"list_jobs": {"throttle_429": 1.0, "retry_after": 0}}
    response = requests.put(f"{emu.base_url}/_emulator/faults", json=plan, timeout=5)
    assert response.status_code == 200 and response.json() == plan
    assert api.call("GET", JOBS).status_code == 429
    bad = requests.put(f"{emu.base_url}/_emulator/faults", json={"x": {"nope": 1}}, timeout=5)
    assert bad.status_code == 400
    requests.put(f"{emu.base_url}/_emulator/faults", json={}, timeout=5)
    assert api.call("GET", JOBS).status_code == 200


@pytest.mark.parametrize(
    "spec",
    [
        {"x": {"error_500": 2}},
        {"x": {"latency": -1}},
        {"x": {"times": 1.5}},
        {"x": {"explode": 1}},
        {"x": 1},
    ],
)
def test_bad_fault_plans(spec: object) -> None:
    with pytest.raises(ValueError):
        FaultPlan.parse(spec)  # type: ignore[arg-type]


def test_drop_response_on_commit_still_submits(emu: Emulator, api: Api) -> None:
    created = api.create("basic")
    from tests.emulator.helpers import sentence_zip

    assert put(created["training_data_uploading_url"], sentence_zip(20), "application/zip").ok
    emu.set_faults(FaultPlan.parse({"commit_job": {"drop_response": 1.0}}))
    with pytest.raises(requests.ConnectionError):
        api.submit(created["job_id"])
    assert api.show(created["job_id"])["state"] == "SUCCEED"


def test_retry_after_defaults_to_one_second(emu: Emulator, api: Api) -> None:
    emu.set_faults(FaultPlan.parse({"list_jobs": {"throttle_429": 1.0}}))
    assert api.call("GET", JOBS).headers["Retry-After"] == "1"


def test_fault_plan_from_a_file(tmp_path: Path) -> None:
    spec = {"create_*": {"error_500": 0.25, "times": 3}, "*": {"latency": 0.01}}
    path = tmp_path / "faults.json"
    path.write_text(json.dumps(spec))
    assert FaultPlan.load(str(path)) == FaultPlan.parse(spec) == FaultPlan.load(json.dumps(spec))
    assert FaultPlan.load(str(path)).to_json() == spec
