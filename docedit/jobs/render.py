"""The pipeline as functions scripts can call: plan -> mix + picture -> encode -> sidecars.

The CLI is a thin shell over these; each takes a validated `Project` (see
`validate.load_project`) and writes its output atomically.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import numpy as np

from docedit.core.atomic import output_lock
from docedit.core.background import Background
from docedit.core.errors import MediaError, OutputError
from docedit.core.loudness_specs import loudness_spec
from docedit.jobs.progress import Reporter, Silent, warn
from docedit.jobs.segments import (
    RemoteEncoder,
    SegmentCache,
    SegmentStats,
    encode_segments,
    lane_count,
)
from docedit.jobs.soundcache import SoundCache, sound_key
from docedit.jobs.soundjob import SoundJob
from docedit.media.probe import MediaInfo
from docedit.output.concat import concat
from docedit.output.encode import (
    PROFILES,
    Profile,
    encode_video,
    frame_count,
    mux,
    plan_frame,
    require_encoders,
)
from docedit.output.manifest import source_hashes, write_manifest
from docedit.picture.frames import FrameRenderer
from docedit.picture.stillcache import StillCache
from docedit.plan import Plan, make_plan
from docedit.plan.cues import Cue, Lang, cue_track
from docedit.sound.report import MixReport
from docedit.timeline.project import Project


@dataclass(frozen=True)
class RenderResult:
    path: Path
    frames: int
    fps: Fraction
    size: tuple[int, int]
    duration: Fraction
    mix: MixReport
    sound_cached: bool = False  # the sound came from the cache, as made by an earlier render
    segments: SegmentStats | None = None  # which picture segments were encoded or reused


def guard_output(project: Project, out: Path) -> Path:
    """Refuse to overwrite the timeline or any media it uses: nothing is ever lost."""
    out = Path(os.path.abspath(out))
    inputs = {project.timeline_path, *project.media, *project.text_paths()}
    if out in inputs:
        raise OutputError(f"{out}: is an input of this timeline; choose another output name")
    if out.is_dir():
        raise OutputError(f"{out}: is a folder; give a file name")
    return out


def check_unchanged(project: Project) -> None:
    """Every media file as it was when validated (size and modification time): a file
    replaced or cut short since then would be rendered against a plan made for another."""
    for path, seen in project.stamps.items():
        try:
            stat = os.stat(path)
        except OSError as err:
            raise MediaError(f"{path}: gone since it was validated ({err.strerror})") from None
        if (stat.st_size, stat.st_mtime_ns) != seen:
            raise MediaError(f"{path}: changed on disk since it was validated; render again")


def sound_media(project: Project, plan: Plan) -> dict[Path, MediaInfo]:
    """The media facts the mix needs: those of the sounds it plays, not the catalog's
    (this is what is pickled to the sound process)."""
    return {sound.source: project.media[sound.source] for sound in plan.sounds}


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


class OutputFrames:
    """The frames a render encodes, as I420, at the profile's size and rate: output frame
    i shows the plan frame on screen at its time (a preview at 12 fps skips some). The
    bench's encoder floor encodes these very frames."""

    def __init__(
        self, project: Project, plan: Plan, profile: Profile, stills: StillCache | None = None
    ) -> None:
        self.plan, self.plan_fps, self.stills = plan, plan.clock.fps, stills
        self.size, self.fps = profile.size(plan.size), profile.fps(plan.clock.fps)
        self.count = frame_count(plan.frames, plan.clock.fps, self.fps)
        self.cues = burned_cues(project, plan)
        self.renderer = FrameRenderer(plan, self.size, self.cues, stills=stills)

    def __call__(self, index: int) -> np.ndarray:
        return self.renderer.frame(plan_frame(index, self.plan_fps, self.fps))

    def lanes(self, count: int) -> list[OutputFrames]:
        """These frames and `count - 1` more sources of them, each with its own renderer
        (a lane of jobs/lanes.py moves forwards through the cut on its own)."""
        more = [copy.copy(self) for _ in range(count - 1)]
        for other in more:
            other.renderer = FrameRenderer(self.plan, self.size, self.cues, stills=self.stills)
        return [self, *more]

    def close(self) -> None:
        self.renderer.close()


