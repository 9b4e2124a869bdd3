"""Progress of long jobs: a rich bar on a terminal, plain lines in CI and pipes."""

from __future__ import annotations

import sys
import time
from typing import IO, Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class Reporter(Protocol):
    """What a long job tells about itself: a named stage with a size, then steps."""

    def stage(self, name: str, total: int) -> None: ...
    def update(self, done: int) -> None: ...
    def close(self) -> None: ...


class Silent:
    def stage(self, name: str, total: int) -> None:
        pass

    def update(self, done: int) -> None:
        pass

    def close(self) -> None:
        pass


class PlainLines:
    """One line per stage start and about every 10 % or 5 s, whichever comes first."""

    def __init__(self, stream: IO[str] | None = None, every_s: float = 5.0) -> None:
        self.stream = stream or sys.stderr
        self.every_s = every_s
        self.name, self.total, self.step = "", 0, 1
        self.started = self.last_time = time.monotonic()
        self.last_done = 0

    def stage(self, name: str, total: int) -> None:
        self.name, self.total = name, max(1, total)
        self.step = max(1, self.total // 10)
        self.started = self.last_time = time.monotonic()
        self.last_done = 0
        self._line(0)

    def update(self, done: int) -> None:
        now = time.monotonic()
        if (
            done >= self.total
            or done - self.last_done >= self.step
            or now - self.last_time >= self.every_s
        ):
            self.last_done, self.last_time = done, now
            self._line(done)

    def _line(self, done: int) -> None:
        elapsed = time.monotonic() - self.started
        percent = 100 * done // self.total
        print(
            f"{self.name}: {percent:3d}% ({done}/{self.total}) {elapsed:.1f}s",
            file=self.stream,
            flush=True,
        )

    def close(self) -> None:
        pass


class RichBar:
    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.progress.start()
        self.task: TaskID | None = None

    def stage(self, name: str, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[self.task].total)
        self.task = self.progress.add_task(name, total=max(1, total))

    def update(self, done: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=done)

    def close(self) -> None:
        self.progress.stop()


def reporter_for(console: Console, quiet: bool = False) -> Reporter:
    """A bar when a person is watching a terminal; plain lines otherwise."""
    if quiet:
        return Silent()
    if console.is_terminal and not console.is_dumb_terminal:
        return RichBar(console)
    return PlainLines(console.file)


def warn(message: str) -> None:
    """A `warning:` line on stderr: the render goes on, but the user should know (a cache
    entry that was damaged and is made again)."""
    print(f"warning: {message}", file=sys.stderr, flush=True)
