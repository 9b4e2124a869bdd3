"""The cut as absolute integer frame and sample times: pure data, no I/O.

One clock: every position is computed from an exact rational time (scene start +
event time) and snapped once, to the frame grid for pictures and to the sample grid
for sound. A picture and a sound placed at the same timeline time therefore land in
the same frame, at any point of a cut of any length.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Literal

from docedit.core.errors import PlanError
from docedit.core.timecode import Time, round_half_up
from docedit.timeline.format import (
    AUTO,
    BedEvent,
    FileEvent,
    FreeMotion,
    InterceptEvent,
    Scene,
    StillsPicture,
    Timeline,
    VideoPicture,
)
from docedit.timeline.project import Project

DEFAULT_HOLD = Fraction(4)
ZOOM = Fraction(11, 10)
PAN_TRAVEL = Fraction(1, 10)  # of the frame width


@dataclass(frozen=True, slots=True)
class Clock:
    """The project's frame rate and sample rate, and exact conversions between them."""

    fps: Fraction
    rate: int

    def frames(self, seconds: Fraction) -> int:
        return round_half_up(seconds * self.fps)

    def samples(self, seconds: Fraction) -> int:
        return round_half_up(seconds * self.rate)

    def frame_time(self, frame: int) -> Fraction:
        return Fraction(frame) / self.fps

    def frame_to_sample(self, frame: int) -> int:
        return round_half_up(Fraction(frame) * self.rate / self.fps)

    def seconds(self, time: Time) -> Fraction:
        return time.to_seconds(self.fps)


@dataclass(frozen=True, slots=True)
class Window:
    """The part of the fitted picture in view: centre x, y (0..1) and width (1 = all)."""

    x: float = 0.5
    y: float = 0.5
    width: float = 1.0


def motion_windows(motion: str | FreeMotion) -> tuple[Window, Window]:
    """Start and end windows of a named or free camera move."""
    zoomed = float(1 / ZOOM)
    shift = float(PAN_TRAVEL / ZOOM) / 2  # in fitted-picture units: 10 % of the frame
    if isinstance(motion, FreeMotion):
        return Window(*motion.start), Window(*motion.end)
    return {
        "none": (Window(), Window()),
        "zoom-in": (Window(), Window(width=zoomed)),
        "zoom-out": (Window(width=zoomed), Window()),
        "pan-left": (Window(0.5 + shift, width=zoomed), Window(0.5 - shift, width=zoomed)),
        "pan-right": (Window(0.5 - shift, width=zoomed), Window(0.5 + shift, width=zoomed)),
    }[motion]


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
    scene: str
    start: int
    end: int
    source: Path | None = None
    text: str | None = None  # title card text
    caption: str | None = None
    fit: str = "cover"
    motion: tuple[Window, Window] = (Window(), Window())
    fade_in: int = 0
    black_in: int = 0
    black_out: int = 0
    source_in: Fraction = Fraction(0)  # seconds into a video source at `start`
    hold_start: int = 0
    hold_end: int = 0

    @property
    def frames(self) -> int:
        return self.end - self.start

    def progress(self, frame: int) -> float:
        """How far through its hold the shot is at `frame` (0 before it, 1 after it)."""
        span = max(1, self.hold_end - self.hold_start)
        return min(1.0, max(0.0, (frame - self.hold_start + 0.5) / span))


SoundRole = Literal["intercept", "file", "bed", "footage"]


@dataclass(frozen=True, slots=True)
class Sound:
    """One sound in the mix over absolute samples [start, start + length)."""

    role: SoundRole
    scene: str
    source: Path
    start: int
    length: int
    source_in: int = 0  # samples into the source, at the project rate
    gain_db: float = 0.0
    fade_in: int = 0
    fade_out: int = 0
    phone: bool = False
    loop: bool = False
    duck_db: float = 0.0
    redactions: tuple[tuple[int, int], ...] = ()  # relative to `start`
    intercept: str | None = None
    event: int = -1  # index in the scene's audio list

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass(frozen=True, slots=True)
class ScenePlan:
    id: str
    start: int  # frame
    frames: int
    start_sample: int
    samples: int
    start_time: Fraction
    shots: tuple[Shot, ...]
    sounds: tuple[Sound, ...]

    @property
    def end(self) -> int:
        return self.start + self.frames


