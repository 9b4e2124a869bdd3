"""The pipeline as functions scripts can call: plan -> mix + picture -> encode -> sidecars.

The CLI is a thin shell over these; each takes a validated `Project` (see
`validate.load_project`) and writes its output atomically.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from docedit.encode import PROFILES, encode, frame_count, plan_frame
from docedit.mix import BLOCK, MixReport, mix_to_wav
from docedit.picture import FrameRenderer
from docedit.plan import Plan, make_plan
from docedit.progress import Reporter, Silent
from docedit.project import Project
from docedit.subtitles import Cue, Lang, cue_track, write_sidecar


class OutputError(ValueError):
    """An output path that would destroy an input or cannot be written."""


@dataclass(frozen=True)
class RenderResult:
    path: Path
    frames: int
    fps: Fraction
    size: tuple[int, int]
    duration: Fraction
    mix: MixReport


def guard_output(project: Project, out: Path) -> Path:
    """Refuse to overwrite the timeline or any media it uses: nothing is ever lost."""
    out = Path(os.path.abspath(out))
    inputs = {project.timeline_path, *project.media}
    for intercept in project.timeline.intercepts.values():
        for relative in (intercept.transcript, intercept.translation):
            if relative:
                inputs.add(project.path(relative))
    if out in inputs:
        raise OutputError(f"{out}: is an input of this timeline; choose another output name")
    if out.is_dir():
        raise OutputError(f"{out}: is a folder; give a file name")
    return out


def burned_cues(project: Project, plan: Plan) -> tuple[list[Cue], list[Cue]]:
    """(original, translation) cues to burn in, as the timeline's settings ask."""
    settings = project.timeline.settings
    if settings.subtitles != "burn":
        return [], []
    original = (
        cue_track(project, plan, "original") if settings.subtitle_lang != "translation" else []
    )
    translation = (
        cue_track(project, plan, "translation") if settings.subtitle_lang != "original" else []
    )
    return original, translation


def render(
    project: Project,
    out: Path,
    *,
    cut: str | None = None,
    scenes: Sequence[str] = (),
    profile: str = "final",
    reporter: Reporter | None = None,
) -> RenderResult:
    """Render the cut to an H.264/AAC MP4 at `out` (final or preview profile)."""
    reporter = reporter or Silent()
    out = guard_output(project, out)
    plan = make_plan(project, cut, scenes)
    chosen = PROFILES[profile]
    size = chosen.size(plan.size)
    fps = chosen.fps(plan.clock.fps)
    count = frame_count(plan.frames, plan.clock.fps, fps)
    subtitles = burned_cues(project, plan)
    with tempfile.TemporaryDirectory(prefix="docedit-") as work:
        wav = Path(work) / "mix.wav"
        mixed = _mix(plan, project, wav, reporter)
        renderer = FrameRenderer(plan, size, subtitles)
        reporter.stage("picture", count)
        try:
            encode(
                lambda i: renderer.frame(plan_frame(i, plan.clock.fps, fps)),
                count,
                size,
                fps,
                wav,
                out,
                chosen,
                reporter.update,
            )
        finally:
            renderer.close()
    return RenderResult(out, count, fps, size, Fraction(count) / fps, mixed)


def mix(
    project: Project,
    out: Path,
    *,
    cut: str | None = None,
    scenes: Sequence[str] = (),
    reporter: Reporter | None = None,
) -> MixReport:
    """The final mix alone, as the render would carry it, to a 24-bit WAV at `out`."""
    out = guard_output(project, out)
    plan = make_plan(project, cut, scenes)
    return _mix(plan, project, out, reporter or Silent())


def subtitles(
    project: Project,
    out: Path,
    *,
    lang: Lang = "translation",
    cut: str | None = None,
    scenes: Sequence[str] = (),
) -> list[Cue]:
    """A subtitle sidecar (.srt or .vtt) of the cut in one language."""
    out = guard_output(project, out)
    plan = make_plan(project, cut, scenes)
    cues = cue_track(project, plan, lang)
    write_sidecar(cues, plan, out)
    return cues


def _mix(plan: Plan, project: Project, out: Path, reporter: Reporter) -> MixReport:
    reporter.stage("mix", max(1, -(-plan.samples // BLOCK)))
    return mix_to_wav(plan, project.media, out, lambda done, _total: reporter.update(done))
