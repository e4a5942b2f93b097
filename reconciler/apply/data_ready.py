"""A voice's training data made ready before the first step of a change that uploads it.

A create takes a training resource and a replace deletes the old job first, so data that
cannot be had, or is not what the plan was made from, must stop the change before either:

- Git LFS pointers among the files to upload are fetched (``git lfs pull --include``, these
  files only) and checked against their pointers' sha256 and size (data/lfs.py). A resume
  fetches them too, before its upload.
- An object-store package is read once to check its sha256 (data/remote.py). A resume's
  upload checks it on the way anyway, so only a change that creates a job reads it first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reconciler.apply.context import ApplyContext
from reconciler.config import VoiceSpec
from reconciler.config.diagnostics import Diagnostic, display_path
from reconciler.data import dataset_files
from reconciler.data.lfs import materialize, pointers_among
from reconciler.data.remote import sha256_field
from reconciler.fsutil import file_errors


def make_ready(
    ctx: ApplyContext, voice: VoiceSpec, *, creates: bool, say: Callable[[str], None]
) -> None:
    data = voice.data
    if data.remote:
        if creates:
            say(f"checking {data.declared} against its sha256")
            ctx.remote.verify(data, voice.location_of(sha256_field(data)))
        return
    with file_errors("read training data in", data.path):
        pointers = pointers_among(upload_files(voice))
        if pointers:
            say(f"fetching {len(pointers)} file(s) from Git LFS")
            materialize(pointers, where=lambda path: _where(voice, path))


def upload_files(voice: VoiceSpec) -> list[Path]:
    """Every local file the upload of ``voice`` reads: its data and its letter."""
    data = voice.data
    if data.kind == "package":
        files = [data.path]
    else:
        files = [item.path for item in dataset_files(data.path)]
    if voice.authorization_letter is not None:
        files.append(voice.authorization_letter)
    return files


def _where(voice: VoiceSpec, path: Path) -> str:
    """``path`` as messages name it: after the YAML line that asks for it, as the data
    checks' messages begin."""
    field = (
        "authorization_letter" if path == voice.authorization_letter else f"data.{voice.data.kind}"
    )
    cwd = Path.cwd()
    asked = voice.location_of(field)
    # Formatted as one: Diagnostic.format keeps a name with a line break on one line.
    return Diagnostic.at(asked, f"voices.{voice.name}.{field}", display_path(path, cwd)).format(cwd)
