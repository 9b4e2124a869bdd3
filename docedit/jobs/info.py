"""`docedit info`: a timeline at a glance, every figure taken from the plan a render uses.

Cuts, scenes with their lengths, pictures and calls per scene, the total, speakers, the
dates of the calls used, redactions (their spans and notes: never the words they hide)
and how many warnings validation found. Text that can name what a redaction hides
(notes, titles, speakers) goes through the plan's `Redactor` first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

from docedit.core.errors import TimelineError
from docedit.core.timecode import format_clock, format_fps
from docedit.jobs.validate import validate
from docedit.plan import Plan, make_plan
from docedit.plan.items import ScenePlan
from docedit.plan.redact import Redactor
from docedit.timeline.project import Project


@dataclass(frozen=True)
class Length:
    frames: int
    seconds: float
    clock: str  # hh:mm:ss.fff

    @classmethod
    def of(cls, plan: Plan, frames: int) -> Length:
        seconds = plan.clock.frame_time(frames)
        return cls(frames, float(seconds), format_clock(float(seconds)))


@dataclass(frozen=True)
class SceneInfo:
    id: str
    title: str | None
    start: Length
    length: Length
    pictures: int  # stills and video shots (title cards not counted)
    titles: int  # title cards
    intercepts: list[str]  # the calls it plays, in order of their start
    sounds: int  # every sound: calls, files, beds, footage


@dataclass(frozen=True)
class RedactionInfo:
    intercept: str
    begin: float  # seconds into the recording
    end: float
    note: str | None
    names_words: bool  # the words are listed in the timeline (never shown here)


@dataclass(frozen=True)
class TimelineInfo:
    timeline: str
    title: str | None
    size: tuple[int, int]
    fps: str
    cut: str | None
    length: Length
    scenes: list[SceneInfo]
    cuts: dict[str, Length]
    speakers: list[str]
    recorded: tuple[str, str] | None  # the first and last day of the calls used
    redactions: list[RedactionInfo] = field(default_factory=list)
    warnings: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def timeline_info(path: Path, cut: str | None = None) -> TimelineInfo:
    """The figures of `path` (of one cut of it, with `cut`); TimelineError if invalid."""
    report = validate(path)
    project = report.project
    if project is None or report.errors:
        raise TimelineError(report.findings)
    plan = make_plan(project, cut)
    redactor = Redactor.of(project.timeline)
    used = _used_intercepts(plan)
    timeline = project.timeline
    return TimelineInfo(
        timeline=str(path),
        title=redactor.optional(timeline.title),
        size=plan.size,
        fps=format_fps(plan.clock.fps),
        cut=cut,
        length=Length.of(plan, plan.frames),
        scenes=[_scene(project, plan, scene, redactor) for scene in plan.scenes],
        cuts={name: Length.of(plan, make_plan(project, name).frames) for name in timeline.cuts},
        speakers=sorted({redactor.text(s) for i in used for s in timeline.intercepts[i].speakers}),
        recorded=_date_range(project, used),
        redactions=_redactions(project, used, redactor),
        warnings=len(report.warnings),
    )


def _used_intercepts(plan: Plan) -> list[str]:
    return list(dict.fromkeys(s.intercept for s in plan.sounds if s.intercept is not None))


def _scene(project: Project, plan: Plan, scene: ScenePlan, redactor: Redactor) -> SceneInfo:
    calls = sorted((s for s in scene.sounds if s.intercept is not None), key=lambda s: s.start)
    return SceneInfo(
        id=scene.id,
        title=redactor.optional(project.timeline.scenes[scene.id].title),
        start=Length.of(plan, scene.start),
        length=Length.of(plan, scene.frames),
        pictures=sum(1 for shot in scene.shots if shot.kind != "title"),
        titles=sum(1 for shot in scene.shots if shot.kind == "title"),
        intercepts=list(dict.fromkeys(s.intercept for s in calls if s.intercept is not None)),
        sounds=len(scene.sounds),
    )


def _date_range(project: Project, used: list[str]) -> tuple[str, str] | None:
    days: list[dt.date] = [
        day for i in used if (day := project.timeline.intercepts[i].recorded) is not None
    ]
    return (min(days).isoformat(), max(days).isoformat()) if days else None


def _redactions(project: Project, used: list[str], redactor: Redactor) -> list[RedactionInfo]:
    fps = project.timeline.settings.fps
    return [
        RedactionInfo(
            intercept=intercept,
            begin=float(item.begin.to_seconds(fps)),
            end=float(item.end.to_seconds(fps)),
            note=redactor.optional(item.note or project.timeline.intercepts[intercept].note),
            names_words=item.words is not None,
        )
        for intercept in used
        for item in project.timeline.intercepts[intercept].redact
    ]