@dataclass(frozen=True)
class Plan:
    clock: Clock
    size: tuple[int, int]
    scenes: tuple[ScenePlan, ...]
    loudness: float
    true_peak: float
    duck_attack: int  # samples
    duck_release: int
    timeline: Timeline = field(repr=False, compare=False)

    @property
    def frames(self) -> int:
        return sum(scene.frames for scene in self.scenes)

    @property
    def samples(self) -> int:
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


def select_scenes(
    timeline: Timeline, cut: str | None = None, scenes: Sequence[str] = ()
) -> list[str]:
    """Scene ids to play: `--scene` ids in the order given, else a named cut, else all."""
    if cut is not None and cut not in timeline.cuts:
        known = ", ".join(timeline.cuts) or "none"
        raise PlanError(f"no cut named {cut!r} (cuts: {known})")
    pool = list(timeline.cuts[cut]) if cut is not None else list(timeline.scenes)
    if not scenes:
        return pool
    missing = [s for s in scenes if s not in pool]
    if missing:
        where = f"cut {cut!r}" if cut else "the timeline"
        raise PlanError(f"scene {missing[0]!r} is not in {where} (scenes: {', '.join(pool)})")
    return list(scenes)


def make_plan(project: Project, cut: str | None = None, scenes: Sequence[str] = ()) -> Plan:
    """Lay the selected scenes back to back on one clock."""
    timeline = project.timeline
    settings = timeline.settings
    clock = Clock(settings.fps, settings.sample_rate)
    planned: list[ScenePlan] = []
    frame = 0
    for scene_id in select_scenes(timeline, cut, scenes):
        scene_plan = plan_scene(project, scene_id, clock, frame)
        planned.append(scene_plan)
        frame = scene_plan.end
    planned = _join_scenes(project, planned, clock)
    return Plan(
        clock=clock,
        size=settings.size,
        scenes=tuple(planned),
        loudness=settings.loudness,
        true_peak=settings.true_peak,
        duck_attack=clock.samples(clock.seconds(settings.duck_attack)),
        duck_release=clock.samples(clock.seconds(settings.duck_release)),
        timeline=timeline,
    )


@dataclass(frozen=True, slots=True)
class _Item:
    """A picture before placement: what it is and how long it holds (None = auto)."""

    kind: ShotKind
    hold: Fraction | None
    source: Path | None = None
    text: str | None = None
    caption: str | None = None
    fit: str = "cover"
    motion: tuple[Window, Window] = (Window(), Window())
    source_in: Fraction = Fraction(0)


def picture_items(project: Project, scene: Scene, clock: Clock) -> list[_Item]:
    """The scene's picture track as items: its title card, then each picture in order."""
    items: list[_Item] = []
    if scene.title:
        items.append(_Item("title", clock.seconds(scene.title_hold), text=scene.title))
    for picture in scene.pictures:
        common = {
            "caption": picture.caption,
            "fit": picture.fit,
            "motion": motion_windows(picture.motion),
        }
        if isinstance(picture, VideoPicture):
            info = project.info(picture.video)
            source_in = clock.seconds(picture.in_) if picture.in_ else Fraction(0)
            if picture.out is not None:
                source_out = clock.seconds(picture.out)
            else:
                source_out = Fraction(info.duration or 0).limit_denominator(1_000_000)
            hold = max(Fraction(0), source_out - source_in)
            items.append(
                _Item("video", hold, project.path(picture.video), source_in=source_in, **common)
            )
            continue
        hold = None if picture.hold == AUTO else clock.seconds(picture.hold)
        paths = (
            project.stills(picture)
            if isinstance(picture, StillsPicture)
            else [project.path(picture.image)]
        )
        items.extend(_Item("still", hold, path, **common) for path in paths)
    return items


def sound_length(project: Project, event: InterceptEvent | FileEvent, clock: Clock) -> int:
    """Samples the event plays: `out - in`, `out` defaulting to (and capped at) the end."""
    source = _event_source(project, event)
    first = event.in_.to_samples(clock.fps, clock.rate) if event.in_ else 0
    available = math.floor((project.media[source].duration or 0) * clock.rate)
    last = available if event.out is None else event.out.to_samples(clock.fps, clock.rate)
    return max(0, min(last, available) - first)  # a sound never plays past its media


