"""The YAML `import --all` writes: one voice per adopted job, keyed from its voice_name.

Only what the job tells is written (the attribute table's ``reported`` attributes, its
voice_name and its edition); the training data cannot be read back, so ``data`` is a
placeholder the user fills. Keys are derived deterministically: the same jobs and the same
taken keys give the same file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler import attributes
from reconciler.metastudio import TrainingJob

KEY_LENGTH = 64  # the schema's limit for a voice key
DATA_DIR = "imported-data"

HEADER = """\
# Written by `reconciler import --all` at {now}:
# the jobs MetaStudio has that no state recorded, adopted as they are (the state now
# records them). Review it before use.
#
# - data: a placeholder. Put each voice's training data there (or point `data` at it)
#   before the next plan: what a job was trained on cannot be read back, so the first
#   plan takes the data found there as the job's and records its digest; nothing is
#   trained again.
# - Only what the job tells is written: voice_name, edition, sex, language, tag, the
#   upload mode (data.dir or data.segments) and its trained model's description.
#   custom_text, output_language and the authorization letter are not taken, and a phone
#   number never is (personal data); setting one later is a change like any other (a
#   trained job may have to be replaced for it).
# - lifecycle.prevent_destroy guards each adopted (paid) model; remove it to allow a
#   destroy or a replace. To leave a voice unmanaged instead, delete its block here and
#   run `reconciler state rm voice.NAME` (its job stays in MetaStudio).
version: 1
voices:
"""


@dataclass(frozen=True)
class Adoption:
    key: str
    edition: str
    job: TrainingJob
    asset: Mapping[str, Any] | None = None  # the trained model's asset, as listed

    def told(self) -> dict[str, Any]:
        """Every attribute the job and its asset tell, as the YAML names them."""
        job = self.job
        fields = {"edition": self.edition, "voice_name": job.voice_name, **reported(job)}
        return {**fields, **from_asset(self.asset, fields)}

    @property
    def data_kind(self) -> str:
        return "segments" if self.job.create_type == "SEGMENT" else "dir"

    @property
    def data_path(self) -> str:
        return f"{DATA_DIR}/{self.key}"


def voice_key(voice_name: str, taken: Collection[str]) -> str:
    """A key from ``voice_name``: lowercase letters, digits, '-' and '_', unique among
    ``taken``; a name without any of those (say, Chinese) gets a digest of itself."""
    base = re.sub(r"[^a-z0-9_]+", "-", voice_name.lower()).strip("-")[:KEY_LENGTH].strip("-")
    if not base:
        base = "voice-" + hashlib.sha256(voice_name.encode()).hexdigest()[:8]
    key, number = base, 2
    while key in taken:
        suffix = f"-{number}"
        key = base[: KEY_LENGTH - len(suffix)] + suffix
        number += 1
    return key


def reported(job: TrainingJob) -> dict[str, Any]:
    """The attributes the job tells, from the attribute table, as the YAML names them."""
    values = {}
    for attribute in attributes.TABLE.reported:
        if attribute.source is not attributes.YAML:
            continue  # computed (create_type): the YAML's `data` kind says it
        value = getattr(job, attribute.api or attribute.name)
        if value is not None:
            values[attribute.config_key] = value
    return values


def from_asset(asset: Mapping[str, Any] | None, known: Collection[str]) -> dict[str, Any]:
    """What the asset API tells of the attributes the table maps to it (the description),
    besides those the job told (``known``)."""
    values: dict[str, Any] = {}
    for attribute in attributes.TABLE.entries:
        if (
            asset is None
            or attribute.asset_field is None
            or attribute.source is not attributes.YAML
        ):
            continue
        value = asset.get(attribute.asset_field)
        if attribute.config_key not in known and isinstance(value, str) and value:
            values[attribute.config_key] = value
    return values


def render(adoptions: Sequence[Adoption], now: str) -> str:
    lines = [HEADER.format(now=now)]
    for adoption in adoptions:
        job = adoption.job
        lines.append(f"  {adoption.key}:  # job {job.job_id} ({job.state})\n")
        lines += [f"    {key}: {_scalar(value)}\n" for key, value in adoption.told().items()]
        lines.append(
            f"    data: {{{adoption.data_kind}: {_scalar(adoption.data_path)}}}"
            "  # placeholder: the training data goes here\n"
        )
        lines.append("    lifecycle: {prevent_destroy: true}\n")
    return "".join(lines)


def _scalar(value: Any) -> str:
    """A JSON string is a YAML double-quoted scalar: any voice_name reads back as written."""
    return json.dumps(value, ensure_ascii=False)
