"""state migrate: a local state file copied into a remote backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.state import State
from reconciler.state.backends.local import LocalStateBackend
from tests.cli_runs import run_cli
from tests.remote.conftest import Store
from tests.remote.test_state_transfer import local_file
from tests.state.helpers import record


@pytest.mark.parametrize("store", ["s3", "postgres"], indirect=True)
def test_migrate_then_pull_gives_the_local_state_back(store: Store, tmp_path: Path) -> None:
    local = local_file(tmp_path / "old.json", "alpha", "beta")
    config = store.config_dir()
    code, out, err = run_cli(config, "state", "migrate", "--from", str(tmp_path / "old.json"))
    assert code == 0, err
    assert "2 voices" in out
    code, out, err = run_cli(config, "state", "pull")
    assert code == 0, err
    pulled = json.loads(out)
    assert pulled["lineage"] == local.lineage and sorted(pulled["voices"]) == ["alpha", "beta"]
    # Again: nothing to do. Another lineage: refused, and the stored state is untouched.
    assert run_cli(config, "state", "migrate", "--from", str(tmp_path / "old.json"))[0] == 0
    local_file(tmp_path / "other.json", "gamma")
    code, _, err = run_cli(config, "state", "migrate", "--from", str(tmp_path / "other.json"))
    assert code == 1 and "another state" in err and "Traceback" not in err
    assert json.loads(run_cli(config, "state", "pull")[1])["lineage"] == local.lineage


def killed_apply_file(path: Path) -> State:
    """A local state as a SIGKILLed apply leaves it: the newest job ID only in the journal."""
    local = LocalStateBackend(path)
    # Enough voices that one checkpoint is appended rather than folded in at once.
    first = local.read()
    for name in ("alpha", "delta", "epsilon", "eta", "iota", "kappa", "lambda", "omicron"):
        first = first.with_voice(record(name))
    first = local.write(first)
    state = local.checkpoint(first.with_voice(record("beta", job_id="job-newest")), ["beta"])
    assert path.with_name(path.name + ".journal").exists()  # no lock released: not folded
    return state


def _files(folder: Path) -> dict[str, bytes]:
    return {item.name: item.read_bytes() for item in folder.iterdir()}


@pytest.mark.parametrize("store", ["s3", "postgres"], indirect=True)
def test_migrate_copies_the_journal_and_leaves_the_source_as_it_was(
    store: Store, tmp_path: Path
) -> None:
    source = tmp_path / "local" / "reconciler.state.json"
    source.parent.mkdir()
    local = killed_apply_file(source)
    before = _files(source.parent)
    code, out, err = run_cli(store.config_dir(), "state", "migrate", "--from", str(source))
    assert code == 0, err
    stored = store.backend().read()
    assert stored.voices["beta"].job_id == "job-newest"
    assert dict(stored.voices) == dict(local.voices) and "can be archived" in out
    # Copied from, never folded: snapshot, backup and journal are byte for byte as they were;
    # only the lock file a run leaves beside its state may have appeared.
    after = _files(source.parent)
    assert {name: after[name] for name in before} == before
    assert set(after) - set(before) <= {source.name + ".lock"}


@pytest.mark.parametrize("store", ["s3", "postgres"], indirect=True)
def test_migrate_again_with_an_older_file_is_refused(store: Store, tmp_path: Path) -> None:
    local_file(tmp_path / "old.json", "alpha")
    config = store.config_dir()
    assert run_cli(config, "state", "migrate", "--from", str(tmp_path / "old.json"))[0] == 0
    code, out, err = run_cli(config, "state", "migrate", "--from", str(tmp_path / "old.json"))
    assert code == 0 and "already migrated" in out, err
    backend = store.backend()  # a remote apply since then creates a voice
    with backend.lock("apply", 0):
        moved = backend.checkpoint(backend.read().with_voice(record("gamma")), ["gamma"])
    code, out, err = run_cli(config, "state", "migrate", "--from", str(tmp_path / "old.json"))
    assert code == 1 and "Traceback" not in err and "archived" not in out
    assert "voice.gamma" in err and "state pull" in err
    assert store.backend().read().to_dict() == moved.to_dict()  # gamma kept, serial as it was
