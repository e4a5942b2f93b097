#!/usr/bin/env python3
"""Generate the quickstart's training data next to voices.yaml.

    python examples/quickstart/make_data.py

The data is small (under 30 MB) and made by code instead of committed: speech-like 48 kHz
16-bit mono recordings and Chinese transcripts from ``reconciler.speechlike``, made to pass
every rule MetaStudio's review documents, the same bytes on every machine. It also writes the
embedded emulator's tenant.json (see QUICKSTART_TENANT). Everything is rendered to a scratch
folder first and only files whose bytes differ are written, so a second run touches nothing:
no new mtimes, no re-hashing by reconciler's digest cache, and still no changes in `reconciler
plan`.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

try:
    from reconciler import speechlike
except ImportError:  # run before installing: say what to do, not a traceback
    sys.exit("make_data.py needs reconciler installed first: python -m pip install .")

HERE = Path(__file__).resolve().parent
LETTER_TEXT = "Sample voice authorization letter for the reconciler quickstart (not a real one)."
# Where voices.yaml's `provider: {emulator: ...}` keeps the embedded emulator's data.
EMULATOR_DIR = Path(".reconciler") / "emulator"
# The emulator's tenant configuration (op 17's seconds of audio per edition). The recordings
# here are a minute or two, far below what real voices need (basic 3 to 10 minutes, premium an
# hour), so this tenant lowers the minimums; the emulator's defaults, and the real service,
# would reject them as too short.
QUICKSTART_TENANT = {
    "durations": {"basic_min": 60, "middle_min": 15, "advance_min": 15, "cmww_min": 15}
}


def render(scratch: Path) -> None:
    """Write every generated file under ``scratch``, laid out as beside voices.yaml."""
    data = scratch / "data"
    # Sentences of 5 to 15 s, as the recording guide asks; long takes pause 2.5 s between
    # sentences. Lengths differ between voices only so that each has its own data digest.
    speechlike.write_sentence_pairs(data / "news-anchor", 20, seconds=5.0, seed=100)
    speechlike.write_sentence_pairs(data / "shop-host", 20, seconds=5.5, seed=200)
    storyteller = speechlike.long_take_wav(3, seconds=6.0, seed=300)
    speechlike.write_package(data / "storyteller.zip", {"recording.wav": storyteller})
    speechlike.write_long_recording(data / "brand-voice" / "recording.wav", 4, 6.0, seed=400)
    partner = speechlike.long_take_wav(3, seconds=5.5, seed=500)
    speechlike.write_package(data / "partner-voice.zip", {"recording.wav": partner})
    letter = scratch / "letters" / "brand-voice.pdf"
    letter.parent.mkdir(parents=True)
    letter.write_bytes(speechlike.one_page_pdf(LETTER_TEXT))
    tenant = scratch / EMULATOR_DIR / "tenant.json"
    tenant.parent.mkdir(parents=True)
    tenant.write_text(json.dumps(QUICKSTART_TENANT, indent=2) + "\n", encoding="utf-8")


def _same_bytes(wanted: Path, existing: Path) -> bool:
    if not existing.is_file() or existing.stat().st_size != wanted.stat().st_size:
        return False
    return existing.read_bytes() == wanted.read_bytes()


def sync(scratch: Path, target: Path) -> tuple[list[Path], int]:
    """Copy into ``target`` the files whose bytes differ; return them and the total file count."""
    written: list[Path] = []
    files = sorted(path for path in scratch.rglob("*") if path.is_file())
    for wanted in files:
        relative = wanted.relative_to(scratch)
        dest = target / relative
        if _same_bytes(wanted, dest):
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        # Replace atomically so an interrupted run never leaves a half-written recording.
        partial = dest.with_name(f".{dest.name}.partial")
        partial.write_bytes(wanted.read_bytes())
        os.replace(partial, dest)
        written.append(relative)
    return written, len(files)


def make_data(target: Path = HERE) -> list[Path]:
    """Generate the data under ``target``; return the files (relative) that were written."""
    with tempfile.TemporaryDirectory(prefix="reconciler-quickstart-") as scratch:
        render(Path(scratch))
        written, total = sync(Path(scratch), target)
    shown = os.path.relpath(target)
    if written:
        print(f"Wrote {len(written)} of {total} training-data files in {shown}.")
    else:
        print(f"Training data in {shown} is up to date ({total} files).")
    return written


if __name__ == "__main__":
    make_data(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
