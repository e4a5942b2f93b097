"""Thresholds for what MetaStudio's review rejects (errors) and what risks a worse voice (warnings).

Where the service documents a number it is used as is (sentences 5 to 15 s, 48 kHz 16-bit
mono, the editions' total durations, 2 to 3 s between sentences); those are errors here
exactly where the emulator's review rejects them. The service measures SNR, reverb and
background noise but publishes no thresholds; those defaults follow published speech-corpus
practice and are our judgement. One table in README ("Training-data checks") names each
rule, its source and the review's verdict.
Every threshold can be tightened or relaxed in YAML under ``checks``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from reconciler.data.audio import AudioStats
from reconciler.data.models import VAD
from reconciler.data.report import Report

if TYPE_CHECKING:  # the typed result only: importing the client would load requests
    from reconciler.metastudio.durations import TenantDurations


@dataclass(frozen=True)
class DurationLimits:
    """Total recorded seconds one edition takes: below min or above max is refused."""

    min_seconds: float
    max_seconds: float | None = None
    advised_seconds: float | None = None  # below it: a warning (a thinner voice)


# The product documentation: basic about 3 to 10 min, advanced 10 to 30 min, premium about an
# hour or more, third-party about 5 min. "About" leaves room below the advised figures; a
# tenant's own limits (op 17, tenant-duration-cfg) replace these when plan can ask for them.
DEFAULT_DURATIONS: dict[str, DurationLimits] = {
    "basic": DurationLimits(120.0, 600.0, 180.0),
    "advanced": DurationLimits(600.0, 1800.0, 600.0),
    "premium": DurationLimits(1800.0, None, 3600.0),
    "third-party": DurationLimits(180.0, 1800.0, 300.0),
}


# Op 17's key prefixes per edition: "middle" is Advanced, "advance" is Premium, and cmww
# (Mobvoi) is the THIRD_PARTY job type (API doc section 0); flexus and ljzn have no edition here.
TENANT_PREFIXES = {
    "basic": "basic",
    "advanced": "middle",
    "premium": "advance",
    "third-party": "cmww",
}


def tenant_duration_limits(durations: TenantDurations) -> dict[str, DurationLimits]:
    """Per edition, the tenant's limits from op 17's typed result (its number rules are
    ``TenantDurations``'). An edition whose minimum is unknown is left out, to the defaults
    whole; with a minimum, the tenant's unknown maximum or advice is no bound and no advice."""
    limits = {}
    for edition, prefix in TENANT_PREFIXES.items():
        tenant = durations.editions.get(prefix)
        if tenant is not None and tenant.min is not None:
            limits[edition] = DurationLimits(tenant.min, tenant.max, tenant.advice_value)
    return limits


@dataclass(frozen=True)
class Thresholds:
    """Field names are the YAML keys under ``checks`` (see the schema for each one's source)."""

    sample_rate: int = 48000  # documented; other rates allowed by --sample-rates warn
    min_snr_db: float = 25.0  # error below (judgement; the service publishes none)
    advised_snr_db: float = 35.0  # warning below (TTS corpora record at 35-40 dB or more)
    min_speech_dbfs: float = -40.0  # error below: too quiet to train on
    advised_min_speech_dbfs: float = -30.0
    advised_max_speech_dbfs: float = -12.0
    max_peak_dbfs: float = -1.0  # warning above (EBU R128 true-peak headroom)
    max_clipped_share: float = 0.001  # error above; any run of 3 full-scale samples warns
    max_dc_offset: float = 0.01  # warning above (mean sample, full scale = 1)
    advised_max_edge_silence: float = 1.0  # leading or trailing silence: warning above
    max_edge_silence: float = 3.0  # error above
    max_silence_share: float = 0.6  # warning above, for a sentence
    max_pause: float = 10.0  # long takes: a pause longer than this warns
    # Long takes: sound without a sentence pause for longer than this is refused. The review
    # cuts a take at its pauses into sentences, which last at most 15 s (the recording guide).
    max_unpaused: float = 15.0
    cn_chars_per_second: tuple[float, float] = (2.0, 8.0)
    en_letters_per_second: tuple[float, float] = (8.0, 25.0)
    # The model checks (the ``audio`` extra). Share of the sounding time the voice-activity
    # model hears as speech: below it, and with DNSMOS hearing no voice in it either (SIG
    # under 1.6; music and tones score about 1.2, synthetic voices 2 and up), the file is
    # music, tones or noise (judgement). Both must agree: a voice the VAD does not know (it
    # hears little of a synthesiser's) must not be refused.
    min_speech_share: float = 0.3
    # DNSMOS P.835, 1 to 5 (ITU-T P.835: 1 bad, 2 poor, 3 fair). Emilia (He et al., 2024)
    # keeps OVRL 3.0 and up for a TTS corpus of found audio, but clean read speech from
    # synthesisers scores OVRL 1.8 to 3.2 and SIG 2.1 to 3.5, so the defaults warn only
    # below that: reverb and distortion take SIG and OVRL to about 1.2, noise at 10 dB SNR
    # BAK to about 2 (our judgement).
    min_dnsmos_ovrl: float = 1.5
    min_dnsmos_sig: float = 1.8
    min_dnsmos_bak: float = 2.5
    # Energy above 4 kHz over that below: telephone audio has none (judgement: read speech
    # in a room reads -10 to -30 dB, a phone line band-limited to 3.4 kHz under -80 dB, and
    # dull synthetic voices about -50).
    min_high_band_db: float = -65.0
    # A file whose median pitch is this far from the voice's (semitones) is another speaker
    # (judgement: one speaker's sentences stay within 2 to 3; a man's and a woman's voice
    # are about an octave apart).
    max_pitch_semitones: float = 6.0
    sample_rates: tuple[int, ...] | None = None  # None: the command line's (default 48000)
    bit_depths: tuple[int, ...] | None = None  # None: the command line's (default 16)
    min_total_seconds: float | None = None  # None: the edition's (tenant's) limit
    max_total_seconds: float | None = None
    advised_total_seconds: float | None = None

    @classmethod
    def from_yaml(cls, raw: Mapping[str, Any]) -> Thresholds:
        """The defaults with the schema-checked YAML ``checks`` mapping applied. Called once
        per voice: the field names are looked up once, and the defaults are not built twice."""
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v
            for k, v in raw.items()
            if k in _THRESHOLD_FIELDS
        }
        return cls(**values)

    def durations(self, limits: DurationLimits) -> DurationLimits:
        return DurationLimits(
            self.min_total_seconds if self.min_total_seconds is not None else limits.min_seconds,
            self.max_total_seconds if self.max_total_seconds is not None else limits.max_seconds,
            self.advised_total_seconds
            if self.advised_total_seconds is not None
            else limits.advised_seconds,
        )


