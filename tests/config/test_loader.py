from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config.loader import MAX_DEPTH, MAX_NODES, dotted, parse_yaml

FILE = Path("voices.yaml")


def test_keys_and_values_keep_their_positions() -> None:
    text = "voices:\n  alice:\n    sex: FEMALE\n    tags: [a, b]\n"
    document, problems = parse_yaml(text, FILE)
    assert problems == [] and document is not None
    assert document.key_marks[("voices", "alice", "sex")] == (3, 5)
    assert document.value_marks[("voices", "alice", "sex")] == (3, 10)
    assert document.value_marks[("voices", "alice", "tags", 1)] == (4, 15)
    assert document.location(("voices", "alice", "missing", "deeper"), key=True).line == 2


def test_keys_are_their_text_not_yaml_scalars() -> None:
    document, _ = parse_yaml("on: 1\n123: x\nnull: y\n", FILE)
    assert document is not None
    assert document.data == {"on": 1, "123": "x", "null": "y"}


def test_duplicate_keys_are_errors_not_overwrites() -> None:
    document, problems = parse_yaml("a: 1\nb: 2\na: 3\n", FILE)
    assert document is not None and document.data == {"a": 1, "b": 2}
    [problem] = problems
    assert (problem.line, problem.column, problem.path) == (3, 1, "a")
    assert problem.message == "duplicate key 'a' (first defined at line 1, column 1)"


def test_merge_keys_follow_yaml_rules() -> None:
    text = "base: &b {x: 1, y: 2}\nother: &o {y: 9, z: 3}\nthing:\n  <<: [*b, *o]\n  x: 0\n"
    document, problems = parse_yaml(text, FILE)
    assert problems == [] and document is not None
    assert document.data["thing"] == {"x": 0, "y": 2, "z": 3}


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 8):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 10)}]")
    document, problems = parse_yaml("\n".join(lines) + "\n", FILE)
    assert document is None
    assert f"over {MAX_NODES} values" in problems[-1].message


def test_deep_nesting_is_refused() -> None:
    document, problems = parse_yaml("[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2), FILE)
    assert document is None and "nested more than" in problems[0].message


def test_very_deep_nesting_does_not_crash() -> None:
    document, problems = parse_yaml("[" * 500 + "]" * 500, FILE)
    assert document is None and problems[0].message == "YAML is nested too deeply"


@pytest.mark.parametrize(
    ("path", "text"),
    [((), ""), (("voices", "a", "data", "dir"), "voices.a.data.dir"), (("x", 0, "y"), "x[0].y")],
)
def test_dotted(path: tuple[str | int, ...], text: str) -> None:
    assert dotted(path) == text
