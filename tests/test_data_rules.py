"""Every rule of README's "Training-data checks" table, through `reconciler validate` (in
process) and through the emulator's review (over loopback HTTP), from the same bytes.

Each case is one dataset: clean ones must pass both sides (validate even with --strict),
degraded ones must fail both, for the rule they degrade (validate with an error naming it,
the review with the code the table gives). Rules the table gives no review code are our
judgement: validate refuses (or warns about) them, and the emulator, lenient on purpose,
lets them through. The audio is real speech (``tests.real_speech``).
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from reconciler import speechlike
from reconciler.cli import main
from reconciler.data.package import build_package
from reconciler.emulator import Credential, Emulator, EmulatorConfig, Tenant
from reconciler.environment import Environment
from tests import real_speech as speech
from tests.emulator.helpers import AK, PROJECT, SK, USER, Api, put, zip_bytes
from tests.test_readme import section

# The emulator's tenant (op 17) and validate's `checks` hold the editions to the same totals.
TENANT = Tenant.from_dict({"durations": {"basic_min": 30, "advance_min": 30, "advance_max": 120}})
CHECKS = {
    "basic": "{min_total_seconds: 30, advised_total_seconds: 30}",
    "premium": "{min_total_seconds: 30, max_total_seconds: 120, advised_total_seconds: 30}",
}
JOB_PATH = {"basic": "basic", "premium": "advance"}
PDF = speechlike.one_page_pdf("signed by the speaker")


@dataclass(frozen=True)
class Dataset:
    edition: str
    files: dict[str, bytes]  # the folder's files, or the members of the zip
    zipped: bytes | None = None  # the package as uploaded, instead of a folder
    letter: bytes | None = None
    language: str = "CN"


@dataclass(frozen=True)
class Case:
    rules: tuple[str, ...]  # the README table's rule names this case is about
    name: str
    make: Callable[[], Dataset]
    validate: tuple[str, str] | None = None  # ("error" or "warning", a fragment of it)
    review: str | None = None  # the code the review fails it with


def _pairs(**replaced: bytes) -> dict[str, bytes]:
    """The 20 sentence pairs of a basic voice, members replaced by name."""
    files: dict[str, bytes] = {}
    for index in range(20):
        files[f"{index}.wav"] = speech.pcm16(speech.take(index, seed=index))
        files[f"{index}.txt"] = speech.transcript(index).encode()
    return {**files, **replaced}


def _sentences(**replaced: bytes) -> Dataset:
    return Dataset("basic", _pairs(**replaced))


def _spoken_by(*voices: str, edge: float = speech.EDGE_SECONDS) -> Dataset:
    """The 20 sentence pairs read by the espeak-ng ``voices`` in turn (ten each for two)."""
    files: dict[str, bytes] = {}
    for index in range(20):
        voice = voices[index * len(voices) // 20]
        take = speech.take(index, seed=index, voice=voice, edge=edge)
        files[f"{index}.wav"] = speech.pcm16(take)
        files[f"{index}.txt"] = speech.transcript(index, voice).encode()
    return Dataset("basic", files, language="CN" if voices[0].startswith("cmn") else "EN")


def _snr(db: float) -> Callable[[np.ndarray], np.ndarray]:
    """Pink noise added ``db`` below the speech (RMS over the sentence, edges left out)."""

    def noisy(samples: np.ndarray) -> np.ndarray:
        edge = round(speech.EDGE_SECONDS * speech.RATE)
        level = 10 * np.log10(np.mean(samples[edge:-edge] ** 2))
        out: np.ndarray = samples + speech.pink(samples.size, 9, dbfs=level - db)
        return out

    return noisy


def _effect(*effects: str) -> Dataset:
    clean = speech.pcm16(speech.take(3, seed=3))
    return _sentences(**{"3.wav": speech.processed(clean, *effects)})


def _everywhere(*effects: str) -> Dataset:
    """Every recording through sox's ``effects``: a room's sound is in all of its takes
    (and DNSMOS hears a sample of them, data.quality)."""
    files = _pairs()
    for index in range(20):
        files[f"{index}.wav"] = speech.processed(files[f"{index}.wav"], *effects)
    return Dataset("basic", files)


def _third(change: Callable[[np.ndarray], np.ndarray]) -> Dataset:
    """The sentence set with 3.wav changed."""
    return _sentences(**{"3.wav": speech.pcm16(change(speech.take(3, seed=3)))})


def _sox(*options: str) -> Dataset:
    clean = speech.pcm16(speech.take(3, seed=3))
    return _sentences(**{"3.wav": speech.converted(clean, *options)})


def _packaged(edition: str, members: dict[str, bytes]) -> Dataset:
    return Dataset(edition, members, zip_bytes(members))


def _finder_zip() -> Dataset:
    """What Finder's Compress adds beside the files it was given."""
    litter = {"__MACOSX/._0.wav": b"\0\5\26\7AppleDouble", ".DS_Store": b"\0\0\0\1Bud1"}
    return _packaged("basic", {**_pairs(), **litter})


