"""`docedit init` (a new project), `info` (a timeline at a glance) and `watch` (preview
on every save): the editor's loop."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from docedit.cli.common import (
    CutOpt,
    SceneOpt,
    TimelineArg,
    err,
    guarded,
    out,
    print_findings,
    require_suffix,
)

if TYPE_CHECKING:
    from docedit.jobs.info import TimelineInfo
    from docedit.jobs.watch import Pass


@guarded
def init(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="DIR", help="The new project's folder (new or empty).", show_default=False
        ),
    ],
    title: Annotated[
        str | None,
        typer.Option("--title", metavar="TITLE", help="The film's title. Default: DIR's name."),
    ] = None,
) -> None:
    """Start a project: a commented starter timeline, asset folders with a few
    placeholder media, a README, a .gitignore and the JSON Schema wired for editors."""
    from docedit.jobs.init import init_project

    made = init_project(folder, title)
    print(f"made {folder}: {len(made.files)} files; the timeline is {made.timeline}")
    timeline = made.timeline.relative_to(made.folder.parent)
    print(f"next: docedit watch {timeline}   (or: docedit render {timeline} --profile preview)")


@guarded
def info(
    timeline: TimelineArg,
    cut: CutOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object, for scripts.")] = False,
) -> None:
    """A timeline at a glance: cuts, scenes and their lengths, pictures and calls per
    scene, speakers, the dates of the calls, redactions (spans and notes, never words)."""
    from docedit.jobs.info import timeline_info

    facts = timeline_info(timeline, cut)
    if as_json:
        print(json.dumps(facts.as_dict(), ensure_ascii=False, indent=2))
        return
    _print_info(facts)


def _print_info(facts: TimelineInfo) -> None:
    width, height = facts.size
    title = f"{facts.title}: " if facts.title else ""
    cut = f" (cut {facts.cut})" if facts.cut else ""
    out.print(
        f"{title}{facts.length.clock}{cut}, {len(facts.scenes)} scenes, "
        f"{width}x{height} at {facts.fps} fps",
        markup=False,
    )
    table = Table("scene", "start", "length", "pictures", "calls", box=None, pad_edge=False)
    for scene in facts.scenes:
        pictures = f"{scene.pictures}" + (" + title" if scene.titles else "")
        calls = ", ".join(scene.intercepts) or "-"
        table.add_row(scene.id, scene.start.clock, scene.length.clock, pictures, calls)
    out.print(table)
    for name, length in facts.cuts.items():
        out.print(f"cut {name}: {length.clock}", markup=False)
    out.print(f"speakers: {', '.join(facts.speakers) or '-'}", markup=False)
    if facts.recorded:
        out.print(f"recorded: {facts.recorded[0]} to {facts.recorded[1]}", markup=False)
    for item in facts.redactions:
        note = f": {item.note}" if item.note else ""
        span = f"{item.begin:.2f}s-{item.end:.2f}s"
        out.print(f"redacted: {item.intercept} {span}{note}", markup=False)
    out.print(f"warnings: {facts.warnings} (docedit validate lists them)", markup=False)


@guarded
def watch(
    timeline: TimelineArg,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="OUT.mp4", help="The preview to keep up to date."),
    ] = Path("out/preview.mp4"),
    cut: CutOpt = None,
    scene: SceneOpt = None,
) -> None:
    """Validate and re-render the preview on every save of the timeline or any file it
    uses (only what changed is made again). Ctrl-C stops it (exit 0)."""
    from docedit.jobs.watch import Watcher

    require_suffix(output, (".mp4",), "--output")
    watcher = Watcher(timeline, output, cut, tuple(scene or ()))
    print(f"watching {timeline} and the files it uses; Ctrl-C stops", file=sys.stderr)
    try:
        watcher.run(_say)
    except KeyboardInterrupt:
        # Ctrl-C is how a watch ends: not a failure. A render it cut short left the
        # last complete preview in place (renders write a temporary file, then rename).
        print(f"stopped; {output} is the last complete preview", file=sys.stderr)
        raise typer.Exit(0) from None


def _say(done: Pass) -> None:
    """One line per pass (flushed: a script or a test reads it as it comes)."""
    print_findings(done.findings)
    if done.result is not None:
        result = done.result
        parts = [f"{float(result.duration):.1f}s"]
        if result.segments is not None:
            encoded = len(result.segments.encoded)
            total = encoded + len(result.segments.reused)
            parts.append(f"picture: {encoded} of {total} segments encoded")
        parts.append("sound from the cache" if result.sound_cached else "sound mixed")
        line = f"rendered {result.path} in {done.seconds:.1f}s ({'; '.join(parts)})"
        print(line, flush=True)
    elif done.error is not None:
        print(f"error: {done.error}; waiting for the next save", file=sys.stderr, flush=True)
    else:
        print(f"{done.errors} error(s); waiting for the next save", file=sys.stderr, flush=True)
    err.file.flush()
    sys.stdout.flush()
