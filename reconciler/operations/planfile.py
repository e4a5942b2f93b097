"""The saved plan (`reconciler plan --out FILE`, later `reconciler apply FILE`).

JSON, written atomically with mode 0600. It holds no secrets: the plan model carries only a
phone fingerprint, and saving refuses anything else under a "phone" key as a last guard.

Plan files travel between CI jobs as artifacts, so loading treats them as untrusted: every
field is type-checked, and the content digest written with the plan must still match.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reconciler.config import config_files
from reconciler.errors import ReconcilerError
from reconciler.fsutil import atomic_write, file_errors
from reconciler.plan.model import PLAN_FORMAT_VERSION, Plan
from reconciler.plan.plancodec import KIND, PlanDecodeError, plan_from_dict, plan_to_dict
from reconciler.state.privacy import clear_phone_at

RECREATE = "create it again with `reconciler plan --out FILE`"
DIGEST_KEY = "content_digest"


def content_digest(data: Mapping[str, Any]) -> str:
    """sha256 over the plan's canonical JSON: every field but the digest itself.

    It binds the file to its content, so an edit (an action turned into "delete", a change
    added, a job ID swapped, prevent_destroy flipped) is refused before apply. It is not
    authentication: whoever can edit the file can recompute it. That is why apply also
    re-checks every delete and replace against the configuration and the state
    (reconciler.operations.guard) instead of trusting the plan.
    """
    content = {key: value for key, value in data.items() if key != DIGEST_KEY}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def save_plan(plan: Plan, path: Path, config: Path | None = None) -> None:
    """``config``: the configuration the plan was made from; the file records it relative to
    its own folder, so the pair moves together (a checkout, a CI artifact beside it)."""
    if config is not None:
        plan = dataclasses.replace(plan, config_path=_relative(config, path.parent))
    data = plan_to_dict(plan)
    _refuse_clear_phone(data, path)
    data[DIGEST_KEY] = content_digest(data)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    with file_errors("write plan file", path):
        atomic_write(path, text.encode("utf-8"), mode=0o600)


def _relative(target: Path, start: Path) -> str | None:
    try:
        return Path(os.path.relpath(target.resolve(), start.resolve())).as_posix()
    except ValueError:  # another drive (Windows): no relative path
        return None


def saved_config(plan: Plan, path: Path) -> Path | None:
    """The configuration the plan at ``path`` was made from (None: a plan older than format 5,
    which did not record it). Raises when the plan file was moved away from it."""
    if plan.config_path is None:
        return None
    config = path.resolve().parent / plan.config_path
    # A moved file's relative path may well lead to some folder: one without the YAML.
    if not (config.is_file() or (config.is_dir() and config_files(config)[1])):
        raise ReconcilerError(
            f"plan file {path} was made from the configuration at {plan.config_path!r} "
            f"(relative to the plan file), which is not there: was the plan file moved?",
            hint="give the configuration with --config, or keep the plan file where it was made",
        )
    return config


def load_plan(path: Path) -> Plan:
    data = _read_json(path)
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ReconcilerError(
            f'{path} is not a reconciler plan file (it has no "kind": "{KIND}" marker)',
            hint=f"`reconciler plan -json` output cannot be applied; {RECREATE}",
        )
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ReconcilerError(
            f"plan file {path} is damaged: format_version is {version!r}", hint=RECREATE
        )
    if version > PLAN_FORMAT_VERSION:
        raise ReconcilerError(
            f"plan file {path} was written by a newer reconciler (plan format {version}; "
            f"this one reads up to {PLAN_FORMAT_VERSION})",
            hint="upgrade reconciler, or run `reconciler plan` again with this version",
        )
    recorded = data.get(DIGEST_KEY)
    try:
        plan = plan_from_dict(data)
    except PlanDecodeError as error:
        # An edit that also broke a field is named as both; otherwise the field is named.
        if isinstance(recorded, str) and recorded != content_digest(data):
            raise ReconcilerError(
                f"plan file {path} was modified after it was made ({error})", hint=RECREATE
            ) from None
        raise ReconcilerError(f"plan file {path} is damaged: {error}", hint=RECREATE) from None
    if not isinstance(recorded, str):
        raise ReconcilerError(
            f"plan file {path} has no {DIGEST_KEY}: it was made by an older reconciler or edited",
            hint=RECREATE,
        )
    if recorded != content_digest(data):
        raise ReconcilerError(
            f"plan file {path} was modified after it was made: its content does not match "
            f"its {DIGEST_KEY}",
            hint=RECREATE,
        )
    return plan


def _read_json(path: Path) -> Any:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ReconcilerError(
            f"plan file {path} does not exist", hint="create it with `reconciler plan --out FILE`"
        ) from None
    except OSError as error:
        raise ReconcilerError(f"cannot read plan file {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ReconcilerError(f"plan file {path} is not UTF-8 text", hint=RECREATE) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise ReconcilerError(
            f"plan file {path} is not valid JSON ({error.msg} at {where}); it may be truncated",
            hint=RECREATE,
        ) from None


def _refuse_clear_phone(data: Any, path: Path) -> None:
    """A phone may sit in a spec or in an attribute change: clear_phone_at looks at both."""
    if clear_phone_at(data, "plan") is not None:
        raise ReconcilerError(
            f"refusing to write plan file {path}: it would hold a phone number in clear",
            hint="this is a bug: phone numbers must be fingerprinted before planning",
        )
