"""The editor's loop, timed: `docedit watch` on the sample, from a save to the new
preview on disk, for a one-scene picture edit and for a gain change.

    python -m bench.loop

Times are from the moment the edited timeline is written to the moment watch prints
its `rendered` line (the preview has been renamed into place by then).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, SAMPLE, docedit, tree_state

EDITS = {
    "picture edit (one scene)": ("motion: pan-left", "motion: pan-right"),
    "gain change": ("gain: -18dB", "gain: -14dB"),
}


def _until_rendered(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("rendered"):
            return line.strip()
        if line.startswith("error"):
            raise RuntimeError(line)
    raise RuntimeError("watch ended")


def loop_figures() -> dict[str, tuple[float, str]]:
    with tempfile.TemporaryDirectory(prefix="docedit-loop-") as work:
        folder = Path(work)
        timeline = folder / "intercepted.yaml"
        text = SAMPLE.read_text().replace("../assets", str(ROOT / "assets"))
        timeline.write_text(text)
        env = {**os.environ, "DOCEDIT_CACHE_DIR": str(folder / "cache"), "NO_COLOR": "1"}
        command = docedit("watch", timeline)
        start = time.perf_counter()
        process = subprocess.Popen(
            [*command, "-o", str(folder / "preview.mp4")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        figures: dict[str, tuple[float, str]] = {}
        try:
            first = _until_rendered(process)  # then the clock: the start included
            figures["cold preview (first pass)"] = (time.perf_counter() - start, first)
            for name, (old, new) in EDITS.items():
                text = text.replace(old, new, 1)
                start = time.perf_counter()
                timeline.write_text(text)
                line = _until_rendered(process)
                figures[name] = (time.perf_counter() - start, line)
        finally:
            process.terminate()
            process.wait()
    return figures


TARGETS = {"picture edit (one scene)": 2.0, "gain change": 4.0}  # seconds, issue 18


def section_loop(results: dict) -> None:
    """`--only loop`: the figures, kept as a fact of the report."""
    print("loop: docedit watch on the sample, a picture edit and a gain change", flush=True)
    figures = loop_figures()
    results["loop"] = {
        "tree": tree_state(),
        "rows": [{"name": n, "seconds": s, "line": line} for n, (s, line) in figures.items()],
    }


def report(facts: dict, measured: list[str]) -> list[str]:
    lines = [
        "## The editor's loop (issue 18)",
        "",
        *measured,
        "`python -m bench --only loop` (bench/loop.py): `docedit watch` on a copy of the",
        "sample with its own empty cache; each time runs from writing the edited timeline",
        "to watch's `rendered` line (the new preview renamed into place). The first row is",
        "watch's start and its first, cold preview (start-up and imports included).",
        f"Docedit as in {facts.get('tree', 'this tree')}.",
        "",
        "| edit | seconds | target | watch printed |",
        "|---|---|---|---|",
    ]
    for row in facts["rows"]:
        target = TARGETS.get(row["name"])
        aim = f"under {target:.0f} s" if target else ""
        lines.append(f"| {row['name']} | {row['seconds']:.2f} | {aim} | `{row['line']}` |")
    return [*lines, ""]


if __name__ == "__main__":
    for name, (seconds, line) in loop_figures().items():
        print(f"{name:28} {seconds:6.2f} s   {line}")
