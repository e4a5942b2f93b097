"""What every benchmark shares: child processes measured alone, the emulator as its own
process, tables, JSON summaries and a description of the machine the numbers came from."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.timestamps import rfc3339

REPO_ROOT = Path(__file__).resolve().parent.parent
SIZES = ("tiny", "full")
MIB = 1 << 20
MB = 1_000_000

# A throwaway identity the emulator is started with; it opens nothing but that emulator.
AK = "BENCHEXAMPLEAK000001"
SK = "bench-secret-key-never-printed-0123456789"
PROJECT = "0b1e2c3d4e5f40718293a4b5c6d7e8f9"


# -- child processes --------------------------------------------------------------------------


@dataclass
class ChildResult:
    argv: list[str]
    returncode: int
    seconds: float  # wall time from spawn to exit
    cpu_seconds: float  # user + system time of the child
    max_rss_bytes: int  # the child's own peak resident set (wait4's ru_maxrss)
    read_chars: int | None  # bytes the child got from read() calls of any file (/proc io rchar)
    stdout: str
    stderr: str

    def check(self, *allowed: int) -> ChildResult:
        if self.returncode not in (allowed or (0,)):
            raise RuntimeError(
                f"{' '.join(self.argv)} exited {self.returncode}\n"
                f"stdout: {self.stdout[-2000:]}\nstderr: {self.stderr[-2000:]}"
            )
        return self


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The bench's environment for a child: this checkout first on the path, never a proxy."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    env.update(extra or {})
    return env


# Measured children are started by this small launcher, not by the bench itself. Python
# spawns through vfork, and at exec Linux folds the old address space's high-water mark into
# the child's ru_maxrss: every child would report at least the bench's own peak. The launcher
# is a fresh small interpreter (about 8 MB) that forks and execs the command, times it, reads
# its /proc io counters while it is a zombie (before reaping), then takes wait4's rusage.
_LAUNCHER = """\
import json, os, re, sys, time
out, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
seconds = time.perf_counter() - started
try:
    with open(f"/proc/{pid}/io") as io:
        rchar = int(re.search(r"^rchar:\\s*(\\d+)", io.read(), re.M).group(1))
except (OSError, AttributeError):
    rchar = None
_, status, usage = os.wait4(pid, 0)
with open(out, "w") as result:
    json.dump({"status": os.waitstatus_to_exitcode(status), "seconds": seconds,
               "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kib": usage.ru_maxrss,
               "rchar": rchar}, result)
"""


def run_child(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 600.0,
) -> ChildResult:
    """Run ``argv`` to completion and measure that process alone (see _LAUNCHER)."""
    with tempfile.TemporaryDirectory(prefix="reconciler-bench-child-") as folder:
        out, err, measured = (Path(folder) / name for name in ("out", "err", "result.json"))
        with out.open("wb") as stdout, err.open("wb") as stderr:
            launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(measured), *argv]
            process = subprocess.Popen(
                launcher,
                cwd=cwd,
                env=dict(env or child_env()),
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
            )
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the launcher and what it started
                process.wait()
                raise RuntimeError(f"{argv[0]} ran over {timeout:.0f} s") from None
        result = json.loads(measured.read_text()) if measured.exists() else None
        if result is None:
            raise RuntimeError(f"could not run {argv[0]}: {err.read_text(errors='replace')}")
        return ChildResult(
            argv=list(argv),
            returncode=result["status"],
            seconds=result["seconds"],
            cpu_seconds=result["cpu"],
            max_rss_bytes=result["maxrss_kib"] * 1024,  # KiB on Linux
            read_chars=result["rchar"],
            stdout=out.read_text(errors="replace"),
            stderr=err.read_text(errors="replace"),
        )


def vm_hwm_bytes(pid: int | str = "self") -> int:
    """Peak resident set of a live process, from /proc/<pid>/status."""
    match = re.search(r"^VmHWM:\s*(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    if match is None:
        raise RuntimeError(f"no VmHWM for process {pid}")
    return int(match.group(1)) * 1024


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU a live process has used so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def scratch_dir(label: str) -> Iterator[Path]:
    """A temporary folder removed afterwards, whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix=f"reconciler-bench-{label}-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def wait_until_settled(paths: Iterable[Path]) -> None:
    """Sleep (untimed) until a run may cache every file in ``paths``. The digest cache does
    not record a file changed just before the run began (a rewrite in the same clock tick
    could not be told apart); real data is older than that, and so must a warm run's be."""
    from reconciler.file_identity import file_identity, settles_at

    latest = max((settles_at(file_identity(path.stat())) for path in paths), default=0)
    delay = (latest - time.time_ns()) / 1e9
    if delay > 0:
        time.sleep(delay + 0.01)


