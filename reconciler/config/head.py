"""The provider and state of a configuration directory, read before its voices.

A plan's refresh needs only these two sections (the endpoint, credentials and where the
state is), so it can start while the voices, which are nearly all of the cost, are parsed,
validated and assembled. The files that define them are found by a look at each file's
top-level keys and then read exactly as the full load reads them (parser, schema,
assembly); anything unusual (flow-style files, a head file that also holds voices, any
error) gives None, and the caller waits for the full configuration as before. The full
load remains the authority: a caller compares its provider and state with these.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from reconciler.config.assemble import assemble
from reconciler.config.check import config_files
from reconciler.config.loader import load_yaml
from reconciler.config.model import Config, ConfiguredVoices
from reconciler.config.schema import validate_document

# A block-style top-level key (column 0, optionally quoted): what the head sections and the
# voices look like in any file this is worth doing for.
_HEAD_KEY = re.compile(rb"""^["']?(?:provider|state)["']?[ \t]*:""", re.MULTILINE)
_VOICES_KEY = re.compile(rb"""^["']?voices["']?[ \t]*:""", re.MULTILINE)
# A file whose first content is a flow mapping or a document marker could hide its keys
# from the patterns above.
_UNUSUAL_START = re.compile(rb"""\A(?:\s|#[^\n]*\n)*(?:\{|---|%)""")


def head_config(path: Path) -> Config | None:
    """A Config with the provider and state of the directory at ``path`` and no voices, or
    None when they cannot be had for less than the whole configuration."""
    path = Path(os.path.abspath(path))
    try:
        if not path.is_dir():
            return None  # one file: its head is not cheaper than all of it
        root_dir, files = config_files(path)
        texts = {file: file.read_bytes() for file in files}
    except OSError:
        return None
    if any(_UNUSUAL_START.match(text) for text in texts.values()):
        return None
    heads = [file for file, text in texts.items() if _HEAD_KEY.search(text)]
    if not heads or len(heads) == len(files):
        return None
    if any(_VOICES_KEY.search(texts[file]) for file in heads):
        return None  # reading it would cost a share of the voices twice
    documents = []
    for file in heads:
        document, problems = load_yaml(file)
        if document is None or problems or validate_document(document):
            return None
        documents.append(document)
    config, problems = assemble(root_dir, documents, tuple(heads), clean=True)
    if config is None or problems:
        return None
    return Config(
        root_dir=config.root_dir,
        files=config.files,
        provider=config.provider,
        state_path=config.state_path,
        voices=ConfiguredVoices({}),
        state=config.state,
    )


def same_head(head: Config, config: Config) -> bool:
    """Whether ``config`` talks to the same service and keeps the same state as ``head``."""
    return (head.root_dir, head.provider, head.state_path, head.state) == (
        config.root_dir,
        config.provider,
        config.state_path,
        config.state,
    )
