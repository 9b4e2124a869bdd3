"""Run a command as a child process and measure it: wall time, CPU time, peak RSS.

CPU time and peak RSS come from wait4(), so they cover the child and every process it
waited for (ffmpeg, worker processes); peak RSS is that of the largest single process.
The command is started by bench.launcher, a small separate process, so that its peak
RSS is its own.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable
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


def run_once(argv: list[str], env: dict | None = None) -> Sample:
    """Run `argv` through bench.launcher (see there why) and return what it measured."""
    job = {"argv": [str(a) for a in argv], "env": {**os.environ, **(env or {})}}
    launched = subprocess.run(
        [sys.executable, "-S", "-m", "bench.launcher"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        check=True,
    )
    done = json.loads(launched.stdout)
    if done["returncode"] != 0:
        tail = done["stderr"].strip().splitlines()[-5:]
        command = " ".join(map(str, argv[:3]))
        raise RuntimeError(f"{command}... failed: " + " | ".join(tail))
    return Sample(done["wall"], done["cpu"], done["rss_mb"])


@dataclass(frozen=True)
class Command:
    """One contender: what to run, in what environment, and what to do before each run."""

    name: str
    argv: list
    env: dict | None = None
    before_each: Callable[[], None] | None = None


def measure_rounds(
    commands: list[Command], rounds: int, media_seconds: float | None = None
) -> list[Result]:
    """Run every command once per round, in turn (A B C, A B C, ...): a machine that
    drifts over a long run then slows all of them alike, so their ratios hold. Each
    result is the median of its rounds."""
    samples: dict[str, list[Sample]] = {command.name: [] for command in commands}
    for _ in range(rounds):
        for command in commands:
            if command.before_each:
                command.before_each()
            sample = run_once(command.argv, command.env)
            samples[command.name].append(sample)
            print(
                f"  {command.name}: {sample.wall:.1f}s wall, {sample.cpu:.1f}s cpu, "
                f"{sample.rss_mb:.0f} MB",
                flush=True,
            )
    return [
        Result(
            name,
            statistics.median(s.wall for s in runs),
            statistics.median(s.cpu for s in runs),
            max(s.rss_mb for s in runs),
            len(runs),
            media_seconds,
        )
        for name, runs in samples.items()
    ]


def measure(
    name: str,
    argv: list,
    runs: int = 1,
    media_seconds: float | None = None,
    env: dict | None = None,
    before_each: Callable[[], None] | None = None,
) -> Result:
    """One command, `runs` times."""
    return measure_rounds([Command(name, argv, env, before_each)], runs, media_seconds)[0]
