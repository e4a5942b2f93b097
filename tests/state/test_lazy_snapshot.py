"""A snapshot in the codec's own layout is read without decoding its records, and written
back without encoding the ones that did not change; anything else is decoded whole."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import stat
import threading
from pathlib import Path

import pytest

from reconciler.state import LocalStateBackend, State, StateError, VoiceRecord
from reconciler.state.codec import WORK, decode, encode
from tests.state.helpers import record

LINEAGE = "7b0c6c1e-8a49-4b8e-9d3c-0c2f4c6f2d11"
NAMES = [f"v{i:04d}" for i in range(1000)]


def counts() -> tuple[int, int]:
    return WORK.decoded, WORK.encoded


def since(before: tuple[int, int]) -> tuple[int, int]:
    decoded, encoded = counts()
    return decoded - before[0], encoded - before[1]


@pytest.fixture
def large(state_path: Path) -> State:
    """A 1,000-voice state written by this code, at serial 1."""
    state = State(lineage=LINEAGE, voices={name: record(name) for name in NAMES})
    return LocalStateBackend(state_path).write(state)


def test_a_read_decodes_only_the_records_used_and_a_compaction_encodes_only_the_changed(
    large: State, state_path: Path
) -> None:
    backend = LocalStateBackend(state_path)
    before = counts()
    state = backend.read()
    assert len(state.voices) == 1000 and "v0999" in state.voices
    assert since(before) == (0, 0)

    touched = [state.voices[name] for name in ("v0001", "v0500", "v0999")]
    assert state.voices["v0001"] is touched[0]  # memoised: decoded once
    assert touched[1] == record("v0500")
    assert since(before) == (3, 0)

    with backend.lock("apply", timeout=0):
        changed = dataclasses.replace(touched[0], remote_state="SUCCEED")
        state = backend.checkpoint(state.with_voice(changed), ["v0001"])
        assert since(before) == (3, 0)  # the checkpoint appended one journal line
    # The release folded the journal in: a new snapshot, the one changed record encoded.
    assert not Path(f"{state_path}.journal").exists()
    assert since(before) == (3, 1)

    again = LocalStateBackend(state_path).read()
    assert since(before) == (3, 1)  # the compacted file is in the fast layout too
    assert again == state and again.voices["v0001"].remote_state == "SUCCEED"
    assert since(before) == (2000, 1)  # comparing two states decodes all of both


def test_encoding_a_decoded_state_gives_the_same_bytes(tmp_path: Path) -> None:
    data = State(lineage=LINEAGE, serial=4).with_voice(record("calm")).to_dict()
    data["written_by_future"] = {"feature": [1, 2.5, "\u00e9"]}
    data["voices"]["calm"]["future_field"] = {"kept": True}
    first = encode(State.from_dict(data))
    path = tmp_path / "state.json"
    decoded = decode(first, path, tmp_path / "backup")
    assert encode(decoded) == first
    assert decoded.extra == {"written_by_future": {"feature": [1, 2.5, "\u00e9"]}}
    assert decoded.voices["calm"].extra == {"future_field": {"kept": True}}
    assert encode(decoded) == first  # decoding the record kept its line
    # What people and other tools read: the state's own view, plus the digest.
    assert json.loads(first) == {**decoded.json_view(), "voices_digest": digest_of(first)}


def test_a_valid_hand_edit_is_taken_by_the_whole_decode(large: State, state_path: Path) -> None:
    text = state_path.read_text()
    line = next(x for x in text.splitlines() if x.startswith('    "v0007"'))
    edited = line.replace('"remote_state": null', '"remote_state": "SUCCEED"')
    assert edited != line
    state_path.write_text(text.replace(line, edited))  # the digest is stale now

    before = counts()
    state = LocalStateBackend(state_path).read()
    assert since(before) == (1000, 0)  # every record decoded and checked
    assert state.voices["v0007"].remote_state == "SUCCEED"
    assert state.serial == large.serial and state.lineage == large.lineage


def test_an_invalid_hand_edit_is_refused_naming_the_field(large: State, state_path: Path) -> None:
    text = state_path.read_text()
    state_path.write_text(text.replace('"phase": "created"', '"phase": "trained"', 1))
    with pytest.raises(StateError) as caught:
        LocalStateBackend(state_path).read()
    message = str(caught.value)
    assert f"state file {state_path} is not a valid state file" in message
    assert "voices.v0000.phase: 'trained' is not one of created, uploaded, submitted" in message


def test_a_bad_record_behind_a_matching_digest_is_a_state_error_naming_the_voice(
    large: State, state_path: Path
) -> None:
    # Only a writer's bug can do this: the line changed and the digest with it.
    text = state_path.read_text().replace('"phase": "created"', '"phase": "trained"', 1)
    voices = text[text.index('  "voices": {\n') + 14 : text.rindex("\n  }\n}\n")]
    fresh = "sha256:" + hashlib.sha256(voices.encode()).hexdigest()
    state_path.write_text(re.sub(r"sha256:[0-9a-f]{64}", fresh, text, count=1))

    state = LocalStateBackend(state_path).read()  # nothing decoded yet
    assert state.voices["v0001"].phase == "created"
    with pytest.raises(StateError) as caught:
        state.voices["v0000"]
    message = str(caught.value)
    assert f"state file {state_path} is not a valid state file" in message
    assert "voices.v0000.phase: 'trained'" in message


def test_a_state_of_the_previous_version_reads_and_is_upgraded_by_the_next_write(
    state_path: Path,
) -> None:
    old = State(lineage=LINEAGE, serial=5).with_voice(record("calm")).with_voice(record("bold"))
    state_path.write_text(json.dumps(old.to_dict(), indent=2, sort_keys=True) + "\n")
    state_path.chmod(0o600)
    backend = LocalStateBackend(state_path)
    before = counts()
    state = backend.read()
    assert since(before) == (2, 0)
    assert state == old

    written = backend.write(state.with_voice(record("zeta")))
    assert (written.serial, written.lineage) == (6, LINEAGE)
    text = state_path.read_text()
    assert '\n    "bold": {"address": "voice.bold", ' in text and '"voices_digest"' in text
    before = counts()
    assert LocalStateBackend(state_path).read() == written
    assert since(before)[0] == 3  # the comparison; reading took none


def test_a_journal_over_an_old_layout_is_folded_into_the_new_one_serial_kept(
    state_path: Path,
) -> None:
    old = State(lineage=LINEAGE, serial=5).with_voice(record("calm"))
    state_path.write_text(json.dumps(old.to_dict(), indent=2, sort_keys=True) + "\n")
    backend = LocalStateBackend(state_path)
    with backend.lock("apply", timeout=0):
        state = backend.checkpoint(backend.read().with_voice(record("bold")), ["bold"])
    assert '"voices_digest"' in state_path.read_text()
    assert json.loads(state_path.read_text())["serial"] == state.serial == 6
    assert LocalStateBackend(state_path).read() == state


def test_an_escaped_voice_name_is_read_by_the_whole_decode(state_path: Path) -> None:
    backend = LocalStateBackend(state_path)
    odd = 'say "hi"\u00e9'
    voices = {odd: record(odd, job_id="job-odd"), "a": record("a")}
    written = backend.write(State(lineage=LINEAGE, voices=voices))
    before = counts()
    state = LocalStateBackend(state_path).read()
    assert since(before) == (2, 0)
    assert state == written and state.voices[odd].name == odd


def test_threads_asking_for_one_record_decode_it_once(large: State, state_path: Path) -> None:
    state = LocalStateBackend(state_path).read()
    before = counts()
    start = threading.Barrier(8)
    got: list[VoiceRecord] = []

    def look() -> None:
        start.wait()
        got.append(state.voices["v0123"])

    threads = [threading.Thread(target=look) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert since(before) == (1, 0)
    assert len(got) == 8 and all(r is got[0] for r in got)


def test_the_backup_of_a_compaction_is_the_previous_file_under_a_second_name(
    large: State, state_path: Path
) -> None:
    backend = LocalStateBackend(state_path)
    state = backend.read()
    previous = state_path.read_bytes()
    previous_inode = state_path.stat().st_ino
    with backend.lock("apply", timeout=0):
        backend.checkpoint(state.with_voice(record("new")), ["new"])
    backup = Path(f"{state_path}.backup")
    assert backup.read_bytes() == previous
    assert backup.stat().st_ino == previous_inode != state_path.stat().st_ino
    assert backup.stat().st_nlink == 1  # the state file's name went to the new snapshot
    for path in (state_path, backup):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert not [name for name in os.listdir(state_path.parent) if name.endswith(".tmp")]


def test_a_state_file_of_another_mode_is_backed_up_by_a_private_copy(
    large: State, state_path: Path
) -> None:
    backend = LocalStateBackend(state_path)
    state = backend.read()
    state_path.chmod(0o644)
    previous = state_path.read_bytes()
    with backend.lock("apply", timeout=0):
        backend.checkpoint(state.with_voice(record("new")), ["new"])
    backup = Path(f"{state_path}.backup")
    assert backup.read_bytes() == previous and backup.stat().st_nlink == 1
    for path in (state_path, backup):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def digest_of(data: bytes) -> str:
    start = data.index(b'  "voices": {\n') + 14
    return "sha256:" + hashlib.sha256(data[start : data.rindex(b"\n  }\n}\n")]).hexdigest()
