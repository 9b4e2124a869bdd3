"""Loudness of any audio, fed block by block: what `docedit qc` reports.

The same BS.1770 meter and 4x true-peak interpolation as the mix (loudness.py), so a
file docedit made measures as the mix reported it; short-term loudness is the 3 s
window of EBU Tech 3341, every 100 ms.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from docedit.sound.loudness import LoudnessMeter, peak_envelope, short_term_power

_EDGE = 64  # samples of context each side, so the interpolator sees across blocks


@dataclass(frozen=True)
class Measured:
    samples: int
    integrated: float  # LUFS
    true_peak: float  # dBTP
    loudness_range: float  # LU
    short_term_max: float  # LUFS


def measure(blocks: Iterable[np.ndarray], rate: int, channels: int) -> Measured:
    meter = LoudnessMeter(rate, channels)
    peak = 0.0
    tail = np.zeros((0, channels), dtype=np.float32)
    for block in blocks:
        meter.feed(block)
        joined = np.vstack([tail, block])
        envelope = peak_envelope(joined)
        peak = max(peak, float(envelope.max(initial=0.0)))
        tail = joined[-_EDGE:]
    return Measured(
        meter.samples,
        meter.integrated(),
        20 * math.log10(peak) if peak > 0 else -math.inf,
        meter.loudness_range(),
        short_term_max(meter),
    )


def short_term_max(meter: LoudnessMeter) -> float:
    """The loudest 3 s window (30 hops of 100 ms), ungated, as Tech 3341 defines it."""
    hops = meter.hops()
    if hops.shape[0] < 30:
        return -math.inf
    loudest = float(short_term_power(hops, meter.rate).max())
    return -0.691 + 10 * math.log10(loudest) if loudest > 0 else -math.inf
