"""The `docedit` command: a thin shell over docedit.timeline.checks and docedit.render.

Exit codes: 0 success, 1 invalid input or a failed job, 2 a usage error (Click's own),
130 interrupted. User mistakes are printed as `PATH:LINE:COL: error: message`, never
as a traceback.
"""

from __future__ import annotations

import json
import math
import signal
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from docedit import __version__
from docedit.core.errors import Finding, MediaError, Severity, TimelineError
from docedit.jobs.progress import reporter_for
from docedit.output.encode import EncodeError
from docedit.plan.build import PlanError
from docedit.plan.cues import SubtitleError

app = typer.Typer(
    name="docedit",
    help="Assemble documentaries from YAML timelines: recorded calls over pictures.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)
T = TypeVar("T")


class Profile(StrEnum):
    final = "final"
    preview = "preview"


class Lang(StrEnum):
    original = "original"
    translation = "translation"


class Format(StrEnum):
    text = "text"
    json = "json"


TimelineArg = Annotated[
    Path, typer.Argument(help="The timeline YAML file.", dir_okay=False, show_default=False)
]
CutOpt = Annotated[str | None, typer.Option("--cut", help="Play a named cut from `cuts:`.")]
SceneOpt = Annotated[
    list[str] | None,
    typer.Option("--scene", help="Play only this scene (repeat for several, in that order)."),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]


def _print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        style = "red" if finding.severity is Severity.ERROR else "yellow"
        err.print(
            f"[{style}]{finding}[/]", markup=True, highlight=False
        ) if err.is_terminal else print(finding, file=sys.stderr)


def _guarded(job: Callable[[], T]) -> T:
    """Run a job, turning every kind of user-facing failure into a message and exit 1."""
    try:
        return job()
    except TimelineError as failure:
        _print_findings(failure.findings)
        errors = sum(1 for f in failure.findings if f.severity is Severity.ERROR)
        print(f"{errors} error(s); nothing written", file=sys.stderr)
    except (PlanError, MediaError, EncodeError, SubtitleError, ValueError, OSError) as failure:
        print(f"error: {failure}; nothing written", file=sys.stderr)
    except Terminated:
        print("terminated; nothing written", file=sys.stderr)
        raise typer.Exit(128 + signal.SIGTERM) from None
    except KeyboardInterrupt:
        print("interrupted; nothing written", file=sys.stderr)
        raise typer.Exit(130) from None
    raise typer.Exit(1)


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job cancelled, a service stopping), unwound like Ctrl-C so that
    workers are stopped and temporary files removed."""


def _terminate(_signum: int, _frame: object) -> None:
    raise Terminated


def _project(timeline: Path, strict: bool = False):
    from docedit.timeline.checks import load_project

    return load_project(timeline, strict=strict)


def _require_suffix(path: Path, suffixes: tuple[str, ...], option: str) -> None:
    if path.suffix.lower() not in suffixes:
        raise typer.BadParameter(f"must end in {' or '.join(suffixes)}: {path}", param_hint=option)


@app.command()
def validate(
    timeline: TimelineArg,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    output_format: Annotated[
        Format, typer.Option("--format", help="text, or json for scripts.")
    ] = Format.text,
) -> None:
    """Check everything a render would need; print every problem; write nothing."""
    from docedit.timeline.checks import validate as run

    report = run(timeline)
    if output_format is Format.json:
        print(json.dumps([f.to_json() for f in report.findings], ensure_ascii=False, indent=2))
    else:
        _print_findings(report.findings)
    if not report.ok(strict):
        if output_format is Format.text:
            errors, warnings = len(report.errors), len(report.warnings)
            print(f"{timeline}: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
        raise typer.Exit(1)
    if output_format is Format.text:
        warned = f", {len(report.warnings)} warning(s)" if report.warnings else ""
        print(f"{timeline}: ok: {report.summary}{warned}")


@app.command()
def render(
    timeline: TimelineArg,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The MP4 to write. Default: ./<timeline>.mp4"),
    ] = None,
    cut: CutOpt = None,
    scene: SceneOpt = None,
    profile: Annotated[
        Profile,
        typer.Option("--profile", help="final: full size, CRF 18; preview: 640 px, 12 fps."),
    ] = Profile.final,
    crf: Annotated[
        int | None,
        typer.Option("--crf", min=0, max=51, help="x264 quality instead of the profile's."),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache", help="Mix the sound again even if the same sound was made before."
        ),
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Render the cut (default: every scene in order) to an H.264/AAC MP4."""
    from docedit.jobs.soundjob import SoundJob

    target = output or Path(f"{timeline.stem}.mp4")
    _require_suffix(target, (".mp4",), "--output")
    sound = SoundJob.spawn()  # first: it warms up while we import and validate
    from docedit.jobs.render import render as run
    from docedit.jobs.soundcache import SoundCache

    def job():
        try:
            project = _project(timeline)
        except BaseException:
            sound.stop()
            raise
        reporter = reporter_for(err, quiet)
        try:
            return run(
                project,
                target,
                cut=cut,
                scenes=scene or (),
                profile=profile.value,
                crf=crf,
                reporter=reporter,
                sound=sound,
                cache=None if no_cache else SoundCache(),
            )
        finally:
            reporter.close()

    result = _guarded(job)
    width, height = result.size
    print(
        f"wrote {result.path}: {width}x{height}, {result.frames} frames at "
        f"{float(result.fps):g} fps, "
        f"{float(result.duration):.3f}s, {result.mix.report.integrated:.1f} LUFS, "
        f"{result.mix.report.true_peak:.1f} dBTP"
        + (" (sound from the cache)" if result.sound_cached else "")
    )


