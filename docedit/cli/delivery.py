"""`docedit qc` and `docedit verify`: delivery checks of finished files.

qc measures any media file (docedit's or not) and, given a loudness spec, says by how
much it misses it (exit 1); `--json` prints the whole report for CI. verify re-hashes
what a render's manifest names and lists every file that changed or went missing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from docedit.cli.common import err, guarded, level
from docedit.core.loudness_specs import SPECS, LoudnessSpec, loudness_spec

if TYPE_CHECKING:
    from docedit.jobs.delivery import QcReport


@guarded
def qc(
    file: Annotated[Path, typer.Argument(help="Any media file.", dir_okay=False)],
    spec: Annotated[
        str | None,
        typer.Option("--spec", help=f"A loudness spec: {', '.join(SPECS)}."),
    ] = None,
    loudness: Annotated[
        float | None, typer.Option("--loudness", help="Integrated LUFS to hold to (+-1 LU).")
    ] = None,
    true_peak: Annotated[
        float, typer.Option("--true-peak", help="dBTP ceiling with --loudness.")
    ] = -1.0,
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON, for CI.")] = False,
) -> None:
    """Measure any media file (streams, frames, loudness, black/frozen/silent stretches).

    Exit 1 when it misses the spec, saying by how much."""
    from docedit.jobs.delivery import qc as run

    if spec is not None and loudness is not None:
        raise typer.BadParameter("give --spec or --loudness, not both", param_hint="--spec")
    chosen = _spec(spec, loudness, true_peak)
    report = run(file, chosen)
    if as_json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        _print(report)
    if not report.passed:
        if not as_json:
            print(f"{file}: failed qc: {len(report.failures)} problem(s)", file=sys.stderr)
        raise typer.Exit(1)


def _spec(name: str | None, loudness: float | None, true_peak: float) -> LoudnessSpec | None:
    if name is not None:
        if name not in SPECS:
            raise typer.BadParameter(
                f"{name!r} is not one of {', '.join(SPECS)}", param_hint="--spec"
            )
        return SPECS[name]
    return None if loudness is None else loudness_spec(loudness, true_peak)


def _print(report: QcReport) -> None:
    print(f"{report.path}:")
    for stream in report.streams:
        print(f"  {stream}")
    if report.duration is not None:
        print(f"  duration {report.duration:.3f}s")
    if report.frames is not None and report.fps:
        print(f"  video {report.frames} frames at {report.fps:g} fps = {report.video_seconds:.3f}s")
    if report.loudness is not None:
        m = report.loudness
        print(f"  audio {report.audio_seconds:.3f}s")
        print(
            f"  loudness {level(m.integrated, 'LUFS')} integrated, true peak "
            f"{level(m.true_peak, 'dBTP')}, range {m.loudness_range:.1f} LU, "
            f"short-term max {level(m.short_term_max, 'LUFS')}"
        )
    if report.spec is not None:
        print(f"  spec {report.spec.describe()}")
    for warning in report.warnings:
        err.print(f"  warning: {warning}", markup=False, highlight=False)
    for failure in report.failures:
        err.print(f"  failed: {failure}", markup=False, highlight=False)
    if report.passed:
        print("  passed" + (f" {report.spec.name}" if report.spec else ""))


@guarded
def verify(
    output: Annotated[
        Path, typer.Argument(help="A render's output (beside OUT.manifest.json), or a folder.")
    ],
) -> None:
    """Check a render or an export folder against its manifest: its files and sources.

    Every file is hashed again; exit 1 naming each one that changed or went missing."""
    from docedit.output.manifest import verify as run

    manifest, problems, checked = run(output)
    for problem in problems:
        err.print(f"{problem}", markup=False, highlight=False)
    if problems:
        print(
            f"{manifest}: {len(problems)} of {checked} file(s) changed or missing", file=sys.stderr
        )
        raise typer.Exit(1)
    print(f"{manifest}: ok: {checked} file(s) as recorded")
