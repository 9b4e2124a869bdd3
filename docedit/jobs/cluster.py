"""Scene and segment jobs on a Dask distributed cluster (`--scheduler tcp://HOST:PORT`).

Each scene is one task, the same function a local worker runs (export.export_scene),
given absolute paths: workers must see the timeline, its sources and the output folder
at the same paths (a shared disk). What comes back is the same `SceneFile` a local run
makes, so the manifest is the same. Dask is an optional extra: `docedit[dask]`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docedit.core.errors import DoceditError
from docedit.jobs.segments import Segment
from docedit.output.encode import Profile
from docedit.plan import Plan
from docedit.timeline.project import Project

if TYPE_CHECKING:
    from docedit.jobs.export import SceneFile, SceneTask


class ClusterError(DoceditError):
    """Dask is missing, or its scheduler cannot be reached."""


def client(address: str) -> Any:
    """A Dask client connected to the scheduler at `address`."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError(
            "--scheduler needs Dask's distributed scheduler; "
            "install it with pip install 'docedit[dask]'"
        ) from None
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as err:
        raise ClusterError(f"--scheduler {address}: cannot connect ({err})") from None


def run_on_cluster(
    address: str, tasks: Sequence[SceneTask]
) -> Iterator[tuple[str, SceneFile | str]]:
    """(scene, its file or why it failed) for every task, as each finishes."""
    from distributed import as_completed

    from docedit.jobs.export import export_scene, why_failed

    with client(address) as dask:
        futures = {
            dask.submit(export_scene, task, pure=False, key=f"docedit-{task.scene}-{id(task)}"): (
                task
            )
            for task in tasks
        }
        for future in as_completed(futures):
            task = futures[future]
            try:
                yield task.scene, future.result()
            except Exception as error:  # a scene's failure, or its worker's
                yield task.scene, why_failed(error)


@dataclass(frozen=True)
class SegmentJob:
    """A run of picture segments of a render, as one cluster task: everything a worker
    needs to draw their frames (the bound project and the plan) and where to write them.
    One task per worker, not per segment: a worker then opens each picture once."""

    project: Project
    plan: Plan
    profile: Profile
    segments: tuple[Segment, ...]
    folder: Path


def encode_segments_job(job: SegmentJob) -> dict[int, Path]:
    """Draw and encode a run of segments (on a worker): the frames a local render draws,
    each segment its own encoder run, so each starts on a keyframe."""
    from docedit.jobs.render import OutputFrames
    from docedit.jobs.segments import start_one

    frames = OutputFrames(job.project, job.plan, job.profile)
    done = {}
    try:
        for segment in job.segments:
            out = job.folder / f"segment-{segment.index}{job.profile.suffix}"
            # its own encoder run, so each starts on an IDR frame
            start_one(segment, frames, frames.size, frames.fps, out, job.profile, None).wait()
            done[segment.index] = out
    finally:
        frames.close()
    return done


def runs(segments: Sequence[Segment], count: int) -> list[tuple[Segment, ...]]:
    """`segments` in at most `count` contiguous runs of about equal frames."""
    total = sum(s.frames for s in segments) or 1
    groups: list[list[Segment]] = [[] for _ in range(max(1, min(count, len(segments))))]
    done = 0
    for segment in segments:
        groups[min(len(groups) - 1, done * len(groups) // total)].append(segment)
        done += segment.frames
    return [tuple(group) for group in groups if group]


def segments_on(
    address: str, project: Project, plan: Plan, profile: Profile, folder: Path
) -> Callable[[list[Segment]], dict[int, Path]]:
    """An encoder for a render's missing segments: a run of them per worker of the
    cluster at `address`, written into `folder` (which the workers must see, like the
    sources)."""

    def run(missing: list[Segment]) -> dict[int, Path]:
        with client(address) as dask:
            workers = len(dask.scheduler_info().get("workers", {})) or 1
            jobs = [SegmentJob(project, plan, profile, r, folder) for r in runs(missing, workers)]
            futures = [dask.submit(encode_segments_job, job, pure=False) for job in jobs]
            done: dict[int, Path] = {}
            for job, future in zip(jobs, futures, strict=True):
                try:
                    done.update(future.result())
                except DoceditError:
                    raise
                except Exception as error:  # a worker's crash (KilledWorker) or its bug
                    raise ClusterError(
                        f"the cluster worker drawing scene(s) {_scenes(job.segments)} (output "
                        f"frames {job.segments[0].first}-{job.segments[-1].end - 1}) failed: "
                        f"{type(error).__name__}: {error}"
                    ) from error
            return done

    return run


def _scenes(segments: Sequence[Segment]) -> str:
    names = dict.fromkeys(scene for segment in segments for scene in segment.scenes)
    return ", ".join(repr(name) for name in names)
