from __future__ import annotations

import dataclasses
import uuid

import pytest

from reconciler.state import State, VoiceRecord, is_phone_fingerprint, phone_fingerprint
from reconciler.state.model import NewerFormatError
from tests.state.helpers import record

LINEAGE = "7b0c6c1e-8a49-4b8e-9d3c-0c2f4c6f2d11"


def test_round_trip_keeps_unknown_fields_at_both_levels() -> None:
    data = State(lineage=LINEAGE, serial=3).with_voice(record()).to_dict()
    data["written_by_future"] = {"feature": [1, 2]}
    data["voices"]["gentle"]["future_field"] = "kept"
    data["voices"]["gentle"]["extra"] = "a newer field that happens to be called extra"

    state = State.from_dict(data)

    assert state.extra == {"written_by_future": {"feature": [1, 2]}}
    assert state.voices["gentle"].extra["future_field"] == "kept"
    assert state.to_dict() == data


def test_known_fields_round_trip() -> None:
    original = record(
        remote_state="SOME_STATE_WE_DO_NOT_KNOW",
        asset_id="asset-1",
        data_digest="sha256:abc",
        prevent_destroy=True,
        create_attempt={"started_at": "2025-01-01T00:00:00Z", "voice_name": "gentle"},
    )
    state = State(lineage=LINEAGE).with_voice(original)
    assert State.from_dict(state.to_dict()) == state
    assert original.address == "voice.gentle"


def test_to_dict_does_not_alias_the_snapshot() -> None:
    state = State(lineage=LINEAGE).with_voice(record())
    state.to_dict()["voices"]["gentle"]["spec"]["sex"] = "MALE"
    assert state.voices["gentle"].spec["sex"] == "FEMALE"


def test_new_state_has_a_fresh_uuid4_lineage_and_serial_zero() -> None:
    first, second = State.new(), State.new()
    assert uuid.UUID(first.lineage).version == 4
    assert first.lineage != second.lineage
    assert (first.serial, first.voices) == (0, {})


def test_newer_format_version_is_refused() -> None:
    data = State(lineage=LINEAGE).to_dict()
    data["format_version"] = 4
    with pytest.raises(NewerFormatError, match="format_version 4"):
        State.from_dict(data)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("serial",), "3", "serial: expected int"),
        (("serial",), True, "serial: expected int"),
        (("lineage",), "not-a-uuid", "not a UUID"),
        (("voices",), [], "voices: expected dict"),
        (("voices", "gentle", "phase"), "trained", "not one of"),
        (("voices", "gentle", "name"), "other", "record is named 'other'"),
        (("voices", "gentle", "prevent_destroy"), None, "missing field 'prevent_destroy'"),
    ],
)
def test_wrong_shapes_are_refused(path: tuple[str, ...], value: object, message: str) -> None:
    data = State(lineage=LINEAGE).with_voice(record()).to_dict()
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    with pytest.raises(ValueError, match=message):
        State.from_dict(data)


def test_a_pending_create_has_no_job_and_no_phase_but_an_attempt() -> None:
    attempt = {"started_at": "2025-01-01T00:00:00Z", "voice_name": "gentle"}
    pending = record(job_id=None, phase=None, create_attempt=attempt)
    assert pending.phase is None
    with pytest.raises(ValueError, match="job_id and phase"):
        record(job_id=None)
    with pytest.raises(ValueError, match="create_attempt"):
        record(job_id=None, phase=None)
    with pytest.raises(ValueError, match="voice_name"):
        record(create_attempt={"started_at": "2025-01-01T00:00:00Z"})


def test_spec_must_hold_json_values_only() -> None:
    with pytest.raises(ValueError, match="not representable"):
        record(spec={"speed": float("nan")})
    with pytest.raises(ValueError, match="tuple is not a JSON value"):
        record(spec={"tags": ("a", "b")})


def test_phone_fingerprint_is_short_keyed_and_ignores_formatting() -> None:
    fingerprint = phone_fingerprint("+86 138-0013-8000", LINEAGE)
    assert is_phone_fingerprint(fingerprint)
    assert fingerprint.startswith("hmac-sha256:") and len(fingerprint) == len("hmac-sha256:") + 4
    assert fingerprint == phone_fingerprint("+8613800138000", LINEAGE)
    assert fingerprint != phone_fingerprint("+8613800138001", LINEAGE)
    # a fixed second lineage: with 16 bits a random one would collide once in 65,536 runs
    assert fingerprint != phone_fingerprint(
        "+8613800138000", "5f0c9a51-0d7e-4c57-8d0e-3b1f4a7c2e90"
    )
    assert "13800138000" not in fingerprint


@pytest.mark.parametrize(
    "spec",
    [
        {"phone": "+8613800138000"},
        {"phone": "hmac-sha256:ABCDEF01"},
        {"phone": 13800138000},
        {"submit": {"phone": "13800138000"}},
        {"contacts": [{"phone": "13800138000"}]},
    ],
)
def test_a_phone_number_in_clear_is_refused(spec: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="phone_fingerprint"):
        record(spec=spec)


def test_a_fingerprinted_phone_is_accepted_also_on_replace() -> None:
    voice = record(spec={"phone": phone_fingerprint("13800138000", LINEAGE)})
    with pytest.raises(ValueError, match="phone"):
        dataclasses.replace(voice, spec={"phone": "13800138000"})


def test_state_helpers_derive_new_snapshots() -> None:
    empty = State(lineage=LINEAGE)
    one = empty.with_voice(record())
    assert empty.voices == {} and one.voice("gentle") == record()
    assert one.without_voice("gentle").voices == {}
    assert isinstance(one.voices["gentle"], VoiceRecord)
