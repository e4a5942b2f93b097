"""One voice's training status as observed: the job behind it and what it needs next."""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.jobstates import JobState
from reconciler.plan.model import RemoteView


@dataclass(frozen=True, kw_only=True)
class VoiceStatus(RemoteView):
    """What refresh saw of the voice's job (RemoteView's fields: a plan and a status report a
    job alike; ``state`` None when there is no job to observe), and where the voice stands."""

    address: str
    name: str
    phase: str | None
    terminal: bool = False
    needs_user: bool = False
    recorded: bool = True  # False: in the configuration only, apply never created it
    gone: bool = False  # the recorded job no longer exists in MetaStudio
    # check_voice_asset's verdict on a trained voice's asset: None when not checked.
    asset_usable: bool | None = None
    asset_problem: str | None = None  # why it is not usable, as MetaStudio said
    # Taken back from the recycle bin: trained, with an asset and no job (plan action restore).
    restored: bool = False

    @property
    def succeeded(self) -> bool:
        return self.state == JobState.SUCCEED or self.restored

    @property
    def needs_apply(self) -> bool:
        """Only apply can move it: no job yet, the job is gone, or it was never submitted.

        A CREATING job waits for its data and submit; MetaStudio never moves it by itself.
        """
        if self.restored:
            return False
        return (
            not self.recorded or self.job_id is None or self.gone or self.state == JobState.CREATING
        )

    @property
    def settled(self) -> bool:
        """Waiting longer cannot change it."""
        return self.terminal or self.needs_user or self.needs_apply

    @property
    def failed(self) -> bool:
        return self.settled and not self.succeeded
