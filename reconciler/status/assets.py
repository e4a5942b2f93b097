"""Whether each trained voice's asset can be used: a job can say SUCCEED while its model
was deleted from the asset library."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from reconciler.metastudio import MetaStudioClient, MetaStudioError
from reconciler.status.model import VoiceStatus


def check_assets(client: MetaStudioClient, statuses: Iterable[VoiceStatus]) -> list[VoiceStatus]:
    """Ask check_voice_asset about each trained voice's asset (one call per trained voice)."""
    checked = []
    for status in statuses:
        if status.succeeded and status.asset_id:
            try:
                client.check_voice_asset(status.asset_id)
            except MetaStudioError as error:
                # The service answers 400 with the reason for an unusable asset; anything
                # else (5xx after retries, no answer) says nothing about the asset.
                if error.status != 400:
                    raise
                reason = error.error_msg or error.error_code or "not usable"
                status = dataclasses.replace(status, asset_usable=False, asset_problem=reason)
            else:
                status = dataclasses.replace(status, asset_usable=True)
        checked.append(status)
    return checked
