"""`docedit validate`: every problem a render would trip on, each at its line."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer

import docedit
from docedit.cli.common import TimelineArg, guarded, print_findings


class Format(StrEnum):
    text = "text"
    json = "json"


@guarded
def validate(
    timeline: TimelineArg,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    output_format: Annotated[
        Format, typer.Option("--format", help="text, or json for scripts.")
    ] = Format.text,
) -> None:
    """Check everything a render would need; print every problem; write nothing."""
    report = docedit.validate(timeline)
    if output_format is Format.json:
        print(json.dumps([f.to_json() for f in report.findings], ensure_ascii=False, indent=2))
        if not report.ok(strict):
            raise typer.Exit(1)
        return
    print_findings(report.findings)
    if not report.ok(strict):
        errors, warnings = len(report.errors), len(report.warnings)
        print(f"{timeline}: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
        raise typer.Exit(1)
    warned = f", {len(report.warnings)} warning(s)" if report.warnings else ""
    print(f"{timeline}: ok: {report.summary}{warned}")