def _event_source(project: Project, event: InterceptEvent | FileEvent) -> Path:
    if isinstance(event, InterceptEvent):
        return project.path(project.timeline.intercepts[event.intercept].file)
    return project.path(event.file)


def audio_end(project: Project, scene: Scene, clock: Clock) -> Fraction:
    """Where the scene's last non-bed sound ends, in seconds from the scene start."""
    end = Fraction(0)
    for event in scene.audio:
        if isinstance(event, InterceptEvent | FileEvent):
            length = Fraction(sound_length(project, event, clock), clock.rate)
            end = max(end, clock.seconds(event.at) + length)
    return end


def plan_scene(project: Project, scene_id: str, clock: Clock, start: int) -> ScenePlan:
    scene = project.timeline.scenes[scene_id]
    start_time = clock.frame_time(start)
    items = picture_items(project, scene, clock)
    sound_end = audio_end(project, scene, clock)
    holds = _resolve_holds(items, scene, clock, sound_end)
    bounds = [Fraction(0)]
    for hold in holds:
        bounds.append(bounds[-1] + hold)
    if scene.length == AUTO:
        frames = max(clock.frames(bounds[-1]), math.ceil(sound_end * clock.fps))
    else:
        frames = clock.frames(clock.seconds(scene.length))
    shots = _place_shots(scene_id, items, bounds, start, frames, scene, clock)
    start_sample = clock.frame_to_sample(start)
    samples = clock.frame_to_sample(start + frames) - start_sample
    sounds = _place_sounds(project, scene_id, scene, clock, start_time, start_sample, samples)
    sounds += _footage_sounds(project, scene_id, scene, shots, clock)
    return ScenePlan(
        scene_id, start, frames, start_sample, samples, start_time, tuple(shots), tuple(sounds)
    )


def _resolve_holds(
    items: list[_Item], scene: Scene, clock: Clock, sound_end: Fraction
) -> list[Fraction]:
    """Fill `hold: auto` by spreading the scene's length (or its audio) evenly."""
    autos = sum(1 for item in items if item.hold is None)
    if not autos:
        return [item.hold for item in items if item.hold is not None]
    fixed = sum((item.hold for item in items if item.hold is not None), Fraction(0))
    target = sound_end if scene.length == AUTO else clock.seconds(scene.length)
    share = (target - fixed) / autos if target > fixed else DEFAULT_HOLD
    return [share if item.hold is None else item.hold for item in items]


def _place_shots(
    scene_id: str,
    items: list[_Item],
    bounds: list[Fraction],
    start: int,
    frames: int,
    scene: Scene,
    clock: Clock,
) -> list[Shot]:
    """Snap each item's cut points to frames, centring a crossfade on every inner cut."""
    cuts = [start + min(frames, clock.frames(b)) for b in bounds]
    cuts[-1] = start + frames  # the last picture holds to the scene's end
    transition = clock.frames(clock.seconds(scene.transition))
    shots: list[Shot] = []
    for index, item in enumerate(items):
        head, tail = cuts[index], cuts[index + 1]
        if head >= start + frames or tail <= head:
            continue  # cut off by an explicit length, or no time left
        fade = 0
        if shots:
            previous = shots[-1]
            fade = min(transition, previous.end - previous.start, tail - head)
            before = fade // 2
            shots[-1] = replace(previous, end=head + fade - before)
            head -= before
        shots.append(
            Shot(
                item.kind,
                scene_id,
                head,
                tail,
                source=item.source,
                text=item.text,
                caption=item.caption,
                fit=item.fit,
                motion=item.motion,
                fade_in=fade,
                source_in=item.source_in,
                hold_start=cuts[index],
                hold_end=tail,
            )
        )
    return shots