_THRESHOLD_FIELDS = frozenset(f.name for f in fields(Thresholds))


_VOICE_SIG = 1.6  # DNSMOS SIG at or above which a recording holds a voice


def judge_audio(
    stats: AudioStats, name: str, t: Thresholds, report: Report, *, long_take: bool
) -> None:
    """Findings for one decoded recording."""
    if stats.digital_silence_seconds >= stats.seconds - 0.05 or stats.peak_dbfs <= -90:
        report.error("silent: no sound in it at all; record the text", name)
        return
    if stats.clipped_share > t.max_clipped_share:
        share = f"{stats.clipped_share:.1%} of samples at full scale"
        report.error("clipped: record again with the input gain lower", name, share)
    elif stats.longest_clip_run >= 3:
        run = f"{stats.longest_clip_run} full-scale samples in a row"
        report.warning("clips in places: lower the input gain a little", name, run)
    elif stats.peak_dbfs > t.max_peak_dbfs:
        report.warning(
            f"peaks above {t.max_peak_dbfs:g} dBFS: leave headroom", name, _dbfs(stats.peak_dbfs)
        )
    heard = set(stats.models)
    if stats.speech_seconds < 0.5:
        if VAD in heard:
            report.error("no speech found: the recording is silence, noise, music or tones", name)
        elif stats.noise_dbfs > t.min_speech_dbfs:
            report.error("too noisy: no speech stands out above the noise", name)
        else:
            report.error("no speech found: the recording is silence or steady noise", name)
        return
    unvoiced = stats.dnsmos_sig is None or stats.dnsmos_sig < _VOICE_SIG
    heard_share = stats.speech_share
    # The VAD hearing little (under the share, or too little of the sound to be trusted) is
    # overruled only by DNSMOS hearing a voice: a real take neither hears is not speech.
    unheard = heard_share is not None and (
        heard_share < t.min_speech_share or stats.vad_trusted is False
    )
    if VAD in heard and unheard and unvoiced:
        report.error(
            "not speech: music, tones or noise (the voice-activity model hears speech in "
            f"less than {t.min_speech_share:.0%} of it, or too little of its sound, and "
            "DNSMOS hears no voice); record the text spoken",
            name,
            f"speech in {heard_share:.0%}",
        )
        return
    level = _dbfs(stats.speech_dbfs)
    if stats.speech_dbfs < t.min_speech_dbfs:
        report.error(
            f"far too quiet (speech below {t.min_speech_dbfs:g} dBFS): record closer to the "
            "microphone or raise the gain",
            name,
            level,
        )
    elif stats.speech_dbfs < t.advised_min_speech_dbfs:
        report.warning(f"quiet (speech below {t.advised_min_speech_dbfs:g} dBFS)", name, level)
    elif stats.speech_dbfs > t.advised_max_speech_dbfs:
        report.warning(f"loud (speech above {t.advised_max_speech_dbfs:g} dBFS)", name, level)
    snr = f"SNR {stats.snr_db:.0f} dB"
    if stats.snr_fallback and VAD in heard:
        # No pause to hear the room in: the estimate reads low, so it cannot refuse a file.
        if stats.snr_db < t.min_snr_db:
            report.warning(
                "SNR not measurable (no pause of 0.1 s): leave a short pause before and after "
                "speaking",
                name,
                f"at least {stats.snr_db:.0f} dB",
            )
    elif stats.snr_db < t.min_snr_db:
        report.error(
            f"too noisy (SNR below {t.min_snr_db:g} dB): record in a quiet room without "
            "background sound",
            name,
            snr,
        )
    elif stats.snr_db < t.advised_snr_db:
        report.warning(f"background noise (SNR below {t.advised_snr_db:g} dB)", name, snr)
    if abs(stats.dc_offset) > t.max_dc_offset:
        report.warning("DC offset: the audio interface adds a constant; remove it", name)
    for edge, seconds in (("leading", stats.leading_silence), ("trailing", stats.trailing_silence)):
        shown = f"{seconds:.1f} s"
        if seconds > t.max_edge_silence:
            report.error(f"{edge} silence over {t.max_edge_silence:g} s: trim it", name, shown)
        elif seconds > t.advised_max_edge_silence:
            advice = f"{edge} silence over {t.advised_max_edge_silence:g} s: trim it"
            report.warning(advice, name, shown)
    _judge_models(stats, name, t, report)
    if long_take:
        _judge_take(stats, name, t, report)
    elif 1 - stats.speech_seconds / stats.seconds > t.max_silence_share:
        share = f"{1 - stats.speech_seconds / stats.seconds:.0%} silence"
        report.warning("mostly silence", name, share)


