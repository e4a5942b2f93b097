"""``reconciler emulator serve``: run the local MetaStudio + OBS stand-in until signalled."""

from __future__ import annotations

import argparse
import ipaddress
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from reconciler.commands._arguments import integer, port, seconds
from reconciler.environment import Environment
from reconciler.errors import UsageError
from reconciler.fsutil import file_error

if TYPE_CHECKING:  # imported where used: `reconciler --help` must stay cheap
    from reconciler.emulator import (
        Credential,
        EmulatorConfig,
    )
    from reconciler.views.base import View


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "emulator", help="run a local MetaStudio emulator for tests and demos"
    )
    verbs = parser.add_subparsers(dest="emulator_command", metavar="VERB")
    verbs.required = True
    serve = verbs.add_parser("serve", help="serve the emulator over HTTP until interrupted")
    serve.add_argument("--host", default="127.0.0.1", help="listen address (default: 127.0.0.1)")
    serve.add_argument("--port", type=port, default=0, help="listen port; 0 picks a free one")
    serve.add_argument("--data-dir", type=Path, required=True, help="where jobs and objects live")
    serve.add_argument("--ak", help="access key (default: $HUAWEICLOUD_SDK_AK)")
    serve.add_argument("--sk", help="secret key (default: $HUAWEICLOUD_SDK_SK)")
    serve.add_argument("--project-id", help="project id (default: $HUAWEICLOUD_SDK_PROJECT_ID)")
    serve.add_argument(
        "--token",
        action="append",
        default=[],
        metavar="TOKEN[=PROJECT_ID]",
        help="accept this X-Auth-Token (repeatable); its project defaults to --project-id",
    )
    serve.add_argument("--seconds-per-state", type=seconds(signed=True), default=0.0, metavar="S")
    serve.add_argument("--url-ttl", type=seconds(positive=True), default=3600.0, metavar="S")
    serve.add_argument("--tts-delay", type=seconds(), default=0.0, metavar="S")
    serve.add_argument("--faults", metavar="SPEC", help="fault plan: inline JSON or a JSON file")
    serve.add_argument(
        "--tenant",
        type=Path,
        metavar="FILE",
        help=(
            "tenant configuration (JSON): seconds of audio per edition (op 17) and the "
            "training resources bought per edition (quotas)"
        ),
    )
    serve.add_argument(
        "--region",
        default="cn-north-4",
        help="IAM names the project after this region (GET /v3/projects?name=REGION)",
    )
    serve.add_argument(
        "--metadata-ttl",
        type=seconds(positive=True),
        default=6 * 3600.0,
        metavar="S",
        help="lifetime of the temporary keys the metadata service hands out (default 6 h)",
    )
    serve.add_argument("--fault-seed", type=integer(0, 2**63 - 1), default=0, metavar="N")
    serve.add_argument(
        "--allow-remote", action="store_true", help="allow listening on a non-loopback address"
    )
    serve.set_defaults(handler=run)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _credentials(args: argparse.Namespace, env: Environment) -> list[Credential]:
    from reconciler.emulator import Credential

    ak = args.ak or env.environ.get("HUAWEICLOUD_SDK_AK")
    sk = args.sk or env.environ.get("HUAWEICLOUD_SDK_SK")
    if not ak and not sk:
        return []
    if not ak or not sk:
        raise UsageError("give both an access key and a secret key (--ak/--sk or environment)")
    project = args.project_id or env.environ.get("HUAWEICLOUD_SDK_PROJECT_ID")
    if not project:
        raise UsageError(
            "an AK/SK needs a project: pass --project-id or set HUAWEICLOUD_SDK_PROJECT_ID"
        )
    token = env.environ.get("HUAWEICLOUD_SDK_SECURITY_TOKEN") or None
    return [Credential(ak=ak, sk=sk, project_id=project, security_token=token)]


def _tokens(args: argparse.Namespace, env: Environment) -> dict[str, str]:
    default_project = args.project_id or env.environ.get("HUAWEICLOUD_SDK_PROJECT_ID")
    tokens = {}
    for spec in args.token:
        token, _, project = spec.partition("=")
        project = project or default_project or ""
        if not token or not project:
            raise UsageError("--token needs a project: use TOKEN=PROJECT_ID or --project-id")
        tokens[token] = project
    return tokens


def build_config(args: argparse.Namespace, env: Environment) -> EmulatorConfig:
    from reconciler.emulator import EmulatorConfig, FaultPlan, Tenant, TenantFileError

    if not _is_loopback(args.host) and not args.allow_remote:
        raise UsageError(f"refusing to listen on non-loopback {args.host}; add --allow-remote")
    credentials, tokens = _credentials(args, env), _tokens(args, env)
    # A project alone is an agency's: clients get temporary keys from the metadata service.
    agency_project = args.project_id or env.environ.get("HUAWEICLOUD_SDK_PROJECT_ID")
    if not credentials and not tokens and not agency_project:
        raise UsageError(
            "no credentials: pass --ak/--sk/--project-id, set HUAWEICLOUD_SDK_AK/SK/PROJECT_ID, "
            "give --token, or --project-id alone for an agency (metadata service keys only)"
        )
    try:
        faults = FaultPlan.load(args.faults) if args.faults else FaultPlan()
    except (OSError, ValueError) as error:
        raise UsageError(f"bad --faults: {error}") from None
    try:
        tenant = Tenant.load(args.tenant) if args.tenant else Tenant()
    except TenantFileError as error:
        raise UsageError(f"bad --tenant: {error}") from None
    return EmulatorConfig(
        data_dir=args.data_dir,
        credentials=credentials,
        tokens=tokens,
        seconds_per_state=args.seconds_per_state,
        url_ttl_seconds=args.url_ttl,
        tts_delay_seconds=args.tts_delay,
        faults=faults,
        seed=args.fault_seed,
        tenant=tenant,
        region=args.region,
        metadata_ttl_seconds=args.metadata_ttl,
        agency_project=agency_project,
    )


def run(args: argparse.Namespace, env: Environment, view: View) -> int:
    from reconciler.emulator import Emulator

    config = build_config(args, env)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Signal handlers can only be installed from the main thread (in-process tests may not be).
    in_main = threading.current_thread() is threading.main_thread()
    signals = (signal.SIGINT, signal.SIGTERM) if in_main else ()
    previous = {sig: signal.signal(sig, on_signal) for sig in signals}
    try:
        try:
            emulator = Emulator(config, host=args.host, port=args.port)
        except OSError as error:
            raise file_error("use data directory", args.data_dir, error, UsageError) from None
        try:
            emulator.start()
        except OSError as error:
            raise UsageError(f"cannot listen on {args.host}:{args.port}: {error}") from None
        env.out(f"MetaStudio emulator listening on {emulator.base_url} (data: {args.data_dir})")
        try:
            while not stop.wait(0.5):
                pass
        finally:
            emulator.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
