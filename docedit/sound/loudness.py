"""Loudness to spec: ITU-R BS.1770 integrated loudness, loudness range and true peak,
measured block by block so that an hour-long mix never has to be in memory at once.

The meter uses pyloudnorm's K-weighting filters (its coefficients, made by the same
expressions, carried across blocks with filter state; media/dsp.py filters without
importing scipy.signal or pyloudnorm, which cost the sound process 0.6 s of CPU) and
reproduces its gating exactly: 400 ms blocks every 100 ms, an absolute gate at -70 LUFS
and a relative gate 10 LU below. Keeping the energy of every 100 ms hop also gives
per-scene loudness and the EBU Tech 3342 loudness range.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from docedit.media.dsp import IIR, Biquad, kaiser_lowpass, rbj_biquad, upsample

OVERSAMPLE = 4
FEED_SAMPLES = 1 << 15  # samples the meter filters at a time
LIMITER_WINDOW_S = 0.008


def k_weighting(rate: int) -> list[Biquad]:
    """BS.1770's K-weighting as pyloudnorm's Meter builds it: a +4 dB high shelf at
    1.5 kHz, then the RLB high-pass at 38 Hz (tests/test_dsp.py: the same coefficients)."""
    return [
        rbj_biquad("high_shelf", 1500.0, 1 / np.sqrt(2.0), 4.0, rate),
        rbj_biquad("high_pass", 38.0, 0.5, 0.0, rate),
    ]


@dataclass
class LoudnessMeter:
    """BS.1770 K-weighted energy per 100 ms hop, fed one block at a time."""

    rate: int
    channels: int = 2
    _filter: IIR = field(init=False, repr=False)
    _hops: list = field(init=False, repr=False, default_factory=list)
    _partial: np.ndarray = field(init=False, repr=False)
    _filled: int = field(init=False, default=0)
    samples: int = field(init=False, default=0)
    # The hops as one array, made once between feeds: a mix asks for it once per scene.
    _array: np.ndarray | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        self._filter = IIR.of(k_weighting(self.rate), self.channels)
        self.hop = round(0.1 * self.rate)
        self._partial = np.zeros(self.channels)

    def feed(self, block: np.ndarray) -> None:
        """Meter the next samples, a piece at a time: the filter's float64 copies of a
        piece stay in the processor's cache (a mixing block at once was 60 MB of them,
        made and freed for every 22 s of sound)."""
        self._array = None
        for start in range(0, block.shape[0], FEED_SAMPLES):
            self._feed(block[start : start + FEED_SAMPLES])

    def _feed(self, block: np.ndarray) -> None:
        weighted = self._filter(block)  # float64, one contiguous column per channel
        squares = (weighted * weighted).T  # (channels, n), C-contiguous: hops reshape free
        count = squares.shape[1]
        self.samples += count
        position = 0
        if self._filled:  # finish the hop the last block left open
            take = min(self.hop - self._filled, count)
            self._partial += squares[:, :take].sum(axis=1)
            self._filled += take
            position = take
            if self._filled == self.hop:
                self._hops.append(self._partial)
                self._partial, self._filled = np.zeros(self.channels), 0
        whole = (count - position) // self.hop
        if whole:
            end = position + whole * self.hop
            shaped = squares[:, position:end].reshape(self.channels, whole, self.hop)
            self._hops.extend(shaped.sum(axis=2).T)
            position = end
        if position < count:
            self._partial = self._partial + squares[:, position:].sum(axis=1)
            self._filled += count - position

    def gained(self, gain: float) -> LoudnessMeter:
        """This meter as if its input had been multiplied by `gain`: K-weighting is linear,
        so every hop's energy (and the filters' state) scales with it."""
        other = copy.copy(self)
        other._hops = [hop * (gain * gain) for hop in self._hops]
        other._partial = self._partial * (gain * gain)
        other._filter = copy.copy(self._filter)
        other._filter.scale(gain)
        other._array = None
        return other

    def hops(self) -> np.ndarray:
        """Every hop's energy per channel (the open hop last), read-only."""
        if self._array is None:
            rows = [*self._hops, self._partial] if self._filled else list(self._hops)
            self._array = np.array(rows, dtype=np.float64).reshape(-1, self.channels)
            self._array.flags.writeable = False
        return self._array

    def integrated(self, first: int = 0, last: int | None = None) -> float:
        """Gated loudness of samples [first, last) (hop-aligned), as pyloudnorm computes it."""
        hops = self.hops()
        last = self.samples if last is None else last
        h0, h1 = first // self.hop, math.ceil(last / self.hop)
        return gated_loudness(hops[h0:h1], (last - first) / self.rate, self.rate)

    def loudness_range(self) -> float:
        """EBU Tech 3342: spread (10th to 95th percentile) of gated 3 s short-term
        loudness, every 100 ms, with 1.5 s of silence after the end as its example does."""
        hops = np.vstack([self.hops(), np.zeros((15, self.channels))])
        if hops.shape[0] < 30:
            return 0.0
        with np.errstate(divide="ignore"):
            short = -0.691 + 10 * np.log10(short_term_power(hops, self.rate))
        short = short[short >= -70]
        if short.size < 2:
            return 0.0
        relative = 10 * np.log10(np.mean(10 ** (short / 10))) - 20
        gated = short[short >= relative]
        return float(np.percentile(gated, 95) - np.percentile(gated, 10)) if gated.size else 0.0


