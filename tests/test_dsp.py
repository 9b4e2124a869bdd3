"""media/dsp.py against the libraries it stands in for: scipy.signal and pyloudnorm give
the expected values here; the sound process itself never imports them."""

from __future__ import annotations

import subprocess
import sys
from math import gcd

import numpy as np
import pyloudnorm
import pytest
from scipy import signal

from docedit.media import dsp
from docedit.sound.loudness import k_weighting

RNG = np.random.default_rng(7)


@pytest.mark.parametrize("rate", [8000, 44100, 48000, 96000])
def test_k_weighting_has_pyloudnorms_coefficients(rate):
    theirs = list(pyloudnorm.Meter(rate)._filters.values())
    assert [stage.passband_gain for stage in theirs] == [1.0, 1.0]
    for (b, a), stage in zip(k_weighting(rate), theirs, strict=True):
        assert np.array_equal(b, stage.b) and np.array_equal(a, stage.a)


def test_a_filter_carried_across_blocks_is_lfilter_over_the_whole():
    x = (RNG.standard_normal((30_000, 2)) * 0.3).astype(np.float32)
    expected = x.astype(np.float64)
    for b, a in k_weighting(48000):
        expected = signal.lfilter(b, a, expected, axis=0)
    iir = dsp.IIR.of(k_weighting(48000), 2)
    blocks = np.array_split(x, [1, 2, 3, 1000, 1001, 17_000])  # shorter than its order too
    got = np.concatenate([iir(block) for block in blocks])
    assert np.abs(got - expected).max() < 1e-9
    # scaled state: the rest of the signal as if all of it had been twice as loud
    half = dsp.IIR.of(k_weighting(48000), 2)
    half(x[:20_000])
    half.scale(2.0)
    assert np.abs(half(2 * x[20_000:]) - 2 * expected[20_000:]).max() < 1e-9


@pytest.mark.parametrize(("rate", "high"), [(48000, 3400.0), (44100, 3400.0), (8000, 3800.0)])
def test_the_phone_band_is_butters_and_filtfilt_is_sosfiltfilts(rate, high):
    sos = signal.butter(4, [300.0, high], btype="bandpass", fs=rate, output="sos")
    ours = np.array([np.r_[b, a] for b, a in dsp.butter_band(4, 300.0, high, rate)])
    _, theirs_response = signal.sosfreqz(sos, 2048, fs=rate)
    _, our_response = signal.sosfreqz(ours, 2048, fs=rate)
    assert np.abs(our_response - theirs_response).max() < 1e-10
    x = RNG.standard_normal((20_000, 2))
    expected = signal.sosfiltfilt(sos, x, axis=0)
    got = dsp.filtfilt(dsp.butter_band(4, 300.0, high, rate), x)
    assert np.abs(got - expected).max() < 1e-6 * np.abs(expected).max()
    with pytest.raises(ValueError, match="too few"):
        dsp.filtfilt(dsp.butter_band(4, 300.0, high, rate), x[:27])


@pytest.mark.parametrize(("taps", "cutoff", "beta"), [(49, 0.25, 6.0), (121, 1 / 6, 5.0)])
def test_kaiser_lowpass_is_firwin(taps, cutoff, beta):
    expected = signal.firwin(taps, cutoff, window=("kaiser", beta))
    assert np.abs(dsp.kaiser_lowpass(taps, cutoff, beta) - expected).max() < 1e-15


@pytest.mark.parametrize(
    ("frames", "source", "rate"),
    [(88_000, 8000, 48000), (5, 8000, 48000), (30_000, 16000, 48000), (8821, 44100, 48000)],
)
def test_resampling_is_resample_polys(frames, source, rate):
    x = RNG.standard_normal((frames, 2)).astype(np.float32)
    common = gcd(source, rate)
    expected = signal.resample_poly(x, rate // common, source // common, axis=0)
    got = dsp.resample(x, source, rate)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() < 1e-5  # scipy computes in float32 here


def test_true_peak_upsampling_is_resample_polys_with_its_window():
    h = signal.firwin(49, 0.25, window=("kaiser", 6.0))
    x = RNG.standard_normal((4194, 2))
    expected = signal.resample_poly(x, 4, 1, axis=0, window=h)
    assert np.abs(dsp.upsample(x, 4, h) - expected).max() < 1e-12


def test_the_sound_process_imports_no_scipy_signal_nor_the_timeline_models():
    """The mix's imports (what a render's sound process loads): scipy.signal and
    pyloudnorm are 0.6 s of CPU on every render, the timeline's pydantic models 0.15 s,
    and nothing of theirs is needed to mix a plan."""
    code = (
        "import sys, docedit.sound.mix, docedit.output.encode, docedit.jobs.soundjob\n"
        "print(sorted(m for m in ('scipy.signal', 'scipy.stats', 'pyloudnorm', 'pydantic', "
        "'docedit.timeline.format') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
