"""Whatever the YAML, validation answers with diagnostics, never with a traceback."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.config import check_config
from reconciler.data import preflight

FIELDS = [
    "version",
    "provider",
    "state",
    "defaults",
    "voices",
    "edition",
    "voice_name",
    "data",
    "dir",
    "package",
    "segments",
    "region",
    "lifecycle",
    "preview",
    "text",
    "sex",
    "tag",
]
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["basic", "premium", "cn-north-4", "FEMALE", "a.zip", "..", "/", "data/"]),
)
keys = st.one_of(st.sampled_from(FIELDS), st.text(max_size=10))
structures = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)
configs = st.fixed_dictionaries(
    {"version": st.one_of(st.just(1), scalars)},
    optional={
        "provider": st.one_of(st.fixed_dictionaries({"region": st.just("cn-north-4")}), structures),
        "defaults": structures,
        "voices": st.dictionaries(
            st.one_of(st.sampled_from(["a", "b-1"]), st.text(max_size=5)),
            st.one_of(
                st.fixed_dictionaries(
                    {"voice_name": scalars},
                    optional={
                        "edition": st.sampled_from(["basic", "advanced", "premium", "x"]),
                        "data": st.dictionaries(
                            st.sampled_from(["dir", "package", "segments"]), scalars, max_size=2
                        ),
                        "authorization_letter": scalars,
                    },
                ),
                structures,
            ),
            max_size=3,
        ),
    },
)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def _check(folder: Path, text: str) -> None:
    path = folder / "voices.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    check = check_config(path)
    for diagnostic in check.diagnostics:
        line = diagnostic.format(folder)
        assert line and "\n" not in line
    if check.config is not None:
        preflight(check.config)
    else:
        assert check.errors


@SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_text(workdir: Path, text: str) -> None:
    _check(workdir, text)


@SETTINGS
@given(
    st.lists(
        st.sampled_from(
            [
                "version: 1",
                "voices:",
                "  a:",
                "    voice_name: A",
                "- x",
                "  - [",
                "{",
                "&x",
                "*x",
                "<<: *x",
                "? [a]",
                ": b",
                "'",
                '"',
                "\t",
                "!!binary x",
                "!!python/none x",
                "---",
                "...",
            ]
        ),
        max_size=12,
    )
)
def test_yaml_like_text(workdir: Path, lines: list[str]) -> None:
    _check(workdir, "\n".join(lines))


@SETTINGS
@given(configs)
def test_arbitrary_structures(workdir: Path, data: dict[str, Any]) -> None:
    _check(workdir, yaml.safe_dump(data, allow_unicode=True))


@SETTINGS
@given(structures)
def test_arbitrary_documents(workdir: Path, data: Any) -> None:
    _check(workdir, yaml.safe_dump(data, allow_unicode=True))
