"""Every install line we publish names our distribution, `metastudio-reconciler`: on the
public index, `reconciler` is someone else's project, and `pip install 'reconciler[s3]'`
would install it."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DISTRIBUTION = "metastudio-reconciler"
GITOPS = REPO / "examples" / "gitops"
DOCUMENTS = [
    REPO / "README.md",
    GITOPS / "README.md",
    *sorted((GITOPS / ".github" / "workflows").glob("*.y*ml")),
]
# What follows `pip install` up to the end of the command (a line end, `&&`, `;`, a backtick).
INSTALL = re.compile(r"pip install ([^\n`;&|]+)")
OPTIONS_WITH_VALUE = {"-r", "--requirement", "-c", "--constraint", "-i", "--index-url"}


def requirements(line: str, variables: dict[str, str]) -> list[str]:
    """The requirements of one `pip install ...`, variables resolved, options dropped."""
    words = shlex.split(line, posix=True)
    found, skip = [], False
    for word in words:
        if skip:
            skip = False
            continue
        if word in OPTIONS_WITH_VALUE:
            skip = True
            continue
        if word.startswith("-"):
            continue
        found.append(re.sub(r"\$\{?(\w+)\}?", lambda m: variables.get(m[1], m[0]), word))
    return found


def workflow_variables(text: str) -> dict[str, str]:
    """`NAME: "value"` lines, as a workflow's `env:` sets them."""
    return {m[1]: m[2] for m in re.finditer(r'^\s*(\w+):\s*"([^"]*)"\s*$', text, re.M)}


def is_local(requirement: str) -> bool:
    """A path in this checkout (`.`, `.[test]`): its name comes from pyproject.toml."""
    return requirement.startswith(".")


def install_lines() -> list[tuple[str, str, dict[str, str]]]:
    lines = []
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        variables = workflow_variables(text)
        for match in INSTALL.finditer(text):
            lines.append((str(path.relative_to(REPO)), match[1], variables))
    return lines


def test_the_documents_have_install_lines() -> None:
    # Guards the test itself: a pattern that found nothing would pass everything below.
    where = {path for path, _, _ in install_lines()}
    assert "README.md" in where
    assert any(".github/workflows" in path for path in where)


@pytest.mark.parametrize(("path", "line", "variables"), install_lines())
def test_every_install_line_names_the_distribution(
    path: str, line: str, variables: dict[str, str]
) -> None:
    packages = [r for r in requirements(line, variables) if not is_local(r)]
    for requirement in packages:
        name = re.split(r"[\[ @=<>!~;]", requirement, maxsplit=1)[0]
        assert name == DISTRIBUTION, f"{path}: `pip install {line.strip()}` installs {name!r}"


def test_no_document_names_an_extra_of_the_other_project() -> None:
    """`reconciler[s3]` anywhere (hints, prose) points people at the wrong package."""
    sources = [*DOCUMENTS, *sorted((REPO / "reconciler").rglob("*.py"))]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"(\S*)reconciler\[", text):
            assert match[1].endswith(f"{DISTRIBUTION.removesuffix('reconciler')}"), (
                f"{path.relative_to(REPO)}: {match[0]!r} is not {DISTRIBUTION}[...]"
            )


def test_pyproject_names_the_distribution_and_keeps_the_command() -> None:
    # Read as text: tomllib is Python 3.11+, and the project supports 3.10.
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(rf'^name = "{DISTRIBUTION}"$', text, re.M)
    assert re.search(r'^reconciler = "reconciler.cli:main"$', text, re.M)
    assert f'"{DISTRIBUTION}[s3,postgres' in text  # the test extra installs the others
