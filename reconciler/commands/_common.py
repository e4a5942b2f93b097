"""What several commands share: options, and loading a workspace with its preflight."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.commands._arguments import address, seconds
from reconciler.environment import Environment
from reconciler.printable import printable

if TYPE_CHECKING:
    from reconciler.config import Config
    from reconciler.config.diagnostics import Diagnostic
    from reconciler.data.checks import (
        DurationLimits,  # imported where used: `reconciler --help` must stay cheap
    )
    from reconciler.operations.clients import ClientFactory
    from reconciler.operations.locking import LockWaits
    from reconciler.operations.workspace import Workspace
    from reconciler.plan.findings import Finding

DEFAULT_LOCK_TIMEOUT = 0.0


def boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def add_path(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default=".", help="config file or directory (.)")


def add_lock_timeout(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lock-timeout",
        type=seconds(),
        default=DEFAULT_LOCK_TIMEOUT,
        metavar="SECONDS",
        help="how long to wait for the state lock held by another run (default: 0, fail at once)",
    )


def add_addresses(parser: argparse.ArgumentParser, flag: str, help: str) -> None:
    """A repeatable voice.NAME option, globs allowed."""
    parser.add_argument(flag, action="append", type=address, default=[], metavar="ADDR", help=help)


def add_selection(parser: argparse.ArgumentParser) -> None:
    add_addresses(
        parser, "--target", "limit to these voices (voice.NAME, globs allowed; repeatable)"
    )


def add_exclusion(parser: argparse.ArgumentParser) -> None:
    add_addresses(
        parser,
        "--exclude",
        "leave these voices out: neither changed nor read (voice.NAME, globs allowed; "
        "repeatable; with --target: the targeted voices less these)",
    )


def clients_for(
    env: Environment, timeout: float | None = None
) -> Callable[[Config], ClientFactory]:
    """The cloud, or the bundled emulator when the config names one (and the user is told).
    ``timeout``: the command's --timeout, which no wait for credentials may outlast."""

    from reconciler.operations.clients import cloud_clients, emulator_dir

    def choose(config: Config) -> ClientFactory:

        folder = emulator_dir(config)
        if folder is None:
            return cloud_clients(config, env.environ, env.home, timeout=timeout)
        from reconciler.embedded import embedded_clients  # loads the emulator only when used

        env.err(f"Using the local MetaStudio emulator (data in {folder}).")
        return embedded_clients(folder)

    return choose


def open_workspace(
    path: str, env: Environment, *, timeout: float | None = None, head: Workspace | None = None
) -> Workspace:
    """The workspace of the config at ``path``, without the training-data preflight (status
    needs no data, and must keep working after the recordings are archived). ``head``: its
    provider and state read beforehand (:func:`open_head`), kept if the config agrees."""
    from reconciler.operations.workspace import Workspace

    target = Path(path)
    return Workspace.load(
        target if target.is_absolute() else env.cwd / target,
        env.environ,
        clients_for(env, timeout),
        clock=env.clock,
        lock_waits=lock_waits(env),
        head=head,
    )


def open_head(path: str, env: Environment, *, timeout: float | None = None) -> Workspace | None:
    """The workspace of the config's provider and state alone, read before its voices so
    that the remote side can begin meanwhile; None when that is not cheap, or when the
    bundled emulator is asked for (it says so once the whole config has loaded)."""
    from reconciler.operations.clients import cloud_clients, emulator_dir
    from reconciler.operations.workspace import Workspace

    target = Path(path)
    head = Workspace.head(
        target if target.is_absolute() else env.cwd / target,
        env.environ,
        lambda config: cloud_clients(config, env.environ, env.home, timeout=timeout),
        clock=env.clock,
        lock_waits=lock_waits(env),
    )
    return None if head is None or emulator_dir(head.config) is not None else head


def lock_waits(env: Environment) -> LockWaits:
    """What the run says while it waits for the state lock (--lock-timeout)."""
    from reconciler.views.lock_wait import lock_wait_lines

    return lock_wait_lines(env)


def load_workspace(
    path: str,
    env: Environment,
    *,
    allow_outside: bool = False,
    checks: bool = True,
    timeout: float | None = None,
    head: Workspace | None = None,
) -> Workspace:
    """Load and validate; with ``checks=False`` the caller runs :func:`check_data` later
    (plan and apply overlap it with the remote refresh)."""
    workspace = open_workspace(path, env, timeout=timeout, head=head)
    if checks:
        check_data(workspace, env, allow_outside=allow_outside)
    return workspace


def check_data(
    workspace: Workspace,
    env: Environment,
    *,
    allow_outside: bool = False,
    warn: Callable[[Diagnostic], None] | None = None,
    durations: Mapping[str, DurationLimits] | None = None,
    names: Collection[str] | None = None,
) -> list[Diagnostic]:
    """The training-data preflight of the voices ``names`` (None: all): warnings go to
    stderr (or to ``warn``), errors stop here, every line shown. Returns the warnings."""
    from reconciler.config.diagnostics import InvalidConfig
    from reconciler.data import preflight

    diagnostics = preflight(
        workspace.config,
        allow_outside=allow_outside,
        cache=workspace.cache,
        durations=durations,
        names=names,
    )
    errors = [d for d in diagnostics if d.is_error]
    for diagnostic in diagnostics:
        if diagnostic.is_error:
            continue
        if warn is not None:
            warn(diagnostic)
        else:
            env.err(printable(f"warning: {diagnostic.format(cwd=env.cwd)}"))
    if errors:
        raise InvalidConfig(errors, env.cwd)
    return diagnostics


def findings_of(diagnostics: Collection[Diagnostic], cwd: Path) -> tuple[Finding, ...]:
    """The preflight's diagnostics as the plan carries them, files shown relative to ``cwd``."""
    from reconciler.config.diagnostics import display_path
    from reconciler.plan.findings import Finding

    return tuple(
        Finding(
            severity=d.severity,
            file=printable(display_path(d.file, cwd)),
            line=d.line,
            column=d.column,
            path=printable(d.path),
            message=printable(d.message),
        )
        for d in diagnostics
    )


def add_plan_options(parser: argparse.ArgumentParser) -> None:
    add_selection(parser)
    add_exclusion(parser)
    parser.add_argument(
        "--replace",
        action="append",
        type=address,
        default=[],
        metavar="ADDR",
        help="plan to replace this voice even if it has not changed (repeatable)",
    )
    parser.add_argument("--destroy", action="store_true", help="plan to destroy every voice")
    add_lock_timeout(parser)


def add_pretty(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pretty",
        action="store_true",
        help="with --format json: indented over many lines (default: one line, as Terraform "
        "writes it and as terraform-compliance reads it)",
    )


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        action="store_true",
        help="machine-readable UI stream on stdout: one JSON object per line, "
        "in the vocabulary of Terraform's -json",
    )
