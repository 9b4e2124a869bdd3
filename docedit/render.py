"""The pipeline as functions scripts can call: plan -> mix + picture -> encode -> sidecars.

The CLI is a thin shell over these; each takes a validated `Project` (see
`validate.load_project`) and writes its output atomically.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from docedit.encode import (
    PROFILES,
    EncodeError,
    Profile,
    aac_sink,
    encode_video,
    frame_count,
    mux,
    plan_frame,
)
from docedit.picture import FrameRenderer
from docedit.plan import Plan, make_plan
from docedit.progress import Reporter, Silent
from docedit.project import Project
from docedit.subtitles import Cue, Lang, cue_track, write_sidecar

if TYPE_CHECKING:  # the mix (and scipy, slow to import) is loaded only where it runs
    from docedit.mix import MixReport


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
    crf: int | None = None,
    reporter: Reporter | None = None,
) -> RenderResult:
    """Render the cut to an H.264/AAC MP4 at `out` (final or preview profile).

    The sound (mix, loudness, AAC) is made in a second process while this one renders
    and encodes the frames; the two are joined by a stream-copy mux at the end.
    """
    reporter = reporter or Silent()
    out = guard_output(project, out)
    plan = make_plan(project, cut, scenes)
    chosen = PROFILES[profile] if crf is None else replace(PROFILES[profile], crf=crf)
    size, fps = chosen.size(plan.size), chosen.fps(plan.clock.fps)
    count = frame_count(plan.frames, plan.clock.fps, fps)
    subtitles = burned_cues(project, plan)
    with tempfile.TemporaryDirectory(prefix="docedit-") as work:
        picture, sound = Path(work) / "picture.mp4", Path(work) / "sound.m4a"
        job = SoundJob.start(plan, project.media, sound, chosen)
        try:
            renderer = FrameRenderer(plan, size, subtitles)
            reporter.stage("picture", count)
            try:
                encode_video(
                    lambda i: renderer.frame(plan_frame(i, plan.clock.fps, fps)),
                    count,
                    size,
                    fps,
                    picture,
                    chosen,
                    reporter.update,
                )
            finally:
                renderer.close()
            reporter.stage("sound", 1)
            mixed = job.result()
            reporter.update(1)
        except BaseException:
            job.stop()
            raise
        mux(picture, sound, out)
    return RenderResult(out, count, fps, size, Fraction(count) / fps, mixed)


class SoundJob:
    """The mix and its AAC encode, in a child process (a thread would stall the frames)."""

    def __init__(self, process, connection) -> None:
        self.process = process
        self.connection = connection

    @classmethod
    def start(cls, plan: Plan, media, m4a: Path, profile: Profile) -> SoundJob:
        context = multiprocessing.get_context("spawn")
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=_sound_worker, args=(send, plan, media, m4a, profile), daemon=True
        )
        process.start()
        send.close()
        return cls(process, receive)

    def result(self) -> MixReport:
        try:
            outcome, value = self.connection.recv()
        except EOFError:
            raise EncodeError("the sound process died before finishing the mix") from None
        self.process.join()
        if outcome == "error":
            raise value
        return value

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


def _sound_worker(send, plan: Plan, media, m4a: Path, profile: Profile) -> None:
    from docedit.mix import mix

    try:
        report = mix(plan, media, lambda: aac_sink(m4a, plan.clock.rate, profile))
        send.send(("ok", report))
    except KeyboardInterrupt:  # the parent is told by Ctrl-C too, and cleans up
        pass
    except Exception as error:  # handed to the parent, which raises it
        send.send(("error", error))
    finally:
        send.close()


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
    from docedit.mix import BLOCK, mix_to_wav

    reporter.stage("mix", max(1, -(-plan.samples // BLOCK)))
    return mix_to_wav(plan, project.media, out, lambda done, _total: reporter.update(done))
