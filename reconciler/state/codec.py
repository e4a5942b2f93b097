"""State <-> bytes, with errors that name the file and the way back (the backup)."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.state.errors import StateError
from reconciler.state.jsonvalues import load_json
from reconciler.state.model import NewerFormatError, State


def encode(state: State) -> bytes:
    # Sorted, indented, newline-terminated: the file is meant to be read and diffed by people.
    text = json.dumps(state.json_view(), indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def decode(data: bytes, path: Path, backup: Path) -> State:
    try:
        return State.from_dict(load_json(data.decode("utf-8")))
    except NewerFormatError as error:
        raise StateError(
            f"state file {path} was written by a newer reconciler ({error})",
            hint="upgrade reconciler to use this state",
        ) from None
    except UnicodeDecodeError as error:
        raise StateError(
            f"state file {path} is not a valid state file: not UTF-8 text (byte {error.start})",
            hint=_restore_hint(path, backup),
        ) from error
    except (ValueError, TypeError) as error:
        raise StateError(
            f"state file {path} is not a valid state file: {error}",
            hint=_restore_hint(path, backup),
        ) from error


def _restore_hint(path: Path, backup: Path) -> str:
    if backup.exists():
        return (
            f"the previous version is in {backup}: check it, then copy it over {path}; "
            "reconciler will not start from an empty state on its own"
        )
    return f"no backup exists at {backup}; restore {path} from version control or another copy"
