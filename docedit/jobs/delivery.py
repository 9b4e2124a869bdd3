"""Delivery checks: `qc` of any media file against a loudness spec, subtitle rules on
transcripts and on a cut's cues, and `verify` of a render's manifest."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from docedit.core.errors import Finding, MediaError, Severity
from docedit.core.loudness_specs import LoudnessSpec
from docedit.media.info import SourceCue
from docedit.media.probe import probe_av
from docedit.media.qc import Stretch, audio_blocks, scan
from docedit.plan.build import make_plan
from docedit.plan.cues import Cue, Lang, cue_track
from docedit.plan.items import Plan
from docedit.plan.subrules import (
    DEFAULT_RULES,
    RULES,
    Breach,
    RuleCue,
    Rules,
    RulesError,
    check,
    rules_from,
)
from docedit.timeline.project import Project

if TYPE_CHECKING:  # scipy, through the meter: imported by qc() alone, not by validate
    from docedit.sound.measure import Measured


@dataclass
class QcReport:
    """What `qc` found: facts, stretches, and what missed the spec (empty: passed)."""

    path: str
    streams: list[str]
    duration: float | None
    fps: float | None = None
    frames: int | None = None
    video_seconds: float | None = None
    audio_seconds: float | None = None
    loudness: Measured | None = None
    spec: LoudnessSpec | None = None
    stretches: list[Stretch] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
        if self.loudness:  # JSON has no infinity: silence is null
            data["loudness"] = {
                key: (None if isinstance(value, float) and math.isinf(value) else value)
                for key, value in data["loudness"].items()
            }
        return data


def qc(path: Path, spec: LoudnessSpec | None = None) -> QcReport:
    """Measure any media file; with a spec, say by how much it misses it."""
    from docedit.sound.measure import measure

    info = probe_av(Path(path))
    if info.error:
        raise MediaError(f"{path}: {info.error}")
    video, audio = info.video, info.audio
    found = scan(Path(path), video is not None, audio is not None, info.duration or 0.0)
    report = QcReport(str(path), found.streams, info.duration, spec=spec)
    report.stretches = found.stretches
    if video is not None and found.frames is not None and video.fps > 0:
        report.fps, report.frames = video.fps, found.frames
        report.video_seconds = found.frames / video.fps
    if audio is not None:
        channels = audio.channels if audio.channels <= 2 else 2
        rate = audio.sample_rate or 48000
        report.loudness = measure(audio_blocks(Path(path), rate, channels), rate, channels)
        report.audio_seconds = report.loudness.samples / rate
    _judge(report, video.fps if video else None)
    return report


def _judge(report: QcReport, fps: float | None) -> None:
    for stretch in report.stretches:
        report.warnings.append(
            f"{stretch.kind} from {stretch.start:.2f}s to {stretch.end:.2f}s "
            f"({stretch.seconds:.2f}s)"
        )
    if report.video_seconds is not None and report.audio_seconds is not None and fps:
        apart = report.audio_seconds - report.video_seconds
        if abs(apart) > 1 / fps:  # AAC priming is well under a frame once trimmed
            longer = "audio" if apart > 0 else "video"
            report.failures.append(
                f"the {longer} is {abs(apart):.3f}s longer (audio {report.audio_seconds:.3f}s, "
                f"video {report.video_seconds:.3f}s)"
            )
    spec, measured = report.spec, report.loudness
    if spec is None:
        return
    if measured is None:
        report.failures.append(f"no audio to hold to {spec.name}")
        return
    missed = measured.integrated - spec.integrated
    if math.isinf(missed) or abs(missed) > spec.tolerance:
        report.failures.append(_loudness_miss(measured.integrated, spec))
    if measured.true_peak > spec.true_peak:
        over = measured.true_peak - spec.true_peak
        report.failures.append(
            f"true peak {measured.true_peak:+.1f} dBTP is {over:.1f} dB over {spec.name}'s "
            f"ceiling of {spec.true_peak:g} dBTP"
        )


def _loudness_miss(integrated: float, spec: LoudnessSpec) -> str:
    if math.isinf(integrated):
        return f"the audio is silent; {spec.name} wants {spec.integrated:g} LUFS"
    apart = integrated - spec.integrated
    way = "louder" if apart > 0 else "quieter"
    return (
        f"integrated loudness {integrated:.1f} LUFS is {abs(apart):.1f} LU {way} than "
        f"{spec.name}'s {spec.integrated:g} LUFS (tolerance \u00b1{spec.tolerance:g} LU)"
    )


def load_rules(name: str | None) -> Rules:
    """Rules by name (netflix, bbc) or from a YAML/JSON file of numbers (see subrules)."""
    name = name or DEFAULT_RULES
    if name in RULES:
        return RULES[name]
    path = Path(name)
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except FileNotFoundError:
        known = ", ".join(RULES)
        raise RulesError(f"{name}: neither rules by name ({known}) nor a rules file") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise RulesError(f"{name}: cannot read it as rules ({err})") from None
    if not isinstance(data, dict):
        raise RulesError(f"{name}: a rules file is a mapping, e.g. `base: bbc` and `cps: 15`")
    return rules_from(data, path.stem)


def _finding(path: Path, breach: Breach, severity: Severity = Severity.WARNING) -> Finding:
    return Finding(path, breach.cue.line, 1, severity, f"subtitle rules: {breach.message}")


def transcript_findings(project: Project, rules: Rules | None = None) -> list[Finding]:
    """Every transcript and translation the timeline names, against the rules (warnings
    at the cue's line), timed in the recording's own time."""
    rules = rules or RULES[DEFAULT_RULES]
    fps = project.timeline.settings.fps
    findings = []
    # One at a time, in catalog order: a catalog holds thousands (a shared transcript may
    # be checked twice; validation keeps each finding once, sorted by file and line).
    for path in project.transcripts.each():
        cues = project.transcripts[path]
        for breach in check([_rule_cue(cue) for cue in cues], rules, fps):
            findings.append(_finding(path, breach))
    return findings


def _rule_cue(cue: SourceCue) -> RuleCue:
    return RuleCue(cue.start, cue.end, cue.text, cue.line)


def cut_findings(
    project: Project, plan: Plan, cues: list[Cue], lang: str, rules: Rules
) -> list[Finding]:
    """The cut's cues against the rules, and against its picture cuts, located at the
    transcript line each came from."""
    clock = plan.clock
    # Hard cuts only: a dissolve or a dip has no single frame for a cue to snap to.
    hard = (s for s in plan.shots if s.start > 0 and not s.fade_in and not s.black_in)
    cuts = sorted({clock.frame_time(s.start) for s in hard})
    checked = []
    for cue in cues:
        intercept = project.timeline.intercepts[cue.intercept]
        relative = intercept.text_file(lang)
        source = project.path(relative) if relative else project.timeline_path
        start, end = clock.frame_time(cue.start), clock.frame_time(cue.end)
        checked.append(RuleCue(Fraction(start), Fraction(end), cue.text, cue.line, str(source)))
    return [_finding(Path(b.cue.file), b) for b in check(checked, rules, clock.fps, cuts)]


def subtitle_check(
    project: Project,
    lang: Lang = "translation",
    cut: str | None = None,
    scenes: Sequence[str] = (),
    rules: Rules | None = None,
) -> list[Finding]:
    """The cut's cues in one language against the rules (default netflix)."""
    plan = make_plan(project, cut, scenes)
    cues = cue_track(project, plan, lang)
    return cut_findings(project, plan, cues, lang, rules or RULES[DEFAULT_RULES])
