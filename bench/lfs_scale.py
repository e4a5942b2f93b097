"""Plan and apply from a fresh clone whose training data is in Git LFS, fetched as pointers.

Each N gets a real Git repository: N premium voices in files of 10,000 whose packages
(``*.zip``, tracked by Git LFS) are K distinct small recordings shared round-robin, a
``reconciler.lock`` written by ``validate --update-lock``, pushed to a bare repository on
disk (git-lfs serves file:// remotes itself: nothing leaves the machine). The state records
every voice as trained and an emulator process holds their SUCCEED jobs. Then, in a clone
made with ``GIT_LFS_SKIP_SMUDGE=1`` (pointers only) and an empty cache:

- cold plan: ``reconciler plan --detailed-exitcode`` (must say "No changes"), default rate
  limits, against the rate-limit floor of its calls;
- the same after editing one of the YAML files (a comment added);
- bytes of audio read by each: the DigestCache counter (hashing, headers, decoding,
  transcripts), from the same plan run in-process with ``--refresh=false``;
- apply of 30 changed voices: the author gives 30 voices new recordings, updates the lock,
  pushes; the clone pulls (pointers) and applies: wall time, and which LFS files it fetched.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import (
    REPO_ROOT,
    Summary,
    Table,
    Target,
    begin,
    report,
    run_child,
    scratch_dir,
    wait_until_settled,
)
from bench.emulator_process import EmulatorProcess
from bench.plan_scale import FLOOR_FACTOR, rate_limit_floor
from bench.project import (
    LIMITS,
    project_env,
    succeeded_job,
    trained_record,
    write_config,
)

SIZES = {"tiny": (20,), "full": (10_000, 100_000)}
CHANGED = {"tiny": 3, "full": 30}
DISTINCT = 50  # distinct recordings the voices share (each is its own LFS object)
FLOOR_N = 100_000


def _git(cwd: Path, *args: str, skip_smudge: bool = False) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    }
    if skip_smudge:
        env["GIT_LFS_SKIP_SMUDGE"] = "1"
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr}")
    return done.stdout


def _write_config(root: Path, n: int, endpoint: str, data: dict[int, str]) -> None:
    """The plan benchmark's project, each voice on one of DISTINCT packages unless ``data``
    names its own."""
    write_config(root, n, endpoint, "", lambda i: data.get(i, f"data/p{i % DISTINCT:03d}.zip"))


def _packages(root: Path, names: list[str], seed: int) -> list[Path]:
    from reconciler.speechlike import write_package, write_steady_recording

    made = []
    for offset, name in enumerate(names):
        scratch = root / ".scratch.wav"
        write_steady_recording(scratch, 3.0 + 0.02 * ((seed + offset) % 50))
        made.append(write_package(root / name, {"recording.wav": scratch.read_bytes()}))
        scratch.unlink()
    return made


def _cli(root: Path, *argv: str, allowed: tuple[int, ...] = (0,)) -> Any:
    command = [sys.executable, "-m", "reconciler", *argv]
    return run_child(command, cwd=root, env=project_env(root), timeout=3_600).check(*allowed)


def _bytes_of_audio(root: Path) -> dict[str, int]:
    """What ``plan --refresh=false`` reads in-process on ``root`` with a new, empty cache:
    the DigestCache's counters of data bytes and of pointer bytes."""
    import reconciler.operations.workspace as workspace
    from reconciler.cli import main
    from reconciler.data import DigestCache
    from reconciler.environment import Environment

    made: list[DigestCache] = []

    class Counted(DigestCache):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    cache_dir = root / f".cache-count-{uuid.uuid4().hex}"
    said = io.StringIO()
    env = Environment(
        stdin=io.StringIO(),
        stdout=io.StringIO(),
        stderr=said,
        environ={"RECONCILER_CACHE_DIR": str(cache_dir), "NO_COLOR": "1"},
        cwd=root,
    )
    original = workspace.__dict__["DigestCache"]
    setattr(workspace, "DigestCache", Counted)  # noqa: B010  (not a public name of the module)
    try:
        code = main(["plan", "--refresh=false", "--detailed-exitcode"], env=env)
    finally:
        setattr(workspace, "DigestCache", original)  # noqa: B010
        shutil.rmtree(cache_dir, ignore_errors=True)
    if code != 0:
        raise RuntimeError(f"plan --refresh=false exited {code}: {said.getvalue()[-2000:]}")
    return {
        "audio_bytes_read": sum(c.bytes_read for c in made),
        "pointer_bytes_read": sum(c.pointer_bytes for c in made),
    }


def _pointers(root: Path) -> set[str]:
    from reconciler.data.lfs import read_pointer

    found = set()
    for path in (root / "data").iterdir():
        if read_pointer(path, path.stat().st_size)[0] is not None:
            found.add(path.name)
    return found


