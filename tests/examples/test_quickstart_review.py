"""The quickstart's generated data passes every rule of the emulated review.

Each voice's data goes to the emulator the way apply sends it (folders zipped), once with the
tenant file make_data.py writes (everything trains) and once with the default tenant, where
the only objection is the documented minimum duration: the data is short, nothing else.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.embedded import TENANT_FILE
from reconciler.emulator import Emulator, Tenant
from tests.emulator.conftest import config
from tests.emulator.helpers import USER, Api, put
from tests.examples.helpers import copy_quickstart, make_data

EDITION_PATHS = {"basic": "basic", "advanced": "middle", "premium": "advance"}
DURATION_CODE = "MSS.20029006"


def _zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()


def _payload(project: Path, data: dict[str, str]) -> bytes:
    if "package" in data:
        return (project / data["package"]).read_bytes()
    return _zip_folder(project / (data.get("dir") or data["segments"]))


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    project = copy_quickstart(tmp_path_factory.mktemp("quickstart"))
    made = make_data(project)
    assert made.returncode == 0, made.stderr
    document = yaml.safe_load((project / "voices.yaml").read_text(encoding="utf-8"))
    return project, document


def _review(emulator: Emulator, project: Path, document: dict[str, Any]) -> dict[str, Any]:
    api = Api(emulator.base_url)
    verdicts = {}
    defaults = document.get("defaults", {})
    for name, voice in document["voices"].items():
        edition = EDITION_PATHS.get(voice["edition"], voice["edition"])
        language = voice.get("language", defaults.get("language"))
        created = api.create(edition, voice_name=voice["voice_name"], language=language)
        package = _payload(project, voice["data"])
        assert put(created["training_data_uploading_url"], package, "application/zip").ok
        if "authorization_letter" in voice:
            letter = (project / voice["authorization_letter"]).read_bytes()
            assert put(created["authorization_letter_uploading_url"], letter, "application/pdf").ok
        assert api.submit(created["job_id"]).status_code == 200
        audit = api.ok("GET", f"{USER}/jobs/{created['job_id']}/audit-result")
        verdicts[name] = (api.show(created["job_id"]), audit["system_audit_result"]["errors"])
    return verdicts


def test_every_voice_trains_with_the_quickstart_tenant(
    quickstart: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    project, document = quickstart
    tenant_file = project / document["provider"]["emulator"] / TENANT_FILE
    tenant = Tenant.load(tenant_file)  # where the embedded emulator looks for it
    with Emulator(config(tmp_path / "emu", tenant=tenant)) as emulator:
        verdicts = _review(emulator, project, document)
    assert len(verdicts) == 5
    for name, (job, errors) in verdicts.items():
        assert (job["state"], errors) == ("SUCCEED", []), name
        assert job["assess_result"]["snr"]["status"] == 0, name


def test_with_the_default_tenant_only_the_durations_are_too_short(
    quickstart: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    project, document = quickstart
    with Emulator(config(tmp_path / "emu", tenant=Tenant())) as emulator:
        verdicts = _review(emulator, project, document)
    for name, (job, errors) in verdicts.items():
        assert job["state"] == "AUDIT_FAILED", name
        assert [e["error_code"] for e in errors] == [DURATION_CODE], (name, errors)
        assert "in total" in errors[0]["error_message"]
