"""Run a command as a child process and measure it: wall time, CPU time, peak RSS.

CPU time and peak RSS come from wait4(), so they cover the child and every process it
waited for (ffmpeg, worker processes); peak RSS is that of the largest single process.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # seconds, user + system, children included
    rss_mb: float  # peak resident set of the largest process


@dataclass(frozen=True)
class Result:
    name: str
    wall: float  # median over runs
    cpu: float
    rss_mb: float  # the largest over runs
    runs: int
    media_seconds: float | None = None
    note: str = ""

    @property
    def realtime(self) -> float | None:
        return self.media_seconds / self.wall if self.media_seconds else None

    def to_json(self) -> dict:
        return {**asdict(self), "realtime": self.realtime}


def run_once(argv: list[str], env: dict | None = None, cwd: Path | None = None) -> Sample:
    started = time.perf_counter()
    process = subprocess.Popen(
        argv,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = stderr.decode(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"{argv[0]} {' '.join(argv[1:3])}... failed: " + " | ".join(tail))
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def measure(
    name: str,
    argv: list[str],
    runs: int = 1,
    media_seconds: float | None = None,
    env: dict | None = None,
    note: str = "",
    before_each=None,
) -> Result:
    samples = []
    for _ in range(runs):
        if before_each:
            before_each()
        samples.append(run_once(argv, env))
        print(
            f"  {name}: {samples[-1].wall:.1f}s wall, {samples[-1].cpu:.1f}s cpu, "
            f"{samples[-1].rss_mb:.0f} MB",
            flush=True,
        )
    return Result(
        name,
        statistics.median(s.wall for s in samples),
        statistics.median(s.cpu for s in samples),
        max(s.rss_mb for s in samples),
        runs,
        media_seconds,
        note,
    )
