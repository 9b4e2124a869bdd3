"""The mix, measured on the written WAV: placement to the sample, ducking, bleeps, loudness."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from scipy import signal

from docedit.jobs.render import mix
from docedit.jobs.validate import load_project
from docedit.media.decode import decode_audio
from docedit.media.probe import ProbeCache
from docedit.plan import make_plan
from tests import media
from tests.conftest import DATA, SAMPLE

RATE = 48000


def mixed(tmp_path: Path, data: dict, name: str = "m.wav") -> np.ndarray:
    path = media.timeline(tmp_path / "t.yaml", {"docedit": 1, **data})
    out = tmp_path / name
    mix(load_project(path), out)
    audio, rate, width = media.read_wav(out)
    assert (rate, width, audio.shape[1]) == (RATE, 3, 2)
    return audio


def rms_db(x: np.ndarray) -> float:
    return 20 * math.log10(np.sqrt(np.mean(x.astype(np.float64) ** 2)) + 1e-12)


@pytest.mark.parametrize("source_rate", [48000, 8000])
def test_an_impulse_lands_on_its_sample(tmp_path, source_rate):
    offset = source_rate // 10  # 0.1 s into the source, clear of the de-click ramp
    media.impulse_wav(tmp_path / "click.wav", 0.5, offset, source_rate)
    audio = mixed(
        tmp_path,
        {
            "settings": {"loudness": -30},
            "scenes": {"a": {"audio": [{"file": "click.wav", "at": "1.234s"}], "length": "3s"}},
        },
    )
    assert int(np.argmax(np.abs(audio[:, 0]))) == round(1.234 * RATE) + RATE // 10
    assert audio.shape[0] == 3 * RATE


def test_second_scene_event_lands_at_first_scene_length_plus_at(tmp_path):
    media.impulse_wav(tmp_path / "click.wav", 0.5, 4800)
    media.still(tmp_path / "a.png", (200, 0, 0))
    audio = mixed(
        tmp_path,
        {
            "settings": {"fps": 29.97, "loudness": -30},
            "scenes": {
                "one": {"pictures": [{"image": "a.png", "hold": "3.3s"}]},
                "two": {"audio": [{"file": "click.wav", "at": "2s"}], "length": "3s"},
            },
        },
    )
    first_scene_frames = round(3.3 * 30000 / 1001)  # 99 frames at 29.97
    first_scene_samples = round(first_scene_frames * 1001 / 30000 * RATE)
    assert int(np.argmax(np.abs(audio[:, 0]))) == first_scene_samples + 2 * RATE + 4800


def test_bed_ducks_by_its_depth_with_ramps_not_steps(tmp_path):
    media.write_wav(tmp_path / "bed.wav", media.tone(12, 220, 0.2))
    media.write_wav(tmp_path / "silent-call.wav", np.zeros(4 * RATE))
    audio = mixed(
        tmp_path,
        {
            "settings": {"duck_attack": "150ms", "duck_release": "400ms"},
            "intercepts": {"c": {"file": "silent-call.wav"}},
            "scenes": {
                "a": {
                    "audio": [
                        {"bed": "bed.wav", "duck": "-10dB"},
                        {"intercept": "c", "at": "4s"},
                    ],
                    "length": "10s",
                }
            },
        },
    )
    left = audio[:, 0]
    outside = rms_db(left[int(1 * RATE) : int(3.5 * RATE)])
    inside = rms_db(left[int(4.2 * RATE) : int(7.8 * RATE)])
    assert inside - outside == pytest.approx(-10, abs=1.0)
    # Envelope per 10 ms: the fall takes ~150 ms before speech, the rise ~400 ms after.
    block = RATE // 100
    env = np.sqrt((left[: left.size // block * block].reshape(-1, block) ** 2).mean(axis=1))
    env_db = 20 * np.log10(env + 1e-12)
    top, bottom = outside, inside
    falling = np.where((env_db < top - 1) & (env_db > bottom + 1))[0]
    fall = falling[(falling > 350) & (falling < 410)]
    rise = falling[(falling > 790) & (falling < 860)]
    assert 0.09 <= len(fall) / 100 <= 0.16  # attack ends as the call starts
    assert fall.max() < 400
    assert 0.25 <= len(rise) / 100 <= 0.42
    assert rise.min() >= 800
    assert np.abs(np.diff(env_db[300:900])).max() < 1.5  # no step anywhere


def test_redaction_is_a_1khz_tone_and_nothing_of_the_speech(tmp_path):
    speech = DATA / "example.wav"
    audio = mixed(
        tmp_path,
        {
            "settings": {"loudness": -20},
            "intercepts": {"c": {"file": str(speech), "redact": [["0.8s", "1.3s"]]}},
            "scenes": {"a": {"audio": [{"intercept": "c", "at": "1s"}]}},
        },
    )
    span = audio[int(1.81 * RATE) : int(2.29 * RATE), 0]
    spectrum = np.abs(np.fft.rfft(span * np.hanning(span.size)))
    peak_hz = np.fft.rfftfreq(span.size, 1 / RATE)[np.argmax(spectrum)]
    assert peak_hz == pytest.approx(1000, abs=5)
    tone_share = (
        spectrum[np.abs(np.fft.rfftfreq(span.size, 1 / RATE) - 1000) < 30].sum() / spectrum.sum()
    )
    assert tone_share > 0.9
    original = decode_audio(ProbeCache(tmp_path / "c").get(speech, "av"), RATE)[:, 0]
    original_span = original[int(0.81 * RATE) : int(1.29 * RATE)]
    corr = np.corrcoef(span, original_span)[0, 1]
    assert abs(corr) < 0.05
    # The tone sits at about the speech level of the call (within 6 dB of its voiced RMS).
    voiced = audio[int(1 * RATE) : int(1.75 * RATE), 0]
    assert rms_db(span) == pytest.approx(rms_db(voiced[np.abs(voiced) > 1e-3]), abs=6)


def test_sample_cut_meets_loudness_and_true_peak(tmp_path):
    out = tmp_path / "sample.wav"
    mix(load_project(SAMPLE), out)
    audio, rate, _ = media.read_wav(out)
    loudness = pyloudnorm.Meter(rate).integrated_loudness(audio)
    assert loudness == pytest.approx(-16, abs=0.5)
    assert media.true_peak_db(audio) <= -1.0
    again = tmp_path / "again.wav"
    mix(load_project(SAMPLE), again)
    assert out.read_bytes() == again.read_bytes()  # same inputs, same samples
    # call-03 sits at `at: 2s` in the second scene: it starts at (first scene length + 2 s)
    # to the sample, found by cross-correlating the call itself against the mix.
    project = load_project(SAMPLE)
    plan = make_plan(project)
    first_scene = plan.scenes[0]
    expected = plan.clock.frame_to_sample(first_scene.frames) + 2 * RATE
    call = decode_audio(project.info("../assets/intercepts/call-03.wav"), RATE)[:, 0]
    probe = call[RATE // 2 : 3 * RATE]  # speech, clear of the de-click ramp
    search = 4800
    window = audio[expected + RATE // 2 - search : expected + 3 * RATE + search, 0]
    correlation = signal.correlate(window, probe, mode="valid", method="fft")
    assert int(np.argmax(correlation)) - search == 0


def test_phone_line_cuts_lows_and_highs(tmp_path):
    wide = media.noise(3, 0.1)
    media.write_wav(tmp_path / "wide.wav", wide)
    audio = mixed(
        tmp_path,
        {
            "settings": {"loudness": -23},
            "scenes": {"a": {"audio": [{"file": "wide.wav", "phone": True}]}},
        },
    )
    freqs, power = signal.welch(audio[RATE : 2 * RATE, 0], RATE, nperseg=4096)
    band = power[(freqs > 500) & (freqs < 3000)].mean()
    assert power[freqs < 120].mean() < band / 100
    assert power[(freqs > 6000) & (freqs < 12000)].mean() < band / 100


def test_a_looped_bed_has_no_seam(tmp_path):
    bed = media.tone(1.0, 200, 0.3)  # a 1 s tone whose end does not meet its start
    bed[-100:] = 0
    media.write_wav(tmp_path / "short.wav", bed)
    audio = mixed(
        tmp_path,
        {
            "settings": {"loudness": -20},
            "scenes": {"a": {"audio": [{"bed": "short.wav", "loop": True}], "length": "4s"}},
        },
    )
    steps = np.abs(np.diff(audio[RATE // 10 : -RATE // 10, 0]))
    assert steps.max() < 0.05  # a 200 Hz tone at this level moves < 0.03 per sample


def test_a_loop_is_its_head_then_passes_that_start_on_the_seam():
    """Loop.samples gives, pass after pass, the source up to its tail, each later pass
    starting with the tail crossfaded into the head: what a whole later pass once was."""
    from docedit.sound.mix import LOOP_CROSSFADE_S, Loop

    source = np.random.default_rng(3).standard_normal((3 * RATE, 2)).astype(np.float32)
    fade = int(LOOP_CROSSFADE_S * RATE)
    ramp = np.linspace(0, 1, fade, dtype=np.float32)[:, None]
    later = source[:-fade].copy()
    later[:fade] = source[:fade] * ramp + source[-fade:] * (1 - ramp)
    expected = np.concatenate([source[:-fade], later, later, later[:1234]])
    loop, got, position = Loop(source, RATE), [], 0
    while position < expected.shape[0]:  # in uneven steps, across every boundary
        piece = loop.samples(position, min(7001, expected.shape[0] - position))
        got.append(piece)
        position += piece.shape[0]
    assert np.array_equal(np.concatenate(got), expected)


@pytest.mark.parametrize(
    ("name", "seconds"),
    [
        ("with-attached-pic.mp3", 1.02),  # cover art beside the audio (near-silent sound)
        ("crunching.mp3", 8.3),
        ("smpte-2997.mp4", 10.05),  # the sound of footage
        ("no_duration.webm", 4.87),  # Opus, no duration in the header (silent)
        ("video_with_failing_audio.mp4", 11.23),
        ("example.wav", 2.0),  # 44.1 kHz stereo
    ],
)
def test_odd_inputs_decode_like_plain_ffmpeg(tmp_path, name, seconds):
    """pydub (told the codec, so no ffprobe) + our resampler agree with ffmpeg's own
    decode to the sample count and within resampling error."""
    info = ProbeCache(tmp_path).get(DATA / name, "av")
    ours = decode_audio(info, RATE)
    reference = media.decode_audio(DATA / name)
    assert ours.dtype == np.float32 and ours.shape == reference.shape
    assert ours.shape[0] / RATE == pytest.approx(seconds, abs=0.06)
    assert np.abs(ours - reference).max() < 0.005


def test_8khz_mono_phone_capture_decodes(tmp_path):
    media.write_wav(tmp_path / "phone.wav", media.tone(2, 1000, 0.5, rate=8000), rate=8000)
    audio = decode_audio(ProbeCache(tmp_path / "c").get(tmp_path / "phone.wav", "av"), RATE)
    assert audio.shape == (2 * RATE, 2)
    assert np.allclose(audio[:, 0], audio[:, 1])


def test_broken_audio_is_a_clear_error_naming_the_file(tmp_path):
    damaged = bytearray((DATA / "crunching.mp3").read_bytes())
    noise = np.random.default_rng(1).integers(0, 256, len(range(20000, 60000, 7)), dtype=np.uint8)
    damaged[20000:60000:7] = noise.tobytes()  # scramble frames in the middle
    (tmp_path / "damaged.mp3").write_bytes(damaged)
    path = media.timeline(
        tmp_path / "t.yaml",
        {"docedit": 1, "scenes": {"a": {"audio": [{"file": "damaged.mp3"}]}}},
    )
    result = media.run_cli("mix", path, "-o", tmp_path / "m.wav")
    assert result.returncode == 1
    assert "damaged.mp3: its audio is damaged (Header missing)" in result.stderr
    assert "Traceback" not in result.stderr and "0x" not in result.stderr
    assert not (tmp_path / "m.wav").exists()


def test_streaming_meter_agrees_with_pyloudnorm():
    from docedit.sound.loudness import LoudnessMeter

    audio = np.column_stack([media.noise(7.3, 0.1, seed=2), media.tone(7.3, 300, 0.2)])
    audio[RATE : 2 * RATE] *= 0.01  # a quiet stretch for the gates to drop
    meter = LoudnessMeter(RATE)
    for first in range(0, audio.shape[0], 12345):  # odd block sizes, filter state carried
        meter.feed(audio[first : first + 12345].astype(np.float32))
    reference = pyloudnorm.Meter(RATE)
    assert meter.integrated() == pytest.approx(reference.integrated_loudness(audio), abs=0.01)
    assert meter.loudness_range() == pytest.approx(reference.loudness_range(audio), abs=0.2)


def test_block_boundaries_leave_no_trace(tmp_path, monkeypatch):
    """The same timeline mixed in 16k-sample blocks and in the default 1M: same samples."""
    import docedit.sound.mix

    media.write_wav(tmp_path / "bed.wav", media.noise(1.3, 0.2, seed=4))
    speech = str(DATA / "example.wav")
    data = {
        "intercepts": {"c": {"file": speech, "redact": [["0.5s", "0.7s"]]}},
        "scenes": {"a": {"audio": [
            {"bed": "bed.wav", "loop": True, "duck": -12, "fade_in": "1s"},
            {"intercept": "c", "at": "0.9s", "phone": True},
            {"file": speech, "at": "3.3s", "fade_out": "0.5s"},
        ], "length": "6s"}},
    }  # fmt: skip
    whole = mixed(tmp_path, data, "whole.wav")
    monkeypatch.setattr(docedit.sound.mix, "BLOCK", 1 << 14)
    blocked = mixed(tmp_path, data, "blocked.wav")
    assert np.abs(whole - blocked).max() < 2e-6
