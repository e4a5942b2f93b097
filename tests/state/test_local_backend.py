from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from reconciler.state import LocalStateBackend, State, StateBackend, StateError
from tests.state.helpers import record


def test_missing_file_is_an_empty_state_and_is_not_written(
    backend: LocalStateBackend, state_path: Path
) -> None:
    state = backend.read()
    assert (state.serial, state.voices) == (0, {})
    assert not state_path.exists()


def test_serial_increments_and_lineage_stays(backend: LocalStateBackend) -> None:
    first = backend.write(backend.read().with_voice(record()))
    second = backend.write(first.with_voice(record("bold")))
    assert (first.serial, second.serial) == (1, 2)
    assert first.lineage == second.lineage == backend.read().lineage
    assert backend.read() == second


def test_file_is_sorted_json_with_one_line_per_voice_and_a_trailing_newline(
    backend: LocalStateBackend, state_path: Path
) -> None:
    state = backend.read().with_voice(record("zeta")).with_voice(record("alpha"))
    state = dataclasses.replace(state, extra={"zz_future": {"b": [1, 2], "a": "\u00e9"}})
    written = backend.write(state)
    lines = ",\n".join(
        f'    "{name}": ' + json.dumps(record(name).to_dict(), sort_keys=True, ensure_ascii=False)
        for name in ("alpha", "zeta")
    )
    digest = hashlib.sha256(lines.encode()).hexdigest()
    assert state_path.read_text() == (
        "{\n"
        '  "format_version": 3,\n'
        f'  "lineage": "{written.lineage}",\n'
        '  "serial": 1,\n'
        f'  "voices_digest": "sha256:{digest}",\n'
        '  "zz_future": {"a": "\u00e9", "b": [1, 2]},\n'
        '  "voices": {\n'
        f"{lines}\n"
        "  }\n"
        "}\n"
    )
    # One JSON document: what the state's own view is, plus the digest of the voice lines.
    data = json.loads(state_path.read_text())
    assert data == {**written.json_view(), "voices_digest": f"sha256:{digest}"}
    assert backend.read().extra == {"zz_future": {"b": [1, 2], "a": "\u00e9"}}


def test_an_empty_state_file_has_an_empty_voices_object(
    backend: LocalStateBackend, state_path: Path
) -> None:
    written = backend.write(backend.read())
    assert state_path.read_text() == (
        "{\n"
        '  "format_version": 3,\n'
        f'  "lineage": "{written.lineage}",\n'
        '  "serial": 1,\n'
        f'  "voices_digest": "sha256:{hashlib.sha256(b"").hexdigest()}",\n'
        '  "voices": {}\n'
        "}\n"
    )
    assert LocalStateBackend(state_path).read() == written


def test_backup_holds_the_previous_version(backend: LocalStateBackend, state_path: Path) -> None:
    first = backend.write(backend.read().with_voice(record()))
    before = state_path.read_bytes()
    backend.write(first.without_voice("gentle"))
    backup = Path(f"{state_path}.backup")
    assert backup.read_bytes() == before
    assert json.loads(backup.read_text())["serial"] == 1


