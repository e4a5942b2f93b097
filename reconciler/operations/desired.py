"""From the configuration to the planner's comparable desired specs, and back to state specs."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from reconciler.config import Config, VoiceSpec
from reconciler.data import DigestCache, data_digest
from reconciler.plan.inputs import DesiredVoice
from reconciler.state import phone_fingerprint


def voice_spec(voice: VoiceSpec, *, data: str, letter: str | None, lineage: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"edition": voice.edition, **voice.api_fields()}
    if voice.phone:
        spec["phone"] = phone_fingerprint(voice.phone, lineage)
    if letter:
        spec["authorization_letter_digest"] = letter
    if voice.preview_text:
        spec["preview_text"] = voice.preview_text
    spec["data_digest"] = data
    spec["prevent_destroy"] = voice.prevent_destroy
    if voice.keep_asset:  # only when set: plans of voices without it read as they always did
        spec["keep_asset"] = True
    return spec


def desired_voices(
    config: Config, cache: DigestCache, lineage: str, names: set[str] | None = None
) -> dict[str, DesiredVoice]:
    """Digest the data of ``names`` (default: every voice) and build their desired specs."""
    desired = {}
    for name, voice in config.voices.items():
        if names is not None and name not in names:
            continue
        letter = voice.authorization_letter
        spec = voice_spec(
            voice,
            data=data_digest(voice.data, cache),
            letter=f"sha256:{cache.file_digest(letter)}" if letter else None,
            lineage=lineage,
        )
        desired[name] = DesiredVoice(name, spec)
    return desired


def config_digest(config: Config, desired: Mapping[str, DesiredVoice]) -> str:
    """Binds a saved plan to the exact configuration and data it was made from."""
    digest = hashlib.sha256()
    for path in sorted(config.files):
        digest.update(str(path.relative_to(config.root_dir)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for name in sorted(desired):
        spec = desired[name].spec
        digest.update(f"{name}\0{spec['data_digest']}\0".encode())
        digest.update(str(spec.get("authorization_letter_digest")).encode() + b"\0")
    return "sha256:" + digest.hexdigest()
