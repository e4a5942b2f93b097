"""Load a config file or directory, collecting every problem instead of stopping at the first."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.config.assemble import assemble
from reconciler.config.cache import forget_entry
from reconciler.config.diagnostics import SURROGATES, Diagnostic, InvalidConfig
from reconciler.config.incremental import file_keys, load_incremental, store
from reconciler.config.loader import Document, load_yaml, parse_yaml
from reconciler.config.model import Config, VoiceSpec
from reconciler.config.parallel import read_files
from reconciler.config.schema import schema_fingerprint, validate_document

CONFIG_SUFFIXES = (".yaml", ".yml")
Read = tuple[Document | None, list[Diagnostic]]  # a file parsed, with its problems


@dataclass(frozen=True)
class ConfigCheck:
    config: Config | None  # None whenever there is an error
    root_dir: Path
    files: tuple[Path, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


def config_files(path: Path) -> tuple[Path, tuple[Path, ...]]:
    """The config directory and the files to read: the file itself, or a directory's YAML."""
    if not path.is_dir():
        return path.parent, (path,)
    files = sorted(
        entry
        for entry in path.iterdir()
        if entry.suffix in CONFIG_SUFFIXES and not entry.name.startswith(".") and entry.is_file()
    )
    return path, tuple(files)


def _schema_cache_key(file: Path) -> str:
    digest = hashlib.sha256(schema_fingerprint().encode())
    digest.update(file.read_bytes())
    return digest.hexdigest()


def _validate(document: Document, cache_dir: Path | None) -> list[Diagnostic]:
    """Schema errors of one file. With a cache, a file whose exact bytes already passed this
    exact schema is not validated again (half the cost of loading a large config)."""
    if cache_dir is None:
        return validate_document(document)
    try:
        marker = cache_dir / "schema-valid" / _schema_cache_key(document.file)
        if marker.exists():
            return []
    except OSError:
        return validate_document(document)
    problems = validate_document(document)
    if not problems:
        with contextlib.suppress(OSError):  # an unwritable cache only costs time
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
    return problems


def check_config(
    path: Path, *, cache_dir: Path | None = None, adding: tuple[tuple[Path, str], ...] = ()
) -> ConfigCheck:
    """``adding``: files about to be written, with their text, checked as part of it."""
    return _check(path, cache_dir, adding)[0]


def _check(
    path: Path,
    cache_dir: Path | None,
    adding: tuple[tuple[Path, str], ...] = (),
    read: Mapping[Path, Read] | None = None,
) -> tuple[ConfigCheck, list[Document]]:
    """``read``: files this run already read (and validated), not read again."""
    path = Path(os.path.abspath(path))
    try:
        root_dir, files = config_files(path)
        missing = not path.exists()
    except OSError as error:
        problem = Diagnostic("error", path, None, None, "", f"cannot read: {error.strerror}")
        return ConfigCheck(None, path.parent, (), (problem,)), []
    if missing:
        problem = Diagnostic("error", path, None, None, "", "no such file or directory")
        return ConfigCheck(None, root_dir, (), (problem,)), []
    if not files:
        message = "no *.yaml or *.yml files in this directory"
        problem = Diagnostic("error", path, None, None, "", message)
        return ConfigCheck(None, root_dir, (), (problem,)), []
    diagnostics: list[Diagnostic] = []
    documents: list[Document] = []
    for file in files:
        if SURROGATES.search(file.name):
            # Its name gets into digests and plan files, which are UTF-8: ask for a rename.
            message = "the file name is not valid UTF-8: rename the file"
            diagnostics.append(Diagnostic("error", file, None, None, "", message))
            continue
        document, problems = read[file] if read and file in read else _read(file, cache_dir)
        diagnostics += problems
        if document is not None:
            documents.append(document)
    for file, text in adding:
        document, problems = parse_yaml(text, file)
        diagnostics += problems
        if document is not None:
            diagnostics += validate_document(document)
            documents.append(document)
    files = (*files, *(file for file, _ in adding))
    clean = not any(d.is_error for d in diagnostics) and len(documents) == len(files)
    config, problems = assemble(root_dir, documents, files, clean=clean)
    diagnostics = sorted({*diagnostics, *problems}, key=Diagnostic.full_sort_key)
    return ConfigCheck(config, root_dir, files, tuple(diagnostics)), documents


def _read(file: Path, cache_dir: Path | None) -> Read:
    """One file parsed and, if it parses, validated against the schema."""
    document, problems = load_yaml(file)
    if document is not None:
        problems += _validate(document, cache_dir)
    return document, problems


def _clean_documents(
    files: Sequence[Path], cache_dir: Path, read: dict[Path, Read]
) -> dict[Path, Document | None]:
    """The files read for the incremental path: None at any error, which the cold path
    then reports as it always does (from ``read``: they are not read twice)."""
    read.update(read_files(files, functools.partial(_read, cache_dir=cache_dir)))
    return {
        file: None if any(d.is_error for d in read[file][1]) else read[file][0] for file in files
    }


def load_config(path: Path, *, cwd: Path | None = None, cache_dir: Path | None = None) -> Config:
    """The validated config; InvalidConfig lists every error, paths relative to ``cwd``.

    With ``cache_dir``, files whose exact bytes assembled cleanly before are not parsed
    again: only the changed files are (incremental.py).
    """
    path = Path(os.path.abspath(path))
    keys: dict[Path, str] = {}
    read: dict[Path, Read] = {}
    if cache_dir is not None:
        with contextlib.suppress(OSError):
            root_dir, files = config_files(path)
            keys = file_keys(root_dir, files)  # before reading: what the entries will hold
            config = load_incremental(
                root_dir,
                keys,
                cache_dir,
                functools.partial(_clean_documents, cache_dir=cache_dir, read=read),
                functools.partial(_rebuilt_voices, path, cwd, cache_dir),
            )
            if config is not None:
                return config
    return _assembled(path, cwd, cache_dir, keys, read)


def _rebuilt_voices(
    path: Path, cwd: Path | None, cache_dir: Path, damaged: Path
) -> Mapping[str, VoiceSpec]:
    """The voices as the YAML says, for a run that found a line of ``damaged``'s entry
    damaged: that entry is dropped and the configuration loaded again, which reads only
    that file (or, if the entry cannot be dropped, every file without the cache)."""
    if forget_entry(cache_dir, damaged):
        return load_config(path, cwd=cwd, cache_dir=cache_dir).voices
    return _assembled(path, cwd, None, {}, {}).voices


def _assembled(
    path: Path,
    cwd: Path | None,
    cache_dir: Path | None,
    keys: Mapping[Path, str],
    read: Mapping[Path, Read],
) -> Config:
    check, documents = _check(path, cache_dir, read=read)
    if check.config is None:
        raise InvalidConfig(check.errors, cwd if cwd is not None else Path.cwd())
    if cache_dir is not None and keys:
        store(cache_dir, documents, check.config, keys)
    return check.config