def short_term_power(hops: np.ndarray, rate: int) -> np.ndarray:
    """The mean power of every 3 s window (30 hops of 100 ms), one per hop: BS.1771's
    short-term loudness before the log (at least 30 hops)."""
    power = np.cumsum(np.vstack([np.zeros((1, hops.shape[1])), hops]), axis=0).sum(axis=1)
    return (power[30:] - power[:-30]) / (3 * rate)


def gated_loudness(hops: np.ndarray, seconds: float, rate: int) -> float:
    """pyloudnorm's gating over 400 ms blocks built from four 100 ms hops each."""
    if seconds < 0.4 or hops.shape[0] < 4:
        return -math.inf
    count = int(np.round((seconds - 0.4) / 0.1)) + 1
    padded = np.vstack([hops, np.zeros((4, hops.shape[1]))])
    # four hops per block, added in order: (count, channels)
    hops_sum = (
        padded[:count] + padded[1 : count + 1] + padded[2 : count + 2] + padded[3 : count + 3]
    )
    blocks = hops_sum / (0.4 * rate)
    weights = np.array([1.0, 1.0, 1.0, 1.41, 1.41][: hops.shape[1]])
    with np.errstate(divide="ignore"):
        block_loudness = -0.691 + 10 * np.log10(blocks @ weights)
    above_absolute = block_loudness >= -70
    if not above_absolute.any():
        return -math.inf
    relative = -0.691 + 10 * np.log10(blocks[above_absolute].mean(axis=0) @ weights) - 10
    kept = (block_loudness > relative) & above_absolute
    if not kept.any():
        return -math.inf
    return float(-0.691 + 10 * np.log10(blocks[kept].mean(axis=0) @ weights))


# BS.1770-4 annex 2: a ~48-tap, 4-phase interpolation filter is enough for true peak
# (odd, so it stays centred; resample_poly scales it by the oversampling factor itself).
_INTERPOLATOR = kaiser_lowpass(49, 1 / OVERSAMPLE, 6.0)  # scipy.signal.firwin's, exactly
_STRETCH = 4096
_OVERSHOOT_DB = 4.0  # inter-sample peaks of real audio stay well within this of the samples


def peak_envelope(audio: np.ndarray, below: float = 0.0) -> np.ndarray:
    """Per sample, the largest absolute value of the 4x oversampled signal around it.

    Stretches whose sample peak is under `below` (linear) by more than the overshoot
    bound cannot reach it between samples either; they keep their sample peaks and are
    not oversampled (most of a mix, which makes this cheap).
    """
    sample_peak = np.abs(audio[:, 0]).astype(np.float32)
    for channel in range(1, audio.shape[1]):
        np.maximum(sample_peak, np.abs(audio[:, channel]), out=sample_peak)
    peak = sample_peak.copy()
    quiet = below * 10 ** (-_OVERSHOOT_DB / 20)
    count = -(-audio.shape[0] // _STRETCH)
    padded = np.zeros(count * _STRETCH, dtype=np.float32)
    padded[: sample_peak.size] = sample_peak
    loud = np.nonzero(padded.reshape(count, _STRETCH).max(axis=1) > quiet)[0]
    pad = len(_INTERPOLATOR)
    for i in loud.tolist():
        a, b = i * _STRETCH, min(audio.shape[0], (i + 1) * _STRETCH)
        lo, hi = max(0, a - pad), min(audio.shape[0], b + pad)
        up = upsample(audio[lo:hi], OVERSAMPLE, _INTERPOLATOR)  # resample_poly's result
        up = up[(a - lo) * OVERSAMPLE : (b - lo) * OVERSAMPLE].astype(np.float32)
        for channel in range(audio.shape[1]):
            for phase in range(OVERSAMPLE):
                np.maximum(peak[a:b], np.abs(up[phase::OVERSAMPLE, channel]), out=peak[a:b])
    return peak


def limiter_margin(rate: int) -> int:
    """Samples of context a block needs on each side for `limiter_gain` to give the same
    curve as over the whole signal: both filters' reach, plus the interpolator's."""
    return 4 * int(LIMITER_WINDOW_S * rate) + 256


def limiter_gain(audio: np.ndarray, ceiling_db: float, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """A smooth look-ahead gain curve that holds the true peak under the ceiling, and the
    true-peak envelope it was computed from.

    A running minimum of the gain each sample needs, then a box average of the same
    width: never above what a peak needs, and ramping into and out of it without clicks.
    """
    ceiling = 10 ** (ceiling_db / 20)
    peaks = peak_envelope(audio, below=ceiling)
    if peaks.size == 0 or peaks.max() <= ceiling:
        return np.ones(audio.shape[0], dtype=np.float32), peaks
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12)).astype(np.float32)
    width = max(3, int(LIMITER_WINDOW_S * rate) | 1)
    held = ndimage.minimum_filter1d(needed, size=2 * width + 1, mode="nearest")
    return ndimage.uniform_filter1d(held, size=2 * width + 1, mode="nearest"), peaks
