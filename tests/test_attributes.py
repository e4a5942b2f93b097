"""The attribute table: complete, consistent with what it describes, and what each role decides.

The role tests swap ``attributes.TABLE`` for a copy with one entry changed and watch the
planner, the create and submit bodies, the desired spec and the state record follow: a role
written anywhere but the table would not move.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from reconciler import attributes
from reconciler.apply.steps import VoiceRun
from reconciler.attributes import Attribute, Replace, Sent, Stored, Table
from reconciler.config.model import DataSource, VoiceSpec
from reconciler.config.schema import voices_schema
from reconciler.emulator import validation
from reconciler.metastudio import TrainingJob
from reconciler.operations.desired import voice_spec
from reconciler.plan.decide import decide_recorded
from reconciler.plan.inputs import DesiredVoice, Observed, ObservedJob, record_fields, record_spec
from reconciler.plan.model import Action, Reason, ResourceChange
from reconciler.plan.plancodec import plan_to_dict
from reconciler.plan.planner import PlanOptions, make_plan
from reconciler.state import State, VoiceRecord
from reconciler.state.codec import encode
from reconciler.state.privacy import SENSITIVE_KEYS, normalize_phone

LINEAGE = "0b5f2d3e-8c1a-4f7e-9d2b-6a1c3e5f7a9b"
T0 = "2026-11-01T00:00:00Z"
PHONE = "+86 138-0013-8000"
# VoiceSpec fields that are no attribute: its identity, and what is never compared.
NOT_ATTRIBUTES = {"name", "checks", "source", "field_locations"}
# UpdateDigitalAssetRequestBody (docs: metastudio-voice-api.md, section 2.14).
ASSET_UPDATE_FIELDS = {
    "asset_name",
    "asset_description",
    "asset_type",
    "asset_state",
    "review_config",
    "tags",
    "asset_extra_meta",
    "system_properties",
    "shared_config",
    "asset_order",
    "supported_service",
    "auto_operation_config",
}


def full_voice(**overrides: Any) -> VoiceSpec:
    """A voice with every attribute set."""
    fields: dict[str, Any] = {
        "name": "gentle",
        "edition": "basic",
        "voice_name": "Gentle",
        "data": DataSource("package", Path("/data/gentle.zip"), "data/gentle.zip"),
        "sex": "FEMALE",
        "language": "CN",
        "tag": "NEWS",
        "description": "soft",
        "phone": PHONE,
        "output_language": "CN",
        "custom_text": "hello",
        "authorization_letter": Path("/data/letter.pdf"),
        "prevent_destroy": True,
        "keep_asset": True,
        "preview_text": "preview",
    }
    return VoiceSpec(**{**fields, **overrides})


def spec_of(voice: VoiceSpec) -> dict[str, Any]:
    return voice_spec(voice, data="sha256:data", letter="sha256:letter", lineage=LINEAGE)


def changed(name: str, **roles: Any) -> Table:
    """The table with one entry's roles changed."""
    entries = attributes.TABLE.entries
    return Table(tuple(dataclasses.replace(a, **roles) if a.name == name else a for a in entries))


def record_of(spec: dict[str, Any], *, phase: str = "submitted", state: str = "SUCCEED") -> Any:
    return VoiceRecord(
        name="gentle",
        edition=spec["edition"],
        job_type="BASIC",
        phase=phase,  # type: ignore[arg-type]
        created_at=T0,
        updated_at=T0,
        job_id="job-1",
        spec=record_spec(spec),
        remote_state=state,
        **record_fields(spec),
    )


def decided(record: VoiceRecord, want: dict[str, Any]) -> ResourceChange:
    job = ObservedJob("job-1", "Gentle", record.remote_state)
    observed = Observed.from_jobs([job], asked=["job-1"])
    return decide_recorded(DesiredVoice("gentle", want), record, observed, forced=False)


# -- complete and consistent ---------------------------------------------------------------


def test_the_desired_spec_holds_exactly_the_table_in_its_order() -> None:
    assert list(spec_of(full_voice())) == [a.name for a in attributes.TABLE.entries]


def test_every_compared_field_of_the_config_model_is_in_the_table() -> None:
    compared = {f.name for f in dataclasses.fields(VoiceSpec) if f.compare} - NOT_ATTRIBUTES
    table = attributes.TABLE.entries
    from_yaml = {a.name for a in table if a.source is attributes.YAML}
    read_by_others = {a.config_key for a in table if a.source is not attributes.YAML}
    assert compared == from_yaml | read_by_others
    for attribute in table:  # a computed one is a VoiceSpec property
        if attribute.source is attributes.COMPUTED:
            assert isinstance(getattr(VoiceSpec, attribute.name), property)