def measure(n: int, changed: int, *, apply: bool = True) -> dict[str, Any]:
    """``apply`` False: the two plans only (the apply part is most of the run at 100,000)."""
    from reconciler.config.check import load_config
    from reconciler.data import DigestCache
    from reconciler.operations.desired import desired_voices
    from reconciler.state import LocalStateBackend, State

    with scratch_dir(f"lfs-{n}") as scratch, EmulatorProcess(scratch / "emulator") as emulator:
        author, remote, clone = scratch / "author", scratch / "remote.git", scratch / "clone"
        author.mkdir()
        _git(author, "init", "-q", "-b", "main")
        _git(author, "lfs", "install", "--local")
        (author / ".gitattributes").write_text("*.zip filter=lfs diff=lfs merge=lfs -text\n")
        (author / ".gitignore").write_text(".cache*/\n.reconciler/\nreconciler.state.json*\n")
        _packages(author, [f"data/p{k:03d}.zip" for k in range(min(n, DISTINCT))], seed=0)
        _write_config(author, n, emulator.base_url, {})
        wait_until_settled((author / "data").iterdir())
        lock = _cli(author, "validate", "--update-lock", "--no-table")
        config = load_config(author, cwd=author)
        lineage = str(uuid.uuid4())
        desired = desired_voices(config, DigestCache(author / ".cache"), lineage)
        records, jobs = {}, []
        for name, voice in desired.items():
            records[name] = trained_record(name, voice.spec, f"job-{name}")
            jobs.append(succeeded_job(f"job-{name}", voice.spec["voice_name"]))
        LocalStateBackend(config.state_path).write(State(lineage=lineage, voices=records))
        emulator.admin("POST", "/jobs", jobs)
        _git(author, "add", "-A")
        _git(author, "commit", "-q", "-m", "voices")
        _git(scratch, "init", "-q", "--bare", "-b", "main", str(remote))
        _git(author, "remote", "add", "origin", remote.as_uri())
        _git(author, "push", "-q", "origin", "main")
        _git(scratch, "clone", "-q", remote.as_uri(), str(clone), skip_smudge=True)
        _git(clone, "lfs", "install", "--local", "--skip-smudge")
        shutil.copy2(author / "reconciler.state.json", clone / "reconciler.state.json")
        pointers_before = _pointers(clone)

        emulator.reset_stats()
        cold = _cli(clone, "plan", "--detailed-exitcode")
        if "No changes." not in cold.stdout:
            raise RuntimeError(f"the clone does not plan as no-op:\n{cold.stdout[:2000]}")
        cold_calls = sum(emulator.operations().values())
        cold_bytes = _bytes_of_audio(clone)

        edited = clone / "voices-000.yaml"
        edited.write_text(edited.read_text("utf-8") + "# reviewed\n", "utf-8")
        emulator.reset_stats()
        after_edit = _cli(clone, "plan", "--detailed-exitcode")
        edit_calls = sum(emulator.operations().values())
        edit_bytes = _bytes_of_audio(clone)
        _git(clone, "checkout", "--", "voices-000.yaml")
        floor = rate_limit_floor(cold_calls)
        plans = {
            "voices": n,
            "distinct_recordings": min(n, DISTINCT),
            "lock_write_seconds": lock.seconds,
            "cold_plan_seconds": cold.seconds,
            "cold_plan_cpu_seconds": cold.cpu_seconds,
            "cold_plan_calls": cold_calls,
            "rate_limit_floor_seconds": floor,
            "cold_plan_peak_rss_bytes": cold.max_rss_bytes,
            "cold_plan_bytes": cold_bytes,
            "edited_plan_seconds": after_edit.seconds,
            "edited_plan_cpu_seconds": after_edit.cpu_seconds,
            "edited_plan_calls": edit_calls,
            "edited_plan_bytes": edit_bytes,
            "changed_voices": changed,
        }
        if not apply:
            return plans

        # The author records new takes for `changed` voices and pushes them with the lock.
        new = {i: f"data/new{i:03d}.zip" for i in range(changed)}
        _packages(author, list(new.values()), seed=7)
        _write_config(author, n, emulator.base_url, new)
        wait_until_settled((author / "data").iterdir())
        _cli(author, "validate", "--update-lock", "--no-table")
        _git(author, "add", "-A")
        _git(author, "commit", "-q", "-m", "new takes")
        _git(author, "push", "-q", "origin", "main")
        _git(clone, "pull", "-q", "origin", "main", skip_smudge=True)
        pulled = _pointers(clone)
        (clone / "voices.yaml").write_text(
            (clone / "voices.yaml")
            .read_text("utf-8")
            .replace("defaults:", LIMITS["off"] + "defaults:", 1)
        )
        emulator.reset_stats()
        applied = _cli(clone, "apply", "--auto-approve")
        apply_calls = emulator.operations()
        fetched = sorted(pulled - _pointers(clone))
        if pointers_before - pulled:
            raise RuntimeError(f"the plans fetched LFS content: {sorted(pointers_before - pulled)}")
        fetched_bytes = sum((clone / "data" / name).stat().st_size for name in fetched)
        return {
            **plans,
            "apply_seconds": applied.seconds,
            "apply_calls": apply_calls,
            "apply_fetched_files": fetched,
            "apply_fetched_bytes": fetched_bytes,
        }


