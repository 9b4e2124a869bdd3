"""The reference cut four ways (docedit, one ffmpeg command, moviepy by hand, melt), with
the encoder floors that bound them, in interleaved rounds; then every output decoded."""

from __future__ import annotations

import os
import shutil
import sys
from fractions import Fraction
from pathlib import Path

import docedit as docedit_api
from bench import outputs
from bench.common import (
    CACHE_ENV,
    CACHED,
    EMPTY,
    FLOOR,
    SOUND_FLOOR,
    WORK,
    docedit,
    forget_everything,
    forget_sounds,
)
from bench.ffmpeg_command import ffmpeg_command
from bench.measure import Command, Result, measure_rounds, run_once
from bench.melt_command import melt_command
from bench.reference import STEP, aac_coder, reference_timeline
from docedit.media.ffmpeg import ffmpeg_exe

PROFILES = ("final", "preview")


def section_compare(
    results: dict, runs: int, final_runs: int, stills: int, profiles: tuple[str, ...] = PROFILES
) -> None:
    """The reference cut in each of `profiles` (`--only preview` runs the preview alone,
    about a minute; the final rows of the last full run are kept beside it)."""
    print(f"compare: the reference cut ({stills} stills) four ways, {profiles}", flush=True)
    reference = reference_timeline(WORK, stills)
    mixed = WORK / "compare-mix.wav"  # docedit's mix, the same in both profiles
    run_once(docedit("mix", reference, "-o", mixed, "-q"), CACHE_ENV)
    try:
        results["compare"] = {
            profile: compare_profile(
                profile, reference, stills, mixed, runs if profile == "preview" else final_runs
            )
            for profile in profiles
        }
    finally:
        mixed.unlink(missing_ok=True)
    print("compare: decoding every output", flush=True)
    ran = ("docedit", "ffmpeg", "moviepy", *(("melt",) if shutil.which("melt") else ()))
    results["outputs"] = {
        f"{who} {profile}": outputs.decoded(WORK / f"compare-{who}-{profile}.mp4")
        for profile in profiles
        for who in ran
    }


def compare_profile(
    profile: str, reference: Path, stills: int, mixed: Path, rounds: int
) -> list[Result]:
    """Every contender and both bounds, in interleaved rounds. Rows, in order: docedit,
    the ffmpeg command, moviepy, melt, the x264 floor, AAC alone, [docedit, sound cached]."""
    seconds = stills * STEP
    render = docedit(
        "render", reference, "-o", WORK / f"compare-docedit-{profile}.mp4",
        "--profile", profile, "--crf", "20", "-q",
    )  # fmt: skip
    commands = [
        Command("docedit", render, CACHE_ENV, before_each=forget_sounds),
        Command(
            "one ffmpeg command (zoompan, xfade, amix)",
            ffmpeg_command(
                ffmpeg_exe(), WORK, stills, WORK / f"compare-ffmpeg-{profile}.mp4", profile
            ),
        ),
        Command(
            "moviepy 2 + pydub, written by hand",
            [
                sys.executable,
                "-m",
                "bench.naive_moviepy",
                WORK,
                str(stills),
                WORK / f"compare-moviepy-{profile}.mp4",
                profile,
            ],
        ),
    ]
    melt = shutil.which("melt")
    if melt:
        commands.append(
            Command(
                "melt (MLT: affine zoom, luma mixes, mix transitions)",
                melt_command(melt, WORK, stills, WORK / f"compare-melt-{profile}.mp4", profile),
            )
        )
    raw = WORK / f"frames-{profile}.yuv"
    size, fps = dump_frames(reference, profile, raw)
    preset = "ultrafast" if profile == "preview" else "medium"
    commands.append(
        Command(
            FLOOR,
            [
                ffmpeg_exe(), "-y", "-v", "error",
                "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{size[0]}x{size[1]}",
                "-r", f"{fps.numerator}/{fps.denominator}", "-i", str(raw),
                "-c:v", "libx264", "-preset", preset, "-crf", "20",
                str(WORK / f"compare-floor-{profile}.mp4"),
            ],
        )
    )  # fmt: skip
    # The AAC encoder alone, with this profile's settings: with x264 it bounds what any
    # contender can reach on this machine (report: "the least any contender needs").
    commands.append(
        Command(
            SOUND_FLOOR,
            [
                ffmpeg_exe(), "-y", "-v", "error", "-i", str(mixed),
                "-c:a", "aac", *aac_coder(profile), "-b:a", "192k", "-ar", "48000",
                str(WORK / f"compare-sound-{profile}.m4a"),
            ],
        )
    )  # fmt: skip
    if profile == "preview":  # the editor's loop: pictures moved, sound unchanged
        # each round, after the cold run that filled the cache
        commands.append(Command(CACHED, render, CACHE_ENV))
        commands.append(Command(EMPTY, render, CACHE_ENV, before_each=forget_everything))
    try:
        rows = measure_rounds(commands, rounds, seconds)
    finally:
        raw.unlink(missing_ok=True)
    if not melt:
        note = "not installed on this machine (apt install melt)"
        rows.insert(3, Result("melt", float("nan"), float("nan"), float("nan"), 0, seconds, note))
    return rows


def dump_frames(timeline: Path, profile: str, out: Path) -> tuple[tuple[int, int], Fraction]:
    """docedit's frames of the cut, exactly as its render feeds x264 (I420), to a raw file:
    the encoder floor then costs reading them and encoding, nothing else."""
    from docedit.jobs.render import OutputFrames
    from docedit.output.encode import PROFILES
    from docedit.plan import make_plan

    os.environ.setdefault("DOCEDIT_CACHE_DIR", CACHE_ENV["DOCEDIT_CACHE_DIR"])
    project = docedit_api.load(timeline)
    frames = OutputFrames(project, make_plan(project), PROFILES[profile])
    try:
        with out.open("wb") as raw:
            for index in range(frames.count):
                raw.write(frames(index))
    finally:
        frames.close()
    return frames.size, frames.fps
