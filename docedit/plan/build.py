"""The cut as absolute integer frame and sample times: pure data, no I/O.

One clock: every position is computed from an exact rational time (scene start +
event time) and snapped once, to the frame grid for pictures and to the sample grid
for sound. A picture and a sound placed at the same timeline time therefore land in
the same frame, at any point of a cut of any length.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction

from docedit.core.errors import PlanError
from docedit.core.units import Clock, Frames, Samples
from docedit.plan.items import Plan, ScenePlan
from docedit.plan.pictures import picture_items, place_shots, resolve_holds
from docedit.plan.query import expanded
from docedit.plan.redact import Redactor
from docedit.plan.sounds import SceneSpan, audio_end, footage_sounds, place_sounds
from docedit.timeline.format import Auto, Scene, Timeline
from docedit.timeline.project import Project


def clock_of(timeline: Timeline) -> Clock:
    return Clock(timeline.settings.fps, timeline.settings.sample_rate)


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
    project = expanded(project)  # `select:` and word trims become plain intercept events
    timeline = project.timeline
    settings = timeline.settings
    clock = clock_of(timeline)
    spec = settings.loudness_spec()
    planned: list[ScenePlan] = []
    frame = Frames(0)
    for scene_id in select_scenes(timeline, cut, scenes):
        scene_plan = plan_scene(project, scene_id, clock, frame)
        planned.append(scene_plan)
        frame = scene_plan.end
    planned = _join_scenes(project, planned, clock)
    return Plan(
        clock=clock,
        size=settings.size,
        scenes=Redactor.of(timeline).scenes(planned),  # titles and captions masked here
        loudness=spec.integrated,
        true_peak=spec.true_peak,
        duck_attack=clock.time_samples(settings.duck_attack),
        duck_release=clock.time_samples(settings.duck_release),
    )


def scene_frames(scene: Scene, clock: Clock, pictures_end: Frames, sound_end: Fraction) -> Frames:
    """A scene's length: as written, or the later of its pictures and its sounds."""
    if isinstance(scene.length, Auto):
        return Frames(max(pictures_end, math.ceil(sound_end * clock.fps)))
    return clock.time_frames(scene.length)


def plan_scene(project: Project, scene_id: str, clock: Clock, start: Frames) -> ScenePlan:
    scene = project.timeline.scenes[scene_id]
    start_time = clock.frame_time(start)
    items = picture_items(project, scene_id, clock)
    sound_end = audio_end(project, scene_id, clock)
    holds = resolve_holds(items, scene, clock, sound_end)
    pictures_end = clock.frames(sum(holds, Fraction(0)))
    frames = scene_frames(scene, clock, pictures_end, sound_end)
    transition = clock.time_frames(scene.transition)
    shots = place_shots(items, holds, start, frames, transition, clock)
    start_sample = clock.frame_to_sample(start)
    samples = Samples(clock.frame_to_sample(start + frames) - start_sample)
    span = SceneSpan(start_time, start_sample, samples)
    sounds = place_sounds(project, scene_id, clock, span) + footage_sounds(project, shots, clock)
    return ScenePlan(
        scene_id,
        start,
        frames,
        start_sample,
        samples,
        start_time,
        tuple(shots),
        tuple(sounds),
    )


def _join_scenes(project: Project, scenes: list[ScenePlan], clock: Clock) -> list[ScenePlan]:
    """Apply each scene's `scene_transition` to the boundary with the scene before it."""
    joined = list(scenes)
    for index in range(1, len(joined)):
        scene = project.timeline.scenes[joined[index].id]
        if scene.scene_transition == "cut":
            continue
        length = clock.time_frames(scene.scene_transition_length)
        before, after = joined[index - 1], joined[index]
        if not before.shots or not after.shots or length <= 0:
            continue
        last, first = before.shots[-1], after.shots[0]
        if scene.scene_transition == "dip-to-black":
            half = length // 2
            last = replace(last, black_out=Frames(min(half, last.frames)))
            first = replace(first, black_in=Frames(min(length - half, first.frames)))
        else:  # crossfade, centred on the boundary
            length = Frames(min(length, last.frames, first.frames))
            half = length // 2
            last = replace(last, end=Frames(last.end + length - half))
            first = replace(first, start=Frames(first.start - half), fade_in=length)
        joined[index - 1] = replace(before, shots=(*before.shots[:-1], last))
        joined[index] = replace(after, shots=(first, *after.shots[1:]))
    return joined