def _long(*parts: int | float, edition: str = "premium", beside: bytes | None = None) -> Dataset:
    """One long take; ``beside``: a VoiceClone.txt next to it."""
    text = {} if beside is None else {"VoiceClone.txt": beside}
    return Dataset(edition, {"VoiceClone.wav": speech.pcm16(speech.take(*parts)), **text})


def _paused(pause: float, count: int = 4) -> tuple[int | float, ...]:
    parts: list[int | float] = [0]
    for index in range(1, count):
        parts += [pause, index]
    return tuple(parts)


def _smacked() -> Dataset:
    """1.2 s pauses, one of them split by a 60 ms lip smack: still a pause."""
    samples = speech.take(*_paused(1.2))
    start = round((speech.EDGE_SECONDS + len(speech.sentence(0)) / speech.RATE + 0.55) * 48000)
    samples[start : start + 2880] += 0.05 * np.sin(np.arange(2880) * 0.9)
    return _packaged("premium", {"VoiceClone.wav": speech.pcm16(samples)})


def _digital_pauses() -> Dataset:
    """Sentences spliced together with digital silence for pauses: edited, never recorded."""
    edge = round(speech.EDGE_SECONDS * speech.RATE)
    takes = [speech.take(index, seed=index)[edge:-edge] for index in range(4)]
    gap = np.zeros(2 * speech.RATE)
    parts = [takes[0]] + [piece for take in takes[1:] for piece in (gap, take)]
    return Dataset("premium", {"VoiceClone.wav": speech.pcm16(np.concatenate(parts))})


