"""The public Python API: `docedit.load`, `validate`, `render`, `mix`, `subtitles`.

Each function is a few lines over the job that does the work, imported only when the
function is called, so `import docedit` stays light (no numpy, moviepy, scipy or pydub).
The CLI is a thin shell over these same functions.

Errors: anything a user's input, media or paths can cause raises a subclass of
`docedit.DoceditError` (a `TimelineError` carries every located finding); `validate`
never raises for a user's mistake. Outputs are written atomically: on any error nothing
is left at `out`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docedit.jobs.progress import Reporter
    from docedit.jobs.render import RenderResult
    from docedit.jobs.soundjob import SoundJob
    from docedit.jobs.validate import Report
    from docedit.plan.cues import Cue, Lang
    from docedit.sound.report import MixReport
    from docedit.timeline.project import Project

PathLike = str | os.PathLike[str]


def load(path: PathLike, strict: bool = False) -> Project:
    """Load, check and bind a timeline, ready to render.

    Args:
        path: the timeline YAML file.
        strict: treat warnings as errors too.

    Returns:
        A `Project`: `.timeline` (the parsed model), `.media` (facts about every file
        it uses) and `.timeline_path`.

    Raises:
        TimelineError: the timeline cannot be used; `.findings` lists every problem,
            each with its file, line and column.
    """
    from docedit.jobs.validate import load_project

    return load_project(Path(path), strict=strict)


def validate(path: PathLike) -> Report:
    """Check everything a render would need; never raises for a user's mistake.

    Args:
        path: the timeline YAML file.

    Returns:
        A `Report`: `.findings` (every problem, located), `.errors` and `.warnings`,
        `.ok(strict=False)`, `.summary` (one line about the cut when it is usable) and
        `.project` (the bound `Project`, or None when there are errors).
    """
    from docedit.jobs.validate import validate as run

    return run(Path(path))


def render(
    project: Project | PathLike,
    out: PathLike,
    *,
    cut: str | None = None,
    scenes: Sequence[str] = (),
    profile: str = "final",
    crf: int | None = None,
    cache: bool = False,
    reporter: Reporter | None = None,
    sound: SoundJob | None = None,
    loudness: float | str | None = None,
) -> RenderResult:
    """Render the cut to an H.264/AAC MP4.

    Args:
        project: a `Project` from `load`, or the path of a timeline to load first.
        out: the MP4 to write; never one of the timeline's own files.
        cut: a named cut from the timeline's `cuts:`; default every scene in order.
        scenes: play only these scene ids, in this order (instead of `cut`).
        profile: "final" (full size, CRF 18), "preview" (640 px, at most 12 fps) or
            "master" (ProRes 422 HQ and 24-bit PCM; `out` should end in .mov).
        crf: an x264 quality (0-51) instead of the profile's.
        cache: reuse (and keep) a finished sound made before from the same sounds and
            settings, in the cache folder; only the picture is rendered again.
        reporter: progress callbacks (`stage(name, total)`, `update(done)`), as
            `docedit.jobs.progress.Reporter`; default silent.
        sound: a `docedit.jobs.soundjob.SoundJob.spawn()` started earlier, so that its
            start-up overlaps your own work; default one is started here.
        loudness: the mix's target instead of the timeline's: LUFS, or a spec name
            ("ebu-r128", "atsc-a85", "streaming", "podcast", "web").

    Also writes `OUT.manifest.json` (provenance: see `docedit verify`).

    Returns:
        A `RenderResult`: `.path`, `.frames`, `.fps`, `.size`, `.duration` (seconds, a
        Fraction), `.mix` (a `MixReport`) and `.sound_cached`.
    """
    from docedit.jobs.render import render as run
    from docedit.jobs.soundcache import SoundCache

    try:
        loaded = _project(project)
    except BaseException:
        if sound is not None:
            sound.stop()  # the worker started for this render has nothing to do
        raise
    return run(
        loaded,
        Path(out),
        cut=cut,
        scenes=scenes,
        profile=profile,
        crf=crf,
        reporter=reporter,
        sound=sound,
        cache=SoundCache() if cache else None,
        loudness=loudness,
    )


def mix(
    project: Project | PathLike,
    out: PathLike,
    *,
    cut: str | None = None,
    scenes: Sequence[str] = (),
    reporter: Reporter | None = None,
    loudness: float | str | None = None,
) -> MixReport:
    """The final audio mix alone, exactly as a render carries it, to a 24-bit WAV.

    Args:
        project: a `Project` from `load`, or the path of a timeline to load first.
        out: the WAV to write.
        cut: a named cut from the timeline's `cuts:`; default every scene in order.
        scenes: play only these scene ids, in this order (instead of `cut`).
        reporter: progress callbacks, as for `render`; default silent.
        loudness: the target instead of the timeline's, as for `render`.

    Returns:
        A `MixReport`: `.rate`, `.samples`, `.seconds`, `.report` (integrated loudness,
        true peak, loudness range, gain applied) and `.scene_loudness` (LUFS per scene).
    """
    from docedit.jobs.render import mix as run

    return run(
        _project(project), Path(out), cut=cut, scenes=scenes, reporter=reporter, loudness=loudness
    )


def subtitles(
    project: Project | PathLike,
    out: PathLike,
    *,
    lang: Lang = "translation",
    cut: str | None = None,
    scenes: Sequence[str] = (),
) -> list[Cue]:
    """A subtitle sidecar of the cut, timed to the frame as the render burns it.

    Args:
        project: a `Project` from `load`, or the path of a timeline to load first.
        out: the .srt, .vtt, .ttml (IMSC 1) or .ass to write (the format follows the
            extension).
        lang: "translation" or "original": which text of the transcripts to write.
        cut: a named cut from the timeline's `cuts:`; default every scene in order.
        scenes: play only these scene ids, in this order (instead of `cut`).

    Returns:
        The cues written, in order: each a `Cue` with `.start` and `.end` (frames of the
        cut), `.text`, `.intercept` and `.redacted`.
    """
    from docedit.jobs.render import subtitles as run

    return run(_project(project), Path(out), lang=lang, cut=cut, scenes=scenes)


def _project(project: Project | PathLike) -> Project:
    """A project as given, or loaded from a path: scripts may pass either."""
    if isinstance(project, str | os.PathLike):
        return load(project)
    return project
