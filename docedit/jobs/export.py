"""`docedit export`: one file per scene and `manifest.json`, scenes rendered in parallel.

Each scene is a render of that scene alone (`render(..., scenes=[id])`), so it is its own
deliverable: its sound is mixed and normalised to the timeline's loudness target on its
own, not cut out of the whole cut's mix. Scenes run in `jobs` worker processes (or on a
Dask cluster: jobs/cluster.py) under one progress display. The manifest is written
last and lists only the files that were finished; a scene that fails is named, the
others are kept, and the result says it failed (the CLI exits 1).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from docedit.core.atomic import atomic_output
from docedit.core.cachefiles import file_sha256
from docedit.core.errors import DoceditError, OutputError, first_line
from docedit.core.version import __version__
from docedit.jobs.scenes import SceneDisplay, Silent, ThreadSound
from docedit.output.encode import PROFILES
from docedit.output.manifest import manifest_path
from docedit.plan.build import select_scenes
from docedit.timeline.project import Project

Event = tuple[str, str, int, int]  # scene, stage, total, done


@dataclass(frozen=True)
class SceneTask:
    """What a worker needs to export one scene: plain data, sent to another process."""

    timeline: Path
    scene: str
    out: Path
    profile: str = "final"
    loudness: float | str | None = None
    cache: bool = True


@dataclass(frozen=True)
class SceneFile:
    """One finished scene file, as the manifest lists it."""

    id: str
    file: Path
    duration: Fraction
    frames: int
    sha256: str
    sources: list[dict[str, Any]]

    def entry(self, folder: Path) -> dict[str, Any]:
        return {
            "id": self.id,
            "file": os.path.relpath(self.file, folder),
            "duration": round(float(self.duration), 6),
            "frames": self.frames,
            "sha256": self.sha256,
            "sources": self.sources,
        }


@dataclass
class ExportResult:
    """`.files` finished (in export order), `.failed` (scene id, why), `.manifest`."""

    folder: Path
    manifest_path: Path
    manifest: dict[str, Any]
    files: list[SceneFile] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


class _Events:
    """A reporter that sends a scene's progress to the parent through a queue, at most
    about once per percent."""

    def __init__(self, events: Any, scene: str) -> None:
        self.events, self.scene = events, scene
        self.name, self.total, self.step, self.last = "", 1, 1, 0

    def stage(self, name: str, total: int) -> None:
        self.name, self.total, self.last = name, max(1, total), 0
        self.step = max(1, self.total // 100)
        self.events.put((self.scene, name, self.total, 0))

    def update(self, done: int) -> None:
        if done - self.last >= self.step or done >= self.total:
            self.last = done
            self.events.put((self.scene, self.name, self.total, done))

    def close(self) -> None:
        pass


_EVENTS: Any = None  # the queue of a pool worker, set by _start_worker


def _start_worker(events: Any) -> None:
    global _EVENTS
    _EVENTS = events


def export_scene(task: SceneTask, events: Any = None, project: Project | None = None) -> SceneFile:
    """Render one scene to `task.out` and describe it: runs in a worker (process, thread
    or Dask worker) or in the caller's process."""
    from docedit.jobs.render import render
    from docedit.jobs.segments import SegmentCache
    from docedit.jobs.soundcache import SoundCache
    from docedit.jobs.soundjob import SoundJob
    from docedit.jobs.validate import load_project

    events = events if events is not None else _EVENTS
    in_worker_thread = threading.current_thread() is not threading.main_thread()
    daemon = multiprocessing.current_process().daemon  # may not start a sound process
    sound = ThreadSound() if daemon or in_worker_thread else SoundJob.spawn()
    try:
        project = project or load_project(task.timeline)
    except BaseException:
        sound.stop()
        raise
    result = render(
        project,
        task.out,
        scenes=[task.scene],
        profile=task.profile,
        loudness=task.loudness,
        sound=sound,
        reporter=_Events(events, task.scene) if events is not None else None,
        cache=SoundCache() if task.cache else None,
        segments=SegmentCache() if task.cache else None,
    )
    beside = manifest_path(task.out)  # the render's own manifest: its sources are ours
    data = json.loads(beside.read_text("utf-8"))
    beside.unlink()
    return SceneFile(
        task.scene,
        task.out,
        result.duration,
        result.frames,
        data["output"]["sha256"],
        data["sources"],
    )


def scene_names(ids: Sequence[str], template: str, suffix: str) -> list[str]:
    """File names from `--name` (fields `index`, from 1, and `scene`), checked unique."""
    try:
        names = [template.format(index=i, scene=scene) for i, scene in enumerate(ids, 1)]
    except (KeyError, IndexError, ValueError) as err:
        raise OutputError(
            f"--name {template!r}: not a template of {{index}} and {{scene}} ({err})"
        ) from None
    names = [name if name.endswith(suffix) else name + suffix for name in names]
    if any("/" in name or os.sep in name or name.startswith(".") for name in names):
        raise OutputError(f"--name {template!r}: gives names that are not plain file names")
    if len(set(names)) != len(names):
        raise OutputError(f"--name {template!r}: gives two scenes the same file name")
    return names