def test_every_voice_setting_of_the_json_schema_is_read_by_an_entry() -> None:
    definitions = voices_schema()["$defs"]
    voice = definitions["voice"]["properties"]
    roots = {a.config_key.split(".")[0] for a in attributes.TABLE.entries}
    assert set(voice) - {"checks"} == roots  # checks: local thresholds, never compared
    for attribute in attributes.TABLE.entries:
        root, *rest = attribute.config_key.split(".")
        node = definitions[root]
        for key in rest:
            node = node["properties"][key]
        assert node, attribute.name


def test_what_is_sent_is_what_the_api_takes() -> None:
    takes = {"voice_name", "create_type", *validation._ENUMS}
    create = {a.api for a in attributes.TABLE.create}
    assert create <= takes | set(validation._CREATE_STRINGS)
    assert attributes.TABLE.submit_fields <= takes | set(validation._COMMIT_STRINGS)
    assert "create_type" not in attributes.TABLE.submit_fields  # the upload mode is fixed
    assert attributes.TABLE.submit_fields < create


def test_the_create_body_follows_the_table() -> None:
    body = full_voice().api_fields()
    assert list(body) == [a.api for a in attributes.TABLE.create]
    assert body["phone"] == PHONE and body["create_type"] == "PACKAGE"  # the API gets it clear


def test_asset_fields_are_fields_of_the_asset_update_call() -> None:
    named = {a.asset_field for a in attributes.TABLE.entries if a.asset_field}
    assert named == {"asset_name", "asset_description", "tags"}
    assert named <= ASSET_UPDATE_FIELDS


def test_the_asset_update_changes_the_name_and_description_in_place() -> None:
    """Every other sent attribute replaces a submitted job; these two replace it only until
    the model is trained (their replace rule stands before that)."""
    assert attributes.TABLE.updatable == {"voice_name", "description"}
    for name in attributes.TABLE.updatable:
        entry = attributes.TABLE.by_name[name]
        assert entry.update_call is attributes.UpdateCall.ASSET
        assert entry.replace is Replace.ONCE_SUBMITTED
    assert attributes.UpdateCall.ASSET.value == "UpdateDigitalAsset"
    assert all(a.replace is not Replace.NEVER for a in attributes.TABLE.create)


def test_reported_attributes_are_fields_of_the_job_info() -> None:
    job_fields = {f.name for f in dataclasses.fields(TrainingJob)}
    reported = {a.api for a in attributes.TABLE.reported}
    assert reported == {"sex", "language", "tag", "create_type"} and reported <= job_fields


def test_own_fields_are_voice_record_fields() -> None:
    record_fields_ = {f.name for f in dataclasses.fields(VoiceRecord)}
    own = {a.name for a in attributes.TABLE.own_fields}
    assert own == {"data_digest", "prevent_destroy", "keep_asset"} and own <= record_fields_


def test_personal_data_is_the_privacy_modules_sensitive_keys() -> None:
    assert attributes.TABLE.personal == SENSITIVE_KEYS == {"phone"}
    hidden = {f.name for f in dataclasses.fields(VoiceSpec) if not f.repr}
    assert attributes.TABLE.personal <= hidden  # never in a log line either


@pytest.mark.parametrize(
    "entry",
    [
        Attribute("x", attributes.YAML, sent=Sent.CREATE),  # sent without an API name
        Attribute("x", attributes.YAML, api="x"),  # an API name, never sent
        Attribute("x", attributes.DIGEST),  # a digest of what?
        Attribute("x", attributes.YAML, update_call=attributes.UpdateCall.ASSET),  # no field
        Attribute(  # in place, yet always replaced
            "x",
            attributes.YAML,
            replace=Replace.ALWAYS,
            update_call=attributes.UpdateCall.ASSET,
            asset_field="asset_name",
        ),
        Attribute("x", attributes.YAML, personal=True, stored=Stored.FIELD),
    ],
)
def test_contradicting_roles_are_refused(entry: Attribute) -> None:
    with pytest.raises(ValueError, match="attribute x needs"):
        Table((*attributes.TABLE.entries, entry))


def test_names_are_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        Table((*attributes.TABLE.entries, attributes.TABLE.entries[0]))


# -- each role is read from the table ------------------------------------------------------


