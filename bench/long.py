"""`--only long`: peak memory against the cut's length (python -m bench --only long).

The same few sources (the bench's stills, calls and bed) reused in one-minute scenes
make cuts of 15, 30, 60 and 120 minutes, each rendered cold in the preview profile. The
promise: peak RSS (the largest single process: main, sound worker or ffmpeg) stays flat
in the cut's length, the 120-minute cut at most 1.3x the 15-minute one.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bench.common import WORK, docedit, forget_sounds
from bench.measure import run_once
from bench.reference import make_media

LENGTHS = (15, 30, 60, 120)  # minutes
STILLS = 6  # per one-minute scene, 10 s each
CALLS = 8
LIMIT = 1.3


def long_timeline(minutes: int) -> Path:
    """`minutes` one-minute scenes: six stills, a call at 5 s, a looped bed under it."""
    lengths = make_media(WORK)
    scenes = {}
    for k in range(minutes):
        pictures = [
            {"image": f"still-{(k * STILLS + i) % 40 + 1:02d}.jpg", "hold": "10s"}
            for i in range(STILLS)
        ]
        call = f"call-{k % CALLS + 1}"
        audio = [{"intercept": call, "at": "5s"}, {"bed": "bed.wav", "loop": True}]
        assert lengths[f"{call}.wav"] < 55  # the call ends inside its scene
        scenes[f"m{k + 1:03d}"] = {"pictures": pictures, "audio": audio}
    data = {
        "docedit": 1,
        "settings": {"size": [1280, 720], "fps": 25},
        "intercepts": {f"call-{n}": {"file": f"call-{n}.wav"} for n in range(1, CALLS + 1)},
        "scenes": scenes,
    }
    path = WORK / f"long-{minutes}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def section_long(results: dict) -> None:
    print("long: peak RSS of a preview render by the cut's length", flush=True)
    rows: dict[str, dict[str, float]] = {}
    for minutes in LENGTHS:
        forget_sounds()
        path = long_timeline(minutes)
        out = WORK / f"long-{minutes}.mp4"
        # --no-cache: a cold render every time (cached segments would make it a copy)
        argv = docedit("render", path, "-o", out, "--profile", "preview", "--no-cache", "-q")
        sample = run_once(argv)
        rows[str(minutes)] = {"rss_mb": sample.rss_mb, "wall_s": sample.wall, "cpu_s": sample.cpu}
        print(f"  {minutes:>3} min: {sample.rss_mb:.0f} MB peak, {sample.wall:.0f} s", flush=True)
        out.unlink(missing_ok=True)
    ratio = rows[str(LENGTHS[-1])]["rss_mb"] / rows[str(LENGTHS[0])]["rss_mb"]
    results["long"] = {"minutes": rows, "ratio": ratio, "limit": LIMIT, "ok": ratio <= LIMIT}
    print(f"  120 min / 15 min peak RSS: {ratio:.2f}x (limit {LIMIT}x)", flush=True)


def report(facts: dict, when: list[str]) -> list[str]:
    lines = [
        "## Long runs: peak memory by the cut's length",
        "",
        *when,
        "Cuts of one-minute scenes (six stills, a call, a looped bed) rendered cold in the "
        "preview profile; peak RSS is the largest single process's.",
        "",
        "| cut | peak RSS | wall | CPU |",
        "|---|---|---|---|",
    ]
    for minutes, row in facts["minutes"].items():
        lines.append(
            f"| {minutes} min | {row['rss_mb']:.0f} MB | {row['wall_s']:.0f} s "
            f"| {row['cpu_s']:.0f} s |"
        )
    verdict = "within" if facts["ok"] else "OVER"
    lines += [
        "",
        f"120 min against 15 min: {facts['ratio']:.2f}x, {verdict} the {facts['limit']}x limit.",
        "",
    ]
    return lines
