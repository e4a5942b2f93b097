"""Plan <-> plain dict for the saved plan file, checked field by field on the way in.

Decoding never trusts the file: every field is type-checked so a hand-edited or truncated
plan fails here with a path to the bad field rather than deep inside apply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from reconciler.plan import resources
from reconciler.plan.findings import Finding
from reconciler.plan.model import (
    PLAN_FORMAT_VERSION,
    Action,
    AttributeChange,
    Plan,
    Reason,
    RemoteView,
    ResourceChange,
    Step,
)
from reconciler.plan.steps import allowed

KIND = "reconciler-plan"
T = TypeVar("T")


class PlanDecodeError(ValueError):
    """The dict is not a plan; the message names the offending field."""


def remote_to_dict(remote: RemoteView) -> dict[str, Any]:
    return {
        "job_id": remote.job_id,
        "state": remote.state,
        "asset_id": remote.asset_id,
        "failed_reason": remote.failed_reason,
        "audit_errors": list(remote.audit_errors),
        "refreshed": remote.refreshed,
    }


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    return {
        "kind": KIND,
        "format_version": PLAN_FORMAT_VERSION,
        "created_at": plan.created_at,
        "state_serial": plan.state_serial,
        "state_lineage": plan.state_lineage,
        "config_digest": plan.config_digest,
        "refreshed": plan.refreshed,
        "destroy": plan.destroy,
        "targets": list(plan.targets),
        "excludes": list(plan.excludes),
        "replace": list(plan.replace),
        "changes": [_change_to_dict(c) for c in plan.changes if not is_idle(c)],
        "resources": [need.to_dict() for need in plan.resources],
        "unchanged": [*plan.unchanged, *(c.name for c in plan.changes if is_idle(c))],
        "findings": [finding.to_dict() for finding in plan.findings],
        "config": plan.config_path,
    }


def is_idle(change: ResourceChange) -> bool:
    """A no-op with nothing to record: apply does nothing for it."""
    return change.action is Action.NOOP and not change.steps


def _change_to_dict(change: ResourceChange) -> dict[str, Any]:
    remote = change.remote
    return {
        "address": change.address,
        "name": change.name,
        "action": change.action.value,
        "reason": change.reason.value,
        "before": change.before,
        "after": change.after,
        "changes": [
            {"path": c.path, "before": c.before, "after": c.after, "forces": c.forces_replacement}
            for c in change.changes
        ],
        "remote": remote_to_dict(remote),
        "notes": list(change.notes),
        "adopt_job_id": change.adopt_job_id,
        "previous_address": change.previous_address,
        "steps": [step.value for step in change.steps],
    }


def plan_from_dict(data: Any) -> Plan:
    """The inverse of plan_to_dict; the format version is the caller's to check first."""
    top = _Fields(data, "")
    if top.get("kind", str) != KIND:
        raise PlanDecodeError(f'"kind" is not "{KIND}"')
    changes = tuple(
        _change_from_dict(c, f"changes[{i}]") for i, c in enumerate(top.array("changes"))
    )
    # Plans of format 1 list every voice in ``changes``.
    unchanged = top.strings("unchanged") if "unchanged" in top.data else ()
    _check_each_voice_once(changes, unchanged)
    return Plan(
        changes=changes,
        unchanged=unchanged,
        state_serial=top.get("state_serial", int),
        state_lineage=top.get("state_lineage", str),
        config_digest=top.get("config_digest", str),
        refreshed=top.get("refreshed", bool),
        destroy=top.get("destroy", bool),
        targets=top.strings("targets"),
        # Plans made before --exclude existed excluded nothing.
        excludes=top.strings("excludes") if "excludes" in top.data else (),
        # Before format 3 the --replace intent was not kept: such a plan's forced replaces no
        # longer verify at apply, and it must be made again.
        replace=top.strings("replace") if "replace" in top.data else (),
        created_at=top.get("created_at", str),
        format_version=top.get("format_version", int),
        # Plans saved before resources were counted have none: nothing to check at apply.
        resources=tuple(
            _need_from_dict(n, f"resources[{i}]")
            for i, n in enumerate(top.array("resources") if "resources" in top.data else [])
        ),
        # Format 5 added both: older plans said their findings on stderr only, and need
        # --config to be applied.
        findings=tuple(
            _finding_from_dict(f, f"findings[{i}]")
            for i, f in enumerate(top.array("findings") if "findings" in top.data else [])
        ),
        config_path=top.optional("config", str) if "config" in top.data else None,
    )


