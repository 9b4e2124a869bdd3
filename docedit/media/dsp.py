"""The few filters the sound needs, without importing `scipy.signal`.

`scipy.signal` brings in scipy.stats, interpolate and optimize when it is imported: 0.6 s
of CPU in the sound process of every render, as much as mixing a 3-minute cut. The mix
uses four things from it, and each is small given LAPACK and numpy:

- IIR filtering (lfilter with state): a biquad is a 3-tap FIR followed by an all-pole
  recursion, and that recursion over a block *is* a unit lower-triangular banded linear
  system (`a0 y[n] + a1 y[n-1] + a2 y[n-2] = v[n]`), which LAPACK's banded triangular
  solve (`dtbtrs`) works out by forward substitution, in float64;
- zero-phase filtering (sosfiltfilt), the same with odd-extension padding and the
  filters started in their steady state, forwards then backwards;
- filter design: RBJ cookbook biquads (as pyloudnorm builds its K-weighting, for
  sound/loudness.py), a Butterworth band-pass (scipy.signal.butter's poles, in
  conjugate pairs; the phone line) and firwin's Kaiser-windowed sinc;
- upsampling by an integer factor (resample_poly): one short convolution per phase.

Every one is checked against scipy.signal (and pyloudnorm) in tests/test_dsp.py. A
resampling ratio that is not an integer (44.1 kHz to 48 kHz) is left to
scipy.signal.resample_poly, imported then: phone calls (8 kHz) and beds at the project's
rate, the usual case, need no scipy.signal at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import lapack

Filter = tuple[np.ndarray, np.ndarray]  # (b, a), a[0] == 1
Biquad = Filter  # of three coefficients each


def rbj_biquad(kind: str, fc: float, q: float, gain_db: float, rate: int) -> Biquad:
    """An RBJ cookbook biquad ('high_shelf', 'high_pass' or 'low_pass'), as pyloudnorm
    computes it (the same expressions, so the same coefficients), normalised by a0."""
    big_a = 10 ** (gain_db / 40.0)
    w0 = 2.0 * np.pi * (fc / rate)
    alpha = np.sin(w0) / (2.0 * q)
    cos, root = np.cos(w0), 2 * np.sqrt(big_a) * alpha
    if kind == "high_shelf":
        b = [
            big_a * ((big_a + 1) + (big_a - 1) * cos + root),
            -2 * big_a * ((big_a - 1) + (big_a + 1) * cos),
            big_a * ((big_a + 1) + (big_a - 1) * cos - root),
        ]
        a = [
            (big_a + 1) - (big_a - 1) * cos + root,
            2 * ((big_a - 1) - (big_a + 1) * cos),
            (big_a + 1) - (big_a - 1) * cos - root,
        ]
    elif kind == "high_pass":
        b = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2]
        a = [1 + alpha, -2 * cos, 1 - alpha]
    elif kind == "low_pass":
        b = [(1 - cos) / 2, 1 - cos, (1 - cos) / 2]
        a = [1 + alpha, -2 * cos, 1 - alpha]
    else:
        raise ValueError(f"no such biquad: {kind}")
    return np.array(b) / a[0], np.array(a) / a[0]


def butter_band(order: int, low: float, high: float, rate: int) -> list[Biquad]:
    """scipy.signal.butter(order, [low, high], 'bandpass', fs=rate) as biquads: the analog
    prototype's poles moved to the band, through the pre-warped bilinear transform, in
    conjugate pairs; every section has its zeros at DC and Nyquist. The product of the
    sections is butter's transfer function (the overall gain sits in the first)."""
    k = np.arange(-order + 1, order, 2)
    prototype = -np.exp(1j * np.pi * k / (2 * order))
    fs2 = 2.0 * rate
    w_low, w_high = fs2 * math.tan(math.pi * low / rate), fs2 * math.tan(math.pi * high / rate)
    width, centre = w_high - w_low, math.sqrt(w_low * w_high)
    half = prototype * width / 2
    shift = np.sqrt(half**2 - centre**2)
    analog = np.concatenate([half + shift, half - shift])
    poles = (fs2 + analog) / (fs2 - analog)
    gain = float(np.real(width**order * fs2**order / np.prod(fs2 - analog)))
    upper = sorted((p for p in poles if p.imag > 0), key=lambda p: abs(p))
    sections = []
    for index, pole in enumerate(upper):
        b = np.array([1.0, 0.0, -1.0]) * (gain if index == 0 else 1.0)
        sections.append((b, np.array([1.0, -2 * pole.real, abs(pole) ** 2])))
    return sections


