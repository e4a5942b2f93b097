"""Which creates become restores, and why the others do not (plan/restore.py, pure)."""

from __future__ import annotations

from typing import Any

from reconciler.plan import restore
from reconciler.plan.model import Action, Reason, Step
from reconciler.state.binned import DeletedAsset
from reconciler.state.model import State
from reconciler.timestamps import parse_rfc3339, rfc3339
from tests.plan import fixtures as fx

DAY = 24 * 3600


def bin_state(days_ago: float = 1, **spec: Any) -> State:
    now = parse_rfc3339(fx.CREATED_AT).timestamp()
    want = fx.spec("gentle", **spec)
    record = DeletedAsset(
        asset_id="asset-1",
        voice_name=want["voice_name"],
        data_digest=want["data_digest"],
        deleted_at=rfc3339(now - days_ago * DAY),
        address="voice.old-gentle",
        edition=want["edition"],
        job_type="BASIC",
        spec={k: v for k, v in want.items() if k not in ("data_digest", "prevent_destroy")},
    )
    return State(lineage=fx.LINEAGE, deleted_assets=(record,))


def offered(state: State, seen: Any = None, live: Any = None, **after: Any) -> Any:
    plan = fx.plan(fx.created("gentle", **after))
    if seen is None:
        seen = {"asset-1": "DELETED"}
    (change,) = restore.offered(plan, state, seen, live).changes
    return change


def test_a_binned_asset_of_the_same_name_and_data_is_restored() -> None:
    state = bin_state()
    assert list(restore.candidates(fx.plan(fx.created("gentle")), state)) == ["gentle"]
    change = offered(state)
    assert (change.action, change.reason, change.steps) == (
        Action.RESTORE,
        Reason.RECYCLE_BIN,
        (Step.RESTORE_ASSET,),
    )
    assert change.remote.asset_id == "asset-1"


def test_why_a_restore_is_not_offered() -> None:
    cases = {
        "its training data differs": offered(bin_state(), data_digest=fx.digest("other")),
        "trained with other sex": offered(bin_state(), sex="MALE"),
        "more than 7 days ago": offered(bin_state(days_ago=8)),
        "purged": offered(bin_state(), seen={"asset-1": None}),
        "asset_state ACTIVED": offered(bin_state(), seen={"asset-1": "ACTIVED"}),
        "live asset other now holds": offered(bin_state(), live={"Gentle": ("other",)}),
    }
    for why, change in cases.items():
        assert change.action is Action.CREATE, why
        assert any(why in note and "asset-1 of voice.old-gentle" in note for note in change.notes)


def test_a_local_setting_does_not_stop_a_restore() -> None:
    assert offered(bin_state(), prevent_destroy=True).action is Action.RESTORE


def test_without_refresh_the_create_says_metastudio_was_not_asked() -> None:
    plan = fx.plan(fx.created("gentle"))
    (change,) = restore.offered(plan, bin_state(), None, None).changes
    assert change.action is Action.CREATE and "--refresh=false" in change.notes[-1]
