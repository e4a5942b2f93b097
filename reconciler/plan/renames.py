"""A plan that destroys one voice and creates another like it is most likely a rename of a
key in the YAML: say so, and name the `moved` entry that keeps the job (and its training)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from reconciler.plan.model import Action, Plan, Reason, ResourceChange

ALIKE = ("voice_name", "data_digest")  # what makes a new voice look like a removed one
HINT_START = "this looks like a rename"


def rename_entry(source: str, target: str) -> str:
    return f"moved: [{{from: {source}, to: {target}}}]"


def with_rename_hints(changes: Sequence[ResourceChange]) -> list[ResourceChange]:
    # Indexed by value: comparing every removed voice with every new one made a plan
    # quadratic in the catalogue.
    gone: dict[tuple[str, Any], ResourceChange] = {}
    for change in changes:
        if change.action is Action.DELETE and change.reason is Reason.REMOVED:
            for key in ALIKE:
                value = (change.before or {}).get(key)
                if value is not None:
                    gone.setdefault((key, value), change)
    notes: dict[str, list[str]] = {}
    for new in changes if gone else ():
        if new.action is not Action.CREATE or new.reason is not Reason.NEW:
            continue
        for key in ALIKE:
            value = (new.after or {}).get(key)
            old = gone.get((key, value)) if value is not None else None
            if old is None:
                continue
            entry = rename_entry(old.address, new.address)
            hint = (
                f"{HINT_START} ({old.address} and {new.address} have the same "
                f"{key}): to keep the job and its training, add `{entry}` to the YAML"
            )
            notes.setdefault(old.name, []).append(hint)
            notes.setdefault(new.name, []).append(hint)
            break
    return [
        dataclasses.replace(c, notes=(*c.notes, *notes[c.name])) if c.name in notes else c
        for c in changes
    ]


def rename_hints(plan: Plan) -> list[str]:
    """Each rename hint of the plan once (it is a note on both voices)."""
    hints = (note for c in plan.changes for note in c.notes if note.startswith(HINT_START))
    return list(dict.fromkeys(hints))
