"""Checks that need the plan's arithmetic: overlapping calls, audio past a scene's
length, pictures that end early or are cut, dissolves longer than holds, and clips
that round to no frame at all. Each finding is placed at its item's origin."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from docedit.core.errors import Finding, Severity
from docedit.core.origin import Location
from docedit.core.timecode import format_clock
from docedit.core.units import Clock, Frames, Seconds
from docedit.plan.build import clock_of, plan_scene
from docedit.plan.pictures import picture_items
from docedit.plan.sounds import Played, audio_end, sound_length
from docedit.timeline.format import Auto, InterceptEvent, VideoPicture
from docedit.timeline.project import Project


@dataclass(frozen=True, slots=True)
class _Span:
    start: Seconds
    end: Seconds
    index: int
    name: str


class TimingChecks:
    """Timing checks of one scene whose files are all usable."""

    def __init__(self, project: Project, scene_id: str) -> None:
        self.project = project
        self.scene_id = scene_id
        self.scene = project.timeline.scenes[scene_id]
        self.clock: Clock = clock_of(project.timeline)
        # The scene's pictures, worked out once for every check that needs their holds.
        self.items = picture_items(project, scene_id, self.clock)
        self.findings: list[Finding] = []

    def run(self) -> list[Finding]:
        self._overlaps()
        self._lengths()
        self._transition()
        self._frameless_clips()
        return self.findings

    def _add(self, loc: Location, message: str, severity: Severity) -> None:
        origin = self.project.origin("scenes", self.scene_id, *loc)
        self.findings.append(
            Finding(
                origin.file or self.project.timeline_path,
                origin.line or 1,
                origin.column or 1,
                severity,
                message,
            )
        )

    def error(self, loc: Location, message: str) -> None:
        self._add(loc, message, Severity.ERROR)

    def warn(self, loc: Location, message: str) -> None:
        self._add(loc, message, Severity.WARNING)

    def _spans(self) -> Iterator[_Span]:
        for index, event in enumerate(self.scene.audio):
            if isinstance(event, InterceptEvent):
                start = self.clock.seconds(event.at)
                length = self.clock.sample_time(sound_length(self.project, event, self.clock))
                yield _Span(start, Seconds(start + length), index, event.intercept)

    def _overlaps(self) -> None:
        latest: _Span | None = None  # the span that ends furthest so far
        for span in sorted(self._spans(), key=lambda s: s.start):
            if latest is not None and span.start < latest.end:
                where = self.project.yaml_loc(("scenes", self.scene_id, "audio", latest.index))
                self.error(
                    ("audio", span.index, "at"),
                    f"intercept {span.name!r} starts at {format_clock(float(span.start))}, while "
                    f"{latest.name!r} (audio[{where[-1]}]) plays until "
                    f"{format_clock(float(latest.end))}: move `at` to "
                    f"{float(latest.end):.3f}s or later, or trim the other's `out`",
                )
            if latest is None or span.end > latest.end:
                latest = span

    def _lengths(self) -> None:
        scene, clock = self.scene, self.clock
        items = self.items
        fixed = sum((i.hold for i in items if i.hold is not None), Fraction(0))
        sound_end = audio_end(self.project, self.scene_id, clock)
        if not isinstance(scene.length, Auto):
            length = clock.seconds(scene.length)
            for index, event in enumerate(scene.audio):
                if not isinstance(event, Played):
                    continue
                end = clock.seconds(event.at) + clock.sample_time(
                    sound_length(self.project, event, clock)
                )
                if end > length:
                    self.error(
                        ("audio", index),
                        f"audio runs to {format_clock(float(end))}, past the scene's length "
                        f"{scene.length}: trim its `out`, move it earlier or lengthen the scene",
                    )
            if fixed > length:
                self.warn(
                    ("length",),
                    f"pictures run to {format_clock(float(fixed))}; they are cut at the "
                    f"scene's length {scene.length}",
                )
        elif items and all(i.hold is not None for i in items) and sound_end > fixed + 1:
            self.warn(
                ("pictures",),
                f"pictures end at {format_clock(float(fixed))} but the audio runs to "
                f"{format_clock(float(sound_end))}: the last picture is held "
                f"{float(sound_end - fixed):.1f}s",
            )

    def _transition(self) -> None:
        items = self.items
        transition = self.clock.seconds(self.scene.transition)
        holds = [i.hold for i in items if i.hold is not None]
        if transition and holds and transition > min(holds):
            self.warn(
                ("transition",),
                f"transition {self.scene.transition} is longer than the shortest hold; "
                "it is shortened there",
            )

    def _frameless_clips(self) -> None:
        """Footage that gets no frame where it falls (in..out under half a frame, or past
        an explicit length) is dropped, and its sound with it: say so at its line."""
        shots = plan_scene(self.project, self.scene_id, self.clock, Frames(0)).shots
        shown = {shot.origin.loc for shot in shots}
        for index, picture in enumerate(self.scene.pictures):
            origin = self.project.origin("scenes", self.scene_id, "pictures", index)
            if isinstance(picture, VideoPicture) and origin.loc not in shown:
                self.warn(
                    ("pictures", index),
                    f"{picture.video}: no frame of this clip is shown (its in..out is shorter "
                    f"than a frame at {float(self.clock.fps):g} fps where it falls, or it is "
                    "past the scene's length), so its sound is left out too: lengthen `out` "
                    "or remove the clip",
                )


def check_timing(project: Project, scene_id: str) -> list[Finding]:
    """Every timing finding of one scene (call it only when its files are usable)."""
    return TimingChecks(project, scene_id).run()
