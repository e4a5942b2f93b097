"""The preflight's side of ``reconciler.lock``: pointers checked against it, and what a
rewritten lock should say.

A Git LFS pointer stands for content that is not on disk: the lock must list the file with
the pointer's sha256 and size, and its facts then stand for the bytes. A file that is
present is judged from its bytes whatever the lock says; if the lock disagrees, it is only
out of date (a warning naming the command that writes it again).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from reconciler.data.digest import Content, DigestCache
from reconciler.data.entries import Entry, member_key
from reconciler.data.facts import FactSource
from reconciler.data.lock import UPDATE_COMMAND, DataLock
from reconciler.data.report import Report

_OWN = ("sha256", "size")
_NOT_HERE = "a Git LFS pointer whose content is not checked out"
_RUN = f"run `{UPDATE_COMMAND}` where the data is present"


def _facts(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in _OWN}


def locked_folder(
    lock: DataLock | None,
    source: str,
    entries: Sequence[Entry],
    report: Report,
    updating: bool,
) -> list[Entry] | None:
    """``entries`` with each pointer's facts from the lock; None when a pointer has no
    matching entry (reported: its content cannot be judged)."""
    listed = lock.folder(source) if lock is not None else None
    found: list[Entry] = []
    unusable = False
    for entry in entries:
        was = listed.get(entry.name) if listed is not None else None
        if not entry.pointer:
            same = was is not None and (was["sha256"], was["size"]) == (entry.key, entry.size)
            if listed is not None and not updating and entry.key is not None:
                if was is None:
                    report.warning(f"not in reconciler.lock: {_RUN}", entry.name)
                elif not same:
                    report.warning(f"changed since reconciler.lock was written: {_RUN}", entry.name)
            # Unchanged since the lock was written: its facts are this content's (the same
            # sha256), so only what changed is read again.
            if same and was is not None:
                entry = dataclasses.replace(entry, locked=_facts(was))
            found.append(entry)
        elif was is None:
            no_lock = "there is no reconciler.lock" if lock is None else "reconciler.lock lacks it"
            report.error(f"{_NOT_HERE}, and {no_lock}: {_RUN}", entry.name)
            unusable = True
        elif was["sha256"] != entry.key or was["size"] != entry.size:
            report.error(f"{_NOT_HERE}, and reconciler.lock is stale for it: {_RUN}", entry.name)
            unusable = True
        else:
            found.append(dataclasses.replace(entry, locked=_facts(was)))
    if listed is not None and not updating:
        for name in sorted(set(listed) - {entry.name for entry in entries}):
            report.error(f"listed in reconciler.lock, but no longer exists: {_RUN}", name)
    return None if unusable else found


def locked_package(
    lock: DataLock | None,
    source: str,
    content: Content,
    shown: str,
    report: Report,
    *,
    updating: bool = False,
) -> list[Entry] | None:
    """For a zip that is a pointer: its members as the lock lists them (None: reported).
    For a zip that is present: None, and a warning if the lock is out of date for it."""
    entry = lock.file(source) if lock is not None else None
    matches = entry is not None and (entry["sha256"], entry["size"]) == (
        content.sha256,
        content.size,
    )
    if not content.pointer:
        if entry is not None and not matches and not updating and content.sha256:
            report.warning(f"{shown} changed since reconciler.lock was written: {_RUN}")
        return None
    if entry is None or not matches:
        why = "there is no reconciler.lock" if lock is None else "reconciler.lock lacks it"
        if entry is not None:
            why = "reconciler.lock is stale for it"
        report.error(f"{shown} is {_NOT_HERE}, and {why}: {_RUN}")
        return None
    members = entry.get("members")
    if not isinstance(members, dict):
        report.error(f"{shown}: reconciler.lock does not list the zip's files: {_RUN}")
        return None
    found = []
    for name, member in sorted(members.items()):
        size = member.get("size") if isinstance(member, dict) else None
        if not isinstance(size, int) or isinstance(size, bool):
            report.error(f"{shown}: reconciler.lock has no size for this file: {_RUN}", name)
            return None
        found.append(
            Entry(
                name,
                size,
                _no_bytes,
                None,
                member_key(content.sha256, name),
                pointer=True,
                locked={k: v for k, v in member.items() if k != "size"},
            )
        )
    return found


def _no_bytes() -> Any:
    raise OSError("a Git LFS pointer: the zip's content is not checked out")


def check_letter_pointer(
    lock: DataLock | None,
    source: str,
    content: Content,
    shown: str,
    report: Report,
    locked: dict[str, dict[str, Any]],
) -> bool | None:
    """Whether the letter a pointer stands for is a PDF, JPEG or PNG, as the lock says;
    None: the lock cannot say (reported)."""
    entry = lock.file(source) if lock is not None else None
    if entry is None or (entry["sha256"], entry["size"]) != (content.sha256, content.size):
        why = "reconciler.lock is stale for it" if entry is not None else "the lock lacks it"
        report.error(f"{shown} is {_NOT_HERE}, and {why}: {_RUN}")
        return None
    looks_right = entry.get("letter")
    if not isinstance(looks_right, bool):
        report.error(f"{shown}: reconciler.lock does not say what kind of file it is: {_RUN}")
        return None
    locked[source] = dict(entry)
    return looks_right


def record_folder(
    locked: dict[str, dict[str, Any]],
    source: str,
    entries: Sequence[Entry],
    cache: DigestCache | None,
) -> None:
    """What the lock should say of the folder ``source``: each file's sha256, size, facts."""
    if cache is None:
        return
    facts = FactSource(cache)
    files = {}
    for entry in entries:
        if entry.key is not None:
            files[entry.name] = {"sha256": entry.key, "size": entry.size, **facts.of(entry)}
    locked[source] = {"files": files}


def record_package(
    locked: dict[str, dict[str, Any]],
    source: str,
    content: Content,
    entries: Sequence[Entry],
    cache: DigestCache | None,
    etag: str | None = None,
) -> None:
    """What the lock should say of the zip ``source``: its sha256 and size, each member's
    size and facts; for a zip in object storage, the ETag its store gave too."""
    if cache is None or not content.sha256:
        return
    facts = FactSource(cache)
    members = {e.name: {"size": e.size, **facts.of(e)} for e in entries}
    said: dict[str, Any] = {"sha256": content.sha256, "size": content.size}
    if etag is not None:
        said["etag"] = etag
    locked[source] = {**said, "members": members}
