"""The sounds of a scene: one registration per audio kind, each placed on the sample
grid from its exact scene time; footage sound follows the shots that survive."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import singledispatch
from pathlib import Path

from docedit.core.origin import Origin
from docedit.core.units import Clock, Samples, Seconds
from docedit.plan.items import Redaction, Shot, Sound
from docedit.timeline.format import BedEvent, FileEvent, InterceptEvent, as_time
from docedit.timeline.project import Project

Played = InterceptEvent | FileEvent  # sounds that play once, from `in` to `out`


@dataclass(frozen=True, slots=True)
class SceneSpan:
    """Where the scene sits on the sample grid, for placing its sounds."""

    start_time: Seconds
    start_sample: Samples
    samples: Samples


def event_source(project: Project, event: Played) -> Path:
    if isinstance(event, InterceptEvent):
        return project.path(project.timeline.intercepts[event.intercept].file)
    return project.path(event.file)


def sound_length(project: Project, event: Played, clock: Clock) -> Samples:
    """Samples the event plays: `out - in`, `out` defaulting to (and capped at) the end."""
    source = event_source(project, event)
    first_at, last_at = as_time(event.in_), as_time(event.out)  # words resolved by now
    first = clock.time_samples(first_at) if first_at else 0
    available = math.floor((project.media[source].duration or 0) * clock.rate)
    last = available if last_at is None else clock.time_samples(last_at)
    return Samples(max(0, min(last, available) - first))  # never past its media


def audio_end(project: Project, scene_id: str, clock: Clock) -> Seconds:
    """Where the scene's last non-bed sound ends, in seconds from the scene start."""
    end = Fraction(0)
    for event in project.timeline.scenes[scene_id].audio:
        if isinstance(event, Played):
            length = clock.sample_time(sound_length(project, event, clock))
            end = max(end, clock.seconds(event.at) + length)
    return Seconds(end)


@singledispatch
def place(event: object, origin: Origin, project: Project, clock: Clock, span: SceneSpan) -> Sound:
    """The sound one audio entry of a scene becomes; one registration per kind."""
    raise TypeError(f"no sound placement registered for {type(event).__name__}")


@place.register
def _bed(event: BedEvent, origin: Origin, project: Project, clock: Clock, span: SceneSpan) -> Sound:
    return Sound(
        "bed",
        origin,
        project.path(event.bed),
        span.start_sample,
        span.samples,
        gain_db=event.gain,
        fade_in=clock.time_samples(event.fade_in),
        fade_out=clock.time_samples(event.fade_out),
        loop=event.loop,
        duck_db=event.duck,
    )


def _played(
    event: Played, origin: Origin, project: Project, clock: Clock, span: SceneSpan
) -> Sound:
    first_at = as_time(event.in_)
    first = clock.time_samples(first_at) if first_at else Samples(0)
    at = clock.samples(span.start_time + clock.seconds(event.at))
    length = min(sound_length(project, event, clock), span.start_sample + span.samples - at)
    return Sound(
        "file",
        origin,
        event_source(project, event),
        at,
        Samples(max(0, length)),
        source_in=first,
        gain_db=event.gain,
        fade_in=clock.time_samples(event.fade_in),
        fade_out=clock.time_samples(event.fade_out),
        phone=event.phone,
    )


@place.register
def _file(
    event: FileEvent, origin: Origin, project: Project, clock: Clock, span: SceneSpan
) -> Sound:
    return _played(event, origin, project, clock, span)


@place.register
def _intercept(
    event: InterceptEvent, origin: Origin, project: Project, clock: Clock, span: SceneSpan
) -> Sound:
    sound = _played(event, origin, project, clock, span)
    redactions = place_redactions(project, event.intercept, sound.source_in, sound.length, clock)
    return replace(
        sound, role="intercept", intercept=event.intercept, label=event.label, redactions=redactions
    )


def place_redactions(
    project: Project, intercept: str, first: Samples, length: Samples, clock: Clock
) -> tuple[Redaction, ...]:
    """The intercept's redacted spans, moved to the sound's own samples and clipped to it."""
    placed = []
    for index, item in enumerate(project.timeline.intercepts[intercept].redact):
        begin, end = item.span()
        a = max(0, clock.time_samples(begin) - first)
        b = min(length, clock.time_samples(end) - first)
        if b > a:
            origin = project.origin("intercepts", intercept, "redact", index)
            placed.append(Redaction(Samples(a), Samples(b), origin))
    return tuple(sorted(placed, key=lambda r: (r.start, r.end)))


def place_sounds(project: Project, scene_id: str, clock: Clock, span: SceneSpan) -> list[Sound]:
    scene = project.timeline.scenes[scene_id]
    return [
        place(event, project.origin("scenes", scene_id, "audio", index), project, clock, span)
        for index, event in enumerate(scene.audio)
    ]


def footage_sounds(project: Project, shots: Sequence[Shot], clock: Clock) -> list[Sound]:
    """Footage with a `volume` brings its own sound, locked to its picture: each shot
    that survived placement carries its own volume, so a clip dropped for being shorter
    than a frame takes its sound with it."""
    sounds = []
    for shot in shots:
        if shot.kind != "video" or shot.volume_db == -math.inf or shot.source is None:
            continue
        info = project.media.get(shot.source)
        if info is None or info.audio is None:
            continue
        start = clock.frame_to_sample(shot.start)
        sounds.append(
            Sound(
                "footage",
                shot.origin,
                shot.source,
                start,
                Samples(clock.frame_to_sample(shot.end) - start),
                source_in=clock.samples(shot.source_in),
                gain_db=shot.volume_db,
                fade_in=clock.frame_to_sample(shot.fade_in),
            )
        )
    return sounds
