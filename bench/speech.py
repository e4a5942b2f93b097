"""Speech analysis with the models (the ``audio`` extra): seconds per hour of audio.

The full preflight analysis (decoding, levels, resampling to 16 kHz, Silero VAD, DNSMOS P.835,
Praat pitch, statistics) against ``sha256sum`` and ``sox FILE -n stats`` on the same files,
and against the bare inference of the same models on the same audio: the 16 kHz samples
prepared beforehand (untimed) and fed to the VAD window by window, to the DNSMOS session
window by window and to Praat block by block, nothing else. Goals (issue 24): at least 100x
real time on one core, and the whole analysis within 1.2x of the bare inference.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import MIB, Summary, Table, Target, begin, median, report, run_child, scratch_dir

SIZES = {"tiny": (2, 10.0, 1), "full": (10, 60.0, 1)}  # files, seconds each, repeats
RATE = 48000


def _one_core() -> set[int] | None:
    """Everything on one core, as the goal is stated (onnxruntime sessions are built with
    one thread; this pins numpy's and Praat's too); returns the cores to give back."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cores)})
    return cores


def full_analysis(files: list[Path]) -> float:
    from reconciler.data.audio import analyse

    started = time.perf_counter()
    for path in files:
        with path.open("rb") as stream:
            analyse(stream, 16)
    return time.perf_counter() - started


def bare_inference(audio16: list[np.ndarray]) -> dict[str, float]:
    """Seconds per model over the prepared 16 kHz audio."""
    import parselmouth

    from reconciler.data import listen, models

    spent: dict[str, float] = {}
    started = time.perf_counter()
    for x in audio16:
        vad = models.vad_factory(listen.RATE)()
        for at in range(0, x.size - listen.VAD_WINDOW + 1, listen.VAD_WINDOW):
            vad.process(x[at : at + listen.VAD_WINDOW].data)
    spent["vad"] = time.perf_counter() - started
    session = models.dnsmos_session()
    name = session.get_inputs()[0].name
    started = time.perf_counter()
    for x in audio16:
        for at in range(0, x.size - listen.DNSMOS_WINDOW + 1, listen.DNSMOS_HOP):
            session.run(None, {name: x[np.newaxis, at : at + listen.DNSMOS_WINDOW]})
    spent["dnsmos"] = time.perf_counter() - started
    block = 10 * listen.RATE
    started = time.perf_counter()
    for x in audio16:
        for at in range(0, x.size, block):
            part = x[at : at + block].astype(np.float64)
            parselmouth.Sound(part, sampling_frequency=listen.RATE).to_pitch_ac(
                time_step=0.01, pitch_floor=listen.PITCH_FLOOR, pitch_ceiling=listen.PITCH_CEILING
            )
    spent["pitch"] = time.perf_counter() - started
    return spent


def run(size: str, out_dir: Path) -> dict[str, Any]:
    from reconciler.data import models

    missing = models.missing()
    if missing:
        raise SystemExit(f"bench speech needs the audio extra ({models.INSTALL_HINT})")
    cores = _one_core()
    try:
        return _measure(size, out_dir)
    finally:
        if cores is not None:
            os.sched_setaffinity(0, cores)


def _measure(size: str, out_dir: Path) -> dict[str, Any]:
    from reconciler.data.listen import Resampler
    from reconciler.speechlike import pcm16, steady_long_signal

    began = begin()
    count, seconds, repeats = SIZES[size]
    audio_seconds = count * seconds
    with scratch_dir("speech") as scratch:
        files, audio16 = [], []
        for index in range(count):
            # Each file its own (a quiet noise of its own seed): the analysis remembers the
            # DNSMOS windows it has scored, and identical files would hide the model's cost.
            signal = steady_long_signal(seconds, RATE)
            signal = signal + np.random.default_rng(index).normal(0, 1e-4, signal.size)
            path = scratch / f"take{index}.wav"
            path.write_bytes(pcm16(signal, RATE))
            files.append(path)
            audio16.append(Resampler(RATE)(signal.astype(np.float32)))
        total = sum(p.stat().st_size for p in files)
        names = [str(p) for p in files]
        run_child(["sha256sum", *names]).check()  # untimed: pages now cached
        sox = shutil.which("sox")
        ours, bare, sha, soxes = [], [], [], []
        for _ in range(repeats):
            sha.append(run_child(["sha256sum", *names]).check().seconds)
            if sox:
                soxes.append(sum(run_child([sox, n, "-n", "stats"]).check().seconds for n in names))
            ours.append(full_analysis(files))
            bare.append(bare_inference(audio16))
    per_hour = 3600 / audio_seconds
    bare_total = [sum(b.values()) for b in bare]
    r: dict[str, Any] = {
        "audio_seconds": audio_seconds,
        "bytes": total,
        "analysis_seconds": ours,
        "bare_inference_seconds": bare,
        "sha256sum_seconds": sha,
        "sox_stats_seconds": soxes,
        "analysis_seconds_per_hour": median(ours) * per_hour,
        "bare_seconds_per_hour": median(bare_total) * per_hour,
        "real_time_factor": audio_seconds / median(ours),
        "ratio_to_bare_inference": median(ours) / median(bare_total),
    }
    rows = [
        ["sha256sum", median(sha) * per_hour, audio_seconds / median(sha)],
        ["full analysis (models included)", r["analysis_seconds_per_hour"], r["real_time_factor"]],
        [
            "bare inference, all models",
            r["bare_seconds_per_hour"],
            audio_seconds / median(bare_total),
        ],
    ]
    for model in ("vad", "dnsmos", "pitch"):
        spent = median([b[model] for b in bare])
        rows.append([f"  bare {model}", spent * per_hour, audio_seconds / spent])
    if soxes:
        rows.append(
            ["sox FILE -n stats (summed)", median(soxes) * per_hour, audio_seconds / median(soxes)]
        )
    summary = Summary(
        benchmark="speech",
        size=size,
        began=began,
        tables=[
            Table(
                "one hour of 48 kHz speech, one core", ["what", "seconds/hour", "x real time"], rows
            )
        ],
        results=r,
        targets=[
            Target(
                "full analysis, x real time on one core",
                ">= 100x",
                f"{r['real_time_factor']:.0f}x",
                r["real_time_factor"] >= 100,
            ),
            Target(
                "full analysis over bare inference",
                "<= 1.2x",
                f"{r['ratio_to_bare_inference']:.2f}x",
                r["ratio_to_bare_inference"] <= 1.2,
            ),
        ],
        notes=[
            f"{count} files of {seconds:g} s at 48 kHz ({total / MIB:,.0f} MiB), speech-like "
            f"(reconciler.speechlike); median of {repeats} runs; pinned to one core",
            "bare inference: the same Silero VAD, DNSMOS session and Praat pitch fed the same "
            "16 kHz audio, resampled beforehand (untimed)",
        ],
    )
    report(summary, out_dir)
    return summary.to_json()
