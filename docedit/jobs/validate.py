"""Validation as one job: load, check the schema, bind to the disk once, check meaning,
check timings with the plan's arithmetic, and summarise. Never raises for a user's
mistake: every problem is collected as a located finding, and nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from docedit.core.errors import Finding, Severity, TimelineError
from docedit.core.timecode import format_clock, format_fps
from docedit.jobs.delivery import transcript_findings
from docedit.media.probe import ProbeCache
from docedit.plan.build import make_plan
from docedit.plan.checks import check_timing
from docedit.plan.query import expand
from docedit.timeline.bind import bind
from docedit.timeline.checks import check_timeline
from docedit.timeline.includes import structure_all
from docedit.timeline.load import load_timeline
from docedit.timeline.project import Project


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
    path = Path(path)
    report = Report(path)
    try:
        loaded = load_timeline(path)
    except TimelineError as err:
        report.findings = err.findings
        return report
    # catalogs from other files, with their own marks; parsed ones kept beside the probes
    structured = structure_all(loaded, cache.file.parent if cache else None)
    report.findings = list(structured.findings)
    if structured.partial is None:
        return _sorted(report)
    # Bound once: when the file is valid, its partial timeline is the timeline itself.
    project = bind(path, structured.partial, cache, loaded.marks, structured.positions)
    checked = check_timeline(project, loaded.data)
    report.findings += checked.findings
    report.findings += transcript_findings(project)  # subtitle rules, at the cue's line
    expansion = expand(project)  # `select:` and word trims, resolved as the plan will
    report.findings += expansion.findings
    for scene_id in checked.ready:
        if scene_id not in expansion.broken:
            report.findings += check_timing(expansion.project, scene_id)
    if structured.timeline is not None and not report.errors:
        project.timeline = structured.timeline
        project.positions = None
        report.project = project
        # the expansion's project: its `select:`s and trims are resolved, not searched again
        report.summary = summarise(expansion.project)
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
