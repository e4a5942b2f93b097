"""The schema file: valid 2020-12, documented for editors, one source shipped in the package."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from reconciler.config.schema import SCHEMA_ID, voices_schema

REPO = Path(__file__).resolve().parents[2]


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    merged = dict(schema)
    while "$ref" in merged:
        target: Any = root
        for part in merged.pop("$ref")[2:].split("/"):
            target = target[part]
        merged = {**target, **merged}
    return merged


def _properties(
    schema: dict[str, Any], root: dict[str, Any], path: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    schema = _resolve(schema, root)
    for name, sub in schema.get("properties", {}).items():
        yield f"{path}.{name}", _resolve(sub, root)
        yield from _properties(sub, root, f"{path}.{name}")
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        yield from _properties(extra, root, f"{path}.<name>")


def test_schema_is_valid_draft_2020_12_with_id() -> None:
    schema = voices_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert schema["description"]


def test_every_property_has_description_and_examples() -> None:
    schema = voices_schema()
    seen = list(_properties(schema, schema, "$"))
    assert len(seen) > 30
    for path, prop in seen:
        assert prop.get("description"), path
        assert prop.get("examples"), path


def test_examples_are_valid_where_the_schema_can_check_them_alone() -> None:
    schema = voices_schema()
    validator = Draft202012Validator(schema)
    for path, prop in _properties(schema, schema, "$"):
        sub = Draft202012Validator({**prop, "$defs": schema["$defs"]})
        for example in prop["examples"]:
            assert sub.is_valid(example), (path, example)
    assert validator.is_valid(
        {"version": 1, "voices": schema["properties"]["voices"]["examples"][0]}
    )


def test_objects_reject_unknown_fields() -> None:
    schema = voices_schema()
    objects = [schema] + [d for d in schema["$defs"].values() if d.get("type") == "object"]
    for definition in objects:
        assert "additionalProperties" in definition, definition.get("description")


def test_repository_copy_is_a_symlink_to_the_packaged_schema() -> None:
    link = REPO / "schemas" / "voices.schema.json"
    assert link.is_symlink()
    assert link.resolve() == (REPO / "reconciler" / "schemas" / "voices.schema.json").resolve()
    assert json.loads(link.read_text("utf-8")) == voices_schema()


def test_inlined_schema_has_no_references_left() -> None:
    from reconciler.config.schema import inline_refs, voices_schema

    schema = voices_schema()
    text = json.dumps(inline_refs(schema, schema["$defs"]))
    assert '"$ref"' not in text and '"$defs"' not in text
