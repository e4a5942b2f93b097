"""A separate process for the crash and lock tests: real processes, real signals, real flocks.

Run as ``python child.py write STATE``, ``python child.py checkpoint STATE`` or
``python child.py hold STATE OPERATION [TIMEOUT]``.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from reconciler.state import LocalStateBackend, LockError, State, VoiceRecord, rfc3339

VOICES = 200  # enough bytes that a write takes long enough to be killed in the middle of it
CHANGED = 20  # voices per checkpoint: the journal outgrows the snapshot every ~10 checkpoints


def stamped(state: State) -> State:
    """Every record carries the serial it was based on, so a torn or mixed file shows."""
    for index in range(VOICES):
        name = f"voice-{index:03d}"
        state = state.with_voice(
            VoiceRecord(
                name=name,
                edition="basic",
                job_type="BASIC",
                phase="created",
                job_id=f"job-{index}",
                created_at=rfc3339(0),
                updated_at=rfc3339(0),
                spec={"based_on": state.serial, "description": "x" * 200},
            )
        )
    return state


def write_forever(path: Path) -> None:
    backend = LocalStateBackend(path)
    state = backend.write(stamped(backend.read()))
    print("ready", flush=True)
    while True:
        state = backend.write(stamped(state))


def changed_by(serial: int) -> list[str]:
    """The voices the checkpoint based on ``serial`` changes: known to the test, too."""
    return [f"voice-{(serial * 7 + k) % VOICES:03d}" for k in range(CHANGED)]


def checkpoint_forever(path: Path) -> None:
    """Checkpoints, each stamping its voices with the serial it is based on; prints every
    serial once its checkpoint returned (durable), so the test knows what must survive."""
    backend = LocalStateBackend(path)
    state = backend.read()
    if not state.voices:
        state = backend.write(stamped(state))
    print("ready", flush=True)
    while True:
        serial = state.serial
        names = changed_by(serial)
        records = {
            name: dataclasses.replace(
                state.voices[name], spec={**state.voices[name].spec, "based_on": serial}
            )
            for name in names
        }
        state = backend.checkpoint(state.with_records(records), names)
        print(state.serial, flush=True)


def hold(path: Path, operation: str, timeout: float) -> None:
    backend = LocalStateBackend(path)
    try:
        with backend.lock(operation, timeout=timeout) as info:
            print(info.id, flush=True)
            sys.stdin.readline()  # released when the test says so, or never if it kills us
    except LockError as error:
        print(f"busy: {error}", flush=True)
        return
    print("released", flush=True)


if __name__ == "__main__":
    mode, state_path, *rest = sys.argv[1:]
    if mode == "write":
        write_forever(Path(state_path))
    elif mode == "checkpoint":
        checkpoint_forever(Path(state_path))
    else:
        hold(Path(state_path), rest[0], float(rest[1]) if len(rest) > 1 else 10)