def export(
    project: Project,
    folder: Path,
    tasks: Sequence[SceneTask],
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    display: SceneDisplay | None = None,
) -> ExportResult:
    """Run every task (here, in `jobs` processes, or on the Dask cluster at `scheduler`),
    then write `folder/manifest.json` listing the scenes that finished."""
    folder = Path(os.path.abspath(folder))
    folder.mkdir(parents=True, exist_ok=True)
    display = display or Silent()
    for task in tasks:
        display.start(task.scene)
    finished: dict[str, SceneFile] = {}
    failed: dict[str, str] = {}
    try:
        for scene, outcome in _outcomes(project, tasks, jobs, scheduler, display):
            if isinstance(outcome, SceneFile):
                finished[scene] = outcome
            else:
                failed[scene] = outcome
            display.finish(scene, None if isinstance(outcome, SceneFile) else outcome)
    finally:
        display.close()
    files = [finished[t.scene] for t in tasks if t.scene in finished]
    errors = [(t.scene, failed[t.scene]) for t in tasks if t.scene in failed]
    manifest = _manifest(project, folder, tasks, files, errors)
    target = folder / "manifest.json"
    with atomic_output(target, ".json") as temp:
        temp.write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return ExportResult(folder, target, manifest, files, errors)


def _manifest(
    project: Project,
    folder: Path,
    tasks: Sequence[SceneTask],
    files: list[SceneFile],
    failed: list[tuple[str, str]],
) -> dict[str, Any]:
    timeline = project.timeline_path
    return {
        "docedit": __version__,
        "timeline": os.path.relpath(os.path.abspath(timeline), folder),
        "timeline_sha256": file_sha256(timeline),
        "profile": tasks[0].profile if tasks else "final",
        "scenes": [file.entry(folder) for file in files],
        "failed": [{"id": scene, "error": why} for scene, why in failed],
    }


def why_failed(error: BaseException) -> str:
    """One line about a failed scene: a user's mistake as it is, a bug with its type."""
    if isinstance(error, DoceditError):
        return first_line(error, type(error).__name__)
    if isinstance(error, BrokenProcessPool):
        return "its worker process died (killed, or out of memory)"
    return f"{type(error).__name__}: {error}"


Outcome = SceneFile | str


def _outcomes(
    project: Project,
    tasks: Sequence[SceneTask],
    jobs: int,
    scheduler: str | None,
    display: SceneDisplay,
) -> Iterator[tuple[str, Outcome]]:
    if scheduler is not None:
        from docedit.jobs.cluster import run_on_cluster

        yield from run_on_cluster(scheduler, tasks)
    elif jobs <= 1:
        for task in tasks:
            try:
                outcome: Outcome = export_scene(task, _Relay(display), project)
            except Exception as error:
                outcome = why_failed(error)
            yield task.scene, outcome
    else:
        yield from _in_processes(tasks, jobs, display)


class _Relay:
    """Events of a scene exported in this process, shown at once."""

    def __init__(self, display: SceneDisplay) -> None:
        self.display = display

    def put(self, event: Event) -> None:
        self.display.progress(*event)


def _in_processes(
    tasks: Sequence[SceneTask], jobs: int, display: SceneDisplay
) -> Iterator[tuple[str, Outcome]]:
    """Scenes in `jobs` fresh processes (spawned: nothing half-initialised is inherited);
    their progress comes back through a queue and is shown here."""
    context = multiprocessing.get_context("spawn")
    events = context.Queue()
    drain: Callable[[], None] = lambda: _drain(events, display)  # noqa: E731
    with ProcessPoolExecutor(jobs, context, initializer=_start_worker, initargs=(events,)) as pool:
        pending: dict[Future[SceneFile], SceneTask] = {
            pool.submit(export_scene, task): task for task in tasks
        }
        while pending:
            done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            drain()
            for future in done:
                task = pending.pop(future)
                error = future.exception()
                yield task.scene, why_failed(error) if error else future.result()
    drain()


def _drain(events: Any, display: SceneDisplay) -> None:
    while True:
        try:
            event = events.get_nowait()
        except queue.Empty:
            return
        display.progress(*event)


def run_export(
    project: Project,
    folder: Path,
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
    """One task per scene of the export, in order, failing before any work on bad input;
    then `export` runs them."""
    if profile not in PROFILES:
        raise OutputError(f"--profile {profile!r}: not one of {', '.join(PROFILES)}")
    ids = select_scenes(project.timeline, cut, scenes)
    names = scene_names(ids, name, PROFILES[profile].suffix)
    folder = Path(os.path.abspath(folder))
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file; give a folder for the scenes")
    timeline = Path(os.path.abspath(project.timeline_path))
    tasks = [
        SceneTask(timeline, scene, folder / file, profile, loudness, cache)
        for scene, file in zip(ids, names, strict=True)
    ]
    if scheduler is not None:
        from docedit.jobs.cluster import client

        client(scheduler).close()  # a missing extra or a wrong address: said before any work
    return export(project, folder, tasks, jobs=jobs, scheduler=scheduler, display=display)