def _judge_models(stats: AudioStats, name: str, t: Thresholds, report: Report) -> None:
    if stats.dnsmos_ovrl is not None and stats.dnsmos_ovrl < t.min_dnsmos_ovrl:
        report.warning(
            f"poor overall quality (DNSMOS OVRL below {t.min_dnsmos_ovrl:g})",
            name,
            f"OVRL {stats.dnsmos_ovrl:.2f}",
        )
    if stats.dnsmos_sig is not None and stats.dnsmos_sig < t.min_dnsmos_sig:
        report.warning(
            f"reverberant or distorted voice (DNSMOS SIG below {t.min_dnsmos_sig:g}): record "
            "close to the microphone in a damped room",
            name,
            f"SIG {stats.dnsmos_sig:.2f}",
        )
    if stats.dnsmos_bak is not None and stats.dnsmos_bak < t.min_dnsmos_bak:
        report.warning(
            f"background noise (DNSMOS BAK below {t.min_dnsmos_bak:g})",
            name,
            f"BAK {stats.dnsmos_bak:.2f}",
        )
    if (
        stats.high_band_db is not None
        and stats.sample_rate > 16000
        and stats.high_band_db < t.min_high_band_db
    ):
        report.warning(
            "telephone bandwidth: nothing above 4 kHz (upsampled from a phone or 8 kHz "
            "recording); record at 48 kHz",
            name,
            f"{stats.high_band_db:.0f} dB above 4 kHz",
        )


