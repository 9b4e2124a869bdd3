"""The final audio mix: every sound placed at its plan sample, in float, then loudness.

pydub decodes (see `decode`); mixing is numpy, in blocks of about 22 s, so memory stays
flat however long the cut is:

1. each block sums the sounds that overlap it (a call is rendered once, whole: trim,
   phone line, bleeps, gain, fades; beds and footage sound are rendered per block,
   looped and ducked) into a float32 scratch file, while a BS.1770 meter listens;
2. the gain to the loudness target is applied block by block through a look-ahead
   true-peak limiter, and the result is written as a 24-bit WAV; if limiting cost
   loudness, the second pass runs again with the difference made up. Until the limiter
   first touches a block, the output is the first pass's mix times the gain, so it is
   not metered again (K-weighting is linear: its hop energies are the first pass's
   times the gain squared); from that block on it is, after catching up on the blocks
   before, so a limited mix is metered exactly as if every block had been.

Cost grows with the cut's length plus the events' lengths, never with their product.
"""

from __future__ import annotations

import functools
import math
import tempfile
import wave
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from docedit.core.atomic import atomic_output
from docedit.core.timecode import db_to_amplitude
from docedit.media.decode import DecodedCache, Samples
from docedit.media.dsp import butter_band, filtfilt
from docedit.media.info import MediaInfo
from docedit.media.pcm import pcm24
from docedit.plan import Plan, Sound
from docedit.sound.loudness import (
    LoudnessMeter,
    limiter_gain,
    limiter_margin,
)
from docedit.sound.report import LoudnessReport, MixReport

BLOCK = 1 << 20  # samples per mixing block
DECLICK_S = 0.003
LOOP_CROSSFADE_S = 0.5
BLEEP_HZ = 1000.0
PHONE_BAND = (300.0, 3400.0)
SPEECH_GATE_DB = -50.0
LIMIT_HEADROOM_DB = 0.1
LOUDNESS_TOLERANCE = 0.3  # LU; the spec allows 0.5, and each extra pass costs time

Progress = Callable[[int, int], None]


# Where the finished mix goes: called once per attempt, it gives a context manager whose
# value takes each block of the finished mix, float32 stereo (a 24-bit WAV file here; an
# encoder's pipe in a render, which takes the floats themselves or 24-bit PCM).
SinkFactory = Callable[[], AbstractContextManager[Callable[[np.ndarray], object]]]


def mix_to_wav(
    plan: Plan, media: dict[Path, MediaInfo], out: Path, progress: Progress | None = None
) -> MixReport:
    """Mix the plan's sounds to a 24-bit WAV at `out`, normalised to the timeline's loudness."""
    return mix(plan, media, lambda: wav_sink(Path(out), plan), progress)