def render(
    project: Project,
    out: Path,
    *,
    cut: str | None = None,
    scenes: Sequence[str] = (),
    profile: str = "final",
    crf: int | None = None,
    reporter: Reporter | None = None,
    sound: SoundJob | None = None,
    cache: SoundCache | None = None,
    loudness: float | str | None = None,
    segments: SegmentCache | None = None,
    scheduler: str | None = None,
    manifest: bool = True,
) -> RenderResult:
    """Render the cut to an H.264/AAC MP4 at `out` (final or preview profile), or a
    ProRes 422 HQ / 24-bit PCM MOV (master); `OUT.manifest.json` is written after it
    (unless `manifest` is false: `docedit review` keeps its video without one).

    The sound (mix, loudness, AAC) is made in a second process while this one renders
    and encodes the frames; the two are joined by a stream-copy mux at the end. Pass a
    `SoundJob.spawn()` made earlier to let its start-up overlap your own work. With a
    `cache`, a sound made before from the same sounds and settings is used as it is.
    With `segments`, the picture is encoded in segments and only those not in that
    cache are drawn again (jobs/segments.py); the joined result plays the same. With a
    Dask `scheduler` address, those segments are drawn and encoded on the cluster's
    workers (jobs/cluster.py) while the one mix of the whole cut is made here.
    """
    reporter = reporter or Silent()
    job = sound or SoundJob.spawn()
    lock = ExitStack()  # held from before any work until the manifest is written
    try:
        out = guard_output(project, out)
        lock.enter_context(output_lock(out))
        check_unchanged(project)
        plan = with_loudness(make_plan(project, cut, scenes), loudness)
        chosen = PROFILES[profile] if crf is None else replace(PROFILES[profile], crf=crf)
        require_encoders(chosen)
    except BaseException:
        job.stop()
        lock.close()
        raise
    cache = None if chosen.master else cache  # the cache keeps AAC only
    segments = None if chosen.master else segments  # ProRes segments would fill the disk
    stats = None
    # A cluster's workers write segments where they can see it: beside the output.
    shared = out.parent if scheduler is not None else None
    with lock, tempfile.TemporaryDirectory(prefix=".docedit-", dir=shared) as work:
        key = sound_key(plan, chosen) if cache else ""
        cached = cache.get(key) if cache else None
        picture = Path(work) / f"picture{chosen.suffix}"
        m4a = Path(work) / f"sound{chosen.sound_suffix}"
        if cached:
            job.stop()
            m4a, mixed = cached
        else:
            job.submit(plan, sound_media(project, plan), m4a, chosen)
        # for the manifest, meanwhile (a caller that keeps no manifest hashes nothing)
        hashes = Background(source_hashes, project, plan) if manifest else None
        try:
            # A render that keeps its picture segments also keeps its decoded stills.
            stills = StillCache(warn=warn) if segments is not None else None
            frames = OutputFrames(project, plan, chosen, stills)
            # A preview's segments go two at a time (one-thread x264 each: jobs/lanes.py).
            lanes = frames.lanes(lane_count(chosen) if segments is not None else 1)
            reporter.stage("picture", frames.count)
            try:
                remote = None
                if scheduler is not None:
                    from docedit.jobs.cluster import segments_on

                    segments = segments or SegmentCache(Path(work) / "segments")
                    remote = segments_on(scheduler, project, plan, chosen, Path(work))
                stats = _picture(lanes, plan, picture, chosen, segments, reporter, remote)
            finally:
                for lane in lanes:
                    lane.close()
            if not cached:
                reporter.stage("sound", 1)
                mixed = job.result()
                reporter.update(1)
        except MediaError:  # a source that failed to read: if it changed or went, say so
            job.stop()
            check_unchanged(project)
            raise
        except BaseException:
            job.stop()
            raise
        check_unchanged(project)  # a source cut short or replaced while it was being read
        if stats is None:
            mux(picture, m4a, out)
        else:  # the segments and the sound, joined in one stream-copy run
            concat(stats.parts, out, m4a)
        if hashes is not None:
            write_manifest(project, plan, out, chosen.name, hashes.result())
        if cache and not cached:
            cache.put(key, m4a, mixed)
    count, fps = frames.count, frames.fps
    duration = Fraction(count) / fps
    return RenderResult(out, count, fps, frames.size, duration, mixed, bool(cached), stats)


def _picture(
    lanes: list[OutputFrames],
    plan: Plan,
    picture: Path,
    profile: Profile,
    cache: SegmentCache | None,
    reporter: Reporter,
    remote: RemoteEncoder | None = None,
) -> SegmentStats | None:
    """Encode the picture in one run, or with a cache in segments, encoding only those
    the cache lacks (then `SegmentStats` says which), in `lanes` (jobs/lanes.py)."""
    frames = lanes[0]
    count, size, fps, update = frames.count, frames.size, frames.fps, reporter.update
    if cache is None:
        encode_video(frames, count, size, fps, picture, profile, update)
        return None
    cues = (frames.renderer.original, frames.renderer.translation)
    return encode_segments(
        plan, lanes, count, size, fps, cues, profile, cache, picture, update, remote
    )


def mix(
    project: Project,
    out: Path,
    *,
    cut: str | None = None,
    scenes: Sequence[str] = (),
    reporter: Reporter | None = None,
    loudness: float | str | None = None,
) -> MixReport:
    """The final mix alone, as the render would carry it, to a 24-bit WAV at `out`."""
    out = guard_output(project, out)
    with output_lock(out):
        check_unchanged(project)
        plan = with_loudness(make_plan(project, cut, scenes), loudness)
        return _mix(plan, project, out, reporter or Silent())


def subtitles(
    project: Project,
    out: Path,
    *,
    lang: Lang = "translation",
    cut: str | None = None,
    scenes: Sequence[str] = (),
) -> list[Cue]:
    """A subtitle sidecar (.srt, .vtt, .ttml or .ass) of the cut in one language."""
    out = guard_output(project, out)
    plan = make_plan(project, cut, scenes)
    cues = cue_track(project, plan, lang)
    from docedit.output.sidecar import write_subtitles  # pysubs2: only for sidecars

    write_subtitles(cues, plan, out)
    return cues


def with_loudness(plan: Plan, loudness: float | str | None) -> Plan:
    """The plan with `--loudness` (a number or a spec name) instead of the timeline's;
    a number keeps the timeline's true peak."""
    if loudness is None:
        return plan
    spec = loudness_spec(loudness, plan.true_peak)
    return replace(plan, loudness=spec.integrated, true_peak=spec.true_peak)


def _mix(plan: Plan, project: Project, out: Path, reporter: Reporter) -> MixReport:
    from docedit.sound.mix import BLOCK, mix_to_wav

    reporter.stage("mix", max(1, -(-plan.samples // BLOCK)))
    return mix_to_wav(
        plan, sound_media(project, plan), out, lambda done, _total: reporter.update(done)
    )
