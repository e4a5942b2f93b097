"""The recycle bin's records (state format 3): kept through snapshots and journals, dropped
after 7 days, and absent from older files, which still load."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from reconciler.apply.checkpoint import Checkpointer
from reconciler.state import FORMAT_VERSION, LocalStateBackend, State, StateError
from reconciler.state.backends import remote_journal
from reconciler.state.binned import DeletedAsset
from reconciler.timestamps import rfc3339
from tests.state.helpers import record

DAY = 24 * 3600.0


def binned(asset_id: str, days_ago: float = 0.0, **spec: object) -> DeletedAsset:
    return DeletedAsset(
        asset_id=asset_id,
        voice_name="Anchor",
        data_digest="sha256:" + "a" * 64,
        deleted_at=rfc3339(time.time() - days_ago * DAY),
        address="voice.anchor",
        edition="basic",
        job_type="BASIC",
        spec={"voice_name": "Anchor", **spec},
    )


def test_a_format_2_file_loads_with_no_records_and_is_written_as_format_3(
    backend: LocalStateBackend, state_path: Path
) -> None:
    state = backend.write(backend.read().with_voice(record("a")))
    old = state.to_dict() | {"format_version": 2}
    assert "deleted_assets" not in old
    state_path.write_text(json.dumps(old, indent=2, sort_keys=True) + "\n")
    read = LocalStateBackend(state_path).read()
    assert (read.format_version, read.deleted_assets) == (2, ())
    fresh = LocalStateBackend(state_path)
    checkpoint = Checkpointer(fresh, fresh.read())
    checkpoint.bin_asset("a", binned("asset-1"))
    data = json.loads(state_path.read_text())  # the upgrade is one whole write
    assert data["format_version"] == FORMAT_VERSION == 3
    assert [r["asset_id"] for r in data["deleted_assets"]] == ["asset-1"]


def test_records_survive_the_journal_and_a_whole_write(
    backend: LocalStateBackend, state_path: Path
) -> None:
    state = backend.write(
        backend.read().with_records({f"v{i:03d}": record(f"v{i:03d}") for i in range(30)})
    )
    checkpoint = Checkpointer(backend, state)
    checkpoint.bin_asset("v001", binned("asset-1"))
    journal = state_path.with_name(state_path.name + ".journal")
    assert json.loads(journal.read_text())["deleted_assets"][0]["asset_id"] == "asset-1"
    read = LocalStateBackend(state_path).read()
    assert [r.asset_id for r in read.deleted_assets] == ["asset-1"]
    assert read.deleted_assets[0].voice_name == "Anchor"
    whole = LocalStateBackend(state_path)
    whole.write(whole.read())  # folded into the snapshot, read back by the fast path
    again = LocalStateBackend(state_path).read()
    assert again.deleted_assets == read.deleted_assets


def test_records_older_than_seven_days_are_dropped_when_writing(
    backend: LocalStateBackend,
) -> None:
    state = backend.write(
        backend.read().with_voice(record("a")).with_deleted_assets([binned("old", 8)], 0.0)
    )
    assert [r.asset_id for r in state.deleted_assets] == ["old"]  # kept by the clock given
    checkpoint = Checkpointer(backend, state)
    checkpoint.bin_asset("a", binned("new", 1))
    assert [r.asset_id for r in backend.read().deleted_assets] == ["new"]


def test_a_remote_journal_entry_carries_the_records() -> None:
    state = State.new().with_voice(record("a"))
    later = state.with_deleted_assets([binned("asset-9")], time.time())
    entry = remote_journal.checkpoint_entry(later, ["a"])
    replayed = remote_journal.apply_entry(state, json.loads(json.dumps(entry)), "test")
    assert replayed.deleted_assets == later.deleted_assets
    older = {key: value for key, value in entry.items() if key != "deleted_assets"}
    assert remote_journal.apply_entry(later, older, "test").deleted_assets == (later.deleted_assets)


def test_a_phone_in_clear_is_refused_in_a_record() -> None:
    with pytest.raises(ValueError, match="phone"):
        binned("asset-1", phone="+8613800138000")


def test_a_damaged_record_names_where(state_path: Path, backend: LocalStateBackend) -> None:
    state = backend.write(backend.read().with_voice(record("a")))
    data = state.to_dict() | {"deleted_assets": [{"asset_id": "x"}]}
    state_path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    with pytest.raises(StateError, match=r"deleted_assets\[0\]"):
        LocalStateBackend(state_path).read()


def test_a_restored_voice_has_an_asset_and_no_job() -> None:
    at = rfc3339(1_700_000_000)
    restored = record("a", job_id=None, phase=None, asset_id="asset-1", restored_at=at)
    assert "restored_at" in restored.json_view()
    assert "restored_at" not in record("b").json_view()  # other voices' lines unchanged
    with pytest.raises(ValueError, match="has an asset_id and no job_id"):
        record("a", job_id=None, phase=None, restored_at=at)
    with pytest.raises(ValueError, match="has an asset_id and no job_id"):
        record("a", asset_id="asset-1", restored_at=at)
    with pytest.raises(ValueError, match="must carry its create_attempt"):
        record("a", job_id=None, phase=None, asset_id="asset-1")
