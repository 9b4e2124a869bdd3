"""The catalog as a job: query a project's intercepts, and the planned cut as data.

`catalog_rows` answers `docedit catalog` (which calls match, how long, when, who, the
first words of the translation through the redactor, whether a cut uses them);
`plan_data` answers `docedit plan --json` (the cut with `select:` expanded, every item
with the YAML node that made it, so a query can be frozen into the timeline).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from docedit.core.errors import PlanError, Severity, TimelineError
from docedit.core.origin import Origin
from docedit.core.timecode import format_seconds
from docedit.media.probe import ProbeCache
from docedit.plan.items import ScenePlan, Shot, Sound
from docedit.plan.query import READ_AHEAD, Catalog, Query, chunks, expanded
from docedit.plan.redact import Lang, Redactor
from docedit.timeline.bind import bind, probe_intercepts
from docedit.timeline.format import InterceptEvent, Order, SelectEvent
from docedit.timeline.includes import structure_all
from docedit.timeline.load import load_timeline
from docedit.timeline.project import Project

FIRST_WORDS = 8


@dataclass(frozen=True, slots=True)
class Row:
    """One intercept of the catalog as `docedit catalog` shows it."""

    id: str
    duration: float | None
    recorded: dt.date | None
    speakers: tuple[str, ...]
    tags: tuple[str, ...]
    words: str  # the first words of the translation (or transcript), redacted
    used: bool
    origin: Origin

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "duration": self.duration,
            "recorded": self.recorded.isoformat() if self.recorded else None,
            "speakers": list(self.speakers),
            "tags": list(self.tags),
            "words": self.words,
            "used": self.used,
            "file": str(self.origin.file) if self.origin.file else None,
            "line": self.origin.line,
        }


def used_intercepts(project: Project, catalog: Catalog | None = None) -> set[str]:
    """Ids that some scene plays (a `select:` counts for what it expands to); every scene
    is in the default cut, so this is what some cut uses."""
    timeline = expanded(project, catalog).timeline
    return {
        event.intercept
        for scene in timeline.scenes.values()
        for event in scene.audio
        if isinstance(event, InterceptEvent)
    }


def catalog_rows(
    project: Project,
    query: Query,
    *,
    unused: bool = False,
    order: Order = "recorded",
    catalog: Catalog | None = None,
) -> list[Row]:
    """The intercepts that match `query` (and no cut uses, with `unused`), in `order`;
    `catalog` is the project's, when a caller has already searched it (texts folded)."""
    catalog = catalog or Catalog(project)
    used = used_intercepts(project, catalog)
    ids = catalog.search(query, order)
    if unused:
        ids = [i for i in ids if i not in used]
    redactor = Redactor.of(project.timeline)
    rows = []
    for chunk in chunks(ids, READ_AHEAD):  # their transcripts read in one go
        project.read_ahead(chunk)
        rows += [_row(project, redactor, i, i in used) for i in chunk]
    return rows


def query_catalog(
    path: Path, query: Query, *, unused: bool = False, cache: ProbeCache | None = None
) -> list[Row]:
    """`catalog_rows` without validating the whole timeline first: `docedit catalog`'s
    light path. The timeline is loaded and its structure checked, every transcript is read
    (from the transcript cache when warm), and only the recordings of the rows shown and
    of the calls the scenes play are probed (from the probe cache when warm). When any of
    that finds an error the timeline is validated in full, so a broken timeline fails with
    the same findings as `docedit validate`; what the query never looks at (the media of
    calls it does not show) is not checked here."""
    project = light_project(path, cache)
    if project is None:
        return _validated_rows(path, query, unused)
    cache = cache or ProbeCache()
    catalog = Catalog(project)
    ids = catalog.search(query)
    probe_intercepts(project, [*ids, *_played(project, catalog)], cache)
    if not any(info.error for info in project.media.values()) and not project.unreadable:
        try:
            return catalog_rows(project, query, unused=unused, catalog=catalog)
        except PlanError:
            pass  # a select or a word trim that cannot resolve: validation says where
    return _validated_rows(path, query, unused)


def _validated_rows(path: Path, query: Query, unused: bool) -> list[Row]:
    """The rows after a full validation: it raises with the findings of what is wrong."""
    from docedit.jobs.validate import load_project  # only when it must: numpy comes with it

    return catalog_rows(load_project(path), query, unused=unused)