def _gain(db: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda samples: samples * 10 ** (db / 20)


def _noise(dbfs: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda s: s + np.random.default_rng(5).normal(0, 10 ** (dbfs / 20), s.size)


def _lead(seconds: float) -> Callable[[np.ndarray], np.ndarray]:
    """Room tone (the take's own first 0.2 s, repeated) for ``seconds`` before the speech."""
    tone = np.resize(speech.take(3, seed=3)[: speech.RATE // 5], round(seconds * speech.RATE))
    return lambda samples: np.concatenate([tone, samples])


FORMAT = "format (48 kHz, 16-bit, mono PCM WAV)"
TYPES = "file types"
ZIP = "readable zip"
SET = "sentence set"
ALONE = "long take alone"
LENGTH = "sentence length"
PAUSES = "long-take pauses"
SPLICED = "spliced clips"
TOP = "top level"
SILENT = "silence"
CLIPPING = "clipping"
LEVEL = "level"
SNR = "SNR"
EDGES = "leading/trailing silence"
DC = "DC offset"
TOTAL = "total duration"
TEXT = "transcript"
LETTER = "authorization letter"
SPEECH = "speech, not music or noise"
DNSMOS = "DNSMOS (reverb, quality)"
PHONE = "telephone bandwidth"
SPEAKER = "one speaker"
MODELS = (SPEECH, DNSMOS, PHONE, SPEAKER)

CASES = [
    Case(
        (FORMAT, SET, LENGTH, SILENT, CLIPPING, LEVEL, SNR, EDGES, DC, TOTAL, TEXT, *MODELS),
        "clean-sentence-set",
        _sentences,
    ),
    Case((SNR, *MODELS), "mandarin-female", lambda: _spoken_by(speech.MANDARIN_FEMALE)),
    Case((SNR, *MODELS), "english-male", lambda: _spoken_by(speech.ENGLISH_MALE)),
    Case((SNR, *MODELS), "english-female", lambda: _spoken_by(speech.ENGLISH_FEMALE)),
    Case(
        (SNR, EDGES, *MODELS),
        "takes-trimmed-to-0.15-s",  # continuous speech: next to no pause to hear the room in
        lambda: _spoken_by(speech.MANDARIN_FEMALE, edge=0.15),
    ),
    Case(
        (FORMAT,),
        "16-kHz",
        lambda: _sox("-r", "16000"),
        ("error", "sample rate not allowed"),
        "MSS.20020011",
    ),
    Case(
        (FORMAT,),
        "44.1-kHz",
        lambda: _sox("-r", "44100"),
        ("error", "sample rate not allowed"),
        "MSS.20020011",
    ),
    Case(
        (FORMAT,),
        "24-bit",
        lambda: _sox("-b", "24"),
        ("error", "bit depth not allowed"),
        "MSS.20020011",
    ),
    Case((FORMAT,), "stereo", lambda: _sox("-c", "2"), ("error", "not mono"), "MSS.20020011"),
    Case((TYPES, ZIP), "clean-zip", lambda: _packaged("basic", _pairs())),
    Case(
        (TYPES,),
        "folder-with-DS_Store",  # reconciler zips the folder and leaves hidden files out
        lambda: _sentences(**{".DS_Store": b"\0\0\0\1Bud1"}),
    ),
    Case(
        (TYPES,),
        "notes-docx",
        lambda: _sentences(**{"notes.docx": b"PK\3\4"}),
        ("error", "neither a .wav recording nor a .txt text"),
        "MSS.20020012",
    ),
    Case((TYPES,), "finder-zip", _finder_zip, ("error", "macOS Finder metadata"), "MSS.20020012"),
    Case(
        (ZIP,),
        "not-a-zip",
        lambda: Dataset("basic", {}, b"PK\3\4 but not a zip at all"),
        ("error", "is not a readable zip file"),
        "MSS.20020013",
    ),
    Case(
        (SET,),
        "19-pairs",
        lambda: Dataset("basic", {k: v for k, v in _pairs().items() if not k.startswith("19.")}),
        ("error", "found 19 complete sentence pairs"),
        "MSS.20020016",
    ),
    Case((ALONE, PAUSES, SPLICED, TOTAL), "long-take-2.5-s-pauses", lambda: _long(*_paused(2.5))),
    Case(
        (ALONE, PAUSES),
        "basic-long-take",
        lambda: _long(*_paused(2.5), edition="basic"),
    ),
    Case(
        (ALONE,),
        "basic-long-take-with-txt",
        lambda: _long(*_paused(2.5), edition="basic", beside="语音\n".encode()),
        ("error", "a long recording goes alone"),
        "MSS.20020016",
    ),
    Case(
        (ALONE,),
        "premium-long-take-with-txt",
        lambda: _long(*_paused(2.5), beside=speech.transcript(0).encode()),
        ("error", "a long recording goes alone"),
        "MSS.20020016",
    ),
    Case(
        (ALONE,),
        "two-long-takes",
        lambda: Dataset(
            "premium",
            {**_long(*_paused(2.5)).files, "b.wav": _long(0, 2.5, 1).files["VoiceClone.wav"]},
        ),
        ("error", "takes one long recording"),
        "MSS.20020016",
    ),
    Case((PAUSES,), "1.2-s-pauses-and-a-lip-smack", _smacked),
    Case(
        (PAUSES,),
        "20-s-between-pauses",
        lambda: _long(0, 0.3, 1, 2.5, 2, 2.5, 3),
        ("error", "no pause for over 15 s"),
        "MSS.20029005",
    ),
    Case(
        (PAUSES,),
        "0.8-s-pauses",
        lambda: _long(*_paused(0.8)),
        ("error", "no pause for over 15 s"),
        "MSS.20029005",
    ),
    Case(
        (LENGTH,),
        "16-s-sentence",
        lambda: _sentences(**{"3.wav": speech.pcm16(speech.take(1, 0.3, 3))}),
        ("error", "longer than 15 s"),
        "MSS.20029005",
    ),
    Case((SPLICED,), "digital-silence-pauses", _digital_pauses, ("error", "digital silence cut")),
    Case(
        (TOP,),
        "files-in-a-folder-in-the-zip",
        lambda: _packaged("basic", {f"voice/{k}": v for k, v in _pairs().items()}),
        ("error", "not at the top level"),
    ),
    Case((TOP,), "files-at-the-top", lambda: _packaged("basic", _pairs())),
    Case(
        (SILENT,),
        "digital-silence",
        lambda: _third(lambda s: s * 0),
        ("error", "silent"),
        "MSS.20029001",
    ),
    Case(
        (CLIPPING,),
        "clipped",
        lambda: _third(lambda s: np.clip(s * 8, -1, 1)),
        ("error", "clipped"),
        "MSS.20029002",
    ),
    Case(
        (LEVEL,),
        "speech-at-minus-46-dBFS",
        lambda: _third(_gain(-23)),
        ("error", "far too quiet"),
        "MSS.20029003",
    ),
    Case((SNR,), "snr-8-dB", lambda: _third(_noise(-31)), ("error", "too noisy"), "MSS.20029004"),
    Case(
        (SNR,),
        "pink-noise-at-10-dB",
        lambda: _third(_snr(10)),
        ("error", "too noisy"),
        "MSS.20029004",
    ),
    Case(
        (SNR,),
        "pink-noise-at-0-dB",
        lambda: _third(_snr(0)),
        ("error", "too noisy"),
        "MSS.20029004",
    ),
    Case(
        (SPEECH,),
        "music-like-tones",
        lambda: _sentences(**{"3.wav": speech.pcm16(speech.tones(7.0))}),
        ("error", "music"),
        "MSS.20029011",
    ),
    Case(
        (DNSMOS,),
        "reverberant-room",
        lambda: _everywhere("reverb", "90", "20", "100", "100", "30", "2"),
        ("warning", "reverberant"),
    ),
    Case(
        (PHONE,),
        "telephone-band",
        lambda: _effect("rate", "8k", "rate", "48k"),
        ("warning", "telephone bandwidth"),
    ),
    Case(
        (SPEAKER,),
        "two-speakers",
        lambda: _spoken_by(speech.MANDARIN, speech.MANDARIN_FEMALE),
        ("warning", "does not sound like the voice's speaker"),
    ),
    Case(
        (EDGES,),
        "4-s-leading-silence",
        lambda: _third(_lead(4.0)),
        ("error", "leading silence over 3 s"),
    ),
    Case((DC,), "dc-offset", lambda: _third(lambda s: s + 0.05), ("warning", "DC offset")),
    Case(
        (TOTAL,),
        "premium-of-one-sentence",
        lambda: _long(0),
        ("error", "too little for premium"),
        "MSS.20029006",
    ),
    Case(
        (TEXT,),
        "english-for-cn",
        lambda: _sentences(**{"5.txt": b"This is an English sentence for the voice.\n"}),
        ("error", "written in English"),
        "MSS.20029007",
    ),
    Case(
        (TEXT,),
        "not-utf-8",
        lambda: _sentences(**{"5.txt": "这是中文。".encode("gb18030")}),
        ("error", "not UTF-8"),
        "MSS.20029008",
    ),
    Case(
        (TEXT,),
        "empty",
        lambda: _sentences(**{"5.txt": b" \n"}),
        ("error", "empty"),
        "MSS.20029008",
    ),
    Case(
        (TEXT,),
        "two-characters-for-a-sentence",
        lambda: _sentences(**{"5.txt": "好。".encode()}),
        ("error", "does not fit its recording"),
    ),
    Case((LETTER,), "pdf-letter", lambda: Dataset("basic", _pairs(), letter=PDF)),
    Case(
        (LETTER,),
        "plain-text-letter",
        lambda: Dataset("basic", _pairs(), letter=b"I agree. Signed: me"),
        ("error", "is not a PDF, JPEG or PNG file"),
        "MSS.20029009",
    ),
]


@dataclass
class Reviewed(Api):
    """The caller, and the emulator whose review worker it can wait for."""

    emulator: Emulator | None = None

    def await_review(self) -> None:
        """The review runs off the request path (as the service's does): wait for its
        verdict rather than read SYSTEM_AUDITING. The models' review of a real-speech
        dataset can outlast a read's own wait on a loaded CI machine."""
        assert self.emulator is not None and self.emulator.await_reviews(300)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reviewed]:
    speech.require_tools()
    config = EmulatorConfig(
        tmp_path_factory.mktemp("emulator"),
        credentials=[Credential(ak=AK, sk=SK, project_id=PROJECT)],
        tenant=TENANT,
    )
    emulator = Emulator(config, port=0).start()
    yield Reviewed(emulator.base_url, emulator=emulator)
    emulator.stop()


def _write(root: Path, data: Dataset) -> Path:
    """The dataset on disk beside a voices.yaml naming it; returns the folder or zip."""
    source = "{package: data.zip}" if data.zipped is not None else "{dir: data}"
    letter = "    authorization_letter: letter.pdf\n" if data.letter is not None else ""
    (root / "voices.yaml").write_text(
        "version: 1\nprovider: {region: cn-north-4}\nvoices:\n  v:\n"
        f"    edition: {data.edition}\n    voice_name: V\n    language: {data.language}\n"
        f"    data: {source}\n    checks: {CHECKS[data.edition]}\n{letter}",
        encoding="utf-8",
    )
    if data.letter is not None:
        (root / "letter.pdf").write_bytes(data.letter)
    if data.zipped is not None:
        (root / "data.zip").write_bytes(data.zipped)
        return root / "data.zip"
    for name, blob in data.files.items():
        (root / "data" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "data" / name).write_bytes(blob)
    return root / "data"


def _validate(root: Path, *argv: str) -> tuple[int, str]:
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), environ={}, cwd=root)
    code = main(["validate", "--no-table", *argv], env=env)
    assert isinstance(env.stderr, io.StringIO)
    return code, env.stderr.getvalue()


def _review(api: Reviewed, data: Dataset, written: Path) -> tuple[str, list[str]]:
    """The job's state and its review's error codes, for the bytes `apply` would upload."""
    if data.zipped is not None:
        package = data.zipped
    else:
        buffer = io.BytesIO()
        build_package(written, buffer)
        package = buffer.getvalue()
    # Each its own voice name: a trained voice's asset name cannot be taken twice.
    body = {"voice_name": uuid.uuid4().hex[:16], "sex": "FEMALE", "language": data.language}
    created = api.ok("POST", f"{USER}/{JOB_PATH[data.edition]}-jobs", body=body)
    assert put(created["training_data_uploading_url"], package, "application/zip").ok
    if data.letter is not None:
        url = created["authorization_letter_uploading_url"]
        assert put(url, data.letter, "application/pdf").ok
    assert api.submit(created["job_id"]).status_code == 200
    api.await_review()
    state = api.show(created["job_id"])["state"]
    result = api.ok("GET", f"{USER}/jobs/{created['job_id']}/audit-result")
    return state, [error["error_code"] for error in result["system_audit_result"]["errors"]]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_validate_and_the_review_judge_alike(api: Reviewed, tmp_path: Path, case: Case) -> None:
    data = case.make()
    written = _write(tmp_path, data)
    code, err = _validate(tmp_path, "--strict")
    if case.validate is None:
        assert (code, err) == (0, ""), err
    else:
        severity, fragment = case.validate
        found = {
            "warning" if line.startswith("warning: ") else "error"
            for line in err.splitlines()
            if fragment in line
        }
        assert (code, found) == (1, {severity}), err
        if severity == "warning":  # a warning alone never blocks
            assert _validate(tmp_path)[0] == 0, err
    state, codes = _review(api, data, written)
    if case.review is None:
        assert (state, codes) == ("SUCCEED", []), codes
    else:
        assert state == "AUDIT_FAILED"
        assert set(codes) == {case.review}, codes


def _readme_rules() -> list[str]:
    table = section("Training-data checks")
    rows = re.findall(r"^\| ([^|]+?) \|", table, re.M)
    return [row for row in rows if row not in ("rule", "---")]


def test_every_rule_in_the_readme_has_a_clean_and_a_degraded_case() -> None:
    clean = {rule for case in CASES if case.validate is None for rule in case.rules}
    degraded = {rule for case in CASES if case.validate is not None for rule in case.rules}
    assert set(_readme_rules()) == clean == degraded


def test_the_readme_gives_the_review_codes_the_cases_expect() -> None:
    table = section("Training-data checks")
    for case in CASES:
        if case.validate is None:
            continue
        [rule] = case.rules
        [row] = [line for line in table.splitlines() if line.startswith(f"| {rule} |")]
        review = row.split("|")[-3].strip()
        assert (case.review or "—") in review, (rule, review)
