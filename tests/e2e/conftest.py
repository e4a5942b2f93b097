"""A project directory whose config points at a real emulator, and the CLI run in-process."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from reconciler import speechlike
from reconciler.cli import main
from reconciler.emulator import Emulator
from reconciler.environment import Environment
from reconciler.state import LocalStateBackend
from tests.metastudio.conftest import AK, PROJECT, SK, emulator_config

# Short sentences keep data small (preflight only warns below 5 s), long enough that the
# transcript's pace fits its speech. The emulators here use tests.audio_fixtures.SHORT_TAKES,
# which allows such short totals.
SECONDS = 3.5


def config_head(*, sex_and_language: bool = True, unlimited_rates: bool = False) -> str:
    """A config's lines up to ``voices:``, as a ``Project.write_config`` template: the
    provider at the test's emulator, and defaults whose checks let the short test takes
    through. ``sex_and_language``: FEMALE and CN as defaults (else each voice says them);
    ``unlimited_rates``: no client-side rate limits, for tests that make many calls."""
    lines = ["version: 1", "provider:", "  endpoint: {endpoint}", "  project_id: {project}"]
    if unlimited_rates:
        lines.append("  rate_limits: {{create: 0, upload_url: 0, query: 0}}")
    lines.append("defaults:")
    if sex_and_language:
        lines += ["  sex: FEMALE", "  language: CN"]
    lines.append("  checks: {{min_total_seconds: 1, advised_total_seconds: 1}}  # short test takes")
    return "\n".join([*lines, "voices:", ""])


REPO = Path(__file__).resolve().parents[2]  # for subprocesses: PYTHONPATH
# One premium voice with a small directory of data, and that plus a third-party voice with a
# package: the small configs of the destroy, asset and interrupted-create tests.
ONE_PREMIUM = (
    config_head()
    + """\
  premium:
    edition: premium
    voice_name: Premium
    data: {{dir: data/premium}}
"""
)
PREMIUM_AND_THIRD = (
    ONE_PREMIUM
    + """\
  third:
    edition: third-party
    voice_name: Third
    data: {{package: data/long.zip}}
"""
)


FIVE_VOICES = (
    config_head()
    + """\
  basic-dir:
    edition: basic
    voice_name: Basic Dir
    tag: NEWS
    data: {{dir: data/basic}}
  basic-seg:
    edition: basic
    voice_name: Basic Segments
    data: {{segments: data/basic}}
    authorization_letter: letter.pdf
  adv-pkg:
    edition: advanced
    voice_name: Advanced Package
    data: {{package: data/long.zip}}
  premium:
    edition: premium
    voice_name: Premium
    sex: MALE
    data: {{dir: data/premium}}
  third:
    edition: third-party
    voice_name: Third
    data: {{package: data/long.zip}}
"""
)


@dataclass
class Project:
    root: Path
    emulator: Emulator
    environ: dict[str, str] = field(default_factory=dict)

    @property
    def state_path(self) -> Path:
        return self.root / "reconciler.state.json"

    def state(self) -> dict[str, Any]:
        """The whole state as readers get it: the snapshot with its journal replayed."""
        return LocalStateBackend(self.state_path).read().to_dict()

    def write_config(self, text: str) -> None:
        (self.root / "voices.yaml").write_text(
            text.format(endpoint=self.emulator.base_url, project=PROJECT), encoding="utf-8"
        )

    def run(self, *argv: str, stdin: str = "") -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        env = Environment(
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
            environ=self.environ,
            cwd=self.root,
            home=self.root,
        )
        code = main(list(argv), env=env)
        return code, out.getvalue(), err.getvalue()

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = requests.request(
            method, f"{self.emulator.base_url}/_emulator{path}", json=body, timeout=10
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def jobs(self) -> list[dict[str, Any]]:
        return list(self.admin("GET", "/jobs")["jobs"])


def write_data(root: Path) -> None:
    speechlike.write_sentence_pairs(root / "data" / "basic", 20, SECONDS)
    long_take = speechlike.long_take_wav(1, 3.0)
    speechlike.write_package(root / "data" / "long.zip", {"recording.wav": long_take})
    speechlike.write_long_recording(root / "data" / "premium" / "recording.wav", 1, 3.0)
    (root / "letter.pdf").write_bytes(speechlike.one_page_pdf("signed authorization"))


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    with Emulator(emulator_config(tmp_path / "emulator"), host="127.0.0.1", port=0) as emu:
        yield emu


@pytest.fixture
def project(tmp_path: Path, emulator: Emulator) -> Project:
    root = tmp_path / "project"
    root.mkdir()
    write_data(root)
    environ = {
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
        "RECONCILER_CACHE_DIR": str(tmp_path / "cache"),
    }
    proj = Project(root, emulator, environ)
    proj.write_config(FIVE_VOICES)
    return proj


@contextlib.contextmanager
def lock_held(state_path: Path) -> Iterator[str]:
    """Another process holds the state lock (for 'apply') until the block ends; yields its ID."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time\n"
                "from pathlib import Path\n"
                "from reconciler.state import LocalStateBackend\n"
                "with LocalStateBackend(Path(sys.argv[1])).lock('apply', 0) as info:\n"
                "    print(info.id, flush=True)\n"
                "    time.sleep(60)\n"
            ),
            str(state_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        yield holder.stdout.readline().strip()
    finally:
        holder.kill()
        holder.wait()