def _place_sounds(
    project: Project,
    scene_id: str,
    scene: Scene,
    clock: Clock,
    start_time: Fraction,
    start_sample: int,
    samples: int,
) -> list[Sound]:
    sounds: list[Sound] = []
    for index, event in enumerate(scene.audio):
        if isinstance(event, BedEvent):
            sounds.append(
                Sound(
                    "bed",
                    scene_id,
                    project.path(event.bed),
                    start_sample,
                    samples,
                    gain_db=event.gain,
                    fade_in=clock.samples(clock.seconds(event.fade_in)),
                    fade_out=clock.samples(clock.seconds(event.fade_out)),
                    loop=event.loop,
                    duck_db=event.duck,
                    event=index,
                )
            )
            continue
        source = _event_source(project, event)
        first = event.in_.to_samples(clock.fps, clock.rate) if event.in_ else 0
        length = sound_length(project, event, clock)
        at = clock.samples(start_time + clock.seconds(event.at))
        length = min(length, start_sample + samples - at)
        redactions: tuple[tuple[int, int], ...] = ()
        intercept_id = None
        if isinstance(event, InterceptEvent):
            intercept_id = event.intercept
            spans = project.timeline.intercepts[event.intercept].redact
            redactions = _redactions(spans, first, length, clock)
        sounds.append(
            Sound(
                "intercept" if intercept_id else "file",
                scene_id,
                source,
                at,
                length,
                source_in=first,
                gain_db=event.gain,
                fade_in=clock.samples(clock.seconds(event.fade_in)),
                fade_out=clock.samples(clock.seconds(event.fade_out)),
                phone=event.phone,
                redactions=redactions,
                intercept=intercept_id,
                event=index,
            )
        )
    return sounds


def _redactions(
    spans: Sequence[tuple[Time, Time]], first: int, length: int, clock: Clock
) -> tuple[tuple[int, int], ...]:
    """Redacted source spans, moved to the sound's own samples and clipped to it."""
    placed = []
    for begin, end in spans:
        a = max(0, begin.to_samples(clock.fps, clock.rate) - first)
        b = min(length, end.to_samples(clock.fps, clock.rate) - first)
        if b > a:
            placed.append((a, b))
    return tuple(sorted(placed))


def _footage_sounds(
    project: Project, scene_id: str, scene: Scene, shots: list[Shot], clock: Clock
) -> list[Sound]:
    """Footage with a `volume` brings its own sound, locked to its picture."""
    volumes = [p.volume for p in scene.pictures if isinstance(p, VideoPicture)]
    videos = [s for s in shots if s.kind == "video"]
    sounds = []
    for shot, volume in zip(videos, volumes, strict=False):
        if volume == -math.inf or shot.source is None:
            continue
        info = project.media.get(shot.source)
        if info is None or info.audio is None:
            continue
        start = clock.frame_to_sample(shot.start)
        sounds.append(
            Sound(
                "footage",
                scene_id,
                shot.source,
                start,
                clock.frame_to_sample(shot.end) - start,
                source_in=clock.samples(shot.source_in),
                gain_db=volume,
                fade_in=clock.frame_to_sample(shot.fade_in),
            )
        )
    return sounds


def _join_scenes(project: Project, scenes: list[ScenePlan], clock: Clock) -> list[ScenePlan]:
    """Apply each scene's `scene_transition` to the boundary with the scene before it."""
    joined = list(scenes)
    for index in range(1, len(joined)):
        scene = project.timeline.scenes[joined[index].id]
        if scene.scene_transition == "cut":
            continue
        length = clock.frames(clock.seconds(scene.scene_transition_length))
        before, after = joined[index - 1], joined[index]
        if not before.shots or not after.shots or length <= 0:
            continue
        last, first = before.shots[-1], after.shots[0]
        if scene.scene_transition == "dip-to-black":
            half = length // 2
            last = replace(last, black_out=min(half, last.frames))
            first = replace(first, black_in=min(length - half, first.frames))
        else:  # crossfade, centred on the boundary
            length = min(length, last.frames, first.frames)
            half = length // 2
            last = replace(last, end=last.end + length - half)
            first = replace(first, start=first.start - half, fade_in=length)
        joined[index - 1] = replace(before, shots=(*before.shots[:-1], last))
        joined[index] = replace(after, shots=(first, *after.shots[1:]))
    return joined