# -- numbers, tables, summaries ---------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


@dataclass(frozen=True)
class Target:
    name: str
    goal: str
    value: str
    met: bool

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "goal": self.goal, "value": self.value, "met": self.met}


@dataclass(frozen=True)
class Began:
    """When a benchmark started, and how busy the machine was then (others may share it)."""

    at: float
    load: tuple[float, float, float]


def begin() -> Began:
    return Began(time.time(), os.getloadavg())


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]]

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "columns": self.columns, "rows": self.rows}


@dataclass
class Summary:
    benchmark: str
    size: str
    began: Began
    tables: list[Table]
    results: dict[str, Any]
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "size": self.size,
            "date": rfc3339(self.began.at),
            "command": f"python -m bench {self.benchmark} --size {self.size}",
            "seconds": time.time() - self.began.at,
            "load_average_before": list(self.began.load),
            "load_average_after": list(os.getloadavg()),
            "machine": machine(),
            "tables": [table.to_json() for table in self.tables],
            "results": self.results,
            "targets": [t.to_json() for t in self.targets],
            "targets_judged": self.size == "full",
            "notes": self.notes,
        }


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    for raw, row in zip(rows, cells, strict=True):
        aligned = [
            v.rjust(w) if isinstance(x, int | float) else v.ljust(w)
            for x, v, w in zip(raw, row, widths, strict=True)
        ]
        lines.append("| " + " | ".join(aligned) + " |")
    return "\n".join(lines)


def report(summary: Summary, out_dir: Path) -> Path:
    """Print the table, the targets and the notes; write ``<out_dir>/<benchmark>.json``."""
    data = summary.to_json()  # before printing: it closes the clock and the load sample
    print(f"\n## {summary.benchmark} (size {summary.size})")
    for table in summary.tables:
        print(f"\n{table.title}\n")
        print(format_table(table.columns, table.rows))
    if summary.targets:
        judged = "" if data["targets_judged"] else " (only --size full is judged)"
        print(f"\nTargets{judged}:")
        for target in summary.targets:
            verdict = "met" if target.met else "MISSED"
            print(f"- {target.name}: {target.value} (target {target.goal}) -> {verdict}")
    if summary.notes:
        print("\nNotes:")
    for note in summary.notes:
        print(f"- {note}")
    load = ", ".join(f"{x:.2f}" for x in data["load_average_before"])
    print(f"\n(load average before: {load}; took {data['seconds']:.1f} s)")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{summary.benchmark}.json"
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"\n(wrote {path})", flush=True)
    return path


def describe_machine(info: Mapping[str, Any]) -> str:
    return (
        f"{info['cpu_model']}, {info['nproc']} cores (nproc), {info['memory_gib']} GiB RAM, "
        f"{info['os']}, Linux {info['kernel']}, Python {info['python']}"
    )


# -- the machine ------------------------------------------------------------------------------


def _first(pattern: str, text: str) -> str | None:
    match = re.search(pattern, text, re.MULTILINE)
    return match.group(1).strip() if match else None


def _command(*argv: str) -> str | None:
    if shutil.which(argv[0]) is None:
        return None
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def machine() -> dict[str, Any]:
    """CPU model, usable cores, memory, kernel, Python: enough to compare runs by."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    os_release = Path("/etc/os-release")
    mem_kib = _first(r"^MemTotal:\s*(\d+)", meminfo)
    free = _command("free", "-g")
    flags = (_first(r"^flags\s*:(.+)$", cpuinfo) or "").split()
    return {
        "cpu_model": _first(r"^model name\s*:\s*(.+)$", cpuinfo) or platform.processor(),
        "cpu_sha_extensions": "sha_ni" in flags,
        "nproc": _command("nproc") or str(len(os.sched_getaffinity(0))),
        "memory_gib": round(int(mem_kib) / (1 << 20), 1) if mem_kib else None,
        "free_g": free.splitlines()[1] if free else None,
        "kernel": platform.release(),
        "os": _first(r'^PRETTY_NAME="?([^"\n]*)', os_release.read_text())
        if os_release.exists()
        else platform.system(),
        "python": platform.python_version(),
        "curl": (_command("curl", "--version") or "not found").splitlines()[0],
        "sha256sum": (_command("sha256sum", "--version") or "not found").splitlines()[0],
    }
