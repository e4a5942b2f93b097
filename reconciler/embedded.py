"""The bundled emulator started in-process, for configs with ``provider: {emulator: DIR}``.

No cloud account and no server to start by hand: the folder keeps the emulator's jobs and
uploads between runs, plus a credential pair made for it on first use (mode 0600; it opens
nothing but this loopback emulator). A ``tenant.json`` in the folder, if there is one, is the
emulated tenant's configuration (as ``reconciler emulator serve --tenant``): the quickstart's
allows its short recordings, which the default limits would reject.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reconciler.emulator import Credential, Emulator, EmulatorConfig, Tenant, TenantFileError
from reconciler.errors import ConfigError
from reconciler.fsutil import atomic_write, ensure_dir, file_errors
from reconciler.metastudio import AkSkCredentials, MetaStudioClient, RateLimits
from reconciler.operations.clients import ClientFactory

CREDENTIALS_FILE = "local-credentials.json"
TENANT_FILE = "tenant.json"
# Slow enough to watch a job go through review and training, fast enough for a demo.
SECONDS_PER_STATE = 2.0
# The published limits protect the real service; the local one needs none.
EMULATOR_RATES = {"create": 50.0, "upload_url": 50.0, "query": 200.0}


def local_credential(folder: Path) -> Credential:
    path = folder / CREDENTIALS_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
        return Credential(ak=data["ak"], sk=data["sk"], project_id=data["project_id"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    credential = Credential(
        ak="LOCAL" + secrets.token_hex(8).upper(),
        sk=secrets.token_urlsafe(30),
        project_id=secrets.token_hex(16),
    )
    ensure_dir(folder)
    body = {"ak": credential.ak, "sk": credential.sk, "project_id": credential.project_id}
    with file_errors("write emulator credentials", path):
        atomic_write(path, json.dumps(body).encode(), 0o600)
    return credential


@contextmanager
def embedded_emulator(
    folder: Path, *, seconds_per_state: float = SECONDS_PER_STATE
) -> Iterator[tuple[str, Credential]]:
    """Yield (base URL, credential) of an emulator running for the duration of the block."""
    credential = local_credential(folder)
    tenant_file = folder / TENANT_FILE
    try:
        tenant = Tenant.load(tenant_file) if tenant_file.exists() else Tenant()
    except TenantFileError as error:
        raise ConfigError(str(error)) from None
    config = EmulatorConfig(
        data_dir=folder / "data",
        credentials=[credential],
        seconds_per_state=seconds_per_state,
        tts_delay_seconds=1.0,
        tenant=tenant,
    )
    with file_errors("use emulator data directory", config.data_dir):
        emulator = Emulator(config, host="127.0.0.1", port=0)
    with emulator:
        yield emulator.base_url, credential


def embedded_clients(folder: Path) -> ClientFactory:
    """Clients of an emulator started for each client's lifetime, keeping its data in ``folder``."""

    @contextmanager
    def connect() -> Iterator[MetaStudioClient]:
        with embedded_emulator(folder) as (url, credential):
            creds = AkSkCredentials(credential.ak, credential.sk, credential.project_id)
            limits = RateLimits(EMULATOR_RATES)
            with MetaStudioClient.connect(url, creds, rate_limits=limits) as client:
                yield client

    return connect
