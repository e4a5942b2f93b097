"""The packaged JSON Schema, the single source of structural validation, with located errors."""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from reconciler.config.diagnostics import Diagnostic
from reconciler.config.loader import Document, NodePath, dotted
from reconciler.config.messages import Problem, describe, field_places

SCHEMA_ID = "https://reconciler.dev/schemas/voices.schema.json"


@functools.cache
def _schema_text() -> str:
    return resources.files("reconciler").joinpath("schemas/voices.schema.json").read_text("utf-8")


@functools.cache
def voices_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


@functools.cache
def schema_fingerprint() -> str:
    """Changes with the schema: cached validation results are only valid for one schema."""
    return hashlib.sha256(_schema_text().encode()).hexdigest()


ANNOTATIONS = frozenset({"description", "examples", "default", "title", "$comment"})


def inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with every local ``$ref`` replaced by what it points at.

    jsonschema resolves references again for every instance it validates, which cost half of
    validating a 10,000-voice config. The schema has no recursive references, so inlining
    them once is exact: annotation siblings of a ``$ref`` merge in, anything else keeps its
    meaning under ``allOf``.
    """
    if isinstance(node, list):
        return [inline_refs(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    rest = {k: inline_refs(v, defs) for k, v in node.items() if k not in ("$ref", "$defs")}
    if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        return {**rest, **({"$ref": ref} if ref is not None else {})}
    target = inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
    if set(rest) <= ANNOTATIONS:
        return {**target, **rest}
    return {**rest, "allOf": [*rest.get("allOf", []), target]}


@functools.cache
def _validator() -> Draft202012Validator:
    schema = voices_schema()
    return Draft202012Validator(inline_refs(schema, schema.get("$defs", {})))


@functools.cache
def _field_places() -> dict[str, list[str]]:
    return field_places(voices_schema())


def validate_document(document: Document) -> list[Diagnostic]:
    """Every schema violation of one file, each located at the key or value it concerns."""
    diagnostics = []
    for error in _validator().iter_errors(document.data):
        for problem in describe(error, _field_places()):
            diagnostics.append(_locate(document, error, problem))
    return sorted(set(diagnostics), key=Diagnostic.full_sort_key)


def _locate(document: Document, error: ValidationError, problem: Problem) -> Diagnostic:
    path: NodePath = (*error.absolute_path, *problem.subpath)
    location = document.location(path, key=problem.at_key)
    return Diagnostic.at(location, dotted(path), problem.message)
