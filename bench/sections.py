"""The quick sections: validating a large catalog, mixing a long cut, rendering the sample."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from bench.common import CACHE_ENV, SAMPLE, WORK, docedit, forget_sounds
from bench.measure import measure
from bench.reference import catalog_timeline, long_mix_timeline


def section_validate(results: dict, runs: int) -> None:
    print("validate: 300 scenes, 2,000 intercepts", flush=True)
    timeline = catalog_timeline(WORK)
    cache = WORK / "cache-validate"

    def cold() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    env = {"DOCEDIT_CACHE_DIR": str(cache)}
    results["validate"] = [
        measure(
            "validate, first run (cold probe cache)",
            docedit("validate", timeline),
            1,
            env=env,
            before_each=cold,
        ),
        measure("validate, second run (warm cache)", docedit("validate", timeline), runs, env=env),
    ]


def section_mix(results: dict, runs: int, minutes: int) -> None:
    calls = 400 * minutes // 60
    print(f"mix: {minutes} minutes, {calls} intercepts, a looping bed", flush=True)
    timeline = long_mix_timeline(WORK, minutes, calls)
    seconds = minutes * 60.0
    results["mix"] = [
        measure(
            "docedit mix (float numpy, BS.1770, true-peak limiter)",
            docedit("mix", timeline, "-o", WORK / "mix-docedit.wav", "-q"),
            runs,
            media_seconds=seconds,
            env=CACHE_ENV,
        ),
        measure(
            "plain sequential pydub overlay (no ducking, no loudness)",
            [sys.executable, "-m", "bench.pydub_overlay", timeline, WORK / "mix-pydub.wav"],
            1,
            media_seconds=seconds,
        ),
    ]


def section_render(results: dict, runs: int) -> None:
    """The sample, final and preview (the reference cut's docedit rows are in `compare`)."""
    print("render: the sample timeline, final and preview", flush=True)
    seconds = _duration(SAMPLE)
    results["render"] = [
        measure(
            f"sample (1280x720, titles, subtitles), {profile}",
            docedit(
                "render",
                SAMPLE,
                "-o",
                WORK / f"render-sample-{profile}.mp4",
                "--profile",
                profile,
                "-q",
            ),
            runs if profile == "preview" else 1,
            media_seconds=seconds,
            env=CACHE_ENV,
            before_each=forget_sounds,
        )
        for profile in ("final", "preview")
    ]


def _duration(timeline: Path) -> float:
    import docedit as api
    from docedit.plan import make_plan

    return float(make_plan(api.load(timeline)).duration)
