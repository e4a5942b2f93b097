"""Every command, driven with generated hostile arguments and files: no run may end in the
"unexpected" fallback or a traceback, exit outside the documented codes, print a long error, or
leave the state file unparseable (or change one it could not parse).

Examples are bounded and derandomized so CI replays the same inputs; a failure prints the
shrunk argv, which then belongs as a focused test next to the fix.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from reconciler.errors import ReconcilerError
from reconciler.state import LocalStateBackend
from tests.hostile.conftest import EXIT_CODES, Project, Run, make_project

FUZZ = settings(
    # Bounded for CI (~1 min on 2 cores); RECONCILER_FUZZ_EXAMPLES=2000 for a longer hunt.
    max_examples=int(os.environ.get("RECONCILER_FUZZ_EXAMPLES", "150")),
    deadline=None,
    # Reproducible in CI; RECONCILER_FUZZ_RANDOM=1 explores new inputs on each run.
    derandomize="RECONCILER_FUZZ_RANDOM" not in os.environ,
    database=None,
    # No explain phase: it traces every line, which makes a parser run a hundred times slower.
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
MAX_ERROR_LINES = 4  # the error, a warning or two, the emulator's note
# Raw control characters in a message move a terminal's cursor or split the line.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
USAGE = "(see 'reconciler"  # the hint every argparse refusal ends with
DIAGNOSTIC = re.compile(r"(Error: |warning: )?[^:\n]+:\d+(:\d+)?: ")

# A real argv holds no NUL (the kernel ends strings there); undecodable bytes arrive as the
# surrogates \udc80-\udcff (surrogateescape), so those are the surrogates to try.
_CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
_ESCAPED = st.sampled_from([chr(c) for c in range(0xDC80, 0xDD00)])
TEXT = st.text(st.one_of(_CHARS, _ESCAPED), max_size=12)
NUMBERS = st.sampled_from(
    [
        *("nan", "inf", "-inf", "1e309", "1e300", "-1", "-0", "0", "0.001", "1", "2.5"),
        *("65536", "99999", "9" * 40, "1_0", "0x10", " 3 ", ""),
    ]
)
# Files and folders each copied project holds (see base); PATHS name them and worse. The
# hostile configs live in junk/ so that the project directory itself stays a valid config.
_FILES = st.sampled_from(
    [
        *(".", "voices.yaml", "missing.yaml", "data", "data/0.wav", "/", "..", ""),
        *("junk", "junk/garbage.bin", "junk/deep.yaml", "junk/empty.yaml"),
        *("saved.plan", "junk/truncated.plan", "reconciler.state.json"),
    ]
)
PATHS = st.one_of(_FILES, _FILES, _FILES, TEXT)
# Where runs write (plan --out, preview --out): never outside the copied project, as root may.
OUTPUTS = PATHS.filter(lambda path: not path.startswith("/"))
ADDRESSES = st.sampled_from(["voice.a", "voice.b", "voice.", "voice.*", "a", "voice.zz"])
IDENTIFIERS = st.one_of(ADDRESSES, TEXT, st.sampled_from(["..", "../x", "a/b", "job-1", " "]))
VALUES = st.one_of(NUMBERS, TEXT, PATHS, IDENTIFIERS, st.sampled_from(["true", "json", "text"]))

Options = dict[str, st.SearchStrategy[str] | None]  # None: a flag without a value

_PLAN: Options = {
    "--refresh": st.one_of(st.just("false"), VALUES),
    "--target": IDENTIFIERS,
    "--replace": IDENTIFIERS,
    "--destroy": None,
    "--no-color": None,
    "--lock-timeout": NUMBERS,
}
_COUNTS: Options = {"--auto-approve": None, "--parallelism": NUMBERS}
# Commands with their positionals and options. --wait always gets a short timeout as well
# (see command_lines): training on the embedded emulator takes seconds per state.
COMMANDS: dict[tuple[str, ...], tuple[list[st.SearchStrategy[str]], Options]] = {
    ("validate",): (
        [PATHS],
        {
            "--format": VALUES,
            "--strict": None,
            "--allow-outside": None,
            "--sample-rates": st.one_of(NUMBERS, st.just("16000,-1")),
            "--bit-depths": NUMBERS,
        },
    ),
    ("plan",): (
        [PATHS],
        {
            **_PLAN,
            "--out": OUTPUTS,
            "--format": VALUES,
            "--pretty": None,
            "--detailed-exitcode": None,
        },
    ),
    ("show",): ([PATHS], {"--format": VALUES, "--pretty": None, "--no-color": None}),
    ("apply",): (
        [PATHS],
        {
            **_PLAN,
            **_COUNTS,
            "--config": PATHS,
            "--wait": None,
            "--timeout": NUMBERS,
            "--wait-timeout": NUMBERS,  # the old spelling, still accepted
            "--poll-interval": NUMBERS,
        },
    ),
    ("destroy",): ([PATHS], {**_COUNTS, "--target": IDENTIFIERS, "--lock-timeout": NUMBERS}),
    ("import",): ([ADDRESSES, IDENTIFIERS, PATHS], {"--lock-timeout": NUMBERS}),
    ("state", "list"): ([PATHS], {}),
    ("state", "show"): ([ADDRESSES, PATHS], {"--format": VALUES}),
    ("state", "rm"): ([ADDRESSES, IDENTIFIERS, PATHS], {"--lock-timeout": NUMBERS}),
    ("state",): ([IDENTIFIERS], {}),
    ("status",): (
        [PATHS],
        {
            "--wait": None,
            "--timeout": NUMBERS,
            "--poll-interval": NUMBERS,
            "--no-preview": None,
            "--format": VALUES,
            "--target": IDENTIFIERS,
            "--lock-timeout": NUMBERS,
        },
    ),
    ("preview",): (
        [ADDRESSES, PATHS],
        {
            "--out": OUTPUTS,
            "--text": TEXT,
            "--speed": NUMBERS,
            "--pitch": NUMBERS,
            "--volume": NUMBERS,
            "--timeout": NUMBERS,
        },
    ),
    ("force-unlock",): ([IDENTIFIERS, PATHS], {"--force": None}),
    # Never a credential: every serve must stop at a usage error, none may start listening.
    ("emulator", "serve"): (
        [],
        {
            # 0.0.0.0 is refused without --allow-remote, and never bound: no credentials.
            "--host": st.one_of(st.sampled_from(["127.0.0.1", "::1", "0.0.0.0"]), TEXT),  # noqa: S104
            "--port": NUMBERS,
            "--data-dir": PATHS,
            "--project-id": TEXT,
            "--seconds-per-state": NUMBERS,
            "--url-ttl": NUMBERS,
            "--tts-delay": NUMBERS,
            "--faults": st.one_of(PATHS, st.sampled_from(["{", "[]", '{"x": 1}', "null"])),
            "--fault-seed": NUMBERS,
            "--allow-remote": None,
        },
    ),
}


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    words = draw(st.sampled_from(sorted(COMMANDS)))
    positionals, options = COMMANDS[words]
    parts: list[list[str]] = [[draw(strategy)] for strategy in positionals]
    parts = parts[: draw(st.integers(0, len(parts)))]  # some missing
    for flag in draw(st.lists(st.sampled_from(sorted(options)), max_size=4)) if options else []:
        value = options[flag]
        if value is None:
            parts.append([flag])
        elif draw(st.booleans()):
            parts.append([f"{flag}={draw(value)}"])
        else:
            parts.append([flag, draw(value)])
    parts += [[word] for word in draw(st.lists(VALUES, max_size=1))]  # a stray word
    ordered = draw(st.permutations(parts))
    if ["--wait"] in parts:  # the last value of an option wins
        ordered.append(["--timeout", "0.3"])
    return [*words, *(word for part in ordered for word in part)]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
_FIELDS = ["created_at", "updated_at", "job_id", "phase", "name", "address", "spec", "edition"]
_FIELDS += ["job_type", "prevent_destroy", "create_attempt", "data_digest", "remote_state"]


@st.composite
def state_files(draw: st.DrawFn, valid: bytes) -> bytes:
    """A state file damaged in one of the ways disks, editors and people damage them."""
    kind = draw(st.sampled_from(["field", "top", "truncated", "bytes", "deep"]))
    if kind == "truncated":
        return valid[: draw(st.integers(0, len(valid) - 1))]
    if kind == "bytes":
        return draw(st.binary(max_size=64))
    if kind == "deep":
        opener = draw(st.sampled_from(["[", '{"a":', '{"voices":{"a":{"spec":']))
        return (opener * draw(st.sampled_from([70, 2_000, 100_000]))).encode()
    state = json.loads(valid)
    if kind == "top":
        state[draw(st.sampled_from(["serial", "lineage", "voices", "format_version"]))] = draw(JSON)
    else:
        record = state["voices"][draw(st.sampled_from(["a", "b"]))]
        record[draw(st.sampled_from(_FIELDS))] = draw(JSON)
    return _encode(json.dumps(state, ensure_ascii=draw(st.booleans())))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Applied once; each example works on a copy, so examples cannot disturb each other."""
    root = tmp_path_factory.mktemp("hostile")
    project = make_project(root / "project", root / "cache")
    for argv in (("apply", "--auto-approve"), ("plan", "--destroy", "--out", "saved.plan")):
        run = project.run(*argv)
        assert run.code == 0, run.err
    plan = (project.root / "saved.plan").read_bytes()
    junk = project.root / "junk"
    junk.mkdir()
    (junk / "truncated.plan").write_bytes(plan[: len(plan) // 2])
    (junk / "garbage.bin").write_bytes(bytes(range(256)) * 4)
    (junk / "deep.yaml").write_text("voices: " + "[" * 500, encoding="utf-8")
    (junk / "empty.yaml").write_text("", encoding="utf-8")
    return project


def _link_bulk(source: str, target: str) -> None:
    """Recordings and the emulator's stored uploads (megabytes, never changed in place) are
    hard-linked; everything else, which a run may append to or rewrite, is copied."""
    if source.endswith((".wav", ".zip")) or os.path.getsize(source) > 1 << 20:
        os.link(source, target)
    else:
        shutil.copy2(source, target)


@pytest.fixture
def fresh(base: Project, tmp_path: Path) -> Callable[[], Project]:
    counter = iter(range(1_000_000))

    def copy() -> Project:
        root = tmp_path / f"run{next(counter)}"
        shutil.copytree(base.root, root, symlinks=True, copy_function=_link_bulk)
        return Project(root, base.environ)

    return copy


def check_run(project: Project, argv: list[str], run: Run, state_before: bytes | None) -> None:
    command = " ".join(argv[:2] if argv[0] in ("state", "emulator") else argv[:1])
    event(f"{command}: {'usage error' if USAGE in run.err else f'exit {run.code}'}")
    shown = f"argv={argv!r}\nstdout={run.out[-2000:]}\nstderr={run.err[-2000:]}"
    assert run.code in EXIT_CODES, shown
    assert "Traceback" not in run.err, shown
    lines = run.err.rstrip("\n").split("\n")
    for line in lines:
        assert not CONTROL.search(line), shown
        assert "unexpected" not in line, shown
    if run.code not in (0, 2):
        # A config gets one `file:line:column: ...` line per problem, and a command line at most
        # one per argument (each bad --target says so); beyond that an error is short.
        prose = [line for line in lines if not DIAGNOSTIC.match(line)]
        assert lines and len(prose) <= MAX_ERROR_LINES + len(argv), shown
        assert sum(line.startswith("Error:") for line in lines) <= 1, shown
    after = project.state_path.read_bytes() if project.state_path.exists() else None
    if state_before is not None and after != state_before:
        try:
            LocalStateBackend(project.state_path).read()
        except ReconcilerError as error:
            # Only a state that was damaged before may be unreadable, and then untouched.
            raise AssertionError(f"the run left an unreadable state: {error}\n{shown}") from None


@FUZZ
@given(argv=command_lines())
def test_hostile_command_lines(fresh: Callable[[], Project], argv: list[str]) -> None:
    project = fresh()
    before = project.state_path.read_bytes()
    check_run(project, argv, project.run(*argv), before)


# A well-formed command line per command that reads the state, so that the file is the test.
READERS: dict[str, list[str]] = {
    "plan": ["plan"],
    "apply": ["apply", "--auto-approve"],
    "destroy": ["destroy", "--auto-approve"],
    "import": ["import", "voice.a", "job-1"],
    "state list": ["state", "list"],
    "state show": ["state", "show", "voice.a", "--format", "json"],
    "state rm": ["state", "rm", "voice.b"],
    "status": ["status", "--format", "json"],
    "preview": ["preview", "voice.b", "--out", "out"],
    "force-unlock": ["force-unlock", "lock-1", "--force"],
}


@FUZZ
@given(data=st.data(), command=st.sampled_from(sorted(READERS)))
def test_hostile_state_files(
    fresh: Callable[[], Project], data: st.DataObject, command: str
) -> None:
    project = fresh()
    damaged = data.draw(state_files(project.state_path.read_bytes()))
    project.state_path.write_bytes(damaged)
    argv = READERS[command]
    run = project.run(*argv)
    check_run(project, argv, run, damaged)
    try:
        LocalStateBackend(project.state_path).read()
    except ReconcilerError:
        # Unreadable: the run must have refused and left the file as it was.
        assert run.code == 1, run
        assert project.state_path.read_bytes() == damaged, argv


def _encode(text: str) -> bytes:
    # The escaped surrogates become the undecodable bytes they stand for.
    return text.encode("utf-8", "surrogateescape")


@FUZZ
@given(
    content=st.one_of(TEXT.map(_encode), st.binary(max_size=200), JSON.map(json.dumps).map(_encode))
)
def test_hostile_config_files(fresh: Callable[[], Project], content: bytes) -> None:
    project = fresh()
    (project.root / "voices.yaml").write_bytes(content)
    before = project.state_path.read_bytes()
    for argv in (["validate"], ["plan", "--refresh=false"], ["state", "list"], ["status"]):
        check_run(project, argv, project.run(*argv), before)


def test_yaml_syntax_errors_do_not_say_unexpected(project: Project) -> None:
    """PyYAML says "found unexpected end of stream"; ours says what happened instead."""
    (project.root / "voices.yaml").write_bytes(b"'")
    run = project.run("validate")
    assert run.code == 1 and "YAML syntax error" in run.err
    assert "unexpected" not in run.err, run.err
