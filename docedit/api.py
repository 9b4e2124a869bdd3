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
    from docedit.jobs.export import ExportResult
    from docedit.jobs.progress import Reporter
    from docedit.jobs.render import RenderResult
    from docedit.jobs.scenes import SceneDisplay
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
    scheduler: str | None = None,
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
            settings, and every picture segment made before from the same shots and
            settings, in the cache folder; only segments that changed are drawn again.
        reporter: progress callbacks (`stage(name, total)`, `update(done)`), as
            `docedit.jobs.progress.Reporter`; default silent.
        sound: a `docedit.jobs.soundjob.SoundJob.spawn()` started earlier, so that its
            start-up overlaps your own work; default one is started here.
        loudness: the mix's target instead of the timeline's: LUFS, or a spec name
            ("ebu-r128", "atsc-a85", "streaming", "podcast", "web").
        scheduler: a Dask scheduler address (`tcp://HOST:PORT`): the picture's segments
            are drawn and encoded on its workers, which must see the sources and the
            output's folder at the same paths; needs `pip install 'docedit[dask]'`.

    Also writes `OUT.manifest.json` (provenance: see `docedit verify`).

    Returns:
        A `RenderResult`: `.path`, `.frames`, `.fps`, `.size`, `.duration` (seconds, a
        Fraction), `.mix` (a `MixReport`) and `.sound_cached`.
    """
    from docedit.jobs.render import render as run
    from docedit.jobs.segments import SegmentCache
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
        segments=SegmentCache() if cache else None,
        scheduler=scheduler,
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


def export(
    project: Project | PathLike,
    folder: PathLike,
    *,
    scenes: Sequence[str] = (),
    cut: str | None = None,
    profile: str = "final",
    name: str = "{scene}",
    jobs: int = 1,
    scheduler: str | None = None,
    loudness: float | str | None = None,
    cache: bool = True,
    display: SceneDisplay | None = None,
) -> ExportResult:
    """Every scene of the cut to its own file in `folder`, and `folder/manifest.json`.

    Each scene is rendered alone, so it is a deliverable of its own: its sound is
    normalised to the loudness target on its own (not cut out of the whole cut's mix).

    Args:
        project: a `Project` from `load`, or the path of a timeline to load first.
        folder: where the scene files and `manifest.json` go (made if missing).
        scenes: export only these scene ids, in this order (instead of `cut`).
        cut: a named cut from the timeline's `cuts:`; default every scene in order.
        profile: "final", "preview" or "master", as for `render`.
        name: the file name template: fields `{index}` (from 1) and `{scene}`; the
            profile's suffix is added when missing. Default `{scene}` (`<id>.mp4`).
        jobs: scenes rendered at once, each in its own process.
        scheduler: a Dask scheduler's address (`tcp://HOST:PORT`) to send the scenes
            to instead (`pip install 'docedit[dask]'`); workers must see the same paths.
        loudness: the target instead of the timeline's, as for `render`.
        cache: reuse and keep sounds and picture segments made before, as for `render`.
        display: progress of every scene (`docedit.jobs.scenes.SceneDisplay`); silent.

    Returns:
        An `ExportResult`: `.ok`, `.files` (each a `SceneFile`: `.id`, `.file`,
        `.duration`, `.frames`, `.sha256`, `.sources`), `.failed` ((scene, why) pairs),
        `.manifest` (the manifest's data) and `.manifest_path`. A failed scene does not
        raise: the others are kept and the manifest lists only finished files.
    """
    from docedit.jobs.export import run_export

    return run_export(
        _project(project),
        Path(folder),
        scenes=scenes,
        cut=cut,
        profile=profile,
        name=name,
        jobs=jobs,
        scheduler=scheduler,
        loudness=loudness,
        cache=cache,
        display=display,
    )


def _project(project: Project | PathLike) -> Project:
    """A project as given, or loaded from a path: scripts may pass either."""
    if isinstance(project, str | os.PathLike):
        return load(project)
    return project