@contextmanager
def wav_sink(out: Path, plan: Plan) -> Iterator[Callable[[np.ndarray], object]]:
    with atomic_output(out, ".wav") as temp, wave.open(str(temp), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(3)
        wav.setframerate(plan.clock.rate)
        wav.setnframes(plan.samples)
        yield lambda block: wav.writeframes(pcm24(block))


def mix(
    plan: Plan,
    media: dict[Path, MediaInfo],
    sink: SinkFactory,
    progress: Progress | None = None,
) -> MixReport:
    """Mix the plan's sounds into `sink`, normalised to the timeline's loudness."""
    rate, total = plan.clock.rate, plan.samples
    blocks = max(1, math.ceil(total / BLOCK))
    with tempfile.TemporaryFile(prefix="docedit-mix-") as scratch:
        meter = _first_pass(plan, DecodedCache(media, rate), scratch, progress, blocks)
        measured = meter.integrated()
        gain = 0.0 if measured == -math.inf else plan.loudness - measured
        for _attempt in range(3):
            out_meter, peak = _second_pass(plan, scratch, gain, sink, meter)
            result = out_meter.integrated()
            if result == -math.inf or abs(result - plan.loudness) <= LOUDNESS_TOLERANCE:
                break
            gain += plan.loudness - result  # the limiter took some loudness: make it up
        scenes = {
            s.id: out_meter.integrated(s.start_sample, s.start_sample + s.samples)
            for s in plan.scenes
        }
    report = LoudnessReport(result, peak, out_meter.loudness_range(), gain)
    return MixReport(rate, total, report, scenes)


def _first_pass(
    plan: Plan, decoded: DecodedCache, scratch: BinaryIO, progress: Progress | None, blocks: int
) -> LoudnessMeter:
    """Sum every block of the cut into the scratch file; meter it on the way."""
    rate, total = plan.clock.rate, plan.samples
    sounds = sorted(plan.sounds, key=lambda s: s.start)
    speech = [(s.start, s.end) for s in sounds if s.speech]
    ducking = Ducking(speech, plan.duck_attack, plan.duck_release)
    rendered: dict[int, np.ndarray] = {}  # whole calls, kept while they play
    loops: dict[Path, Loop] = {}
    meter = LoudnessMeter(rate)
    for number, b0 in enumerate(range(0, total, BLOCK), 1):
        b1 = min(total, b0 + BLOCK)
        block = np.zeros((b1 - b0, 2), dtype=np.float32)
        for index, sound in enumerate(sounds):
            if sound.start >= b1:
                break
            if sound.end <= b0:
                rendered.pop(index, None)
                continue
            a, b = max(b0, sound.start), min(b1, sound.end)
            source = decoded.get(sound.source)
            if sound.whole:
                if index not in rendered:
                    rendered[index] = render_sound(sound, source, rate)
                piece = rendered[index][a - sound.start : b - sound.start]
            else:
                if sound.loop and sound.source not in loops:
                    loops[sound.source] = Loop(source, rate)
                loop = loops.get(sound.source) if sound.loop else None
                piece = render_stretch(sound, source, a - sound.start, b - sound.start, rate, loop)
                if sound.duck_db:
                    depth = ducking.depth(a, b)
                    piece *= np.power(np.float32(10), sound.duck_db * depth / 20)[:, None]
            block[a - b0 : b - b0] += piece
        scratch.write(block.tobytes())
        meter.feed(block)
        if progress:
            progress(number, blocks)
    return meter


def _second_pass(
    plan: Plan, scratch: BinaryIO, gain_db: float, sink: SinkFactory, first: LoudnessMeter
) -> tuple[LoudnessMeter, float]:
    """Gain and limit the scratch mix block by block into the sink; meter
    it only from the first block the limiter changes (see the module's docstring)."""
    rate, total = plan.clock.rate, plan.samples
    gain = np.float32(10 ** (gain_db / 20))
    ceiling = plan.true_peak - LIMIT_HEADROOM_DB
    margin = limiter_margin(rate)
    meter: LoudnessMeter | None = None
    peak = 0.0
    with sink() as write:
        for b0 in range(0, total, BLOCK):
            b1 = min(total, b0 + BLOCK)
            lo, hi = max(0, b0 - margin), min(total, b1 + margin)
            context = _read(scratch, lo, hi) * gain
            curve, envelope = limiter_gain(context, ceiling, rate)
            middle = slice(b0 - lo, b1 - lo)
            limited = context[middle] * curve[middle, None]
            if meter is None and bool((curve[middle] != 1).any()):
                meter = _caught_up(scratch, gain, b0, rate)
            if meter is not None:
                meter.feed(limited)
            write(limited)
            # The gain moves over milliseconds, so the limited true peak is the envelope
            # scaled by it (the tests check this against an independent 4x oversampling).
            peak = max(peak, float((envelope[middle] * curve[middle]).max(initial=0.0)))
    out_meter = meter or first.gained(float(gain))
    return out_meter, 20 * math.log10(peak) if peak > 0 else -math.inf


def _caught_up(scratch: BinaryIO, gain: np.float32, end: int, rate: int) -> LoudnessMeter:
    """A meter fed the gained mix up to `end`, in the blocks the second pass wrote: what
    it wrote there, as a curve of ones left those samples as they were."""
    meter = LoudnessMeter(rate)
    for b0 in range(0, end, BLOCK):
        meter.feed(_read(scratch, b0, min(end, b0 + BLOCK)) * gain)
    return meter


def _read(scratch: BinaryIO, first: int, last: int) -> np.ndarray:
    scratch.seek(first * 8)
    return np.frombuffer(scratch.read((last - first) * 8), dtype=np.float32).reshape(-1, 2)


def render_sound(sound: Sound, source: Samples, rate: int) -> np.ndarray:
    """One call or file event, whole: trimmed, filtered, bleeped, gained, faded."""
    audio = np.zeros((sound.length, 2), dtype=np.float32)
    piece = source[sound.source_in : sound.source_in + sound.length]
    audio[: piece.shape[0]] = piece
    if sound.phone:
        audio = phone_line(audio, rate)
    if sound.redactions:
        audio = bleep(audio, [(r.start, r.end) for r in sound.redactions], rate)
    audio *= np.float32(db_to_amplitude(sound.gain_db))
    shape_edges(audio, sound, 0, rate)
    return audio


def render_stretch(
    sound: Sound,
    source: Samples,
    a: int,
    b: int,
    rate: int,
    loop: Loop | None = None,
) -> np.ndarray:
    """Samples [a, b) of a bed or footage sound (relative to its start): looped through
    `loop` (a `Loop` of `source`) or trimmed, gained and faded, without rendering the
    rest."""
    audio = np.zeros((b - a, 2), dtype=np.float32)
    if sound.loop:
        loop = loop or Loop(source, rate)
        position = a
        while position < b:  # contiguous copies: a pass of the loop, or its seam
            piece = loop.samples(position, b - position)
            audio[position - a : position - a + piece.shape[0]] = piece
            position += piece.shape[0]
    else:
        piece = source[sound.source_in + a : sound.source_in + b]
        audio[: piece.shape[0]] = piece
    audio *= np.float32(db_to_amplitude(sound.gain_db))
    shape_edges(audio, sound, a, rate)
    return audio


def shape_edges(audio: np.ndarray, sound: Sound, a: int, rate: int) -> None:
    """Apply the fades (or at least a 3 ms de-click ramp) at both ends of the sound to
    `audio`, which holds its samples from `a` on; only the ramps are touched."""
    declick = int(DECLICK_S * rate)
    fade_in, fade_out = max(sound.fade_in, declick), max(sound.fade_out, declick)
    b = a + audio.shape[0]
    lo, hi = a, min(b, fade_in)
    if hi > lo:
        rise = np.arange(lo, hi, dtype=np.float64) / fade_in
        audio[lo - a : hi - a] *= rise.astype(np.float32)[:, None]
    lo, hi = max(a, sound.length - fade_out), b
    if hi > lo:
        fall = np.clip((sound.length - 1 - np.arange(lo, hi, dtype=np.float64)) / fade_out, 0, 1)
        audio[lo - a : hi - a] *= fall.astype(np.float32)[:, None]


class Loop:
    """A sound looped with a seam that crossfades its tail into its head: the join is
    continuous and the first pass starts on the clean head.

    Every pass is `period` samples: the first is the source up to the tail that later
    passes fade in; each later pass is that too, but for its first `crossfade` samples,
    the `seam` (head and tail mixed). Only the seam is made: a later pass was once a
    copy of the whole source, and a bed as long as the cut (whose last half second is
    the seam) cost the 3-minute reference cut's sound 69 MB and 0.15 s for it."""

    def __init__(self, source: Samples, rate: int) -> None:
        self.source = source
        self.crossfade = min(int(LOOP_CROSSFADE_S * rate), source.shape[0] // 4)
        self.period = source.shape[0] - self.crossfade

    @functools.cached_property
    def seam(self) -> np.ndarray:
        source, crossfade = self.source, self.crossfade
        ramp = np.linspace(0, 1, crossfade, dtype=np.float32)[:, None]
        return source[:crossfade] * ramp + source[source.shape[0] - crossfade :] * (1 - ramp)

    def samples(self, position: int, count: int) -> np.ndarray:
        """Up to `count` samples of the loop from `position` (counted from its start), as
        many as lie in one stretch of the source or of the seam (at least one)."""
        offset = position % self.period
        count = min(count, self.period - offset)
        if position >= self.period and offset < self.crossfade:
            return self.seam[offset : offset + min(count, self.crossfade - offset)]
        return self.source[offset : offset + count]


def phone_line(audio: np.ndarray, rate: int) -> np.ndarray:
    """A telephone line: 300-3400 Hz band and a touch of soft compression."""
    high = min(PHONE_BAND[1], rate / 2 * 0.95)
    band = filtfilt(butter_band(4, PHONE_BAND[0], high, rate), audio).astype(np.float32)
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


def bleep(audio: np.ndarray, spans: Sequence[tuple[int, int]], rate: int) -> np.ndarray:
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


@dataclass(frozen=True)
class Ducking:
    """How far beds are ducked (0..1) at any sample: 1 while a call plays, reached over
    the attack *before* it starts (look-ahead) and released over the release after."""

    speech: Sequence[tuple[int, int]]  # (start, end) sample of each call
    attack: int
    release: int

    def depth(self, a: int, b: int) -> np.ndarray:
        depth = np.zeros(b - a, dtype=np.float32)
        attack, release = max(1, self.attack), max(1, self.release)
        for start, end in self.speech:
            if start - attack >= b or end + release <= a:
                continue
            # Only the stretch this call touches: its rise, its hold, its fall.
            for lo, hi, shape in (
                (start - attack, start, lambda p, s=start: (p - (s - attack)) / attack),
                (start, end, lambda p: np.ones_like(p)),
                (end, end + release, lambda p, e=end: 1 - (p - e) / release),
            ):
                lo, hi = max(lo, a), min(hi, b)
                if hi > lo:
                    values = shape(np.arange(lo, hi, dtype=np.float32)).astype(np.float32)
                    np.maximum(depth[lo - a : hi - a], values, out=depth[lo - a : hi - a])
        return depth