@app.command()
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
    quiet: QuietOpt = False,
) -> None:
    """The final audio mix alone, exactly as the render carries it."""
    from docedit.jobs.render import mix as run

    _require_suffix(output, (".wav",), "--output")

    def job():
        project = _project(timeline)
        reporter = reporter_for(err, quiet)
        try:
            return run(project, output, cut=cut, scenes=scene or (), reporter=reporter)
        finally:
            reporter.close()

    mixed = _guarded(job)
    loudness = mixed.report.integrated
    print(f"wrote {output}: {mixed.seconds:.3f}s at {mixed.rate} Hz, {loudness:.1f} LUFS")
    if report:
        out.print(_loudness_table(mixed))


def _loudness_table(mixed) -> Table:
    def db(value: float, unit: str) -> str:
        return "-inf" if value == -math.inf else f"{value:.1f} {unit}"

    table = Table(title="Loudness (ITU-R BS.1770)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("integrated", db(mixed.report.integrated, "LUFS"))
    table.add_row("true peak", db(mixed.report.true_peak, "dBTP"))
    table.add_row("loudness range", f"{mixed.report.loudness_range:.1f} LU")
    table.add_row("gain applied", f"{mixed.report.gain:+.1f} dB")
    for scene_id, value in mixed.scene_loudness.items():
        table.add_row(f"scene {scene_id}", db(value, "LUFS"))
    return table


@app.command()
def subtitles(
    timeline: TimelineArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="The .srt or .vtt to write.")],
    lang: Annotated[Lang, typer.Option("--lang", help="Which text to write.")] = Lang.translation,
    cut: CutOpt = None,
    scene: SceneOpt = None,
) -> None:
    """A subtitle sidecar of the cut, timed to the frame as the render burns it."""
    from docedit.jobs.render import subtitles as run

    _require_suffix(output, (".srt", ".vtt"), "--output")
    cues = _guarded(
        lambda: run(_project(timeline), output, lang=lang.value, cut=cut, scenes=scene or ())
    )
    print(f"wrote {output}: {len(cues)} cues ({lang.value})")


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of the timeline format (for YAML editors' completion)."""
    from docedit.timeline.format import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False)
    if output is None:
        print(text)
        return
    from docedit.core.atomic import atomic_output

    with atomic_output(output, output.suffix) as temp:
        temp.write_text(text + "\n", "utf-8")
    print(f"wrote {output}")


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        print(f"docedit {__version__}")
        raise typer.Exit(0)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    app()
