"""docs/benchmarks.md from the results: one section per bench section, ratios only
between rows measured together."""

from __future__ import annotations

from bench import catalog_scale, catalog_size, long, loop, outputs, same
from bench.common import CACHED, EMPTY
from bench.measure import Result
from bench.reference import aac_coder, picture


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
    if "incremental" in results:
        lines += [
            "## Incremental render (the reference media in 4 scenes, preview)",
            "",
            *when("incremental"),
            *table(results["incremental"]),
            "",
            *_incremental_ratios(results["incremental"]),
        ]
    if "cluster" in results:
        lines += [
            "## The same cut at the final profile: one process or a 2-worker LocalCluster",
            "",
            *when("cluster"),
            *table(results["cluster"]),
            "",
            *_incremental_ratios(results["cluster"]),
        ]
    if "compare" in results:
        for profile, rows in results["compare"].items():
            ours, command, naive, melt, floor, sound, *extra = rows
            cached = [row for row in extra if row.name == CACHED]
            empty = [row for row in extra if row.name == EMPTY]
            cores = info["cores"] or 1
            least = max(floor.wall, (floor.cpu + sound.cpu) / cores)
            target_name, target = (
                ("the ffmpeg command", command) if profile == "preview" else ("moviepy", naive)
            )
            coder = f" with `{' '.join(aac_coder(profile))}`" if profile == "preview" else ""
            dated = "compare:preview" if f"compare:{profile}" in measured else "compare"
            lines += [
                f"## The reference cut, {profile}",
                "",
                *when(dated),
                "Same x264 settings for all (CRF 20, preset "
                f"{'ultrafast' if profile == 'preview' else 'medium'}), AAC 192k{coder}. "
                "docedit runs as installed, its bytecode compiled before anything is timed "
                "(bench/cli.py, `compile_bytecode`).",
                "",
                *table(rows),
                "",
                f"- docedit / encoder floor: **{ratio(ours, floor)}**",
                f"- docedit / one ffmpeg command: **{ratio(ours, command)}**"
                + (" (issue 18's target: at most 0.80x)" if profile == "preview" else ""),
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
                *(
                    [
                        f"- docedit with every cache emptied first / one ffmpeg command: "
                        f"**{ratio(empty[0], command)}** (the stills decoded and the media "
                        "probed again: what a first render of a new project costs)"
                    ]
                    if empty
                    else []
                ),
                "",
            ]
    if "outputs" in results:
        lines += same_output(results["outputs"], results.get("compare", {}), when("compare"))
    if "same" in results:
        lines += same.report(results["same"], when("same"))
    if "payload" in results:
        lines += catalog_size.report(results["payload"], when("payload"))
    if "long" in results:
        lines += long.report(results["long"], when("long"))
    if "catalog" in results:
        lines += catalog_scale.report(results["catalog"], when("catalog"))
    if "loop" in results:
        lines += loop.report(results["loop"], when("loop"))
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


def _incremental_ratios(rows: list) -> list[str]:
    """The issue's targets, from the rows of the same run (by name, as runs may add rows)."""
    by = {row.name: row for row in rows}
    cold, same = by.get("cold render (empty cache)"), by.get("unchanged re-render")
    single = by.get("render, one process (--no-cache)")
    cluster = by.get("render through a 2-worker LocalCluster")
    lines = []
    if cold and same:
        lines.append(f"- unchanged re-render / cold: **{ratio(same, cold)}** (target under 0.10)")
    if single and cluster:
        lines.append(
            f"- render through the LocalCluster / one process: **{ratio(cluster, single)}** "
            "(target at most 1.1)"
        )
    return [*lines, ""] if lines else []
