"""``python -m bench [plan|apply|digest|upload|segments|audio|lfs|speech|all] [--size S]
[--out DIR]``."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench.common import REPO_ROOT, SIZES, describe_machine, machine

BENCHMARKS = {
    "plan": "bench.plan_scale",
    "apply": "bench.apply_scale",
    "digest": "bench.digests",
    "upload": "bench.upload",
    "segments": "bench.segments",
    "audio": "bench.audio",
    "lfs": "bench.lfs_scale",
    "speech": "bench.speech",
}


def run_benchmark(name: str, size: str, out_dir: Path) -> dict[str, object]:
    module = importlib.import_module(BENCHMARKS[name])
    result: dict[str, object] = module.run(size, out_dir)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("benchmark", nargs="?", default="all", choices=[*BENCHMARKS, "all"])
    parser.add_argument(
        "--size", choices=SIZES, default="full", help="full: the issue's sizes; tiny: seconds"
    )
    parser.add_argument(
        "--out", type=Path, default=REPO_ROOT / "bench" / "results", help="where the JSON goes"
    )
    args = parser.parse_args(argv)
    names = list(BENCHMARKS) if args.benchmark == "all" else [args.benchmark]
    print(f"machine: {describe_machine(machine())}", flush=True)
    for name in names:
        started = time.perf_counter()
        run_benchmark(name, args.size, args.out)
        print(f"({name} took {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