def test_state_and_backup_are_private(backend: LocalStateBackend, state_path: Path) -> None:
    state_path.write_text("")  # a pre-existing world-readable file must not keep its mode
    state_path.chmod(0o644)
    state_path.unlink()
    first = backend.write(backend.read())
    backend.write(first)
    for path in (state_path, Path(f"{state_path}.backup")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_corrupt_state_names_the_file_and_the_backup(
    backend: LocalStateBackend, state_path: Path
) -> None:
    backend.write(backend.write(backend.read()))
    state_path.write_text('{"format_version": 1, "serial": ')
    with pytest.raises(StateError) as raised:
        backend.read()
    message = str(raised.value)
    assert str(state_path) in message and "not a valid state file" in message
    assert f"{state_path}.backup" in message


def test_wrong_shape_without_backup_says_so(backend: LocalStateBackend, state_path: Path) -> None:
    state_path.write_text("[]\n")
    with pytest.raises(StateError, match="no backup exists"):
        backend.read()
    with pytest.raises(StateError, match="not a valid state file"):
        backend.write(State.new())


def test_newer_format_version_asks_for_an_upgrade(
    backend: LocalStateBackend, state_path: Path
) -> None:
    data = backend.write(backend.read()).to_dict()
    data["format_version"] = 99
    state_path.write_text(json.dumps(data))
    with pytest.raises(StateError, match=r"written by a newer reconciler.*upgrade"):
        backend.read()


def test_unknown_fields_survive_a_write(backend: LocalStateBackend, state_path: Path) -> None:
    data = backend.write(backend.read().with_voice(record())).to_dict()
    data["future"] = True
    data["voices"]["gentle"]["future"] = {"nested": [1]}
    state_path.write_text(json.dumps(data))
    backend.write(backend.read())
    written = json.loads(state_path.read_text())
    assert written["future"] is True
    assert written["voices"]["gentle"]["future"] == {"nested": [1]}


def test_a_missing_file_with_a_backup_is_not_an_empty_state(
    backend: LocalStateBackend, state_path: Path
) -> None:
    backend.write(backend.write(backend.read()))
    state_path.unlink()
    with pytest.raises(StateError, match="missing but its backup"):
        backend.read()


def test_a_write_based_on_an_old_serial_is_refused(backend: LocalStateBackend) -> None:
    base = backend.write(backend.read())
    LocalStateBackend(backend.path).write(base.with_voice(record("other-writer")))
    with pytest.raises(StateError, match="serial 2, but this run read serial 1"):
        backend.write(base.with_voice(record()))


def test_a_different_lineage_is_refused(backend: LocalStateBackend) -> None:
    stored = backend.write(backend.read())
    foreign = dataclasses.replace(stored, lineage="0b7c2a2e-1b8a-4d8e-9c3c-2f2f4c6f2d11")
    with pytest.raises(StateError, match="lineage"):
        backend.write(foreign)


def test_repeating_a_write_that_already_landed_is_harmless(backend: LocalStateBackend) -> None:
    base = backend.write(backend.read())
    landed = backend.write(base.with_voice(record()))
    assert backend.write(base.with_voice(record())) == landed
    assert backend.read().serial == 2


def test_stray_temp_files_of_dead_writers_are_removed(
    backend: LocalStateBackend, state_path: Path
) -> None:
    dead = state_path.parent / f".{state_path.name}.999999999.deadbeef.tmp"
    dead_backup = state_path.parent / f".{state_path.name}.backup.999999999.deadbeef.tmp"
    unrelated = state_path.parent / f".{state_path.name}.notes.tmp"
    in_flight = state_path.parent / f".{state_path.name}.{os.getpid()}.cafe.tmp"
    for path in (dead, dead_backup, unrelated, in_flight):
        path.write_text("partial")
    backend.write(backend.read())
    assert not dead.exists() and not dead_backup.exists()
    assert unrelated.exists() and in_flight.exists()


def test_missing_directories_are_created(tmp_path: Path) -> None:
    backend = LocalStateBackend(tmp_path / "state" / "prod.json")
    assert backend.write(backend.read()).serial == 1
    assert backend.describe() == str(tmp_path / "state" / "prod.json")


def test_a_state_file_deleted_after_reading_is_not_recreated_silently(
    backend: LocalStateBackend, state_path: Path
) -> None:
    state = backend.write(backend.read())
    state_path.unlink()
    with pytest.raises(StateError, match="disappeared after serial 1"):
        backend.write(state)


def test_the_local_backend_is_a_state_backend(state_path: Path) -> None:
    backend: StateBackend = LocalStateBackend(state_path, clock=lambda: 1_700_000_000)
    with backend.lock("import", timeout=0) as info:
        assert (info.operation, info.created) == ("import", "2023-11-14T22:13:20Z")
