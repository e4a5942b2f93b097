"""state migrate: a local state file copied into a remote backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_runs import run_cli
from tests.remote.conftest import Store
from tests.remote.test_state_transfer import local_file


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
