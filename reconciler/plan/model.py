"""What a plan says: one change per voice, each with its action, reasons and attribute diffs.

The planner produces it without I/O; renderers turn it into text, markdown or JSON; apply
executes it. Everything here is plain data so a saved plan round-trips through JSON.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reconciler.plan.findings import Finding
    from reconciler.plan.resources import ResourceNeed

RESOURCE_TYPE = "metastudio_voice"
# 2: no-op voices with nothing to do are listed by name only, in ``unchanged``.
# 3: the --replace addresses the plan was made with, in ``replace``: apply plans again with
#    them to verify the file's claims.
# 4: the steps move, forget, update_asset and restore_asset (with a change's
#    ``previous_address``, the restore action and ``excludes``): a reader of 3 would refuse
#    them as unknown steps; it now says the file is newer instead.
# 5: the configuration it was made from, relative to the plan file (``config``), so that
#    `apply FILE` needs no --config, and the data preflight's ``findings``, so that `show FILE`
#    says them; files of formats 1 to 4 still load (without either).
PLAN_FORMAT_VERSION = 5


class Action(str, enum.Enum):
    CREATE = "create"
    RESUME = "resume"  # in state but not yet submitted: finish the remaining steps
    # Before submission, or after AUDIT_FAILED with new data: re-upload/resubmit; or, once
    # trained, in place on the model's asset (Reason.IN_PLACE)
    UPDATE = "update"
    REPLACE = "replace"  # delete the job and create a new one
    DELETE = "delete"
    FORGET = "forget"  # a `removed` entry: drop the state's record, keep the job and asset
    NOOP = "no-op"
    # Take the trained model back from the recycle bin instead of training again: no job.
    RESTORE = "restore"

    @property
    def terraform_actions(self) -> list[str]:
        """Terraform's plan-JSON vocabulary, so policy tools written for it can read ours."""
        return {
            Action.CREATE: ["create"],
            Action.RESUME: ["update"],
            Action.UPDATE: ["update"],
            Action.REPLACE: ["delete", "create"],
            Action.DELETE: ["delete"],
            Action.FORGET: ["forget"],  # Terraform 1.7's `removed` block
            Action.NOOP: ["no-op"],
            # Terraform has no restore: the resource comes into being, as a create does;
            # action_reason and reconciler_action say it is a restore.
            Action.RESTORE: ["create"],
        }[self]


class Step(str, enum.Enum):
    """One remote step of a change (or the recording of what was observed), checkpointed."""

    DELETE_ASSET = "delete_asset"  # delete the trained model's asset; record it gone
    DELETE_JOB = "delete_job"  # delete the recorded job (found first if only an attempt is)
    CREATE = "create"  # exactly once: adopt the job a recorded attempt made, else create
    UPLOAD = "upload"  # upload the training data and letter; record "uploaded"
    MARK_UPLOADED = "mark_uploaded"  # the job already has this data: record "uploaded"
    SUBMIT = "submit"  # submit for review and training; record "submitted"
    SYNC = "sync"  # no remote call: record the observed state and local settings
    UPDATE_ASSET = "update_asset"  # change the trained model's asset in place; record the spec
    MOVE = "move"  # no remote call: the record moves to the new address (a `moved` entry)
    FORGET = "forget"  # no remote call: the record is dropped (a `removed` entry)
    RESTORE_ASSET = "restore_asset"  # take the asset back from the recycle bin; record it


class Reason(str, enum.Enum):
    """Why a change has the action it has (shown to reviewers; in JSON as action_reason)."""

    NEW = "new"  # in config, not in state
    DRIFT = "drift"  # recorded job no longer exists remotely: re-create
    RECOVER_CREATE = "recover_create"  # an earlier create's outcome is unknown
    ADOPT = "adopt"  # that earlier create did happen: adopt the job found remotely
    UNFINISHED = "unfinished"  # phase before submitted
    CHANGED = "changed"  # attributes or data changed while still changeable
    RESUBMIT = "resubmit"  # AUDIT_FAILED and the training data changed
    ATTRIBUTES = "attributes"  # changed after submission: no update API, must replace
    TAINTED = "tainted"  # the remote job FAILED: a new one is needed
    FORCED = "forced"  # --replace ADDR
    REMOVED = "removed"  # in state, not in config
    REMOVED_ENTRY = "removed_entry"  # a `removed` entry in the config: forget it
    DESTROY = "destroy"  # plan --destroy / reconciler destroy
    UP_TO_DATE = "up_to_date"
    AUDIT_FAILED = "audit_failed"  # waiting for new data; nothing to do yet
    IN_PLACE = "in_place"  # trained: the changed attributes' update_call changes the asset
    RECYCLE_BIN = "recycle_bin"  # its model, same name and data, is in the recycle bin
    RESTORED = "restored"  # a model taken back from the recycle bin: trained, no job


