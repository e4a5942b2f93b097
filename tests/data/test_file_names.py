"""Training-data names and texts that are not UTF-8 are located errors at validate.

On Linux a file name is bytes; os.fsdecode turns those that are not UTF-8 into surrogates,
which no zip, HTTP request or terminal takes. Zip members flagged UTF-8 are decoded strictly
by zipfile. Either must be refused before any money is spent, not crash plan or apply.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.environment import Environment
from reconciler.speechlike import tone_wav, write_steady_pairs

CONFIG = """\
version: 1
provider: {{region: cn-north-4}}
voices:
  v:
    edition: {edition}
    voice_name: V
    data: {{{kind}: {declared}}}
"""


def _validate(root: Path, edition: str, kind: str, declared: str) -> tuple[int, str]:
    text = CONFIG.format(edition=edition, kind=kind, declared=declared)
    (root / "voices.yaml").write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=out, stderr=err, environ={}, cwd=root)
    code = main(["validate", "voices.yaml"], env=env)
    assert "unexpected" not in err.getvalue() and "Traceback" not in err.getvalue()
    return code, err.getvalue()


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("voices.yaml:")]


@pytest.mark.parametrize(
    ("kind", "name", "shown"),
    [
        ("dir", b"\xff.wav", "\\xff.wav"),
        ("segments", b"caf\xe9.txt", "caf\\xe9.txt"),
        ("dir", b"sub\xfe/0.wav", "sub\\xfe/0.wav"),  # a folder's name counts as well
    ],
)
def test_file_names_that_are_not_utf8_are_named_escaped(
    tmp_path: Path, kind: str, name: bytes, shown: str
) -> None:
    write_steady_pairs(tmp_path / "data" / "set", 20, 1.0)
    bad = Path(os.fsdecode(bytes(tmp_path / "data" / "set") + b"/" + name))
    bad.parent.mkdir(exist_ok=True)
    bad.write_bytes(tone_wav(1))
    code, err = _validate(tmp_path, "basic", kind, "data/set")
    assert code == 1
    column = {"dir": 17, "segments": 22}[kind]
    assert f"voices.yaml:7:{column}: voices.v.data.{kind}: {shown}: name is not valid UTF-8 " \
        "(in folder data/set): rename it" in _errors(err)  # fmt: skip
    err.encode("utf-8")


def _utf8_flagged_zip(path: Path, name: str, raw: bytes) -> None:
    """A zip whose member ``name`` is stored as ``raw`` (same length) with the UTF-8 flag."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(name, tone_wav(30))
    blob = bytearray(path.read_bytes())
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        header = blob.index(signature)
        blob[header + flags_at + 1] |= 0x08  # bit 11: the name is UTF-8
    blob[:] = blob.replace(name.encode(), raw)
    path.write_bytes(bytes(blob))


def test_zip_member_flagged_utf8_but_not_is_an_error(tmp_path: Path) -> None:
    _utf8_flagged_zip(tmp_path / "long.zip", "long.wav", b"\xffong.wav")
    code, err = _validate(tmp_path, "premium", "package", "long.zip")
    assert code == 1
    assert _errors(err) == [
        "voices.yaml:7:21: voices.v.data.package: long.zip is not a readable zip file: "
        "a member name is marked as UTF-8 but is not (byte 0xff)"
    ]


def test_zip_member_names_that_are_utf8_pass(tmp_path: Path) -> None:
    _utf8_flagged_zip(tmp_path / "long.zip", "long.wav", "长a.wav".encode())
    _, err = _validate(tmp_path, "premium", "package", "long.zip")
    # The audio checks judge the tone itself; the member's name must not be what is refused.
    assert not [e for e in _errors(err) if "zip" in e or "UTF-8" in e]
    assert "长a.wav: " in err  # the member is read under its UTF-8 name


def test_a_transcript_holding_an_encoded_surrogate_is_not_utf8(tmp_path: Path) -> None:
    # CESU-8 / "WTF-8" writes U+D800 as ED A0 80: UTF-8 forbids it, and so must we.
    write_steady_pairs(tmp_path / "data", 20, 1.0)
    (tmp_path / "data" / "3.txt").write_bytes(b"ok \xed\xa0\x80")
    code, err = _validate(tmp_path, "basic", "dir", "data")
    assert code == 1
    assert "voices.yaml:7:17: voices.v.data.dir: 3.txt (byte 3): not UTF-8 text" in _errors(err)
