#!/usr/bin/env python3
"""Generate the quickstart's training data next to voices.yaml.

    python examples/quickstart/make_data.py

The data is small (about 10 MB) and made by code instead of committed: real RIFF/WAVE PCM
tones and UTF-8 transcripts from ``reconciler.data.samples``, so the same files come out on
every machine. Everything is rendered to a scratch folder first and only files whose bytes
differ are written, so a second run touches nothing: no new mtimes, no re-hashing by
reconciler's digest cache, and still no changes in `reconciler plan`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

try:
    from reconciler.data.samples import write_long_recording, write_package, write_sentence_pairs
except ImportError:  # run before installing: say what to do, not a traceback
    sys.exit("make_data.py needs reconciler installed first: python -m pip install .")

HERE = Path(__file__).resolve().parent
LETTER_TEXT = "Sample voice authorization letter for the reconciler quickstart (not a real one)."


def render(scratch: Path) -> None:
    """Write every generated file under ``scratch``, laid out as beside voices.yaml."""
    data = scratch / "data"
    # The recording guide asks for 5 to 15 s per sentence (validate warns below 5 s). Lengths
    # differ between voices only so that each has its own data digest in plans and the state.
    write_sentence_pairs(data / "news-anchor", 20, seconds=5.5)
    write_sentence_pairs(data / "shop-host", 20, seconds=6.0)
    write_package(data / "storyteller.zip", count=None, seconds=30.0)
    write_long_recording(data / "brand-voice" / "recording.wav", seconds=36.0)
    write_package(data / "partner-voice.zip", count=None, seconds=24.0)
    letter = scratch / "letters" / "brand-voice.pdf"
    letter.parent.mkdir(parents=True)
    letter.write_bytes(one_page_pdf(LETTER_TEXT))


def one_page_pdf(text: str) -> bytes:
    """A minimal valid PDF showing one line of ASCII text: something a viewer can open."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%b\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)


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
