"""Plan output is coloured only on a terminal, and never when NO_COLOR is set."""

from __future__ import annotations

import io

from reconciler.cli import main
from reconciler.environment import Environment
from tests.e2e.conftest import Project


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def plan_output(project: Project, stdout: io.StringIO, *argv: str, **extra_env: str) -> str:
    env = Environment(
        stdout=stdout,
        stderr=io.StringIO(),
        environ={**project.environ, **extra_env},
        cwd=project.root,
        home=project.root,
    )
    assert main(list(argv or ("plan",)), env=env) == 0
    return stdout.getvalue()


def test_colour_only_on_a_terminal_without_no_color(project: Project) -> None:
    assert "\x1b[" in plan_output(project, Terminal())
    assert "\x1b[" not in plan_output(project, Terminal(), NO_COLOR="1")
    assert "\x1b[" not in plan_output(project, io.StringIO())
    assert "\x1b[" in plan_output(project, Terminal(), NO_COLOR="")  # empty: not set


def test_no_color_flag_and_a_dumb_terminal_turn_colour_off(project: Project) -> None:
    assert "\x1b[" not in plan_output(project, Terminal(), TERM="dumb")
    assert "\x1b[" in plan_output(project, Terminal(), TERM="xterm-256color")
    assert "\x1b[" not in plan_output(project, Terminal(), "plan", "--no-color")
    assert "\x1b[" not in plan_output(project, Terminal(), "--no-color", "plan")  # before the verb
