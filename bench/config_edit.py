"""``python -m bench.config_edit [--voices N]``: what loading a configuration costs after one
of its files is edited, in-process: files parsed, config-cache entries read and written and
VoiceSpecs built are counted; the seconds are wall and CPU time of ``load_config`` alone
(CPU including the worker processes that parse large files).

The project is the plan benchmark's (bench/project.py): a head file with the provider and
defaults, and the voices in files of 10,000. The edit renames one voice's voice_name in the
last voices file. Runs against whatever ``reconciler`` is on the path, so the same script
measures an older commit (the entry counts then read "n/a").
"""

from __future__ import annotations

import argparse
import importlib
import os
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import project
from bench.common import scratch_dir


def _count(seen: Counter[str], kind: str, module: Any, name: str) -> None:
    real: Callable[..., Any] = getattr(module, name)

    def call(*args: Any) -> Any:
        result = real(*args)
        seen[kind] += 1 if kind != "written" else int(bool(result))
        return result

    setattr(module, name, call)


def _cpu() -> float:
    """This process's CPU seconds and its finished children's (the parsing workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def measure(n: int) -> list[dict[str, Any]]:
    check = importlib.import_module("reconciler.config.check")
    seen: Counter[str] = Counter()
    _count(seen, "parsed", check, "load_yaml")
    per_file = True
    try:
        incremental = importlib.import_module("reconciler.config.incremental")
    except ImportError:
        per_file = False
    else:
        _count(seen, "read", incremental, "read_entry")
        _count(seen, "written", incremental, "write_entry")
    real_read_files = getattr(check, "read_files", None)
    if real_read_files is not None:  # large files are parsed in worker processes

        def read_files(files: Sequence[Path], read: Any) -> Any:
            before = seen["parsed"]
            result = real_read_files(files, read)
            seen["parsed"] = before + len(files)  # each once, here or in a worker
            return result

        setattr(check, "read_files", read_files)  # noqa: B010
    rows = []
    with scratch_dir("config-edit") as scratch:
        root = scratch / "project"
        root.mkdir()
        project.write_config(root, n, "http://127.0.0.1:9", project.LIMITS["default"])
        cache = root / ".cache"

        def load(label: str) -> None:
            seen.clear()
            wall, cpu = time.perf_counter(), _cpu()
            config = check.load_config(root, cache_dir=cache)
            rows.append(
                {
                    "run": label,
                    "wall s": time.perf_counter() - wall,
                    "cpu s": _cpu() - cpu,
                    "files parsed": seen["parsed"],
                    "entries read": seen["read"] if per_file else "n/a",
                    "entries written": seen["written"] if per_file else "n/a",
                    "specs built": config.voices.built(),
                }
            )

        load("cold: empty cache")
        load("warm: nothing changed")
        last = (n - 1) // project.VOICES_PER_FILE
        edited = root / f"voices-{last:03d}.yaml"
        text = edited.read_text(encoding="utf-8")
        voice = f"voice_name: Voice {n - 1}\n"
        edited.write_text(text.replace(voice, f"voice_name: Voice {n - 1}b\n"), "utf-8")
        load(f"after editing {edited.name}")
        load("warm again")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.config_edit", description=__doc__)
    parser.add_argument("--voices", type=int, default=100_000)
    args = parser.parse_args(argv)
    before = os.getloadavg()
    rows = measure(args.voices)
    columns = list(rows[0])
    print(f"{args.voices:,} voices; load average before {before}, after {os.getloadavg()}")
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join("---" for _ in columns) + "|")
    for row in rows:
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in row.values()]
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
