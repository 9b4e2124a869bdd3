"""The final audio mix: every sound placed at its plan sample, in float, then loudness.

pydub decodes (see `decode`); the mixing itself is numpy: each event is rendered once
(trim, phone line, bleeps, gain, fades) and added into one float32 buffer at its exact
sample. Cost grows with the cut's length plus the events' lengths, not their product.
"""

from __future__ import annotations

import math
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import signal

from docedit.atomic import atomic_output
from docedit.decode import DecodedCache
from docedit.loudness import LoudnessReport, integrated_loudness, normalise
from docedit.plan import Plan, Sound
from docedit.timecode import db_to_amplitude

DECLICK_S = 0.003
LOOP_CROSSFADE_S = 0.5
BLEEP_HZ = 1000.0
PHONE_BAND = (300.0, 3400.0)
SPEECH_GATE_DB = -50.0

Progress = Callable[[int, int], None]


@dataclass
class Mix:
    audio: np.ndarray  # float32, shape (samples, 2)
    rate: int
    report: LoudnessReport
    scene_loudness: dict[str, float]


def mix_plan(plan: Plan, media, progress: Progress | None = None) -> Mix:
    """Mix the plan's sounds and bring the result to the timeline's loudness."""
    rate = plan.clock.rate
    out = np.zeros((plan.samples, 2), dtype=np.float32)
    decoded = DecodedCache(media, rate)
    sounds = plan.sounds
    foreground = [s for s in sounds if s.role != "bed"]
    beds = [s for s in sounds if s.role == "bed"]
    duck_curve = ducking_curve(plan, [s for s in sounds if s.role == "intercept"])
    for done, sound in enumerate(foreground + beds, 1):
        rendered = render_sound(sound, decoded.get(sound.source), rate)
        if sound.role == "bed" and sound.duck_db:
            depth = duck_curve[sound.start : sound.start + rendered.shape[0]]
            rendered *= np.power(np.float32(10), (sound.duck_db * depth / 20))[:, None]
        add_at(out, rendered, sound.start)
        if progress:
            progress(done, len(sounds))
    audio, report = normalise(out, rate, plan.loudness, plan.true_peak)
    scenes = {
        scene.id: integrated_loudness(
            audio[scene.start_sample : scene.start_sample + scene.samples], rate
        )
        for scene in plan.scenes
    }
    return Mix(audio, rate, report, scenes)


def add_at(out: np.ndarray, audio: np.ndarray, start: int) -> None:
    """Add `audio` into `out` from sample `start`, clipped to `out`'s bounds."""
    begin, end = max(0, start), min(out.shape[0], start + audio.shape[0])
    if end > begin:
        out[begin:end] += audio[begin - start : end - start]


def render_sound(sound: Sound, source: np.ndarray, rate: int) -> np.ndarray:
    """One event, ready to add: trimmed (or looped), filtered, bleeped, gained, faded."""
    if sound.loop:
        audio = looped(source, sound.length, rate)
    else:
        audio = np.zeros((sound.length, 2), dtype=np.float32)
        piece = source[sound.source_in : sound.source_in + sound.length]
        audio[: piece.shape[0]] = piece
    if sound.phone:
        audio = phone_line(audio, rate)
    if sound.redactions:
        audio = bleep(audio, sound.redactions, rate)
    audio *= np.float32(db_to_amplitude(sound.gain_db))
    declick = int(DECLICK_S * rate)
    apply_fade(audio, max(sound.fade_in, declick), fade_in=True)
    apply_fade(audio, max(sound.fade_out, declick), fade_in=False)
    return audio


