"""The packaged JSON Schema, the single source of structural validation, with located errors."""

from __future__ import annotations

import functools
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
def voices_schema() -> dict[str, Any]:
    text = resources.files("reconciler").joinpath("schemas/voices.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(voices_schema())


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
