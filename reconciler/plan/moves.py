"""`moved` entries against the state: which records move, and which entries are wrong.

The configuration already refused chains, cycles and entries whose old address is still
configured (config/history.py); what needs the state is decided here, without I/O. An entry
whose record has moved already is harmless: other copies of the state may still need it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from reconciler.addresses import address_of
from reconciler.plan.planner import PlanError
from reconciler.state.model import State
from reconciler.state.record import VoiceRecord


@dataclass(frozen=True)
class Move:
    source: str  # voice names, not addresses
    target: str
    source_at: str  # "voices.yaml:12:11: moved[0].from", where messages point
    target_at: str


@dataclass(frozen=True)
class Moved:
    state: State  # the state as if the moves were made (same serial and lineage)
    previous: Mapping[str, str]  # new name -> old name, for each move the state calls for


def renamed(record: VoiceRecord, name: str) -> VoiceRecord:
    """The same record (job, phase, digests, guards) under another name."""
    return dataclasses.replace(record, name=name, address=address_of(name))


def resolve_moves(moves: Collection[Move], state: State, configured: Collection[str]) -> Moved:
    problems = []
    previous: dict[str, str] = {}
    for move in moves:
        old, new = state.voices.get(move.source), state.voices.get(move.target)
        if old is not None and new is not None:
            problems.append(
                f"{move.target_at}: {address_of(move.target)} is already in the state "
                f"(job {new.job_id or 'not created yet'}); moving {address_of(move.source)} "
                "onto it would lose that record: choose a free address, or forget one of them "
                "first (`reconciler state rm`)"
            )
        elif old is not None and move.target not in configured:
            # Terraform would move, then destroy: most likely a typo, and a paid job lost.
            problems.append(
                f"{move.target_at}: {address_of(move.target)} is not under voices: the moved "
                f"voice would be destroyed; name the voice's new key, or use a removed entry "
                f"for {address_of(move.source)}"
            )
        elif old is not None:
            previous[move.target] = move.source
        elif new is None and move.target not in configured:
            problems.append(
                f"{move.source_at}: neither {address_of(move.source)} nor "
                f"{address_of(move.target)} is in the state or the configuration: the entry "
                "moves nothing; check both addresses"
            )
    if problems:
        raise PlanError(problems)
    if not previous:
        return Moved(state, {})
    changes: dict[str, VoiceRecord | None] = {old: None for old in previous.values()}
    changes.update({new: renamed(state.voices[old], new) for new, old in previous.items()})
    return Moved(state.with_records(changes), previous)
