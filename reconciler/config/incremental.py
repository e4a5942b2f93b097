"""A configuration from the cache entries of its unchanged files and a fresh reading of the
changed ones: an edit of one file of ten costs about that file.

Only a clean configuration is put together this way. The rules across files (a section or a
voice defined twice, a voice_name used twice, the moved and removed entries) are checked on
the whole, and anything wrong, or anything the entries cannot vouch for (a changed
`provider` or `defaults`, which every voice depends on), sends the caller to the cold path
that reads every file: its messages are then exactly a cold run's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from reconciler.config.assemble import assemble
from reconciler.config.cache import (
    Entry,
    Sections,
    context_of,
    file_key,
    forget_entry,
    read_entry,
    sections_document,
    sections_of,
    write_entry,
)
from reconciler.config.cached_voices import CachedVoices, Rebuild
from reconciler.config.diagnostics import SURROGATES, Location
from reconciler.config.history import check_moved, check_removed
from reconciler.config.loader import Document
from reconciler.config.model import Config, MovedEntry, RemovedEntry, VoiceSpec

T = TypeVar("T", MovedEntry, RemovedEntry)
# Each file's document, or None if it has any error (parse or schema).
Parse = Callable[[Sequence[Path]], Mapping[Path, Document | None]]


def file_keys(root_dir: Path, files: Sequence[Path]) -> dict[Path, str]:
    return {file: file_key(root_dir, file, file.read_bytes()) for file in files}


def load_incremental(
    root_dir: Path,
    keys: Mapping[Path, str],
    cache_dir: Path,
    parse: Parse,
    rebuild: Rebuild,
) -> Config | None:
    """The configuration of the files ``keys`` names (in order, keyed as they were before
    any was read), or None: then read it whole (the cold path)."""
    files = tuple(keys)
    if not files or any(SURROGATES.search(file.name) for file in files):
        return None
    entries = {file: read_entry(cache_dir, file, keys[file]) for file in files}
    fresh: dict[Path, Document] = {}
    for file, document in parse([f for f, entry in entries.items() if entry is None]).items():
        if document is None or not isinstance(document.data, dict):
            return None
        fresh[file] = document
    kept = {file: entry for file, entry in entries.items() if entry is not None}
    # What the fresh files are assembled against: the sections of every file, as parsed or
    # as their entries kept them, in the files' order (the cold path's).
    documents: list[Document] = []
    holders: list[tuple[Path, Sections]] = []
    for file in files:
        if file in fresh:
            documents.append(fresh[file])
            holders.append((file, sections_of(fresh[file])))
        elif (sections := kept[file].sections) is not None:
            documents.append(sections_document(file, sections))
            holders.append((file, sections))
    context = context_of(holders)
    if any(entry.context != context for entry in kept.values()):
        return None  # provider or defaults changed: every voice may assemble otherwise
    partial, problems = assemble(root_dir, documents, files, clean=True)
    if partial is None or problems:
        return None
    own = {file: _own(document, partial.voices) for file, document in fresh.items()}
    moved = _in_file_order(files, kept, partial.moved, lambda e: e.moved)
    removed = _in_file_order(files, kept, partial.removed, lambda e: e.removed)
    built = {name: partial.voices[name] for name in partial.voices}
    if not _clean_across(files, kept, own, built, moved, removed):
        return None
    config = Config(
        root_dir=root_dir,
        files=files,
        provider=partial.provider,
        state_path=partial.state_path,
        voices=CachedVoices(list(kept.values()), built, rebuild),
        state=partial.state,
        moved=tuple(moved),
        removed=tuple(removed),
    )
    store(cache_dir, fresh.values(), config, keys, context)
    return config


def store(
    cache_dir: Path,
    documents: Iterable[Document],
    config: Config,
    keys: Mapping[Path, str],
    context: str | None = None,
) -> int:
    """Keep each document's part of ``config`` under its key; how many entries were written.
    A file that changed since its key was taken is left out: its entry would mix versions."""
    parsed = list(documents)
    if parsed:
        # Before format 6 a directory's whole configuration was one entry named after the
        # directory (100 MB at 100,000 voices); no file's entry has that name.
        forget_entry(cache_dir, config.root_dir)
    if context is None:
        context = context_of([(d.file, sections_of(d)) for d in parsed])
    written = 0
    for document in parsed:
        file = document.file
        try:
            if file_key(config.root_dir, file, file.read_bytes()) != keys.get(file):
                continue
        except OSError:
            continue
        voices = [config.voices[name] for name in sorted(_own(document, config.voices))]
        moved = [m for m in config.moved if m.source_at.file == file]
        removed = [r for r in config.removed if r.source_at.file == file]
        written += write_entry(cache_dir, document, keys[file], context, voices, moved, removed)
    return written


def _own(document: Document, voices: Mapping[str, VoiceSpec]) -> list[str]:
    """The names of the voices written in ``document``."""
    written = document.data.get("voices") if isinstance(document.data, dict) else None
    return [name for name in written if name in voices] if isinstance(written, dict) else []


def _in_file_order(
    files: Sequence[Path],
    kept: Mapping[Path, Entry],
    parsed: Sequence[T],
    of: Callable[[Entry], Sequence[T]],
) -> list[T]:
    found: list[T] = []
    for file in files:
        entry = kept.get(file)
        found += of(entry) if entry is not None else [e for e in parsed if e.source_at.file == file]
    return found


def _clean_across(
    files: Sequence[Path],
    kept: Mapping[Path, Entry],
    own: Mapping[Path, list[str]],
    built: Mapping[str, VoiceSpec],
    moved: list[MovedEntry],
    removed: list[RemovedEntry],
) -> bool:
    """No rule across files is broken (what is broken is for the cold path to say)."""
    names: set[str] = set()
    count = 0
    for file in files:
        entry = kept.get(file)
        written = [v.name for v in entry.index] if entry is not None else own[file]
        names.update(written)
        count += len(written)
    if len(names) != count:
        return False  # a voice defined in two files
    voice_names = {voice.voice_name for voice in built.values()}
    count = len(built)
    for entry in kept.values():
        voice_names.update(entry.voice_names)
        count += len(entry.voice_names)
    if len(voice_names) != count:
        return False
    broken: list[Location] = []

    def report(location: Location, path: str, message: str) -> None:
        broken.append(location)

    check_moved(moved, names, report, lambda location: "")
    check_removed(removed, moved, names, report, lambda location: "")
    return not broken
