"""Aliases and merge keys (<<) copy what they name: every value they make counts.

A few hundred bytes can name billions of values ("billion laughs"); the loader must refuse
such a file after doing no more than MAX_NODES values of work, with one located line.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.config.loader import MAX_NODES, TEXT_PER_VALUE, parse_yaml
from reconciler.environment import Environment

FILE = Path("voices.yaml")
HEAD = "version: 1\nprovider: {region: cn-north-4}\n"


def merge_bomb(levels: int, base: str = "{}", width: int = 10) -> str:
    """``l{k}`` merges ``width`` copies of ``l{k-1}``: width**levels merged mappings."""
    lines = [f"l0: &l0 {base}"]
    for k in range(1, levels + 1):
        sources = ", ".join([f"*l{k - 1}"] * width)
        lines.append(f"l{k}: &l{k} {{<<: [{sources}]}}")
    return "\n".join(lines) + "\n"


def sequence_bomb(levels: int, leaf: str = "x", width: int = 10) -> str:
    lines = [f"a0: &a0 [{', '.join([leaf] * width)}]"]
    for k in range(1, levels + 1):
        lines.append(f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


BOMBS = {
    # The file of the report: nine levels of merges over an empty mapping, 724 bytes.
    "merges-over-empty": HEAD + merge_bomb(9),
    "merges-over-keys": HEAD + merge_bomb(7, "{a: 1, b: 2}"),
    "merges-of-sequence-aliases": HEAD + sequence_bomb(3) + merge_bomb(4, "{big: *a3}"),
    "sequence-aliases": HEAD + sequence_bomb(8),
    "aliases-of-merged-mappings": HEAD + merge_bomb(3, "{a: 1}") + sequence_bomb(5, "*l3"),
    "aliased-keys-of-merges": HEAD + merge_bomb(7, "{? &k " + "k" * 50 + " : 1, *k : 2}"),
    "duplicate-keys-through-aliases": HEAD + "d: &d {a: 1, a: 2}\n" + sequence_bomb(6, "*d"),
    "long-text-through-aliases": HEAD
    + f'text: &t "{"x" * 100_000}"\n'
    + f"list: [{', '.join(['*t'] * 1000)}]\n",
}


def _validate(folder: Path, *command: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=out, stderr=err, environ={}, cwd=folder)
    code = main([*command, "voices.yaml"], env=env)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.timeout(60)  # a safety net only: the work is bounded by counting, tested below
@pytest.mark.parametrize("text", BOMBS.values(), ids=BOMBS.keys())
def test_expansion_bombs_are_refused_with_one_located_line(tmp_path: Path, text: str) -> None:
    (tmp_path / "voices.yaml").write_text(text, encoding="utf-8")
    for command in (["validate"], ["plan", "--refresh=false"]):
        code, out, err = _validate(tmp_path, *command)
        assert code == 1, out + err
        [line] = [line for line in err.splitlines() if "document too large" in line]
        assert re.fullmatch(
            rf"(Error: )?(\S*/)?voices\.yaml:\d+:\d+: document too large \(over {MAX_NODES} values "
            r"once aliases and merge keys \(<<\) are expanded\)",
            line,
        ), line
        assert "unexpected" not in err and "Traceback" not in err
        assert len(err.splitlines()) <= 3, err[:1000]  # a copied problem is reported once


def _expanded(levels: int, base_values: int, width: int = 10) -> int:
    """Values made by merge_bomb: each level is a mapping plus ``width`` merged copies of
    the level below, each copy costing what that level costs."""
    costs = [1 + base_values]
    for _ in range(levels):
        costs.append(1 + width * costs[-1])
    return 1 + sum(costs)  # the top-level mapping, then each entry's value


@pytest.mark.parametrize("levels", [0, 1, 2, 3, 4])
@pytest.mark.parametrize(("base", "base_values"), [("{}", 0), ("{a: 1, b: 2}", 2)])
def test_merged_mappings_count_as_the_values_they_copy(
    levels: int, base: str, base_values: int
) -> None:
    document, problems = parse_yaml(merge_bomb(levels, base), FILE)
    assert problems == [] and document is not None
    assert document.values == _expanded(levels, base_values)


def test_the_budget_is_where_merges_stop() -> None:
    under, _ = parse_yaml(merge_bomb(5), FILE)  # 111,111 merged mappings and the rest
    assert under is not None and under.values == _expanded(5, 0) <= MAX_NODES
    over, problems = parse_yaml(merge_bomb(6), FILE)
    assert over is None and "document too large" in problems[-1].message


def test_sequence_aliases_count_every_copied_item() -> None:
    document, _ = parse_yaml(sequence_bomb(3), FILE)
    assert document is not None
    # 1 top-level mapping; a{k} is a list of 10 copies of a{k-1}: 11, 111, 1111, 11111.
    assert document.values == 1 + 11 + 111 + 1111 + 11111


def test_text_made_again_pays_for_its_length() -> None:
    once = f'text: &t "{"x" * 10 * TEXT_PER_VALUE}"\n'
    document, _ = parse_yaml(once + "list: [*t, *t, *t]\n", FILE)
    assert document is not None
    # The mapping, the text, the list, then three copies costing 1 + 10 each.
    assert document.values == 1 + 1 + 1 + 3 * (1 + 10)


def test_duplicate_merge_keys_are_duplicate_keys() -> None:
    text = "a: &a {x: 1}\nb: &b {x: 2, y: 3}\nc:\n  <<: *a\n  <<: *b\n"
    document, problems = parse_yaml(text, FILE)
    assert document is not None and document.data["c"] == {"x": 1}
    [problem] = problems
    assert (problem.line, problem.column, problem.path) == (5, 3, "c.<<")
    assert problem.message == "duplicate key '<<' (first defined at line 4, column 3)"


def test_merge_chains_deeper_than_the_nesting_limit_are_refused() -> None:
    lines = ["l0: &l0 {}"] + [f"l{k}: &l{k} {{<<: *l{k - 1}}}" for k in range(1, 1500)]
    document, problems = parse_yaml("\n".join(lines) + "\n", FILE)
    assert document is None and "nested more than" in problems[-1].message
