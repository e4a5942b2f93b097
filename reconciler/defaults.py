"""Defaults that the command-line help names, kept where ``--help`` can read them cheaply.

The modules that use them (status polling, previews, the data preflight) pull in HTTP and
YAML libraries; defining the values here lets the parser show them without that cost.
"""

from __future__ import annotations

STATUS_POLL_SECONDS = 5.0  # status --wait: the first interval between checks
PREVIEW_TIMEOUT_SECONDS = 300.0  # preview: how long to wait for the audio
# The recording guide's format, 48 kHz 16-bit mono: MetaStudio's review rejects any other
# (MSS.20020011), so validate does too unless these are widened on the command line.
DEFAULT_SAMPLE_RATES = (48000,)
DEFAULT_BIT_DEPTHS = (16,)
PLAN_FORMATS = ("text", "markdown", "json")
# preview: the documented ranges (API reference 2.13), checked so a typo costs no request
PREVIEW_RANGES = {"speed": (50, 200), "pitch": (50, 200), "volume": (90, 240)}
ASSESS_TIMEOUT_SECONDS = 600.0  # assess, plan --assess: how long to wait for the short job