def _finding_from_dict(data: Any, where: str) -> Finding:
    fields = _Fields(data, where)
    severity = fields.get("severity", str)
    if severity not in ("error", "warning"):
        raise PlanDecodeError(f"{where}.severity: unknown value {severity!r}")
    return Finding(
        severity="error" if severity == "error" else "warning",
        file=fields.get("file", str),
        line=fields.optional("line", int),
        column=fields.optional("column", int),
        path=fields.get("path", str),
        message=fields.get("message", str),
    )


def _check_each_voice_once(changes: tuple[ResourceChange, ...], unchanged: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for where, name in [
        *((f"changes[{i}].name", c.name) for i, c in enumerate(changes)),
        *((f"unchanged[{i}]", n) for i, n in enumerate(unchanged)),
    ]:
        if name in seen:
            raise PlanDecodeError(f"{where}: voice {name!r} is in the plan twice")
        seen.add(name)


def _need_from_dict(data: Any, where: str) -> resources.ResourceNeed:
    fields = _Fields(data, where)
    needed = fields.get("needed", int)
    available = fields.optional("available", int)
    if needed < 0 or (available is not None and available < 0):
        raise PlanDecodeError(f"{where}: needed and available must be >= 0")
    return resources.ResourceNeed(
        edition=fields.get("edition", str),
        needed=needed,
        available=available,
        addresses=fields.strings("addresses"),
    )


def _change_from_dict(data: Any, where: str) -> ResourceChange:
    fields = _Fields(data, where)
    remote = _Fields(fields.get("remote", dict), f"{where}.remote")
    action = fields.enum("action", Action)
    steps = tuple(fields.enum_at("steps", i, Step) for i in range(len(fields.array("steps"))))
    change = ResourceChange(
        address=fields.get("address", str),
        name=fields.get("name", str),
        action=action,
        reason=fields.enum("reason", Reason),
        before=fields.optional("before", dict),
        after=fields.optional("after", dict),
        changes=tuple(
            _attribute_from_dict(c, f"{where}.changes[{i}]")
            for i, c in enumerate(fields.array("changes"))
        ),
        remote=RemoteView(
            job_id=remote.optional("job_id", str),
            state=remote.optional("state", str),
            asset_id=remote.optional("asset_id", str),
            failed_reason=remote.optional("failed_reason", str),
            audit_errors=remote.strings("audit_errors"),
            refreshed=remote.get("refreshed", bool),
        ),
        notes=fields.strings("notes"),
        adopt_job_id=fields.optional("adopt_job_id", str),
        # Plans made before `moved` existed move nothing.
        previous_address=(
            fields.optional("previous_address", str) if "previous_address" in data else None
        ),
        steps=steps,
    )
    if not allowed(change):
        shown = ", ".join(step.value for step in steps) or "none"
        moved = " of a moved voice" if change.previous_address is not None else ""
        raise PlanDecodeError(f"{where}.steps: {shown} is not what a {action.value}{moved} does")
    return change


def _attribute_from_dict(data: Any, where: str) -> AttributeChange:
    fields = _Fields(data, where)
    return AttributeChange(
        path=fields.get("path", str),
        before=fields.value("before"),
        after=fields.value("after"),
        forces_replacement=fields.get("forces", bool),
    )


class _Fields:
    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise PlanDecodeError(f"{where or 'plan'}: expected an object, found {_kind(data)}")
        self.data, self.where = data, where

    def _at(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def value(self, key: str) -> Any:
        if key not in self.data:
            raise PlanDecodeError(f"{self._at(key)}: missing")
        return self.data[key]

    def get(self, key: str, kind: type[T]) -> T:
        value = self.value(key)
        # bool is an int in Python; a serial of `true` is still garbage.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise PlanDecodeError(
                f"{self._at(key)}: expected {kind.__name__}, found {_kind(value)}"
            )
        return value

    def optional(self, key: str, kind: type[T]) -> T | None:
        return None if self.value(key) is None else self.get(key, kind)

    def array(self, key: str) -> list[Any]:
        return self.get(key, list)

    def strings(self, key: str) -> tuple[str, ...]:
        items = self.array(key)
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise PlanDecodeError(f"{self._at(key)}[{i}]: expected str, found {_kind(item)}")
        return tuple(items)

    def enum(self, key: str, kind: Callable[[str], T]) -> T:
        return _member(self.get(key, str), kind, self._at(key))

    def enum_at(self, key: str, index: int, kind: Callable[[str], T]) -> T:
        value = self.array(key)[index]
        where = f"{self._at(key)}[{index}]"
        if not isinstance(value, str):
            raise PlanDecodeError(f"{where}: expected str, found {_kind(value)}")
        return _member(value, kind, where)


def _member(value: str, kind: Callable[[str], T], where: str) -> T:
    try:
        return kind(value)
    except ValueError:
        raise PlanDecodeError(f"{where}: unknown value {value!r}") from None


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__
