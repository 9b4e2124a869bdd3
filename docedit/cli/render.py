"""`docedit render`, `mix` and `subtitles`: the cut to an MP4, a WAV or a sidecar.

Each command is a few lines around `docedit.render`, `docedit.mix` or
`docedit.subtitles`: check the output's suffix, show progress, print what was written.
"""

from __future__ import annotations

import sys
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

import docedit
from docedit.cli.common import (
    CutOpt,
    QuietOpt,
    SceneOpt,
    TimelineArg,
    default_output,
    err,
    guarded,
    level,
    out,
    print_findings,
    require_suffix,
)
from docedit.cli.profiles import ProfileName
from docedit.jobs.progress import reporter_for
from docedit.output.encode import PROFILES
from docedit.plan.cues import Lang

if TYPE_CHECKING:
    from docedit.sound.report import MixReport
    from docedit.timeline.project import Project


LoudnessOpt = Annotated[
    str | None,
    typer.Option(
        "--loudness",
        help="The mix's target instead of the timeline's: LUFS, or a spec "
        "(ebu-r128, atsc-a85, streaming, podcast, web).",
    ),
]


@guarded
def render(
    timeline: TimelineArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="The MP4 (.mov for master) to write. Default: ./<timeline>.mp4"
        ),
    ] = None,
    cut: CutOpt = None,
    scene: SceneOpt = None,
    profile: Annotated[
        ProfileName,
        typer.Option(
            "--profile",
            help="final: full size, CRF 18; preview: 640 px, 12 fps; master: ProRes 422 HQ "
            "with 24-bit PCM in a .mov.",
        ),
    ] = "final",
    crf: Annotated[
        int | None,
        typer.Option("--crf", min=0, max=51, help="x264 quality instead of the profile's."),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Mix the sound and encode the whole picture again, even if made before.",
        ),
    ] = False,
    loudness: LoudnessOpt = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="tcp://HOST:PORT",
            help="Draw and encode the picture's segments on this Dask cluster "
            "(pip install 'docedit\\[dask]'); the sound is mixed here.",
        ),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Render the cut (default: every scene in order) to an H.264/AAC MP4, or a ProRes
    master MOV; OUT.manifest.json records what it was made from."""
    from docedit.jobs.soundjob import SoundJob

    suffix = PROFILES[profile].suffix
    target = output or default_output(Path(f"{timeline.stem}{suffix}"))
    require_suffix(target, (suffix,), "--output")
    sound = SoundJob.spawn()  # first: it warms up while we import and validate
    with closing(reporter_for(err, quiet)) as reporter:
        result = docedit.render(
            timeline,
            target,
            cut=cut,
            scenes=scene or (),
            profile=profile,
            crf=crf,
            cache=not no_cache,
            reporter=reporter,
            sound=sound,
            loudness=loudness,
            scheduler=scheduler,
        )
    width, height = result.size
    print(
        f"wrote {result.path}: {width}x{height}, {result.frames} frames at "
        f"{float(result.fps):g} fps, {float(result.duration):.3f}s, "
        f"{result.mix.report.integrated:.1f} LUFS, {result.mix.report.true_peak:.1f} dBTP"
        + (" (sound from the cache)" if result.sound_cached else "")
    )
    if result.segments is not None:
        done, kept = len(result.segments.encoded), len(result.segments.reused)
        print(f"picture: {done} of {done + kept} segments encoded, {kept} from the cache")


@guarded
def mix(
    timeline: TimelineArg,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The WAV to write (48 kHz 24-bit).")
    ],
    cut: CutOpt = None,
    scene: SceneOpt = None,
    report: Annotated[
        bool, typer.Option("--report", help="Print loudness figures as a table.")
    ] = False,
    loudness: LoudnessOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """The final audio mix alone, exactly as the render carries it."""
    require_suffix(output, (".wav",), "--output")
    with closing(reporter_for(err, quiet)) as reporter:
        mixed = docedit.mix(
            timeline, output, cut=cut, scenes=scene or (), reporter=reporter, loudness=loudness
        )
    integrated = mixed.report.integrated
    print(f"wrote {output}: {mixed.seconds:.3f}s at {mixed.rate} Hz, {integrated:.1f} LUFS")
    if report:
        out.print(_loudness_table(mixed))


@guarded
def subtitles(
    timeline: TimelineArg,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The .srt, .vtt, .ttml or .ass to write.")
    ],
    lang: Annotated[Lang, typer.Option("--lang", help="Which text to write.")] = "translation",
    cut: CutOpt = None,
    scene: SceneOpt = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Check the cues against subtitle rules; exit 1 if any miss."),
    ] = False,
    rules: Annotated[
        str | None,
        typer.Option("--rules", help="netflix (default), bbc, or a YAML file of rules."),
    ] = None,
) -> None:
    """A subtitle sidecar of the cut, timed to the frame as the render burns it."""
    from docedit.output.sidecar import SUFFIXES

    require_suffix(output, SUFFIXES, "--output")
    project = docedit.load(timeline)
    cues = docedit.subtitles(project, output, lang=lang, cut=cut, scenes=scene or ())
    print(f"wrote {output}: {len(cues)} cues ({lang})")
    if check or rules is not None:
        _check_subtitles(project, lang, cut, scene or [], rules)


def _check_subtitles(
    project: Project, lang: Lang, cut: str | None, scenes: list[str], rules: str | None
) -> None:
    from docedit.jobs.delivery import load_rules, subtitle_check

    chosen = load_rules(rules)
    findings = subtitle_check(project, lang, cut, scenes, chosen)
    print_findings(findings)
    if findings:
        print(f"{len(findings)} cue(s) miss the {chosen.name} rules", file=sys.stderr)
        raise typer.Exit(1)
    print(f"the cues pass the {chosen.name} rules")


def _loudness_table(mixed: MixReport) -> Table:
    table = Table(title="Loudness (ITU-R BS.1770)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("integrated", level(mixed.report.integrated, "LUFS"))
    table.add_row("true peak", level(mixed.report.true_peak, "dBTP"))
    table.add_row("loudness range", f"{mixed.report.loudness_range:.1f} LU")
    table.add_row("gain applied", f"{mixed.report.gain:+.1f} dB")
    for scene_id, value in mixed.scene_loudness.items():
        table.add_row(f"scene {scene_id}", level(value, "LUFS"))
    return table