def run(
    size: str, out_dir: Path, sizes: tuple[int, ...] | None = None, *, apply: bool = True
) -> dict[str, Any]:
    began = begin()
    results = [measure(n, CHANGED[size], apply=apply) for n in (sizes or SIZES[size])]
    rows = [
        [
            r["voices"],
            r["cold_plan_seconds"],
            r["cold_plan_calls"],
            r["rate_limit_floor_seconds"],
            r["cold_plan_bytes"]["audio_bytes_read"],
            r["edited_plan_seconds"],
            r["edited_plan_bytes"]["audio_bytes_read"],
            r["changed_voices"] if apply else "-",
            r["apply_seconds"] if apply else "skipped",
            len(r["apply_fetched_files"]) if apply else "-",
        ]
        for r in results
    ]
    tables = [
        Table(
            "Fresh clone with LFS pointers, empty cache: plan (default rate limits), and apply",
            [
                "voices",
                "cold plan s",
                "API calls",
                "rate-limit floor s",
                "audio bytes read",
                "plan after 1 file edited s",
                "audio bytes read (edited)",
                "changed voices",
                "apply s (limits off)",
                "LFS files fetched",
            ],
            rows,
        )
    ]
    targets = []
    for r in results:
        targets.append(
            Target(
                f"bytes of audio read by the cold plan at N={r['voices']:,}",
                "0",
                str(r["cold_plan_bytes"]["audio_bytes_read"]),
                r["cold_plan_bytes"]["audio_bytes_read"] == 0,
            )
        )
        if apply:
            targets.append(
                Target(
                    f"LFS files apply fetched for {r['changed_voices']} changed voices",
                    f"exactly their {r['changed_voices']} packages",
                    str(len(r["apply_fetched_files"])),
                    len(r["apply_fetched_files"]) == r["changed_voices"],
                )
            )
        if r["voices"] == FLOOR_N:
            floor = r["rate_limit_floor_seconds"]
            targets.insert(
                0,
                Target(
                    f"cold plan of {FLOOR_N:,} voices from a clone with LFS pointers",
                    f"<= {FLOOR_FACTOR}x the rate-limit floor = {FLOOR_FACTOR * floor:.1f} s",
                    f"{r['cold_plan_seconds']:.1f} s ({r['cold_plan_seconds'] / floor:.2f}x)",
                    r["cold_plan_seconds"] <= FLOOR_FACTOR * floor,
                ),
            )
    summary = Summary(
        benchmark="lfs",
        size=size,
        began=began,
        tables=tables,
        results={"sizes": results},
        targets=targets,
        notes=[
            "cold plan = `python -m reconciler plan --detailed-exitcode` in a child process in "
            "a clone made with GIT_LFS_SKIP_SMUDGE=1 and an empty RECONCILER_CACHE_DIR (no "
            "digest, facts or config cache), wall time spawn to exit; one run each",
            f"the voices share {DISTINCT} distinct recordings (LFS objects) round-robin; every "
            "package in the clone is a pointer; the lock holds their measurements",
            "audio bytes read = the DigestCache's bytes_read (hashing, WAV headers, decoding, "
            "transcripts) of the same plan run in-process with --refresh=false and a new cache; "
            "pointer bytes (the <=1 KiB pointers themselves) are counted apart",
            "edited = one comment line appended to voices-000.yaml, then the same plan",
            "apply: the author gives the first voices new packages, rewrites the lock and pushes; "
            "the clone pulls (pointers) and runs `apply --auto-approve` with rate limits off; "
            "'LFS files fetched' = files that are no longer pointers afterwards",
        ],
    )
    report(summary, out_dir)
    return summary.to_json()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lfs_scale", description=__doc__)
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument(
        "--voices", type=int, action="append", help="these sizes instead (repeatable)"
    )
    parser.add_argument(
        "--plans-only", action="store_true", help="the cold and edited plans, no apply"
    )
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    sizes = tuple(args.voices) if args.voices else None
    run(args.size, args.out, sizes, apply=not args.plans_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
