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
    address: str, tasks: Sequence[SceneTask], why: Callable[[BaseException], str]
) -> Iterator[tuple[str, SceneFile | str]]:
    """(scene, its file or why it failed) for every task, as each finishes."""
    from distributed import as_completed

    from docedit.jobs.export import export_scene

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
                yield task.scene, why(error)


@dataclass(frozen=True)
class SegmentJob:
    """One picture segment of a render, as a cluster task: everything a worker needs to
    draw its frames (the bound project and the plan) and where to write it."""

    project: Project
    plan: Plan
    profile: Profile
    segment: Segment
    out: Path


def encode_segment(job: SegmentJob) -> Path:
    """Draw and encode one segment (on a worker): the same frames a local render draws."""
    from docedit.jobs.render import OutputFrames
    from docedit.jobs.segments import encode_one

    frames = OutputFrames(job.project, job.plan, job.profile)
    try:
        encode_one(job.segment, frames, frames.size, frames.fps, job.out, job.profile, None)
    finally:
        frames.close()
    return job.out


def segments_on(
    address: str, project: Project, plan: Plan, profile: Profile, folder: Path
) -> Callable[[list[Segment]], dict[int, Path]]:
    """An encoder for a render's missing segments: each one a task on the cluster at
    `address`, written into `folder` (which the workers must see, like the sources)."""

    def run(missing: list[Segment]) -> dict[int, Path]:
        with client(address) as dask:
            jobs = [
                SegmentJob(project, plan, profile, s, folder / f"segment-{s.index}{profile.suffix}")
                for s in missing
            ]
            futures = [dask.submit(encode_segment, job, pure=False) for job in jobs]
            try:
                return {s.index: f.result() for s, f in zip(missing, futures, strict=True)}
            except DoceditError:
                raise
            except Exception as error:  # a worker's crash: name the segment's scenes
                raise ClusterError(f"a segment failed on the cluster: {error}") from error

    return run