def test_a_local_attribute_is_recorded_not_sent_and_never_replaces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = spec_of(full_voice())
    record = record_of(before)
    after = {**before, "tag": "LIVE"}
    assert decided(record, after).action is Action.REPLACE

    local = dict(api=None, sent=Sent.NEVER, replace=Replace.NEVER)
    monkeypatch.setattr(attributes, "TABLE", changed("tag", **local))
    change = decided(record, after)
    assert (change.action, change.reason) == (Action.NOOP, Reason.UP_TO_DATE)
    assert "tag" not in full_voice().api_fields()


def test_an_attribute_that_shapes_the_job_replaces_even_before_submission(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = spec_of(full_voice())
    record = record_of(before, phase="uploaded", state="CREATING")
    after = {**before, "custom_text": "bright"}
    assert decided(record, after).action is Action.UPDATE  # the submit body carries it

    monkeypatch.setattr(attributes, "TABLE", changed("custom_text", replace=Replace.ALWAYS))
    change = decided(record, after)
    assert change.action is Action.REPLACE and change.replace_paths == ["custom_text"]


def test_an_update_call_changes_a_trained_model_in_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = spec_of(full_voice())
    trained = dataclasses.replace(record_of(before), asset_id="asset-1")
    after = {**before, "custom_text": "other"}
    assert decided(trained, after).action is Action.REPLACE

    in_place = dict(update_call=attributes.UpdateCall.ASSET, asset_field="asset_description")
    monkeypatch.setattr(attributes, "TABLE", changed("custom_text", **in_place))
    change = decided(trained, after)
    assert (change.action, change.reason) == (Action.UPDATE, Reason.IN_PLACE)
    # Before training, the replace rule stands.
    training = record_of(before, state="PROCESSING")
    assert decided(training, after).action is Action.REPLACE


def test_a_training_input_resubmits_a_job_that_failed_review(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = spec_of(full_voice())
    record = record_of(before, state="AUDIT_FAILED")
    after = {**before, "custom_text": "other"}
    assert decided(record, after).reason is Reason.AUDIT_FAILED  # waits for new data

    monkeypatch.setattr(attributes, "TABLE", changed("custom_text", upload=True))
    assert decided(record, after).reason is Reason.RESUBMIT


def test_the_submit_body_is_what_the_table_sends_on_submit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert set(submitted_body()) == set(attributes.TABLE.submit_fields)
    monkeypatch.setattr(attributes, "TABLE", changed("sex", sent=Sent.CREATE))
    body = submitted_body()
    assert "sex" not in body and "sex" in full_voice().api_fields()


def submitted_body() -> dict[str, Any]:
    calls: list[dict[str, Any]] = []
    ctx = SimpleNamespace(
        client=SimpleNamespace(submit_job=lambda job_id, body: calls.append(body)),
        checkpoint=SimpleNamespace(update=lambda name, **fields: None),
        reporter=SimpleNamespace(step=lambda address, message: None),
        stop=threading.Event(),
    )
    voice = full_voice()
    desired = DesiredVoice("gentle", spec_of(voice))
    change: Any = SimpleNamespace(name="gentle", address="voice.gentle")
    VoiceRun(ctx, change, voice, desired).submit("job-1")  # type: ignore[arg-type]
    (body,) = calls
    return body


def test_where_the_state_keeps_an_attribute_is_read_from_the_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = spec_of(full_voice())
    assert "keep_asset" not in record_spec(spec) and record_fields(spec)["keep_asset"] is True

    monkeypatch.setattr(attributes, "TABLE", changed("keep_asset", stored=Stored.SPEC))
    assert record_spec(spec)["keep_asset"] is True and "keep_asset" not in record_fields(spec)


def test_personal_data_is_fingerprinted_as_the_table_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert spec_of(full_voice())["description"] == "soft"
    monkeypatch.setattr(attributes, "TABLE", changed("description", personal=True))
    assert spec_of(full_voice())["description"].startswith("hmac-sha256:")


# -- personal data never in clear ----------------------------------------------------------


def test_a_phone_number_appears_in_clear_in_no_state_and_no_plan() -> None:
    old = spec_of(full_voice(phone="+86 139-0000-0000", prevent_destroy=False))
    new = spec_of(full_voice(prevent_destroy=False))
    state = State(lineage=LINEAGE, voices={"gentle": record_of(old)})
    plan = make_plan({"gentle": DesiredVoice("gentle", new)}, state, None, PlanOptions())
    (change,) = plan.changes
    assert change.action is Action.REPLACE and change.replace_paths == ["phone"]

    written = [encode(state).decode(), json.dumps(plan_to_dict(plan), ensure_ascii=False)]
    for text in written:
        for number in (PHONE, "+86 139-0000-0000"):
            digits = normalize_phone(number)
            assert number not in text and digits not in text and digits[3:] not in text
