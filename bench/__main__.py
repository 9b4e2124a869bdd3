"""`make bench`: docedit against the alternatives, measured in one process tree.

    python -m bench [--quick] [--only validate,mix,render,compare] [--runs N] [--final-runs N]

Every figure comes from a child process measured by wait4 (wall, CPU, peak RSS), and
ratios only ever compare runs made by the same invocation: these machines are noisy.
Writes docs/benchmarks.md (tables) and docs/benchmarks.json (every number).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from fractions import Fraction
from importlib import metadata
from pathlib import Path

from bench import outputs
from bench.ffmpeg_command import ffmpeg_command
from bench.measure import Command, Result, measure, measure_rounds, run_once
from bench.melt_command import melt_command
from bench.reference import (
    STEP,
    aac_coder,
    catalog_timeline,
    long_mix_timeline,
    make_media,
    picture,
    reference_timeline,
)
from docedit.media.ffmpeg import ffmpeg_exe

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
SAMPLE = ROOT / "timelines" / "intercepted.yaml"
DOCS = ROOT / "docs"
CACHED = "docedit again, the sound unchanged (taken from its cache)"
FLOOR = "encoder floor: x264 encoding docedit's own frames, read raw (I420) from disk"
SOUND_FLOOR = "sound encoder alone: AAC encoding docedit's mix, read from a WAV"
CACHE_ENV = {"DOCEDIT_CACHE_DIR": str(WORK / "cache")}  # docedit's probe and sound caches


def docedit(*args: object) -> list[str]:
    return [sys.executable, "-m", "docedit", *map(str, args)]


def machine() -> dict[str, object]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        memory_gb = round(int(memory) / 2**20, 1)
    except OSError:
        memory_gb = None
    ffmpeg_version = os.popen(f"'{ffmpeg_exe()}' -version").readline().strip()
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "ffmpeg": ffmpeg_version,
        "moviepy": metadata.version("moviepy"),
        "numpy": metadata.version("numpy"),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


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


def forget_sounds() -> None:
    """docedit's rows are cold renders: its sound cache is emptied before each run."""
    shutil.rmtree(WORK / "cache" / "sound", ignore_errors=True)


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