@dataclass(frozen=True)
class AttributeChange:
    path: str  # e.g. "voice_name", "data_digest"
    before: Any
    after: Any
    forces_replacement: bool = False


@dataclass(frozen=True)
class RemoteView:
    """What refresh saw of the voice's job (None fields when not refreshed)."""

    job_id: str | None = None
    state: str | None = None
    asset_id: str | None = None
    failed_reason: str | None = None
    audit_errors: tuple[str, ...] = ()
    refreshed: bool = False


@dataclass(frozen=True)
class ResourceChange:
    address: str
    name: str
    action: Action
    reason: Reason
    before: dict[str, Any] | None  # the spec recorded at last apply
    after: dict[str, Any] | None  # the spec the config asks for
    changes: tuple[AttributeChange, ...] = ()
    remote: RemoteView = field(default_factory=RemoteView)
    notes: tuple[str, ...] = ()  # plain sentences for reviewers
    adopt_job_id: str | None = None  # Reason.ADOPT: the job found for an interrupted create
    # A `moved` entry brought the record from this address (Terraform's previous_address).
    previous_address: str | None = None
    steps: tuple[Step, ...] = ()  # what apply does, in order (plan/steps.py decides)

    @property
    def replace_paths(self) -> list[str]:
        return [c.path for c in self.changes if c.forces_replacement]

    @property
    def prevents_destroy(self) -> bool:
        return bool((self.before or {}).get("prevent_destroy")) or bool(
            (self.after or {}).get("prevent_destroy")
        )

    @property
    def keeps_asset(self) -> bool:
        return bool((self.before or {}).get("keep_asset")) or bool(
            (self.after or {}).get("keep_asset")
        )


@dataclass(frozen=True)
class PlanSummary:
    create: int = 0
    update: int = 0
    replace: int = 0
    destroy: int = 0
    noop: int = 0
    move: int = 0  # counted besides the action: a moved voice may also be updated, say
    forget: int = 0
    restore: int = 0

    @property
    def changes(self) -> int:
        return (
            self.create
            + self.update
            + self.replace
            + self.destroy
            + self.move
            + self.forget
            + self.restore
        )

    def line(self) -> str:
        # Moves and forgets are named only when there are some, as Terraform does; restores
        # likewise, first, as they stand in for creates.
        restore = f"{self.restore} to restore, " if self.restore else ""
        extra = "".join(
            f", {count} to {word}"
            for count, word in ((self.move, "move"), (self.forget, "forget"))
            if count
        )
        return (
            f"Plan: {restore}{self.create} to create, {self.update} to update, "
            f"{self.replace} to replace, {self.destroy} to destroy{extra}."
        )


@dataclass(frozen=True)
class Plan:
    changes: tuple[ResourceChange, ...]
    state_serial: int
    state_lineage: str
    config_digest: str  # sha256 over the config files and every voice's data digest
    refreshed: bool
    destroy: bool = False
    targets: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()  # the --exclude addresses (globs): never planned
    replace: tuple[str, ...] = ()  # the --replace addresses (globs) it was made with
    created_at: str = ""
    format_version: int = PLAN_FORMAT_VERSION
    # Training resources the changes consume per edition (plan/resources.py); () when none.
    resources: tuple[ResourceNeed, ...] = ()
    # Voices whose change is a no-op without steps, by name: a saved plan keeps only their
    # names (plancodec), so that reading it back costs what its changes do. A plan the
    # planner made lists them in ``changes`` and has none here.
    unchanged: tuple[str, ...] = ()
    # The data preflight's warnings (errors stop a plan), for every rendering to show.
    findings: tuple[Finding, ...] = ()
    # A saved plan's configuration, as a path relative to the plan file's folder (None: a
    # plan not saved, or saved before format 5).
    config_path: str | None = None

    @property
    def names(self) -> list[str]:
        """Every voice the plan covers, changed or not."""
        return [*(c.name for c in self.changes), *self.unchanged]

    @property
    def summary(self) -> PlanSummary:
        counts = {
            "create": 0,
            "update": 0,
            "replace": 0,
            "destroy": 0,
            "forget": 0,
            "restore": 0,
            "noop": len(self.unchanged),
        }
        moved = sum(1 for change in self.changes if change.previous_address is not None)
        for change in self.changes:
            key = {
                Action.CREATE: "create",
                Action.RESUME: "update",
                Action.UPDATE: "update",
                Action.REPLACE: "replace",
                Action.DELETE: "destroy",
                Action.FORGET: "forget",
                Action.NOOP: "noop",
                Action.RESTORE: "restore",
            }[change.action]
            counts[key] += 1
        return PlanSummary(**counts, move=moved)

    @property
    def has_changes(self) -> bool:
        return self.summary.changes > 0
