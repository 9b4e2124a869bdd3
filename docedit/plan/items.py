"""What a plan is made of: shots, sounds and redactions at integer frame and sample
times, each knowing the node of the timeline it came from. Pure data."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Literal

from docedit.core.origin import Origin
from docedit.core.units import NO_FRAMES, NO_SAMPLES, ZERO, Clock, Frames, Samples, Seconds


@dataclass(frozen=True, slots=True)
class Window:
    """The part of the fitted picture in view: centre x, y (0..1) and width (1 = all)."""

    x: float = 0.5
    y: float = 0.5
    width: float = 1.0


ShotKind = Literal["still", "video", "title"]


@dataclass(frozen=True, slots=True)
class Shot:
    """One picture on screen over absolute frames [start, end).

    `fade_in` frames at the start blend this shot over whatever is under it (a
    crossfade); `black_in`/`black_out` fade from and to black (a dip at a scene cut).
    [hold_start, hold_end) is the picture's own hold between its cuts: camera moves run
    over it (the shot is still during the halves of dissolves outside it).
    """

    kind: ShotKind
    origin: Origin
    start: Frames
    end: Frames
    source: Path | None = None
    text: str | None = None  # title card text
    caption: str | None = None
    fit: str = "cover"
    motion: tuple[Window, Window] = (Window(), Window())
    fade_in: Frames = NO_FRAMES
    black_in: Frames = NO_FRAMES
    black_out: Frames = NO_FRAMES
    source_in: Seconds = ZERO  # into a video source at `start`
    hold_start: Frames = NO_FRAMES
    hold_end: Frames = NO_FRAMES
    volume_db: float = float("-inf")  # footage's own sound; -inf mutes it

    @property
    def scene(self) -> str:
        return self.origin.scene or ""

    @property
    def media(self) -> Path:
        """The file a still or video shot shows (a title card has none: a bug to ask)."""
        if self.source is None:
            raise LookupError(f"a {self.kind} shot from {self.origin} has no source file")
        return self.source

    @property
    def frames(self) -> Frames:
        return Frames(self.end - self.start)

    def progress(self, frame: int) -> float:
        """How far through its hold the shot is at `frame` (0 before it, 1 after it)."""
        span = max(1, self.hold_end - self.hold_start)
        return min(1.0, max(0.0, (frame - self.hold_start + 0.5) / span))


SoundRole = Literal["intercept", "file", "bed", "footage"]


@dataclass(frozen=True, slots=True)
class Redaction:
    """A bleeped span of a sound, in samples from the sound's start."""

    start: Samples
    end: Samples
    origin: Origin


@dataclass(frozen=True, slots=True)
class Sound:
    """One sound in the mix over absolute samples [start, start + length)."""

    role: SoundRole
    origin: Origin
    source: Path
    start: Samples
    length: Samples
    source_in: Samples = NO_SAMPLES  # into the source, at the project rate
    gain_db: float = 0.0
    fade_in: Samples = NO_SAMPLES
    fade_out: Samples = NO_SAMPLES
    phone: bool = False
    loop: bool = False
    duck_db: float = 0.0
    redactions: tuple[Redaction, ...] = ()
    intercept: str | None = None
    label: bool = False  # subtitles show the speaker's name

    @property
    def scene(self) -> str:
        return self.origin.scene or ""

    @property
    def end(self) -> Samples:
        return Samples(self.start + self.length)

    @property
    def speech(self) -> bool:
        """Speech ducks the beds and is what the subtitles follow."""
        return self.role == "intercept"

    @property
    def whole(self) -> bool:
        """Played once from its in point (rendered whole); beds and footage sound are
        continuous and rendered block by block."""
        return self.role in ("intercept", "file")


NOWHERE = Origin(())


def as_played(shot: Shot) -> Shot:
    """The shot without where it was written: what a picture cache is keyed by, so that
    a line added above it in the YAML does not make the same frames again."""
    return replace(shot, origin=NOWHERE)


def as_heard(sound: Sound) -> Sound:
    """The sound (and its bleeps) without where they were written, for the sound cache."""
    redactions = tuple(replace(r, origin=NOWHERE) for r in sound.redactions)
    return replace(sound, origin=NOWHERE, redactions=redactions)


@dataclass(frozen=True, slots=True)
class ScenePlan:
    id: str
    start: Frames
    frames: Frames
    start_sample: Samples
    samples: Samples
    start_time: Seconds
    shots: tuple[Shot, ...]
    sounds: tuple[Sound, ...]

    @property
    def end(self) -> Frames:
        return Frames(self.start + self.frames)


@dataclass(frozen=True)
class Plan:
    """The cut: scenes back to back on one clock, and the mix's targets. It holds no
    timeline, so what is sent to the sound process grows with the sounds used."""

    clock: Clock
    size: tuple[int, int]
    scenes: tuple[ScenePlan, ...]
    loudness: float
    true_peak: float
    duck_attack: Samples
    duck_release: Samples

    @property
    def frames(self) -> Frames:
        return Frames(sum(scene.frames for scene in self.scenes))

    @property
    def samples(self) -> Samples:
        return self.clock.frame_to_sample(self.frames)

    @property
    def duration(self) -> Fraction:
        return self.clock.frame_time(self.frames)

    @property
    def shots(self) -> list[Shot]:
        return [shot for scene in self.scenes for shot in scene.shots]

    @property
    def sounds(self) -> list[Sound]:
        return [sound for scene in self.scenes for sound in scene.sounds]
