"""From the configuration to the planner's comparable desired specs, and back to state specs."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from pathlib import Path
from typing import Any

from reconciler import attributes
from reconciler.config import Config, DataSource, VoiceSpec
from reconciler.data import DigestCache, data_digest
from reconciler.plan.inputs import DesiredVoice
from reconciler.state.privacy import phone_fingerprint


def voice_spec(
    voice: VoiceSpec, *, data: str | None, letter: str | None, lineage: str
) -> dict[str, Any]:
    """Every attribute in the table's order; an unset one (None, or False unless ``always``)
    is left out, so that plans of voices without it read as they always did. ``data`` None:
    the training data is not known (a job adopted by `import --all`)."""
    digests = {"data_digest": data, "authorization_letter_digest": letter}
    spec: dict[str, Any] = {}
    for a in attributes.TABLE.entries:
        value: Any = digests[a.name] if a.source is attributes.DIGEST else getattr(voice, a.name)
        if a.in_spec(value):
            spec[a.name] = phone_fingerprint(value, lineage) if a.personal else value
    return spec


def desired_voices(
    config: Config, cache: DigestCache, lineage: str, names: Collection[str] | None = None
) -> dict[str, DesiredVoice]:
    """Digest the data of ``names`` (default: every voice) and build their desired specs;
    no other voice is touched (on a cache hit, its spec is never even made)."""
    voices = config.voices
    # Configuration (name) order either way; names the configuration lacks are left out.
    wanted = (
        voices.items()
        if names is None
        else [(name, voices[name]) for name in sorted(names) if name in voices]
    )
    desired = {}
    for name, voice in wanted:
        letter = voice.authorization_letter
        spec = voice_spec(
            voice,
            data=data_digest(voice.data, cache),
            letter=f"sha256:{cache.file_digest(letter)}" if letter else None,
            lineage=lineage,
        )
        desired[name] = DesiredVoice(name, spec)
    return desired


def config_digest(config: Config, cache: DigestCache) -> str:
    """Binds a saved plan to the exact configuration and data it was made from.

    Made from the voices' data index, not their specs, so that checking a saved plan costs
    no VoiceSpec. Byte for byte the digest plans have always carried: plans saved by an
    earlier version stay valid.
    """
    digest = hashlib.sha256()
    for path in sorted(config.files):
        digest.update(str(path.relative_to(config.root_dir)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    data: dict[DataSource, str] = {}  # voices often share a package: digest it once
    letters: dict[Path, str] = {}
    for entry in sorted(config.voices.data_index(), key=lambda entry: entry.name):
        if entry.data not in data:
            data[entry.data] = data_digest(entry.data, cache)
        letter = entry.authorization_letter
        if letter is not None and letter not in letters:
            letters[letter] = f"sha256:{cache.file_digest(letter)}"
        digest.update(f"{entry.name}\0{data[entry.data]}\0".encode())
        digest.update(str(None if letter is None else letters[letter]).encode() + b"\0")
    return "sha256:" + digest.hexdigest()
