"""Session-scoped stores (moto S3, PostgreSQL) and per-test backends of every kind."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reconciler.config import load_config
from reconciler.operations.workspace import state_backend
from reconciler.state import StateBackend
from tests.remote.servers import (
    AWS_ENV,
    PG_PASSWORD,
    PostgresServer,
    Proxy,
    find_pg_bin,
)

KINDS = ("local", "s3", "postgres")
logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto logs every request


@pytest.fixture(scope="session")
def aws_env() -> Iterator[dict[str, str]]:
    saved = {key: os.environ.get(key) for key in AWS_ENV}
    os.environ.update(AWS_ENV)
    yield AWS_ENV
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def moto_url(aws_env: dict[str, str]) -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ["RECONCILER_TEST_MOTO_URL"] = f"http://{host}:{port}"
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def proxy(moto_url: str) -> Iterator[Proxy]:
    host, port = moto_url.removeprefix("http://").split(":")
    running = Proxy((host, int(port))).start()
    yield running
    running.stop()


@pytest.fixture
def bucket(moto_url: str) -> str:
    import boto3

    name = f"state-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1").create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL's initdb is not installed (.ci/run installs it)")
    server = PostgresServer(bin_dir).start()
    saved = os.environ.get("PGPASSWORD")
    os.environ["PGPASSWORD"] = PG_PASSWORD
    yield server
    server.stop()
    if saved is None:
        os.environ.pop("PGPASSWORD", None)
    else:
        os.environ["PGPASSWORD"] = saved


def s3_backend(url: str, bucket: str, key: str = "team/reconciler.state.json") -> Any:
    from reconciler.state.backends.s3 import S3StateBackend

    return S3StateBackend(bucket, key, endpoint=url, region="us-east-1")


def pg_backend(server: PostgresServer, name: str) -> Any:
    from reconciler.state.backends.postgres import PostgresStateBackend

    return PostgresStateBackend(server.dsn, name)


@dataclass
class Store:
    """One state store of the test's kind; each ``backend()`` is another run's view of it."""

    kind: str
    root: Path
    state_yaml: str  # the config's state section pointing at the store

    def config_dir(self) -> Path:
        folder = self.root / "config"
        if not folder.exists():
            folder.mkdir()
            text = f"version: 1\nprovider: {{emulator: {self.root / 'emu'}}}\n{self.state_yaml}"
            (folder / "voices.yaml").write_text(text + "voices: {}\n")
        return folder

    def backend(self) -> StateBackend:
        return state_backend(load_config(self.config_dir()))


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    kind = request.param
    if kind == "local":
        return Store(kind, tmp_path, f"state: {{path: {tmp_path / 'reconciler.state.json'}}}\n")
    if kind == "s3":
        url = request.getfixturevalue("moto_url")
        name = request.getfixturevalue("bucket")
        section = f"state: {{backend: s3, bucket: {name}, key: team/r.json, endpoint: {url}}}\n"
        return Store(kind, tmp_path, section)
    server = request.getfixturevalue("postgres")
    state_name = f"t-{uuid.uuid4().hex[:10]}"
    return Store(
        kind, tmp_path, f"state: {{backend: postgres, dsn: '{server.dsn}', name: {state_name}}}\n"
    )


def moto_keys(bucket: str) -> list[str]:
    import boto3

    url = os.environ["RECONCILER_TEST_MOTO_URL"]
    client = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
    return [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", ())]


def moto_bodies(bucket: str) -> list[str]:
    """Every object in the bucket, as text: what a secret must never be found in."""
    import boto3

    url = os.environ["RECONCILER_TEST_MOTO_URL"]
    client = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
    return [
        client.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8", "replace")
        for key in moto_keys(bucket)
    ]
