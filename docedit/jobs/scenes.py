"""What scene jobs share: one progress display for many scenes, and a sound made in a
thread where a worker may not start a process of its own.

The display is a rich bar per scene on a terminal; elsewhere (CI, a pipe) plain lines,
each with a timestamp, so that a CI log says when each scene started, moved and ended.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from docedit.jobs.soundjob import SoundJob

if TYPE_CHECKING:
    from docedit.media.info import MediaInfo
    from docedit.output.encode import Profile
    from docedit.plan import Plan
    from docedit.sound.report import MixReport


class SceneDisplay(Protocol):
    def start(self, scene: str) -> None: ...
    def progress(self, scene: str, stage: str, total: int, done: int) -> None: ...
    def finish(self, scene: str, error: str | None) -> None: ...
    def close(self) -> None: ...


class Silent:
    def start(self, scene: str) -> None:
        pass

    def progress(self, scene: str, stage: str, total: int, done: int) -> None:
        pass

    def finish(self, scene: str, error: str | None) -> None:
        pass

    def close(self) -> None:
        pass


def stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


class PlainScenes:
    """A timestamped line per scene when it starts, every quarter of each stage, and
    when it ends (`done` or `FAILED: why`)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.shown: dict[str, tuple[str, int]] = {}

    def _line(self, text: str) -> None:
        print(f"{stamp()} {text}", file=self.stream, flush=True)

    def start(self, scene: str) -> None:
        self._line(f"{scene}: queued")

    def progress(self, scene: str, stage: str, total: int, done: int) -> None:
        quarter = 4 * done // max(1, total)
        if self.shown.get(scene) != (stage, quarter):
            self.shown[scene] = (stage, quarter)
            self._line(f"{scene}: {stage} {100 * done // max(1, total)}% ({done}/{total})")

    def finish(self, scene: str, error: str | None) -> None:
        self._line(f"{scene}: done" if error is None else f"{scene}: FAILED: {error}")

    def close(self) -> None:
        pass


class RichScenes:
    """A bar per scene, named by the scene and its current stage."""

    def __init__(self, console: Console) -> None:
        self.progress_bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
        )
        self.tasks: dict[str, TaskID] = {}
        self.progress_bar.start()

    def start(self, scene: str) -> None:
        self.tasks[scene] = self.progress_bar.add_task(f"{scene}: queued", total=1)

    def progress(self, scene: str, stage: str, total: int, done: int) -> None:
        task = self.tasks[scene]
        self.progress_bar.update(task, description=f"{scene}: {stage}", total=total, completed=done)

    def finish(self, scene: str, error: str | None) -> None:
        task = self.tasks[scene]
        total = self.progress_bar.tasks[task].total or 1
        text = f"{scene}: done" if error is None else f"[red]{scene}: FAILED"
        self.progress_bar.update(task, description=text, completed=total)

    def close(self) -> None:
        self.progress_bar.stop()


def scene_display(console: Console, quiet: bool = False) -> SceneDisplay:
    """Bars when a person watches a terminal; timestamped lines otherwise."""
    if quiet:
        return Silent()
    if console.is_terminal and not console.is_dumb_terminal:
        return RichScenes(console)
    return PlainScenes(console.file)


class ThreadSound(SoundJob):
    """The sound in a thread of this process, for a worker that may not start processes
    (a daemonic Dask worker) or is itself a thread (a threaded Dask worker, where a fork
    could copy another thread's held lock). Slower than the process: it shares the GIL."""

    def __init__(self) -> None:  # no process, pipes or counter: nothing of the parent's
        self.plan = None
        self.thread: threading.Thread | None = None
        self.outcome: MixReport | BaseException | None = None

    def submit(self, plan: Plan, media: dict[Path, MediaInfo], m4a: Path, profile: Profile) -> None:
        def work() -> None:
            from docedit.output.encode import aac_sink
            from docedit.sound.mix import mix

            try:
                self.outcome = mix(plan, media, lambda: aac_sink(m4a, plan.clock.rate, profile))
            except BaseException as error:  # handed to result()
                self.outcome = error

        self.plan = plan
        self.thread = threading.Thread(target=work, name="docedit-sound", daemon=True)
        self.thread.start()

    def result(self) -> MixReport:
        if self.thread is not None:
            self.thread.join()
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        assert self.outcome is not None  # submit() ran and its thread finished
        return self.outcome

    def stop(self) -> None:
        """A thread cannot be killed: wait for it, so its encoder is not left running."""
        if self.thread is not None:
            self.thread.join()
