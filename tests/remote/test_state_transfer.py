"""state pull / push / migrate through the CLI, on every backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.state import State
from reconciler.state.codec import encode
from tests.cli_runs import run_cli
from tests.remote.conftest import KINDS, Store
from tests.state.helpers import record

pytestmark = pytest.mark.parametrize("store", KINDS, indirect=True)


def local_file(path: Path, *names: str) -> State:
    state = State.new()
    for name in names:
        state = state.with_voice(record(name))
    state = State.from_dict({**state.to_dict(), "serial": 7})
    path.write_bytes(encode(state))
    return state


def test_push_checks_lineage_and_serial_unless_forced(store: Store, tmp_path: Path) -> None:
    config = store.config_dir()
    backend = store.backend()
    backend.write(backend.read().with_voice(record("alpha")))
    code, out, _ = run_cli(config, "state", "pull")
    pulled = json.loads(out)
    pulled["voices"]["alpha"]["phase"] = "uploaded"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(pulled))
    assert run_cli(config, "state", "push", str(edited))[0] == 0
    assert store.backend().read().voices["alpha"].phase == "uploaded"
    # The same file again is older than the stored state now.
    code, _, err = run_cli(config, "state", "push", str(edited))
    assert code == 1 and "newer" in err
    local_file(tmp_path / "stranger.json", "zeta")
    code, _, err = run_cli(config, "state", "push", str(tmp_path / "stranger.json"))
    assert code == 1 and "lineage" in err
    code, _, err = run_cli(config, "state", "push", "--force", str(tmp_path / "stranger.json"))
    assert code == 0, err
    assert sorted(store.backend().read().voices) == ["zeta"]


def test_a_bad_push_file_is_one_line(store: Store, tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    code, _, err = run_cli(store.config_dir(), "state", "push", str(tmp_path / "bad.json"))
    assert code == 1 and "bad.json" in err
    assert "Traceback" not in err and "unexpected" not in err


def test_push_reads_the_journal_beside_the_file(store: Store, tmp_path: Path) -> None:
    from tests.remote.test_migrate import killed_apply_file

    pushed = killed_apply_file(tmp_path / "local.json")
    code, _, err = run_cli(store.config_dir(), "state", "push", str(tmp_path / "local.json"))
    assert code == 0, err
    stored = store.backend().read()
    assert dict(stored.voices) == dict(pushed.voices)
    assert stored.voices["beta"].job_id == "job-newest"


def test_push_of_a_missing_file_is_one_line(store: Store, tmp_path: Path) -> None:
    code, _, err = run_cli(store.config_dir(), "state", "push", str(tmp_path / "nope.json"))
    assert code == 1 and "nope.json" in err and "Traceback" not in err