def light_project(path: Path, cache: ProbeCache | None = None) -> Project | None:
    """The timeline bound without its catalog's recordings probed; None when loading or
    its structure has an error (the caller then validates in full for the findings)."""
    try:
        loaded = load_timeline(path)
    except TimelineError:
        return None
    structured = structure_all(loaded, cache.file.parent if cache else None)
    if structured.timeline is None or any(
        f.severity is Severity.ERROR for f in structured.findings
    ):
        return None
    return bind(path, structured.timeline, cache, loaded.marks, intercepts=())


def _played(project: Project, catalog: Catalog) -> list[str]:
    """The catalog entries some scene plays, by id or through its `select:`: what
    `used_intercepts` places, so their lengths must be known."""
    played: list[str] = []
    for scene in project.timeline.scenes.values():
        for event in scene.audio:
            if isinstance(event, InterceptEvent) and event.intercept in project.timeline.intercepts:
                played.append(event.intercept)
            elif isinstance(event, SelectEvent):
                selection = event.select
                played += catalog.search(Query.of(selection), selection.order, selection.limit)
    return played


def _row(project: Project, redactor: Redactor, intercept_id: str, used: bool) -> Row:
    intercept = project.timeline.intercepts[intercept_id]
    info = project.media.get(project.path(intercept.file))
    return Row(
        intercept_id,
        info.duration if info and not info.error else None,
        intercept.recorded,
        tuple(intercept.speakers),
        tuple(intercept.tags),
        first_words(project, redactor, intercept_id),
        used,
        project.origin("intercepts", intercept_id),
    )


def first_words(
    project: Project, redactor: Redactor, intercept_id: str, count: int = FIRST_WORDS
) -> str:
    """The opening words of the translation (else the transcript), each cue masked as
    the subtitles would mask it."""
    intercept = project.timeline.intercepts[intercept_id]
    langs: tuple[Lang, ...] = ("translation", "original")
    for lang in langs:
        words: list[str] = []
        for cue in project.cues(intercept, lang):
            shown = redactor.cue(intercept_id, lang, cue.start, cue.end, cue.text)
            words += shown.text.split()
            if len(words) > count:
                return " ".join(words[:count]) + " …"
        if words:
            return " ".join(words)
    return ""


# the planned cut ---------------------------------------------------------------------


def plan_data(project: Project, cut: str | None = None, scenes: Sequence[str] = ()) -> list[Any]:
    """The planned cut as JSON-ready data: one object per scene, its shots and sounds
    with their origins, and each intercept sound as the YAML that would freeze it."""
    from docedit.plan.build import make_plan  # here: `docedit catalog` never plans a cut

    plan = make_plan(project, cut, scenes)
    rate, fps = plan.clock.rate, plan.clock.fps
    return [
        {
            "id": scene.id,
            "start": _seconds(Fraction(scene.start) / fps),
            "frames": scene.frames,
            "start_frame": scene.start,
            "shots": [_shot(shot, fps) for shot in scene.shots],
            "sounds": [_sound(sound, scene, rate) for sound in scene.sounds],
        }
        for scene in plan.scenes
    ]


def _origin(origin: Origin) -> dict[str, Any]:
    return {
        "path": origin.path,
        "file": str(origin.file) if origin.file else None,
        "line": origin.line,
        "column": origin.column,
    }


def _seconds(value: Fraction) -> float:
    return float(value)


def _shot(shot: Shot, fps: Fraction) -> dict[str, Any]:
    return {
        "kind": shot.kind,
        "origin": _origin(shot.origin),
        "start_frame": shot.start,
        "end_frame": shot.end,
        "start": _seconds(Fraction(shot.start) / fps),
        "source": str(shot.source) if shot.source else None,
        "text": shot.text,
        "caption": shot.caption,
    }


def _sound(sound: Sound, scene: ScenePlan, rate: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "role": sound.role,
        "origin": _origin(sound.origin),
        "source": str(sound.source),
        "start_sample": sound.start,
        "samples": sound.length,
        "start": _seconds(Fraction(sound.start, rate)),
        "duration": _seconds(Fraction(sound.length, rate)),
        "source_in": _seconds(Fraction(sound.source_in, rate)),
    }
    if sound.intercept is not None:
        data["intercept"] = sound.intercept
        data["yaml"] = {  # what to write in the scene's `audio:` to freeze this sound
            "intercept": sound.intercept,
            "at": format_seconds(Fraction(sound.start - scene.start_sample, rate)),
            "in": format_seconds(Fraction(sound.source_in, rate)),
            "out": format_seconds(Fraction(sound.source_in + sound.length, rate)),
        }
    return data
