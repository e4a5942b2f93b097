"""State <-> bytes, with errors that name the file and the way back (the backup).

The file is one sorted JSON document for people to read and diff, with one line per voice::

    {
      "deleted_assets": [...],  (only when there are any; see binned.py)
      "format_version": 3,
      "lineage": "...",
      "serial": 7,
      "voices_digest": "sha256:<hex>",
      "voices": {
        "alpha": {"address": "voice.alpha", ...},
        "zeta": {...}
      }
    }

The digest covers the exact bytes of the voice lines. When a file is exactly in this layout
and the digest matches, it was written by this code and not edited since, so each record is
decoded only when first used (see voices.py), and a record that was not replaced is written
back as the very line it was read from: reading and compacting a large state then cost
about what copying its bytes does. Anything else (an older layout, a hand edit) is decoded
and checked whole, and the next write puts it in this layout.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import operator
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reconciler.state.errors import StateError
from reconciler.state.jsonvalues import field, load_json
from reconciler.state.model import DIGEST_KEY, FORMAT_VERSION, NewerFormatError, State
from reconciler.state.record import VoiceRecord
from reconciler.state.voices import Lines, RecordedVoices, Stored, check_filed

_SHA256 = "sha256:"
_VOICES_OPEN = b'\n  "voices": {\n'
_VOICES_CLOSE = b"\n  }\n}\n"
_NO_VOICES = b'  "voices": {}\n}\n'
_NAME_END = b'": {'
# A voice line and its name, where that is spelled without escapes; only voice lines start
# with four spaces, and JSON on one line has its newlines escaped.
_LINE = re.compile(rb'\n(    "([^"\\\n]*)": \{[^\n]*\})(?:,(?=\n)|\Z)')


@dataclasses.dataclass
class Work:
    """Records this process decoded from and encoded into state snapshots: what a run
    costs must follow the records it touched, not the size of the state."""

    decoded: int = 0
    encoded: int = 0


WORK = Work()


def encode(state: State) -> bytes:
    stored = state.stored_voices()
    lines = []
    for name in sorted(stored):
        line = stored[name]
        if not isinstance(line, bytes):
            line = _voice_line(name, line)
            WORK.encoded += 1
        lines.append(line)
    voices = b",\n".join(lines)
    head = {key: value for key, value in state.extra.items() if key != DIGEST_KEY}
    head.update(format_version=FORMAT_VERSION, serial=state.serial, lineage=state.lineage)
    head.update(state.deleted_assets_view())
    head[DIGEST_KEY] = _digest(voices)
    body = _VOICES_OPEN[1:] + voices + _VOICES_CLOSE if voices else _NO_VOICES
    return b"{\n" + _head_lines(head) + body


def decode(data: bytes, path: Path, backup: Path) -> State:
    def invalid(problem: str) -> StateError:
        return StateError(
            f"state file {path} is not a valid state file: {problem}",
            hint=_restore_hint(path, backup),
        )

    try:
        fast = decode_layout(data, invalid)
        if fast is not None:
            return fast
        state = State.from_dict(load_json(data.decode("utf-8")))
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
        raise invalid(str(error)) from error
    WORK.decoded += len(state.voices)
    return state


def decode_layout(data: bytes, invalid: Callable[[str], StateError]) -> State | None:
    """The state of ``data`` if it is exactly in encode's layout with a matching digest, its
    records left to decode on first use; else None (decode it whole). ``invalid`` makes the
    error for a record that proves bad when decoded. Raises NewerFormatError, ValueError for
    a head that is in the layout but not valid."""
    if data.endswith(_NO_VOICES):
        head_end = start = end = len(data) - len(_NO_VOICES)
    else:
        found = data.find(_VOICES_OPEN)
        if found < 0 or not data.endswith(_VOICES_CLOSE):
            return None
        head_end, start, end = found + 1, found + len(_VOICES_OPEN), len(data) - len(_VOICES_CLOSE)
        if start >= end:
            return None
    head_bytes = data[2:head_end]
    if not data.startswith(b"{\n") or not head_bytes.endswith(b",\n"):
        return None
    try:
        head = load_json(b"{" + head_bytes[:-2] + b"}")
    except ValueError:  # UnicodeDecodeError included: the whole decode names the byte
        return None
    if not isinstance(head, dict) or _head_lines(head) != head_bytes:
        return None  # odd whitespace, order or spelling: not what encode writes
    if head.pop(DIGEST_KEY, None) != _digest(memoryview(data)[start:end]):
        return None  # edited since it was written (or never had a digest)
    entries = _entries(data, start, end)
    if entries is None:
        return None
    lines = Lines(functools.partial(_load, invalid))
    state = State.from_dict({**head, "voices": {}})
    return dataclasses.replace(state, voices=RecordedVoices(entries, lines))


def _entries(data: bytes, start: int, end: int) -> dict[str, Stored] | None:
    """Name -> line of the voice lines in data[start:end], if each is as encode writes it."""
    found = _LINE.findall(data, start - 1, end)  # from the newline before the first
    lines = [line for line, _ in found]
    names = [name for _, name in found]
    # The matches do not overlap, so they cover every byte only if their lengths add up: a
    # line they skipped (an escaped name, say) is left to the whole decode, and so are names
    # out of order or twice, which encode never writes.
    covered = sum(map(len, lines)) + 2 * (len(lines) - 1) if lines else 0
    if covered != end - start:
        return None
    if not all(map(operator.lt, names, names[1:])):
        return None
    try:
        texts = b"\n".join(names).decode("utf-8").split("\n") if names else []
    except UnicodeDecodeError:
        return None
    return dict(zip(texts, lines, strict=True))


def _load(invalid: Callable[[str], StateError], name: str, line: bytes) -> VoiceRecord:
    try:
        raw = load_json(line[line.index(_NAME_END) + 3 :])
        record = VoiceRecord.from_dict(raw, field("voices", name))
        check_filed(name, record)
    except (ValueError, TypeError) as error:
        # The digest matched, so only a writer's bug can bring this here.
        raise invalid(str(error)) from None
    WORK.decoded += 1
    return record


def _voice_line(name: str, record: VoiceRecord) -> bytes:
    view = json.dumps(record.json_view(), sort_keys=True, ensure_ascii=False)
    return f"    {json.dumps(name, ensure_ascii=False)}: {view}".encode()


def _head_lines(head: dict[str, Any]) -> bytes:
    return "".join(
        f"  {json.dumps(key, ensure_ascii=False)}: "
        f"{json.dumps(head[key], sort_keys=True, ensure_ascii=False)},\n"
        for key in sorted(head)
    ).encode()


def _digest(voices: bytes | memoryview) -> str:
    return _SHA256 + hashlib.sha256(voices).hexdigest()


def _restore_hint(path: Path, backup: Path) -> str:
    if backup.exists():
        return (
            f"the previous version is in {backup}: check it, then copy it over {path}; "
            "reconciler will not start from an empty state on its own"
        )
    return f"no backup exists at {backup}; restore {path} from version control or another copy"
