"""Everything a render would trip on, found before it starts, each at its line.

`validate()` loads, checks the schema, probes the media and then checks meaning
(references, in/out points against real durations, overlaps, lengths). Every problem is
collected; nothing stops at the first one, and nothing is written.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from docedit.core.errors import Finding, Severity, TimelineError
from docedit.core.timecode import Time, format_clock, format_fps
from docedit.media.probe import MediaInfo, ProbeCache
from docedit.plan.build import Clock, PlanError, audio_end, make_plan, picture_items, sound_length
from docedit.plan.cues import SubtitleError, read_cues
from docedit.timeline.format import (
    AUTO,
    BedEvent,
    FileEvent,
    ImagePicture,
    InterceptEvent,
    Scene,
    StillsPicture,
    Timeline,
    VideoPicture,
)
from docedit.timeline.load import Location, Marks, load_timeline
from docedit.timeline.project import Project, bind
from docedit.timeline.structure import Positions

QUIET_BED_DB = -60.0


@dataclass
class Report:
    """The outcome of validation: findings, and the bound project when it is usable."""

    path: Path
    findings: list[Finding] = field(default_factory=list)
    project: Project | None = None
    summary: str = ""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    def ok(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)


def validate(path: Path, cache: ProbeCache | None = None) -> Report:
    """Check a timeline completely; never raises for a user's mistake."""
    from docedit.timeline.structure import structure

    path = Path(path)
    report = Report(path)
    try:
        loaded = load_timeline(path)
    except TimelineError as err:
        report.findings = err.findings
        return report
    structured = structure(loaded)
    report.findings = loaded.findings + structured.findings
    if structured.partial is None:
        return _sorted(report)
    project = bind(path, structured.partial, cache)
    report.findings += _Checker(project, loaded.marks, loaded.data, structured.positions).run()
    if structured.timeline is not None and not report.errors:
        report.project = bind(path, structured.timeline, cache)
        report.summary = summarise(report.project)
    return _sorted(report)


def load_project(path: Path, *, strict: bool = False, cache: ProbeCache | None = None) -> Project:
    """A validated project, or TimelineError with every finding (for render, mix, scripts)."""
    report = validate(path, cache)
    if report.project is None or not report.ok(strict):
        raise TimelineError(report.findings)
    return report.project


def summarise(project: Project) -> str:
    timeline = project.timeline
    plan = make_plan(project)
    stills = sum(1 for shot in plan.shots if shot.kind == "still")
    clock = plan.clock
    return (
        f"{len(timeline.scenes)} scenes, {len(timeline.intercepts)} intercepts, "
        f"{stills} stills, {len(timeline.cuts)} cuts; full cut {format_clock(float(plan.duration))}"
        f" ({plan.frames} frames at {format_fps(clock.fps)} fps, {clock.rate} Hz)"
    )


def _sorted(report: Report) -> Report:
    unique = {(f.path, f.line, f.column, f.message): f for f in report.findings}
    report.findings = sorted(unique.values(), key=lambda f: (str(f.path), f.line, f.column))
    return report


def _written_empty(scene: object) -> bool:
    """A scene with no pictures, audio or title as written (not after dropping bad items)."""
    return isinstance(scene, dict) and not any(scene.get(k) for k in ("pictures", "audio", "title"))


def _ids(mapping: object) -> list[str]:
    return [str(key) for key in mapping] if isinstance(mapping, dict) else []