def kaiser_lowpass(taps: int, cutoff: float, beta: float) -> np.ndarray:
    """scipy.signal.firwin(taps, cutoff, window=('kaiser', beta)): a windowed sinc with
    `cutoff` relative to Nyquist, scaled to a gain of 1 at DC."""
    middle = np.arange(taps) - (taps - 1) / 2
    h = cutoff * np.sinc(cutoff * middle) * np.kaiser(taps, beta)
    return h / h.sum()


def combined(sections: list[Biquad]) -> Filter:
    """A cascade of biquads as one transfer function (b and a multiplied out). LAPACK's
    banded solve costs about the same for 2 bands below the diagonal as for 8 (its time
    goes in the recursion's chain, not its width), so one filter of the cascade's whole
    order runs at the cost of one biquad. In float64 that order loses nothing that
    matters: the phone band's 8th-order form differs from its sections by 3e-8 at 48 kHz."""
    b, a = np.array([1.0]), np.array([1.0])
    for section_b, section_a in sections:
        b, a = np.convolve(b, section_b), np.convolve(a, section_a)
    return b, a


@dataclass
class IIR:
    """A recursive filter (b, a with a[0] == 1, of any order) whose state is carried
    from block to block, as lfilter's `zi` carries it: the last `order` inputs and
    outputs."""

    b: np.ndarray
    a: np.ndarray
    channels: int
    inputs: np.ndarray = field(init=False)  # x[n-order] .. x[n-1], per channel
    outputs: np.ndarray = field(init=False)  # y[n-order] .. y[n-1], per channel
    _band: np.ndarray | None = field(init=False, default=None, repr=False)

    @classmethod
    def of(cls, sections: list[Biquad], channels: int) -> IIR:
        b, a = combined(sections)
        return cls(b, a, channels)

    @property
    def order(self) -> int:
        return len(self.a) - 1

    def __post_init__(self) -> None:
        self.inputs = np.zeros((self.order, self.channels))
        self.outputs = np.zeros((self.order, self.channels))

    def settle(self, first: np.ndarray) -> None:
        """Start as if the input had always been `first` (per channel): scipy's
        steady-state initial conditions (lfilter_zi times the first sample)."""
        self.inputs = np.tile(np.asarray(first, dtype=np.float64), (self.order, 1))
        self.outputs = self.inputs * (self.b.sum() / self.a.sum())

    def scale(self, gain: float) -> None:
        """The state as if every input so far had been `gain` times as large."""
        self.inputs = self.inputs * gain
        self.outputs = self.outputs * gain

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Filter a block (n, channels); the result is float64 in Fortran order (one
        contiguous column per channel, as LAPACK works), and the state moves to its end."""
        n, order, a = x.shape[0], self.order, self.a
        if n == 0:
            return np.zeros((0, self.channels), order="F")
        v = np.empty((n, self.channels), order="F")
        for channel in range(self.channels):  # the FIR part, over the inputs before too
            column = np.concatenate([self.inputs[:, channel], x[:, channel]])
            v[:, channel] = np.convolve(column, self.b, mode="valid")
        # Row i of the recursion holds a[j] * y[i - j]; where i - j < 0 that output is
        # the state's, known: it moves to the right-hand side.
        for i in range(min(order, n)):
            v[i] -= a[i + 1 :] @ self.outputs[i:][::-1]
        y, info = lapack.dtbtrs(self._banded(n), v, uplo="L", diag="U", overwrite_b=1)
        if info != 0:  # a unit-diagonal triangular system is never singular
            raise ArithmeticError(f"LAPACK dtbtrs failed ({info})")
        self.inputs = np.vstack([self.inputs, x[-order:]])[-order:].astype(np.float64)
        self.outputs = np.vstack([self.outputs, y[-order:]])[-order:]
        return y

    def _banded(self, n: int) -> np.ndarray:
        """The recursion's matrix in LAPACK's lower band storage (unit diagonal, then a1,
        a2, ... below it), made once per block length."""
        if self._band is None or self._band.shape[1] != n:
            band = np.empty((self.order + 1, n), order="F")
            for row, value in enumerate(self.a):
                band[row] = value
            self._band = band
        return self._band


def filtfilt(sections: list[Biquad], x: np.ndarray) -> np.ndarray:
    """scipy.signal.sosfiltfilt(sections, x, axis=0): forwards, then backwards, over the
    signal extended by odd reflection at both ends, each pass started in its steady
    state for the first sample it sees."""
    pad = 3 * (2 * len(sections) + 1)  # sosfiltfilt's default for sections with b2, a2
    x = np.asarray(x, dtype=np.float64)
    if x.shape[0] <= pad:
        raise ValueError(f"{x.shape[0]} samples are too few to filter both ways (> {pad})")
    head = 2 * x[0] - x[pad:0:-1]
    tail = 2 * x[-1] - x[-2 : -pad - 2 : -1]
    extended = np.concatenate([head, x, tail])
    forward = _settled(sections, extended)[::-1]
    both = _settled(sections, forward)[::-1]
    return both[pad:-pad]


def _settled(sections: list[Biquad], x: np.ndarray) -> np.ndarray:
    iir = IIR.of(sections, x.shape[1])
    iir.settle(x[0])
    return iir(np.asfortranarray(x))


def upsample(x: np.ndarray, up: int, h: np.ndarray) -> np.ndarray:
    """scipy.signal.resample_poly(x, up, 1, axis=0, window=h) for an odd, centred FIR `h`
    (resample_poly scales it by `up`): phase p of the output is x convolved with every
    up-th tap of h from p, one short numpy convolution per phase and channel."""
    n, channels = x.shape
    half = (len(h) - 1) // 2
    taps = -(-len(h) // up)
    padded_h = np.zeros(taps * up)
    padded_h[: len(h)] = np.asarray(h, dtype=np.float64) * up
    out = np.empty((n * up, channels))
    for phase in range(up):
        # output m = up * j + phase is tap index t = m + half of the upsampled filter:
        # its polyphase branch (t % up) convolved with x, at input position t // up
        branch = (phase + half) % up
        shift = (phase + half) // up
        kernel = padded_h[branch::up]
        for channel in range(channels):
            full = np.convolve(x[:, channel], kernel)
            out[phase::up, channel] = full[shift : shift + n]
    return out


def resample(audio: np.ndarray, source_rate: int, rate: int) -> np.ndarray:
    """audio (n, channels) at `source_rate`, resampled to `rate` as resample_poly does it."""
    common = math.gcd(source_rate, rate)
    up, down = rate // common, source_rate // common
    if down == 1:  # resample_poly's own filter: 10 zero crossings a side, Kaiser beta 5
        h = kaiser_lowpass(2 * 10 * up + 1, 1 / up, 5.0)
        return upsample(np.asarray(audio, dtype=np.float64), up, h)
    from scipy import signal  # a rational ratio (44.1 to 48 kHz): scipy's own, imported now

    return np.asarray(signal.resample_poly(audio, up, down, axis=0))
