"""Loudness to spec: ITU-R BS.1770 integrated loudness (pyloudnorm) and true peak.

The mix is brought to the target with a gain, then held under the true-peak ceiling
by a look-ahead limiter driven by a 4x oversampled peak envelope, then measured again.
Nothing is ever clipped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyloudnorm
from scipy import ndimage, signal

OVERSAMPLE = 4
CHUNK_SAMPLES = 1 << 20  # oversample in blocks so memory stays flat on long mixes
LIMITER_WINDOW_S = 0.008


@dataclass(frozen=True)
class LoudnessReport:
    integrated: float  # LUFS
    true_peak: float  # dBTP
    loudness_range: float  # LU
    gain: float  # dB applied to reach the target


def integrated_loudness(audio: np.ndarray, rate: int) -> float:
    """BS.1770 integrated loudness; -inf for silence or anything under one gating block."""
    if audio.shape[0] < int(0.4 * rate):
        return -math.inf
    meter = pyloudnorm.Meter(rate)
    with np.errstate(divide="ignore"):
        value = meter.integrated_loudness(audio)
    return float(value) if np.isfinite(value) else -math.inf


def true_peak_envelope(audio: np.ndarray) -> np.ndarray:
    """Per sample, the largest absolute value of the 4x oversampled signal around it."""
    peaks = np.empty(audio.shape[0], dtype=np.float32)
    step = CHUNK_SAMPLES
    pad = 64
    for begin in range(0, audio.shape[0], step):
        end = min(audio.shape[0], begin + step)
        lo, hi = max(0, begin - pad), min(audio.shape[0], end + pad)
        up = signal.resample_poly(audio[lo:hi], OVERSAMPLE, 1, axis=0)
        up = np.abs(up).max(axis=1).reshape(-1, OVERSAMPLE).max(axis=1)
        peaks[begin:end] = np.maximum(
            up[begin - lo : end - lo], np.abs(audio[begin:end]).max(axis=1)
        )
    return peaks


def true_peak(audio: np.ndarray) -> float:
    """Oversampled peak in dBTP (BS.1770 annex 2 style, 4x)."""
    if audio.size == 0:
        return -math.inf
    peak = float(true_peak_envelope(audio).max())
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def loudness_range(audio: np.ndarray, rate: int) -> float:
    """EBU Tech 3342 loudness range from 3 s short-term windows (10th to 95th percentile)."""
    window, hop = 3 * rate, rate
    if audio.shape[0] < window:
        return 0.0
    meter = pyloudnorm.Meter(rate, block_size=0.4)
    weighted = audio.copy()
    for stage in meter._filters.values():  # the K-weighting stages pyloudnorm defines
        weighted = signal.lfilter(stage.b, stage.a, weighted, axis=0)
    power = np.cumsum(np.concatenate([[0.0], (weighted.astype(np.float64) ** 2).sum(axis=1)]))
    starts = np.arange(0, audio.shape[0] - window + 1, hop)
    mean = (power[starts + window] - power[starts]) / window
    with np.errstate(divide="ignore"):
        short_term = -0.691 + 10 * np.log10(mean)
    short_term = short_term[short_term > -70]
    if short_term.size == 0:
        return 0.0
    integrated = 10 * np.log10(np.mean(10 ** (short_term / 10)))
    gated = short_term[short_term > integrated - 20]
    if gated.size < 2:
        return 0.0
    return float(np.percentile(gated, 95) - np.percentile(gated, 10))


def limit(audio: np.ndarray, ceiling_db: float, rate: int) -> np.ndarray:
    """Hold the true peak under the ceiling with a smooth, look-ahead gain curve."""
    ceiling = 10 ** (ceiling_db / 20)
    peaks = true_peak_envelope(audio)
    if peaks.max() <= ceiling:
        return audio
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12)).astype(np.float32)
    width = max(3, int(LIMITER_WINDOW_S * rate) | 1)
    # A running minimum then a box average of the same width never exceeds the gain a
    # peak needs, and ramps smoothly into and out of it (no clicks, no clipping).
    held = ndimage.minimum_filter1d(needed, size=2 * width + 1, mode="nearest")
    smooth = ndimage.uniform_filter1d(held, size=2 * width + 1, mode="nearest")
    return (audio * smooth[:, None]).astype(np.float32)


def normalise(
    audio: np.ndarray, rate: int, target: float, ceiling: float
) -> tuple[np.ndarray, LoudnessReport]:
    """Gain to `target` LUFS, then limit under `ceiling` dBTP; again while limiting costs
    loudness."""
    measured = integrated_loudness(audio, rate)
    if measured == -math.inf:
        return audio, LoudnessReport(-math.inf, true_peak(audio), 0.0, 0.0)
    total_gain = 0.0
    out = audio
    for _ in range(4):
        gain = target - measured
        total_gain += gain
        out = limit(
            (audio * np.float32(10 ** (total_gain / 20))).astype(np.float32), ceiling - 0.1, rate
        )
        measured = integrated_loudness(out, rate)
        if abs(measured - target) <= 0.1:
            break
    peak = true_peak(out)
    if peak > ceiling:  # a last resort; the limiter normally leaves margin
        out = (out * np.float32(10 ** ((ceiling - 0.05 - peak) / 20))).astype(np.float32)
        peak, measured = true_peak(out), integrated_loudness(out, rate)
    return out, LoudnessReport(measured, peak, loudness_range(out, rate), total_gain)