def looped(source: np.ndarray, length: int, rate: int) -> np.ndarray:
    """Repeat `source` to `length` samples through a crossfaded loop point (no seam, no click)."""
    crossfade = min(int(LOOP_CROSSFADE_S * rate), source.shape[0] // 4)
    if crossfade > 0 and source.shape[0] < length:
        unit = source[:-crossfade].copy()
        ramp = np.linspace(0, 1, crossfade, dtype=np.float32)[:, None]
        unit[:crossfade] = source[:crossfade] * ramp + source[-crossfade:] * (1 - ramp)
        # The first pass starts on the clean head, later passes on the blended one.
        body = np.concatenate([source[:crossfade], unit[crossfade:]])
        repeats = math.ceil(max(0, length - body.shape[0]) / unit.shape[0])
        audio = np.concatenate([body, *([unit] * repeats)])
    else:
        audio = source
    out = np.zeros((length, 2), dtype=np.float32)
    out[: min(length, audio.shape[0])] = audio[:length]
    return out


def phone_line(audio: np.ndarray, rate: int) -> np.ndarray:
    """A telephone line: 300-3400 Hz band and a touch of soft compression."""
    high = min(PHONE_BAND[1], rate / 2 * 0.95)
    sos = signal.butter(4, [PHONE_BAND[0], high], btype="bandpass", fs=rate, output="sos")
    band = signal.sosfiltfilt(sos, audio, axis=0).astype(np.float32)
    level = max(1e-6, float(np.max(np.abs(band))))
    squashed = np.tanh(2.0 * band / level) / np.tanh(2.0) * level
    return squashed.astype(np.float32)


def speech_level(audio: np.ndarray, rate: int) -> float:
    """RMS of the parts that carry speech (50 ms blocks above a -50 dBFS gate)."""
    block = max(1, int(0.05 * rate))
    usable = audio[: audio.shape[0] // block * block].mean(axis=1)
    if usable.size == 0:
        return 0.0
    rms = np.sqrt(np.mean(usable.reshape(-1, block) ** 2, axis=1))
    voiced = rms[rms > 10 ** (SPEECH_GATE_DB / 20)]
    return float(np.sqrt(np.mean(voiced**2))) if voiced.size else 0.0


def bleep(audio: np.ndarray, spans: tuple[tuple[int, int], ...], rate: int) -> np.ndarray:
    """Replace each span by a 1 kHz tone at the event's speech level; none of it survives."""
    out = audio.copy()
    amplitude = speech_level(audio, rate) * math.sqrt(2)
    ramp = int(DECLICK_S * rate)
    for a, b in spans:
        # Fade the speech out just before the span and in just after it (outside it).
        lead = np.linspace(1, 0, min(ramp, a), dtype=np.float32)[:, None]
        out[a - lead.shape[0] : a] *= lead
        tail = np.linspace(0, 1, min(ramp, out.shape[0] - b), dtype=np.float32)[:, None]
        out[b : b + tail.shape[0]] *= tail
        t = np.arange(b - a) / rate
        tone = amplitude * np.sin(2 * np.pi * BLEEP_HZ * t)
        edge = min(ramp, (b - a) // 2)
        if edge:
            envelope = np.ones(b - a)
            envelope[:edge] = np.linspace(0, 1, edge)
            envelope[-edge:] = np.linspace(1, 0, edge)
            tone *= envelope
        out[a:b] = tone.astype(np.float32)[:, None]
    return out


def apply_fade(audio: np.ndarray, samples: int, *, fade_in: bool) -> None:
    samples = min(samples, audio.shape[0])
    if samples <= 0:
        return
    ramp = np.linspace(0, 1, samples, dtype=np.float32)[:, None]
    if fade_in:
        audio[:samples] *= ramp
    else:
        audio[-samples:] *= ramp[::-1]


def ducking_curve(plan: Plan, intercepts: list[Sound]) -> np.ndarray:
    """0..1 per sample: how far beds are ducked. It reaches 1 as speech starts (a
    look-ahead attack) and falls back to 0 over the release after it ends."""
    depth = np.zeros(plan.samples, dtype=np.float32)
    attack, release = max(1, plan.duck_attack), max(1, plan.duck_release)
    for sound in intercepts:
        a, b = max(0, sound.start), min(plan.samples, sound.end)
        depth[a:b] = 1.0
        rise = np.arange(max(0, a - attack), a)
        _raise_to(depth, rise, (rise - (a - attack)) / attack)
        fall = np.arange(b, min(plan.samples, b + release))
        _raise_to(depth, fall, 1 - (fall - b) / release)
    return depth


def _raise_to(depth: np.ndarray, positions: np.ndarray, values: np.ndarray) -> None:
    if positions.size:
        lo, hi = positions[0], positions[-1] + 1
        np.maximum(depth[lo:hi], values.astype(np.float32), out=depth[lo:hi])


def write_wav(audio: np.ndarray, rate: int, out: Path) -> Path:
    """24-bit PCM WAV, written to a temporary name and renamed into place."""
    pcm = np.clip(np.round(audio.astype(np.float64) * 8388607), -8388608, 8388607).astype("<i4")
    packed = pcm.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    with atomic_output(out, ".wav") as temp, wave.open(str(temp), "wb") as wav:
        wav.setnchannels(audio.shape[1])
        wav.setsampwidth(3)
        wav.setframerate(rate)
        wav.writeframes(packed)
    return out
