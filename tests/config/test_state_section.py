"""The `state` section: local (default), s3 and postgres, each field checked and located."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config import check_config
from reconciler.config.model import StateSettings
from tests.config.helpers import VALID, diagnostics, write


def _errors(tmp_path: Path, section: str) -> list[str]:
    return [d.format(tmp_path) for d in diagnostics(tmp_path, VALID + section) if d.is_error]


def test_the_default_is_a_local_file(tmp_path: Path) -> None:
    config = check_config(write(tmp_path, VALID)).config
    assert config is not None and config.state == StateSettings()
    assert (
        config.state.backend == "local" and config.state_path == tmp_path / "reconciler.state.json"
    )


def test_s3_and_postgres_sections(tmp_path: Path) -> None:
    s3 = (
        "state: {backend: s3, bucket: team-voices-state, key: prod/reconciler.state.json, "
        "endpoint: 'https://obs.cn-north-4.myhuaweicloud.com', region: cn-north-4}\n"
    )
    config = check_config(write(tmp_path, VALID + s3)).config
    assert config is not None
    assert config.state == StateSettings(
        backend="s3",
        bucket="team-voices-state",
        key="prod/reconciler.state.json",
        endpoint="https://obs.cn-north-4.myhuaweicloud.com",
        region="cn-north-4",
    )
    pg = "state: {backend: postgres, dsn: 'host=db.internal dbname=voices user=reconciler'}\n"
    config = check_config(write(tmp_path, VALID + pg)).config
    assert config is not None and config.state.name == "default"
    assert config.state.dsn == "host=db.internal dbname=voices user=reconciler"


@pytest.mark.parametrize(
    "dsn",
    [
        "host=db dbname=voices user=reconciler password=hunter2-secret",
        "postgresql://reconciler:hunter2-secret@db/voices",
        "postgresql://reconciler@db/voices?password=hunter2-secret",
    ],
)
def test_a_dsn_with_a_password_is_refused_without_echoing_it(tmp_path: Path, dsn: str) -> None:
    errors = _errors(tmp_path, f"state: {{backend: postgres, dsn: '{dsn}'}}\n")
    assert len(errors) == 1, errors
    assert errors[0].startswith("voices.yaml:10:") and "state.dsn" in errors[0]
    assert "PGPASSWORD" in errors[0] and "hunter2-secret" not in errors[0]


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("state: {backend: s3}\n", "bucket"),
        ("state: {backend: postgres, name: prod}\n", "dsn"),
        ("state: {bucket: team-voices-state}\n", "bucket is only for backend: s3"),
        (
            "state: {backend: s3, bucket: b-state, dsn: 'host=x'}\n",
            "dsn is only for backend: postgres",
        ),
        (
            "state: {backend: postgres, dsn: 'host=x', path: x.json}\n",
            "path is only for backend: local",
        ),
        ("state: {backend: sqlite}\n", "backend"),
        ("state: {backend: s3, bucket: b-state, endpoint: 'obs.example.com'}\n", "http(s) URL"),
    ],
)
def test_wrong_state_sections_are_located(tmp_path: Path, section: str, expected: str) -> None:
    errors = _errors(tmp_path, section)
    assert errors and any(expected in e for e in errors), errors
    assert all(e.startswith("voices.yaml:10:") for e in errors), errors
