"""One voice's change carried out step by step, with a checkpoint after every remote step.

Order per voice: [fetch and check the data to upload] -> [delete old asset -> record it gone
-> delete old job] -> record the create attempt -> create -> record the job ID -> upload ->
record "uploaded" -> submit -> record "submitted". A kill at any instant leaves a state from
which the next run finishes the job without making a second one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler import attributes
from reconciler.addresses import PREFIX as ADDRESS_PREFIX
from reconciler.apply.asset_update import update_voice_asset
from reconciler.apply.assets import delete_voice_asset, deleted_record, restored_already
from reconciler.apply.context import ApplyContext
from reconciler.apply.data_ready import make_ready
from reconciler.apply.outcome import Result
from reconciler.apply.recovery import find_created, strangers
from reconciler.apply.uploads import Interrupted, UploadJob
from reconciler.config import VoiceSpec
from reconciler.errors import ReconcilerError
from reconciler.metastudio import JobState, MetaStudioError, OutcomeUnknownError, UploadUrls
from reconciler.plan.inputs import DesiredVoice, record_fields, record_spec
from reconciler.plan.model import ResourceChange, Step
from reconciler.plan.sync import sync_changes
from reconciler.state import VoiceRecord

MAX_CREATE_ATTEMPTS = 3
SUBMITTABLE = frozenset({JobState.CREATING, JobState.AUDIT_FAILED})


@dataclass
class VoiceRun:
    ctx: ApplyContext
    change: ResourceChange
    voice: VoiceSpec | None
    desired: DesiredVoice | None

    @property
    def name(self) -> str:
        return self.change.name

    def say(self, message: str) -> None:
        self.ctx.reporter.step(self.change.address, message)

    def checkpoint_stop(self) -> None:
        if self.ctx.stop.is_set():
            raise Interrupted(f"{self.change.address}: stopped; the next apply continues here")

    def run(self) -> Result:
        """Carry out the change's steps in order; each ends with its own checkpoint."""
        urls: UploadUrls | None = None
        if Step.UPLOAD in self.change.steps:
            self.make_data_ready()
        for step in self.change.steps:
            if step is Step.SYNC:
                self.sync_record()
            elif step is Step.MOVE:
                self.move()
            elif step is Step.FORGET:
                self.forget()
            elif step is Step.RESTORE_ASSET:
                self.restore_asset()
            elif step is Step.DELETE_ASSET:
                self.delete_asset()
            elif step is Step.DELETE_JOB:
                self.delete()
            elif step is Step.CREATE:
                urls = self.create()
            elif step is Step.UPLOAD:
                self.upload(urls, transfer=True)
            elif step is Step.MARK_UPLOADED:
                self.upload(None, transfer=False)
            elif step is Step.SUBMIT:
                self.submit(self._record_job_id())
            elif step is Step.UPDATE_ASSET:
                self.checkpoint_stop()
                update_voice_asset(self.ctx, self.change, self._want()[1])
        return Result.of(self.change.action, moved=Step.MOVE in self.change.steps)

    def make_data_ready(self) -> None:
        """Before the first step: a create takes a training resource and a replace deletes
        the old job first, so data that cannot be had (a Git LFS object the server lacks) or
        does not match its digest must stop the change before either (data_ready.py)."""
        if self.voice is None:
            return
        self.checkpoint_stop()
        make_ready(self.ctx, self.voice, creates=Step.CREATE in self.change.steps, say=self.say)

    # -- steps ------------------------------------------------------------------------------

    def move(self) -> None:
        """A `moved` entry: the record goes to its new address in one checkpoint."""
        previous = self.change.previous_address
        assert previous is not None  # the plan codec refuses a move without one
        self.ctx.checkpoint.rename(previous.removeprefix(ADDRESS_PREFIX), self.name)
        self.say(f"moved from {previous} (no MetaStudio call)")

    def forget(self) -> None:
        """A `removed` entry: the record goes; the job and its asset stay in MetaStudio."""
        self.ctx.checkpoint.remove(self.name)
        self.say("forgotten by the state; its job stays in MetaStudio")

    def delete_asset(self) -> None:
        """Delete the trained model's asset, then record it gone: after a kill before the
        job's delete, the next run deletes the job (and finds the asset already gone if
        refresh still shows it on the job)."""
        record = self.ctx.checkpoint.record(self.name)
        if record is None:
            return  # an earlier run deleted the job, and the asset before it
        asset_id = record.asset_id or self.change.remote.asset_id
        deleted = False
        if asset_id is not None:
            self.checkpoint_stop()
            self.say(f"deleting asset {asset_id}")
            deleted = delete_voice_asset(self.ctx.client, asset_id)
            if not deleted:
                self.say(f"asset {asset_id} was already deleted")
        if asset_id is not None and deleted:
            # Kept for the recycle bin's window: a voice created again with this name and
            # data can get the model back (plan action restore) instead of training again.
            binned = deleted_record(record, asset_id, self.ctx.checkpoint.now())
            self.ctx.checkpoint.bin_asset(self.name, binned)
        elif record.asset_id is not None:
            self.ctx.checkpoint.drop_asset(self.name)

    def restore_asset(self) -> None:
        """Take the trained model back from the recycle bin, then record the voice as
        trained with it: no job exists (it went with the asset), none is created."""
        voice, desired = self._want()
        asset_id = self.change.remote.asset_id
        if asset_id is None:
            raise ReconcilerError(f"{self.change.address}: no asset to restore")
        self.checkpoint_stop()
        self.say(f"restoring asset {asset_id} from the recycle bin")
        try:
            self.ctx.client.restore_asset(asset_id)
        except MetaStudioError as error:
            # A retried restore (the first answer lost) is refused as "not in the recycle
            # bin": the asset being live again is the service agreeing that it is done.
            if error.status != 400 or not restored_already(self.ctx.client, asset_id):
                raise
        now = self.ctx.checkpoint.now()
        self.ctx.checkpoint.put(
            _new_record(self.name, voice, desired, now, asset_id=asset_id, restored_at=now)
        )
        self.say(f"restored asset {asset_id}")

    def delete(self) -> None:
        record = self.ctx.checkpoint.record(self.name)
        if record is not None and record.job_id is None and record.create_attempt:
            # The interrupted create may have made a (paid) job: dropping the record alone
            # would leave it recorded nowhere. adopt() writes its ID first, so a kill between
            # the lookup and the delete leaves it in the state for the next run.
            self.checkpoint_stop()
            if self.adopt(record.create_attempt, patient=False):
                record = self.ctx.checkpoint.record(self.name)
        if record is not None and record.job_id is not None:
            self.checkpoint_stop()
            self.say(f"deleting job {record.job_id}")
            try:
                self.ctx.client.delete_job(record.job_id)
            except MetaStudioError as error:
                # Deleting what is already gone is done; anything else is a real failure.
                if not self.ctx.client.job_is_gone(record.job_id, error):
                    raise
        self.ctx.checkpoint.remove(self.name)

    def create(self) -> UploadUrls | None:
        """Make (or adopt) the job and record its ID; returns its upload URLs if it was made."""
        voice, desired = self._want()
        record = self.ctx.checkpoint.record(self.name)
        pending = record.create_attempt if record is not None and record.job_id is None else None
        if pending and self.adopt(pending, patient=False):
            return None
        for _ in range(MAX_CREATE_ATTEMPTS):
            self.checkpoint_stop()
            if others := strangers(self.ctx, voice.voice_name):
                raise ReconcilerError(
                    f"{self.change.address}: MetaStudio already has job {others[0].job_id} named "
                    f"{voice.voice_name!r} that the state does not know",
                    hint=f"adopt it with `reconciler import {self.change.address} "
                    f"{others[0].job_id}`, or choose another voice_name",
                )
            attempt = {"started_at": self.ctx.checkpoint.now(), "voice_name": voice.voice_name}
            now = attempt["started_at"]
            self.ctx.checkpoint.put(
                _new_record(self.name, voice, desired, now, create_attempt=attempt)
            )
            self.say(f"creating {voice.edition} job {voice.voice_name!r}")
            try:
                created = self.ctx.client.create_job(voice.job_type, voice.api_fields())
            except OutcomeUnknownError:
                self.say("the create's outcome is unknown; looking for the job it may have made")
                if self.adopt(attempt, patient=True):
                    return None
                continue  # looked patiently and found none: it was not made
            except MetaStudioError:
                self.ctx.checkpoint.remove(self.name)  # definitively refused: nothing was made
                raise
            self.record_job(created.job_id, JobState.CREATING)
            self.say(f"created job {created.job_id}")
            return created.uploads
        raise ReconcilerError(
            f"{self.change.address}: {MAX_CREATE_ATTEMPTS} creates had no clear outcome and no "
            "job appeared; the state records the attempt, so the next apply looks again first"
        )

    def adopt(self, attempt: Mapping[str, Any], *, patient: bool) -> bool:
        job = find_created(self.ctx, attempt, patient=patient)
        if job is None:
            return False
        self.record_job(job.job_id, job.state)
        self.say(f"adopted job {job.job_id} left by an interrupted create")
        return True

    def record_job(self, job_id: str, remote_state: str | None) -> None:
        """The job exists: its ID goes into the state before anything else happens."""
        self.ctx.checkpoint.update(
            self.name,
            job_id=job_id,
            phase="created",
            remote_state=remote_state,
            create_attempt=None,
        )

    def upload(self, urls: UploadUrls | None, *, transfer: bool) -> None:
        """Upload the data (``transfer``) or only record that the job has it, then record
        "uploaded"; create's URLs are used when given, otherwise fresh ones are fetched."""
        voice, desired = self._want()
        record = self._record()
        assert record.job_id is not None
        data_changed = record.data_digest != desired.spec["data_digest"]
        if transfer:
            self.checkpoint_stop()
            if urls is None:
                urls = self.ctx.client.get_upload_urls(record.job_id)  # never trust old URLs
            self.say("uploading training data")
            UploadJob(
                client=self.ctx.client,
                voice=voice,
                job_id=record.job_id,
                urls=urls,
                reporter=self.ctx.reporter,
                work_dir=self.ctx.work_dir,
                package_prefix=self.ctx.package_prefix,
                stop=self.ctx.stop,
                segment_parallelism=self.ctx.segment_parallelism,
                remote=self.ctx.remote,
                skip_confirmed=record.phase == "created" and not data_changed,
            ).run()
        self.ctx.checkpoint.update(
            self.name,
            phase="uploaded",
            spec=record_spec(desired.spec),
            **record_fields(desired.spec),
        )

    def submit(self, job_id: str) -> None:
        voice, _ = self._want()
        submitted = attributes.TABLE.submit_fields
        body = {k: v for k, v in voice.api_fields().items() if k in submitted}
        self.checkpoint_stop()
        self.say("submitting for review and training")
        remote_state: str | None = JobState.SYSTEM_AUDITING
        try:
            self.ctx.client.submit_job(job_id, body)
        except OutcomeUnknownError:
            state = self.ctx.client.show_job(job_id).state
            if state in SUBMITTABLE:
                self.ctx.client.submit_job(job_id, body)  # it surely did not take
        except MetaStudioError as error:
            # An earlier run's submit whose answer was lost (a kill, a dropped connection) can
            # land after this run's refresh: the job is then past submission, and refusing a
            # second submit is the service agreeing that it is done.
            state = self.ctx.client.show_job(job_id).state if error.status == 400 else None
            if state is None or state in SUBMITTABLE:
                raise
            remote_state = state
        self.ctx.checkpoint.update(self.name, phase="submitted", remote_state=remote_state)
        self.say(f"submitted job {job_id}")

    def sync_record(self) -> None:
        """No remote change, but lifecycle settings and the observed state are recorded."""
        record = self.ctx.checkpoint.record(self.name)
        if record is None or self.desired is None:
            return
        changes = sync_changes(record, self.desired.spec, self.change.remote)
        if changes:
            self.ctx.checkpoint.observe(self.name, **changes)  # no remote step: one write for all

    def _want(self) -> tuple[VoiceSpec, DesiredVoice]:
        if self.voice is None or self.desired is None:
            raise ReconcilerError(f"{self.change.address}: not in the configuration")
        return self.voice, self.desired

    def _record_job_id(self) -> str:
        job_id = self._record().job_id
        assert job_id is not None
        return job_id

    def _record(self) -> VoiceRecord:
        record = self.ctx.checkpoint.record(self.name)
        if record is None or record.job_id is None:
            raise ReconcilerError(f"{self.change.address}: no job recorded to continue")
        return record


def _new_record(
    name: str, voice: VoiceSpec, desired: DesiredVoice, now: str, **fields: Any
) -> VoiceRecord:
    """A voice's first record, with no job yet: a create attempt, or a restored asset."""
    return VoiceRecord(
        name=name,
        edition=voice.edition,
        job_type=voice.job_type,
        phase=None,
        created_at=now,
        updated_at=now,
        spec=record_spec(desired.spec),
        **record_fields(desired.spec),
        **fields,
    )