def section_compare(results: dict, runs: int, final_runs: int, stills: int) -> None:
    print(f"compare: the reference cut ({stills} stills) four ways", flush=True)
    reference = reference_timeline(WORK, stills)
    mixed = WORK / "compare-mix.wav"  # docedit's mix, the same in both profiles
    run_once(docedit("mix", reference, "-o", mixed, "-q"), CACHE_ENV)
    try:
        results["compare"] = {
            profile: compare_profile(
                profile, reference, stills, mixed, runs if profile == "preview" else final_runs
            )
            for profile in ("final", "preview")
        }
    finally:
        mixed.unlink(missing_ok=True)
    print("compare: decoding every output", flush=True)
    ran = ("docedit", "ffmpeg", "moviepy", *(("melt",) if shutil.which("melt") else ()))
    results["outputs"] = {
        f"{who} {profile}": outputs.decoded(WORK / f"compare-{who}-{profile}.mp4")
        for profile in ("final", "preview")
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
    from docedit.plan.build import make_plan
    from docedit.timeline.checks import load_project

    os.environ.setdefault("DOCEDIT_CACHE_DIR", CACHE_ENV["DOCEDIT_CACHE_DIR"])
    project = load_project(timeline)
    frames = OutputFrames(project, make_plan(project), PROFILES[profile])
    try:
        with out.open("wb") as raw:
            for index in range(frames.count):
                raw.write(frames(index))
    finally:
        frames.close()
    return frames.size, frames.fps


def _duration(timeline: Path) -> float:
    from docedit.plan.build import make_plan
    from docedit.timeline.checks import load_project

    return float(make_plan(load_project(timeline)).duration)


def profile_preview(stills: int) -> str:
    """Where a preview render's time goes, by pyinstrument: the render's own process,
    then the same mix as its sound process makes (`docedit mix`, which pyinstrument can
    follow; in a render it runs in a forked child, feeding the AAC encoder)."""
    reference = reference_timeline(WORK, stills)
    forget_sounds()
    render = _pyinstrument(
        "render", reference, "-o", WORK / "profile.mp4", "--profile", "preview", "-q"
    )
    sound = _pyinstrument("mix", reference, "-o", WORK / "profile.wav", "-q")
    return f"{render}\n\n--- docedit mix reference.yaml ---\n{sound}"


def _pyinstrument(*args: object) -> str:
    out = WORK / "profile.txt"
    command = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o", out]
    env = {**os.environ, **CACHE_ENV}
    done = subprocess.run(
        [*map(str, command), "-m", "docedit", *map(str, args)],
        env=env,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0 or not out.exists():
        return "(profiling failed: is pyinstrument installed? pip install pyinstrument)"
    lines = [line.rstrip() for line in out.read_text().splitlines() if line.strip()]
    out.unlink()
    return "\n".join(lines[:60])


def earlier_sections(path: Path, rerun: set[str]) -> tuple[dict, dict[str, str]]:
    """Sections kept from the last run when only some are run again (`--only`), and when
    each was measured. Each section holds its own baselines, so its ratios still come
    from a single run."""
    try:
        data = json.loads(path.read_text())
        saved = data["results"]
    except (OSError, ValueError, KeyError):
        return {}, {}
    dates = data.get("measured", {})

    def rows(items: list[dict]) -> list[Result]:
        return [Result(**{k: v for k, v in item.items() if k != "realtime"}) for item in items]

    kept, when = {}, {}
    for key, value in saved.items():
        if key == "outputs":  # decoded facts, made by the compare section
            if "compare" not in rerun:
                kept[key] = value
        elif key not in rerun:
            kept[key] = (
                {p: rows(v) for p, v in value.items()} if isinstance(value, dict) else rows(value)
            )
            when[key] = dates.get(key, "in an earlier run")
    return kept, when


def ratio(a: Result, b: Result) -> str:
    return f"{a.wall / b.wall:.2f}x" if b.wall == b.wall and b.wall > 0 else "n/a"


def table(rows: list[Result]) -> list[str]:
    lines = [
        "| what | runs | wall (median) | CPU | peak RSS | realtime |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row.runs == 0:
            lines.append(f"| {row.name} | 0 | {row.note} | | | |")
            continue
        realtime = f"{row.realtime:.2f}x" if row.realtime else ""
        lines.append(
            f"| {row.name} | {row.runs} | {row.wall:.1f} s | {row.cpu:.1f} s | "
            f"{row.rss_mb:.0f} MB | {realtime} |"
        )
    return lines


def report(
    results: dict, measured: dict[str, str], info: dict, quick: bool, profile_text: str
) -> str:
    def when(section: str) -> list[str]:
        return [f"Measured {measured[section]}.", ""]

    lines = [
        "# Benchmarks",
        "",
        "Made by `make bench` (`python -m bench`) on the machine below; each section says",
        "when it was measured (`--only` re-runs some sections and keeps the others), and",
        "every ratio compares runs made in the same section of the same run. Wall time is the",
        "median of the runs listed; CPU time and peak RSS come from `wait4` on each child",
        "process, so they include ffmpeg and worker processes (peak RSS is the largest single",
        "process). Realtime = media seconds / wall seconds. docedit's rows are cold renders:",
        "its sound cache is emptied before each run, unless a row says otherwise.",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()),
        "",
    ]
    if quick:
        lines += [
            "**Quick run** (`--quick`): shorter cuts; not the figures the issues ask for.",
            "",
        ]
    if "validate" in results:
        cold, warm = results["validate"]
        lines += [
            "## Validation: 300 scenes, 2,000 intercepts",
            "",
            *when("validate"),
            *table(results["validate"]),
            "",
            f"Second run: **{warm.wall:.2f} s** (first, probing every file: {cold.wall:.2f} s).",
            "",
        ]
    if "mix" in results:
        ours, pydub = results["mix"]
        lines += [
            "## Mixing a long cut",
            "",
            *when("mix"),
            *table(results["mix"]),
            "",
            f"docedit takes **{ratio(ours, pydub)}** the time of the pydub baseline, "
            "while also "
            "ducking, bleeping, limiting and measuring loudness; its peak memory is "
            f"**{ours.rss_mb:.0f} MB**.",
            "",
        ]
    if "render" in results:
        lines += [
            "## Rendering the sample",
            "",
            *when("render"),
            *table(results["render"]),
            "",
            "The reference cut's final and preview renders are the docedit rows below.",
            "",
        ]
    if "compare" in results:
        for profile, rows in results["compare"].items():
            ours, command, naive, melt, floor, sound, *cached = rows
            cores = info["cores"] or 1
            least = max(floor.wall, (floor.cpu + sound.cpu) / cores)
            target_name, target = (
                ("the ffmpeg command", command) if profile == "preview" else ("moviepy", naive)
            )
            coder = " with `-aac_coder fast`" if profile == "preview" else ""
            lines += [
                f"## The reference cut, {profile}",
                "",
                *when("compare"),
                "Same x264 settings for all (CRF 20, preset "
                f"{'ultrafast' if profile == 'preview' else 'medium'}), AAC 192k{coder}.",
                "",
                *table(rows),
                "",
                f"- docedit / encoder floor: **{ratio(ours, floor)}**",
                f"- docedit / one ffmpeg command: **{ratio(ours, command)}**",
                f"- moviepy by hand / docedit: **{ratio(naive, ours)}** "
                "(how many times faster docedit is)",
                f"- ffmpeg command / docedit: **{ratio(command, ours)}**",
                *([f"- melt / docedit: **{ratio(melt, ours)}**"] if melt.runs else []),
                f"- Where docedit's CPU goes: x264 alone, on the same frames with the same "
                f"settings, takes {floor.cpu:.1f} s and AAC alone {sound.cpu:.1f} s, "
                f"{(floor.cpu + sound.cpu) / ours.cpu:.0%} of docedit's {ours.cpu:.1f} s; "
                f"drawing the frames, mixing and muxing take the other "
                f"{max(0.0, ours.cpu - floor.cpu - sound.cpu):.1f} s.",
                f"- The least any contender needs with these encoder settings: "
                f"**{least:.1f} s**, the larger of the floor's wall time and the CPU time "
                f"of x264 and AAC alone ({floor.cpu:.1f} s + {sound.cpu:.1f} s) spread over "
                f"{cores} cores. The issue's target here, 2.5x faster than {target_name}, "
                f"is **{target.wall / 2.5:.1f} s**"
                + (
                    ": less than that least, so no renderer can meet it on this machine."
                    if target.wall / 2.5 < least
                    else "."
                ),
                *(
                    [
                        f"- ffmpeg command / docedit with its sound cached: "
                        f"**{ratio(command, cached[0])}**"
                    ]
                    if cached
                    else []
                ),
                "",
            ]
    if "outputs" in results:
        lines += same_output(results["outputs"], results.get("compare", {}), when("compare"))
    lines += [
        "## Where a preview render's time goes",
        "",
        "pyinstrument on `docedit render reference.yaml --profile preview` (the render's own",
        "process), then on `docedit mix reference.yaml`: the same mix as the render's sound",
        "process makes at the same time (forked, so pyinstrument cannot follow it there),",
        "less the AAC encoder it feeds.",
        "",
        "```",
        profile_text,
        "```",
        "",
    ]
    return "\n".join(lines)


def same_output(
    decoded: dict[str, dict], compare: dict[str, list[Result]], measured: list[str]
) -> list[str]:
    """The outputs' table, and what the issue asks of docedit's: the cut's frames and
    duration, AAC 48 kHz stereo, and the same mix in preview as in the final."""
    lines = [
        "## What the outputs decode to",
        "",
        *measured,
        "Each contender's last output of the compare section, decoded with plain ffmpeg",
        "(frames counted one by one, duration from the decoded sound); loudness by pyloudnorm",
        "and true peak 4x oversampled, both of the decoded AAC.",
        "",
        *outputs.table(decoded),
        "",
    ]
    final, preview = decoded.get("docedit final"), decoded.get("docedit preview")
    if final and compare.get("final"):
        seconds = compare["final"][0].media_seconds or 0.0
        (width, height), fps = picture("final")
        wanted = {
            "frames": round(seconds * fps),
            "width": width,
            "height": height,
            "audio_codec": "aac",
            "audio_rate": 48000,
            "audio_layout": "stereo",
        }
        same = all(final[k] == v for k, v in wanted.items())
        same = same and abs(final["duration"] - seconds) < 0.005
        lines.append(
            f"- docedit's final: {final['frames']} frames at {final['width']}x{final['height']}, "
            f"{final['duration']:.2f} s, {final['audio_codec']} {final['audio_rate']} Hz "
            f"{final['audio_layout']}; the cut is {wanted['frames']} frames at {width}x{height}, "
            f"{seconds:.2f} s, AAC 48 kHz stereo: **{'the same' if same else 'NOT the same'}**."
        )
    if final and preview:
        lines.append(
            f"- docedit's preview carries the final's mix: {preview['lufs']:.1f} LUFS and "
            f"{preview['true_peak_dbtp']:.1f} dBTP against {final['lufs']:.1f} LUFS and "
            f"{final['true_peak_dbtp']:.1f} dBTP (the cut asks for -16 LUFS, peaks under "
            "-1 dBTP)."
        )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="short cuts, for trying the bench")
    parser.add_argument("--only", default="validate,mix,render,compare")
    parser.add_argument("--runs", type=int, default=3, help="runs of the shorter measurements")
    parser.add_argument(
        "--final-runs", type=int, default=2, help="rounds of the 1080p finals (6-12 min each)"
    )
    args = parser.parse_args()
    sections = set(args.only.split(","))
    stills = 8 if args.quick else 40
    minutes = 6 if args.quick else 60
    WORK.mkdir(parents=True, exist_ok=True)
    make_media(WORK)
    results: dict = {}
    measured: dict[str, str] = {}
    suffix = "-quick" if args.quick else ""
    runners = {
        "validate": lambda: section_validate(results, args.runs),
        "mix": lambda: section_mix(results, 1 if not args.quick else args.runs, minutes),
        "render": lambda: section_render(results, args.runs),
        "compare": lambda: section_compare(results, args.runs, args.final_runs, stills),
    }
    for name, run in runners.items():
        if name in sections:
            run()
            measured[name] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            save(results, measured, sections, args.quick, suffix, "(profiled when the run ends)")
    save(results, measured, sections, args.quick, suffix, profile_preview(stills))


def save(
    results: dict,
    measured: dict[str, str],
    sections: set[str],
    quick: bool,
    suffix: str,
    profile_text: str,
) -> None:
    """Write the report after every section, so a long run that is stopped keeps what
    it measured."""
    kept, kept_dates = earlier_sections(DOCS / f"benchmarks{suffix}.json", sections)
    merged = {**kept, **results}
    dates = {**kept_dates, **measured}
    info = machine()
    text = report(merged, dates, info, quick, profile_text)
    (DOCS / f"benchmarks{suffix}.md").write_text(text)
    data = {
        "machine": info,
        "quick": quick,
        "measured": dates,
        "results": {
            key: (
                value
                if key == "outputs"
                else {p: [r.to_json() for r in rows] for p, rows in value.items()}
                if isinstance(value, dict)
                else [r.to_json() for r in value]
            )
            for key, value in merged.items()
        },
    }
    (DOCS / f"benchmarks{suffix}.json").write_text(json.dumps(data, indent=2, default=str))
    print(f"saved docs/benchmarks{suffix}.md", flush=True)


if __name__ == "__main__":
    main()
