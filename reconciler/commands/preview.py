"""reconciler preview: synthesize text with a trained voice and download the audio."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from reconciler.commands._arguments import directory, integer, seconds
from reconciler.commands._common import open_workspace
from reconciler.defaults import PREVIEW_RANGES, PREVIEW_TIMEOUT_SECONDS
from reconciler.environment import Environment
from reconciler.errors import ReconcilerError

if TYPE_CHECKING:  # imported where used: `reconciler --help` must stay cheap
    from reconciler.status import VoiceStatus
    from reconciler.views.base import View


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:

    parser = subparsers.add_parser(
        "preview",
        help="hear a trained voice: synthesize text and download the audio",
        description="Create a TTS audition with the voice's trained asset and download the "
        "files as 0.wav, 1.wav, ... (third-party voices are charged per audition).",
    )
    parser.add_argument("address", metavar="ADDR", help="the voice, e.g. voice.gentle-female")
    parser.add_argument("path", nargs="?", default=".", help="config file or directory (.)")
    parser.add_argument(
        "--text", help="what to say (default: the voice's preview.text in the configuration)"
    )
    parser.add_argument(
        "--out", type=directory, required=True, metavar="DIR", help="where to save the audio"
    )
    for name, default in (("speed", 100), ("pitch", 100), ("volume", 140)):
        low, high = PREVIEW_RANGES[name]
        parser.add_argument(
            f"--{name}",
            type=integer(low, high),
            metavar="N",
            help=f"{low}-{high}, default {default}",
        )
    parser.add_argument(
        "--timeout",
        type=seconds(positive=True),
        default=PREVIEW_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help=f"how long to wait for the audio (default {PREVIEW_TIMEOUT_SECONDS:g})",
    )
    parser.set_defaults(handler=run)


def _check_trained(status: VoiceStatus) -> str:
    """The asset id to preview, or an error saying where training stands."""
    from reconciler.views.status_table import problem_line

    if status.succeeded and status.asset_id:
        return status.asset_id
    if status.succeeded:
        raise ReconcilerError(f"{status.address}: MetaStudio reports SUCCEED but no asset id")
    if status.settled:
        raise ReconcilerError(f"cannot preview {problem_line(status)}")
    raise ReconcilerError(
        f"{status.address} is not trained yet: job {status.job_id} is {status.state or 'unknown'}",
        hint=f"wait for it with `reconciler status --wait --target {status.address}`",
    )


def run(args: argparse.Namespace, env: Environment, view: View) -> int:
    from reconciler.operations.preview import PreviewRequest, preview_voice, shown
    from reconciler.views.heartbeat import Heartbeat, duration

    workspace = open_workspace(args.path, env, timeout=args.timeout)
    request = PreviewRequest(
        address=args.address,
        out=env.cwd / args.out,
        text=args.text,
        timeout=args.timeout,
        speed=args.speed,
        pitch=args.pitch,
        volume=args.volume,
    )
    # Synthesis takes seconds to minutes: stderr says it goes on (stdout lists the files),
    # from the moment the voice is known to be trained.
    heartbeat = Heartbeat(env.err, env.progress_interval, env.clock)

    def trained(status: VoiceStatus) -> str:
        asset_id = _check_trained(status)
        started = env.clock()
        env.err(f"Synthesizing an audition with {status.address}...")
        heartbeat.follow(
            lambda: (
                f"still waiting for the audition of {status.address}: "
                f"{duration(env.clock() - started)} of {args.timeout:g}s"
            )
        )
        return asset_id

    try:
        made = preview_voice(
            workspace,
            request,
            trained_asset=trained,
            charged=lambda: env.err("note: auditions of third-party voices are charged"),
        )
    finally:
        heartbeat.close()
    env.out(
        f"Downloaded {len(made.paths)} preview file(s) of voice.{made.name} "
        f"(asset {made.asset_id}):"
    )
    for path in made.paths:
        env.out(f"  {shown(path, env.cwd)}")
    return 0
