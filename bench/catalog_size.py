"""`--only payload` (or `python -m bench.catalog_size`): how many bytes a render sends to
its sound process, for a catalog of 2,000 intercepts and of 20, the same scene of 3
intercepts played from both. If the payload grows with the catalog rather than with the
sounds used, the two figures differ.

The timeline is written to a temporary folder: every catalog entry has its own tiny WAV
(copies of a handful of tones), a date, speakers and tags; one scene plays three of them.
It is bound and planned through docedit's public functions, and the payload is measured
by handing `SoundJob.submit` a pipe that only pickles what it is given, so the figure
follows whatever `submit` sends.
"""

from __future__ import annotations

import inspect
import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import yaml

import docedit
from bench.common import tree_state
from bench.reference import write_wav

CATALOGS = (2000, 20)
TONES = 5  # distinct tiny WAVs; every catalog entry gets its own copy of one
USED = 3  # intercepts the scene plays


class _Pipe:
    """Stands in for the pipe to the sound process: measures what is sent to it."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def send(self, payload: object) -> None:
        self.sizes.append(len(pickle.dumps(payload)))

    def close(self) -> None:
        pass


def section_payload(results: dict) -> None:
    print(f"payload: what the sound process is sent, catalogs of {CATALOGS}", flush=True)
    results["payload"] = {"tree": tree_state(), **{str(n): measure(n) for n in CATALOGS}}
    for n in CATALOGS:
        print(f"  {n} intercepts: {results['payload'][str(n)]['bytes']:,} bytes", flush=True)


def measure(intercepts: int) -> dict[str, object]:
    """The pickled size of what `SoundJob.submit` sends, for a catalog of `intercepts`."""
    from docedit.jobs.soundjob import SoundJob
    from docedit.output.encode import PROFILES
    from docedit.plan.build import make_plan

    with tempfile.TemporaryDirectory(prefix="bench-payload-") as tmp:
        folder = Path(tmp)
        timeline = catalog(folder, intercepts)
        cache = os.environ.get("DOCEDIT_CACHE_DIR")
        os.environ["DOCEDIT_CACHE_DIR"] = str(folder / "cache")  # cold, and thrown away
        try:
            project = docedit.load(timeline)
        finally:
            if cache is None:
                del os.environ["DOCEDIT_CACHE_DIR"]
            else:
                os.environ["DOCEDIT_CACHE_DIR"] = cache
        plan = make_plan(project)
        from docedit.jobs.render import sound_media

        known = {
            "plan": plan,
            "project": project,
            "media": sound_media(project, plan),  # what jobs/render.py hands over
            "m4a": folder / "sound.m4a",
            "profile": PROFILES["final"],
        }
        wanted = list(inspect.signature(SoundJob.submit).parameters)[1:]  # after self
        missing = [name for name in wanted if name not in known]
        if missing:
            raise RuntimeError(f"bench/catalog_size.py: teach it submit's {missing}")
        pipe = _Pipe()
        tasks: Any = pipe  # in place of the pipe to the sound process
        unused: Any = None  # the process and the result pipe: nothing is started
        SoundJob(unused, unused, tasks, unused).submit(*(known[name] for name in wanted))
        return {
            "intercepts": intercepts,
            "used": USED,
            "media_entries": len(project.media),
            "bytes": sum(pipe.sizes),
            "parts": {name: len(pickle.dumps(known[name])) for name in wanted},
        }


def catalog(folder: Path, intercepts: int) -> Path:
    """A timeline of `intercepts` catalog entries, each with its own WAV, and one scene
    that plays the first three."""
    calls = folder / "calls"
    calls.mkdir()
    tones = []
    for k in range(TONES):
        t = np.arange(8000) / 8000  # 1 s at 8 kHz
        tones.append(calls / f"tone-{k}.wav")
        write_wav(tones[-1], 0.3 * np.sin(2 * np.pi * (300 + 100 * k) * t), 8000)
    entries = {}
    for i in range(intercepts):
        name = f"call-{i:04d}"
        shutil.copyfile(tones[i % TONES], calls / f"{name}.wav")
        entries[name] = {
            "file": f"calls/{name}.wav",
            "recorded": f"2022-03-{1 + i % 28:02d}",
            "speakers": ["soldier", "mother"],
            "tags": ["doubt"],
        }
    scene = {
        "audio": [{"intercept": f"call-{i:04d}", "at": 2 * i} for i in range(USED)],
        "length": f"{2 * USED + 2}s",
    }
    timeline = {"docedit": 1, "intercepts": entries, "scenes": {"calls": scene}}
    path = folder / "catalog.yaml"
    path.write_text(yaml.safe_dump(timeline, sort_keys=False))
    return path


def report(facts: dict, measured: list[str]) -> list[str]:
    rows = [row for key, row in facts.items() if key != "tree"]
    lines = [
        "## What a render sends to its sound process",
        "",
        *measured,
        "The pickled size of what `SoundJob.submit` sends to the sound process (measured",
        "by handing it a pipe that only pickles), for one scene playing 3 intercepts from",
        "catalogs of different sizes, each intercept with its own WAV",
        f"(`python -m bench --only payload`), with docedit as in {facts.get('tree', 'this tree')}.",
        "",
        "| catalog | media probed | sent | of which |",
        "|---|---|---|---|",
    ]
    for row in rows:
        parts = ", ".join(f"{name} {size:,} B" for name, size in row["parts"].items())
        lines.append(
            f"| {row['intercepts']:,} intercepts | {row['media_entries']:,} files | "
            f"**{row['bytes']:,} bytes** | {parts} |"
        )
    sizes = [row["bytes"] for row in rows]
    if len(sizes) == 2 and min(sizes):
        lines += [
            "",
            f"The larger catalog's payload is {max(sizes) / min(sizes):.1f}x the smaller's.",
        ]
    return [*lines, ""]


if __name__ == "__main__":
    for n in CATALOGS:
        print(n, measure(n))
