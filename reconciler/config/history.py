"""The `moved` and `removed` lists: what the YAML says about voices it no longer holds.

The schema checks each entry's shape; the rules that need the whole configuration are here
(chains, cycles, an entry whose voice is still configured), each located at the field it
is about. The rules that need the state are the planner's (plan/moves.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from reconciler.addresses import PREFIX
from reconciler.config.diagnostics import Location
from reconciler.config.loader import Document
from reconciler.config.model import MovedEntry, RemovedEntry

Report = Callable[[Location, str, str], None]  # (where, field path, message)
Where = Callable[[Location], str]  # "file:line:column", for pointing at another entry


def _entries(documents: list[Document], section: str) -> list[tuple[Document, int, Any]]:
    found = []
    for document in documents:
        items = document.data.get(section)
        for index, item in enumerate(items if isinstance(items, list) else ()):
            if isinstance(item, dict) and isinstance(item.get("from"), str):
                found.append((document, index, item))
    return found


def moved_entries(documents: list[Document]) -> list[MovedEntry]:
    entries = []
    for document, index, item in _entries(documents, "moved"):
        if not isinstance(item.get("to"), str):
            continue  # the schema reports it
        at = ("moved", index)
        entries.append(
            MovedEntry(
                source=item["from"],
                target=item["to"],
                path=f"moved[{index}]",
                source_at=document.location((*at, "from")),
                target_at=document.location((*at, "to")),
            )
        )
    return entries


def removed_entries(documents: list[Document]) -> list[RemovedEntry]:
    return [
        RemovedEntry(
            source=item["from"],
            destroy=item.get("destroy") is True,
            path=f"removed[{index}]",
            source_at=document.location(("removed", index, "from")),
        )
        for document, index, item in _entries(documents, "removed")
    ]


def check_moved(
    entries: list[MovedEntry], configured: Collection[str], report: Report, where: Where
) -> None:
    """A repeated address is reported at the repeat; a cycle once, at its first entry; any
    other entry at the first rule it breaks."""
    by_source: dict[str, MovedEntry] = {}
    by_target: dict[str, MovedEntry] = {}
    for entry in entries:
        repeats: list[tuple[dict[str, MovedEntry], str, Location, str, Callable[..., str]]] = [
            (by_source, entry.source, entry.source_at, "from", _moved_twice),
            (by_target, entry.target, entry.target_at, "to", _moved_onto),
        ]
        for seen, address, location, field, say in repeats:
            first = seen.setdefault(address, entry)
            if first is not entry:
                report(location, f"{entry.path}.{field}", say(entry, first, where))
    cycles: set[frozenset[str]] = set()
    for entry in entries:
        cycle = _cycle(entry, by_source)
        if cycle is not None:
            if frozenset(cycle) not in cycles:  # said once, at its first entry
                cycles.add(frozenset(cycle))
                shown = " -> ".join(cycle)
                message = f"the moved entries form a cycle: {shown}; a voice cannot move back"
                report(entry.source_at, f"{entry.path}.from", message)
            continue
        problem = _moved_problem(entry, by_source, configured, where)
        if problem is not None:
            location, field, message = problem
            report(location, field, message)


def _moved_twice(entry: MovedEntry, first: MovedEntry, where: Where) -> str:
    return (
        f"{entry.source} is already moved by {first.path} at {where(first.source_at)}; "
        "a voice moves to one address only"
    )


def _moved_onto(entry: MovedEntry, first: MovedEntry, where: Where) -> str:
    return (
        f"{first.path} at {where(first.target_at)} already moves a voice to {entry.target}; "
        "one address holds one voice"
    )


def _moved_problem(
    entry: MovedEntry,
    by_source: dict[str, MovedEntry],
    configured: Collection[str],
    where: Where,
) -> tuple[Location, str, str] | None:
    if entry.source == entry.target:
        return entry.target_at, f"{entry.path}.to", "moves the voice onto its own address"
    after = by_source.get(entry.target)
    if after is not None:
        message = (
            f"{entry.target} moves on to {after.target} ({after.path} at "
            f"{where(after.source_at)}): chains are not allowed; move {entry.source} straight "
            f"to {after.target} and drop the step in between"
        )
        return entry.target_at, f"{entry.path}.to", message
    name = _name(entry.source)
    if name in configured:
        message = (
            f"{entry.source} is still under voices: a moved voice leaves its old address; "
            "rename the key or drop this entry"
        )
        return entry.source_at, f"{entry.path}.from", message
    return None


def _cycle(entry: MovedEntry, by_source: dict[str, MovedEntry]) -> list[str] | None:
    path = [entry.source]
    step = by_source.get(entry.target)
    while step is not None and step.source not in path[1:]:
        path.append(step.source)
        if step.target == entry.source:
            return [*path, entry.source]
        step = by_source.get(step.target)
    return None


def check_removed(
    entries: list[RemovedEntry],
    moved: list[MovedEntry],
    configured: Collection[str],
    report: Report,
    where: Where,
) -> None:
    seen: dict[str, RemovedEntry] = {}
    moving = {address for entry in moved for address in (entry.source, entry.target)}
    for entry in entries:
        field = f"{entry.path}.from"
        first = seen.setdefault(entry.source, entry)
        if first is not entry:
            message = (
                f"{entry.source} is already removed by {first.path} at {where(first.source_at)}"
            )
            report(entry.source_at, field, message)
        elif _name(entry.source) in configured:
            message = (
                f"{entry.source} is still under voices: remove it there first, or drop this "
                "entry to keep managing it"
            )
            report(entry.source_at, field, message)
        elif entry.source in moving:
            message = f"{entry.source} is also in a moved entry; a voice is moved or removed"
            report(entry.source_at, field, message)


def _name(address: str) -> str:
    return address[len(PREFIX) :] if address.startswith(PREFIX) else address