def judge_speakers(pitches: dict[str, float], t: Thresholds, report: Report) -> None:
    """Files whose median pitch is far from the voice's: another speaker in the dataset."""
    if len(pitches) < 2:
        return
    voice = float(np.median(list(pitches.values())))
    for name, f0 in pitches.items():
        distance = 12 * math.log2(f0 / voice)
        if abs(distance) > t.max_pitch_semitones:
            report.warning(
                f"does not sound like the voice's speaker (median pitch over "
                f"{t.max_pitch_semitones:g} semitones from the voice's {voice:.0f} Hz): "
                "one speaker records a voice",
                name,
                f"{f0:.0f} Hz",
            )


def _judge_take(stats: AudioStats, name: str, t: Thresholds, report: Report) -> None:
    if stats.cut_count:
        where = ", ".join(f"{at:g} s" for at in stats.cuts_at)
        more = f" and {stats.cut_count - len(stats.cuts_at)} more" if stats.cut_count > 5 else ""
        report.error(
            "digital silence cut against speech (short clips spliced into one take fail "
            "review): record it in one take with 2 to 3 s pauses",
            name,
            f"at {where}{more}",
        )
    if stats.longest_without_pause > t.max_unpaused:
        report.error(
            f"no pause for over {t.max_unpaused:g} s (the review cuts a long take into sentences "
            "of at most 15 s at its pauses): leave 2 to 3 s after each sentence",
            name,
            f"{stats.longest_without_pause:.1f} s from {stats.longest_without_pause_at:.1f} s",
        )
    if stats.longest_pause > t.max_pause:
        report.warning(
            f"a pause over {t.max_pause:g} s (the guide asks for 2 to 3 s)",
            name,
            f"{stats.longest_pause:.0f} s at {stats.longest_pause_at:.1f} s",
        )


def judge_total(
    seconds: float, edition: str, limits: DurationLimits, report: Report, source: str
) -> None:
    shown = _minutes(seconds)
    span = f"{_minutes(limits.min_seconds)} to " + (
        _minutes(limits.max_seconds) if limits.max_seconds is not None else "any length"
    )
    if seconds < limits.min_seconds:
        report.error(f"{shown} of recordings, too little for {edition} ({span}, {source})")
    elif limits.max_seconds is not None and seconds > limits.max_seconds:
        report.error(f"{shown} of recordings, more than {edition} takes ({span}, {source})")
    elif limits.advised_seconds is not None and round(seconds) < limits.advised_seconds:
        advised = _minutes(limits.advised_seconds)
        report.warning(f"{shown} of recordings; {edition} voices are better from {advised} up")


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


def _dbfs(value: float) -> str:
    return f"{value:.0f} dBFS"