def _did_you_mean(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f" (known: {', '.join(known[:12])})" if known else ""


class _Checker:
    """Semantic checks over the valid parts of a bound timeline."""

    def __init__(self, project: Project, marks: Marks, data: dict, positions: Positions) -> None:
        self.project = project
        self.positions = positions
        # Ids as written, valid or not: a broken scene is reported once, not as "unknown".
        self.declared_scenes = _ids(data.get("scenes"))
        self.raw_scenes = data.get("scenes") if isinstance(data.get("scenes"), dict) else {}
        self.declared_intercepts = _ids(data.get("intercepts"))
        self.timeline: Timeline = project.timeline
        self.marks = marks
        self.clock = Clock(self.timeline.settings.fps, self.timeline.settings.sample_rate)
        self.findings: list[Finding] = []

    def run(self) -> list[Finding]:
        for intercept_id in self.timeline.intercepts:
            self._intercept(intercept_id)
        for scene_id, scene in self.timeline.scenes.items():
            self._scene(scene_id, scene)
        for cut, scene_ids in self.timeline.cuts.items():
            self._cut(cut, scene_ids)
        return self.findings

    def error(self, loc: Location, message: str, *, key: bool = False) -> None:
        self.findings.append(self.marks.finding(loc, message, key=key))

    def warn(self, loc: Location, message: str) -> None:
        self.findings.append(self.marks.finding(loc, message, severity=Severity.WARNING))

    def seconds(self, time: Time) -> Fraction:
        return self.clock.seconds(time)

    # media ---------------------------------------------------------------------------

    def _media(self, loc: Location, relative: str, use: str) -> MediaInfo | None:
        """The probed file at `loc`, or None after reporting why it cannot serve as `use`."""
        info = self.project.media.get(self.project.path(relative))
        if info is None:
            return None
        if info.error:
            self.error(loc, f"{relative}: {info.error}")
            return None
        if use == "audio" and info.audio is None:
            what = "a picture" if info.video else "no media"
            self.error(loc, f"{relative}: has no audio stream (it is {what}); sound is needed here")
            return None
        if use == "video" and info.video is None:
            self.error(loc, f"{relative}: has no video stream; use `image:` for stills")
            return None
        return info

    def _in_out(self, loc: Location, item, duration: float | None) -> None:
        """`in` before `out`, both inside the media's duration (within half a frame)."""
        first = self.seconds(item.in_) if item.in_ is not None else Fraction(0)
        last = self.seconds(item.out) if item.out is not None else None
        slack = 1 / (2 * self.clock.fps)
        if last is not None and last <= first:
            self.error((*loc, "out"), f"out ({item.out}) must be after in ({item.in_ or 0})")
            return
        if duration is None:
            return
        length = Fraction(duration).limit_denominator(1_000_000)
        if item.in_ is not None and first >= length:
            self.error(
                (*loc, "in"),
                f"in ({item.in_}) is at or past the end of the media "
                f"({format_clock(duration)}): use an earlier time",
            )
        if last is not None and last > length + slack:
            self.error(
                (*loc, "out"),
                f"out ({item.out}) is past the end of the media ({format_clock(duration)}): "
                "use an earlier time or leave `out` out to play to the end",
            )

    # catalog -------------------------------------------------------------------------

    def _intercept(self, intercept_id: str) -> None:
        intercept = self.timeline.intercepts[intercept_id]
        loc: Location = ("intercepts", intercept_id)
        info = self._media((*loc, "file"), intercept.file, "audio")
        for key in ("transcript", "translation"):
            relative = getattr(intercept, key)
            if relative is None:
                continue
            try:
                read_cues(self.project.path(relative))
            except SubtitleError as err:
                self.error((*loc, key), f"{relative}: {err}")
        for index, (begin, end) in enumerate(intercept.redact):
            span_loc = (*loc, "redact", index)
            if self.seconds(end) <= self.seconds(begin):
                self.error(span_loc, f"redact span [{begin}, {end}] must end after it starts")
            elif info and info.duration and self.seconds(begin) >= info.duration:
                self.error(span_loc, f"redact span starts past the end of {intercept.file}")

    # scenes --------------------------------------------------------------------------

    def _scene(self, scene_id: str, scene: Scene) -> None:
        loc: Location = ("scenes", scene_id)
        if _written_empty(self.raw_scenes.get(scene_id)):
            self.error(loc, f"scene {scene_id!r} is empty: give it pictures, audio or a title")
            return
        # Every item is checked (a list, not a generator: all() would stop at the first).
        pictures_ok = all(
            [self._picture(self._item(loc, "pictures", i), p) for i, p in enumerate(scene.pictures)]
        )
        audio_ok = all(
            [self._sound(self._item(loc, "audio", i), e) for i, e in enumerate(scene.audio)]
        )
        if not (pictures_ok and audio_ok):
            return  # timings need every file's facts
        self._timing(loc, scene)

    def _item(self, loc: Location, key: str, index: int) -> Location:
        """The YAML location of a scene's kept item (items before it may have been dropped)."""
        kept = self.positions.get(str(loc[-1]), {}).get(key)
        return (*loc, key, kept[index] if kept and index < len(kept) else index)

    def _picture(self, loc: Location, picture) -> bool:
        if isinstance(picture, StillsPicture):
            files = self.project.stills(picture)
            if not files:
                self.error(
                    (*loc, "glob"),
                    f"{picture.glob}: matches no files (looked in {self.project.base})",
                )
                return False
            return all(self._still((*loc, "glob"), str(path)) for path in files)
        if isinstance(picture, ImagePicture):
            return self._still((*loc, "image"), picture.image)
        if isinstance(picture, VideoPicture):
            info = self._media((*loc, "video"), picture.video, "video")
            if info is None:
                return False
            self._in_out(loc, picture, info.duration)
            if info.duration is None:
                self.error((*loc, "video"), f"{picture.video}: has no duration, even decoded")
                return False
        return True

    def _still(self, loc: Location, relative: str) -> bool:
        info = self.project.media.get(self.project.path(relative))
        if info is None:
            return False
        if info.error:
            self.error(loc, f"{relative}: {info.error}")
            return False
        width, height = self.timeline.settings.size
        if info.image_size and (info.image_size[0] < width / 2 and info.image_size[1] < height / 2):
            w, h = info.image_size
            self.warn(loc, f"{relative}: {w}x{h} is far smaller than the frame; it will look soft")
        return True

    def _sound(self, loc: Location, event) -> bool:
        if isinstance(event, InterceptEvent):
            known = self.declared_intercepts
            if event.intercept not in self.timeline.intercepts:
                if event.intercept in known:
                    return False  # its own entry is reported
                self.error(
                    (*loc, "intercept"),
                    f"no intercept {event.intercept!r} in the catalog"
                    f"{_did_you_mean(event.intercept, known)}",
                )
                return False
            relative = self.timeline.intercepts[event.intercept].file
            info = self.project.media.get(self.project.path(relative))
            if info is None or info.error or info.audio is None:
                return False  # reported at the catalog entry
            self._in_out(loc, event, info.duration)
            return True
        relative = event.bed if isinstance(event, BedEvent) else event.file
        key = "bed" if isinstance(event, BedEvent) else "file"
        info = self._media((*loc, key), relative, "audio")
        if info is None:
            return False
        if isinstance(event, FileEvent):
            self._in_out(loc, event, info.duration)
        elif event.gain != -math.inf and event.gain < QUIET_BED_DB:
            self.warn(
                (*loc, "gain"), f"bed at {event.gain:g} dB is below {QUIET_BED_DB:g} dB: inaudible"
            )
        if isinstance(event, BedEvent) and event.duck > 0:
            self.warn(
                (*loc, "duck"),
                f"duck {event.duck:g} dB raises the bed under speech; "
                "write a negative value such as -10dB to lower it",
            )
        return True

    def _timing(self, loc: Location, scene: Scene) -> None:
        """Overlaps, lengths, holds: what needs every file's real duration."""
        clock = self.clock
        spans = sorted(self._spans(scene), key=lambda span: span[0])
        latest: tuple[Fraction, int] | None = None  # the furthest end so far, and whose
        for start, end, index, name in spans:
            if latest is not None and start < latest[0]:
                other = scene.audio[latest[1]]
                where = self._item(loc, "audio", latest[1])[-1]
                self.error(
                    (*self._item(loc, "audio", index), "at"),
                    f"intercept {name!r} starts at {format_clock(float(start))}, while "
                    f"{other.intercept!r} (audio[{where}]) plays until "
                    f"{format_clock(float(latest[0]))}: move `at` to "
                    f"{float(latest[0]):.3f}s or later, or trim the other's `out`",
                )
            if latest is None or end > latest[0]:
                latest = (end, index)
        sound_end = audio_end(self.project, scene, clock)
        items = picture_items(self.project, scene, clock)
        fixed = sum((i.hold for i in items if i.hold is not None), Fraction(0))
        if scene.length != AUTO:
            length = self.seconds(scene.length)
            for index, event in enumerate(scene.audio):
                if isinstance(event, InterceptEvent | FileEvent):
                    end = self.seconds(event.at) + Fraction(
                        sound_length(self.project, event, clock), clock.rate
                    )
                    if end > length:
                        self.error(
                            self._item(loc, "audio", index),
                            f"audio runs to {format_clock(float(end))}, past the scene's length "
                            f"{scene.length}: trim its `out`, move it earlier or lengthen "
                            "the scene",
                        )
            if fixed > length:
                self.warn(
                    (*loc, "length"),
                    f"pictures run to {format_clock(float(fixed))}; they are cut at the "
                    f"scene's length {scene.length}",
                )
        elif items and all(i.hold is not None for i in items) and sound_end > fixed + 1:
            self.warn(
                (*loc, "pictures"),
                f"pictures end at {format_clock(float(fixed))} but the audio runs to "
                f"{format_clock(float(sound_end))}: the last picture is held "
                f"{float(sound_end - fixed):.1f}s",
            )
        transition = self.seconds(scene.transition)
        holds = [i.hold for i in items if i.hold is not None]
        if transition and holds and transition > min(holds):
            self.warn(
                (*loc, "transition"),
                f"transition {scene.transition} is longer than the shortest hold; "
                "it is shortened there",
            )

    def _spans(self, scene: Scene) -> Iterator[tuple[Fraction, Fraction, int, str]]:
        for index, event in enumerate(scene.audio):
            if isinstance(event, InterceptEvent):
                start = self.seconds(event.at)
                length = Fraction(sound_length(self.project, event, self.clock), self.clock.rate)
                yield start, start + length, index, event.intercept

    # cuts ----------------------------------------------------------------------------

    def _cut(self, cut: str, scene_ids: list[str]) -> None:
        if not scene_ids:
            self.error(("cuts", cut), f"cut {cut!r} is empty: list the scenes it plays")
        known = self.declared_scenes
        for index, scene_id in enumerate(scene_ids):
            if scene_id not in known:
                self.error(
                    ("cuts", cut, index),
                    f"cut {cut!r} names unknown scene {scene_id!r}{_did_you_mean(scene_id, known)}",
                )


__all__ = ["PlanError", "Report", "load_project", "validate"]
