"""`docedit catalog` (query the intercepts) and `docedit plan` (the planned cut as data)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

import docedit
from docedit.cli.common import CutOpt, SceneOpt, TimelineArg, guarded, out
from docedit.core.timecode import format_clock

if TYPE_CHECKING:
    from docedit.plan.query import Query
    from docedit.timeline.project import Project

ListOpt = list[str] | None
# Above this many rows, or into a pipe or a file, the table is plain aligned text: rich's
# layout measures every cell (half a second for a thousand rows), and a script or a pager
# reads plain columns better than box drawing.
RICH_ROWS = 200
JsonOpt = Annotated[bool, typer.Option("--json", help="A JSON array of objects, for scripts.")]


def plain_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell (in terminal cells: wide characters count
    twice), two spaces apart, the header underlined; no cell is cut or wrapped."""
    widths = [max(map(cell_len, column)) for column in zip(header, *rows, strict=True)]
    rule = ["-" * width for width in widths]
    lines = []
    for line in (header, rule, *rows):
        pairs = zip(line, widths, strict=True)
        padded = [cell + " " * (width - cell_len(cell)) for cell, width in pairs]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        message = f"{value!r} is not a date: write YYYY-MM-DD"
        raise typer.BadParameter(message, param_hint=option) from None


@guarded
def catalog(
    timeline: TimelineArg,
    tag: Annotated[ListOpt, typer.Option("--tag", help="Any of these tags (repeat).")] = None,
    speaker: Annotated[
        ListOpt, typer.Option("--speaker", help="Any of these speakers (repeat).")
    ] = None,
    begin: Annotated[
        str | None, typer.Option("--from", help="Recorded on or after YYYY-MM-DD.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Recorded on or before YYYY-MM-DD.")
    ] = None,
    text: Annotated[
        str | None,
        typer.Option("--text", help="Every word in the transcript or translation (any case)."),
    ] = None,
    unused: Annotated[bool, typer.Option("--unused", help="Only calls no cut uses.")] = False,
    as_json: JsonOpt = False,
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart",
            help="Draw calls per week (PNG, PDF or SVG), the cut's solid: needs docedit\\[chart].",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Stack the chart by tags or speakers.")] = "tags",
) -> None:
    """List the intercepts that match: id, duration, date, speakers, first words."""
    from docedit.jobs.catalog import query_catalog
    from docedit.plan.query import Query

    query = Query(
        tuple(tag or ()), tuple(speaker or ()), _date(begin, "--from"), _date(end, "--to"), text
    )
    if chart is not None:
        _chart(docedit.load(timeline), query, chart, by)
        return
    rows = query_catalog(timeline, query, unused=unused)  # probes only what it shows
    if as_json:
        print(json.dumps([row.to_json() for row in rows], ensure_ascii=False, indent=2))
        return
    header = ("id", "duration", "recorded", "speakers", "first words", "used")
    cells = [
        (
            row.id,
            format_clock(row.duration) if row.duration is not None else "?",
            row.recorded.isoformat() if row.recorded else "",
            ", ".join(row.speakers),
            row.words,
            "yes" if row.used else "",
        )
        for row in rows
    ]
    if out.is_terminal and len(rows) <= RICH_ROWS:
        table = Table(*header)
        for line in cells:
            # Text, not str: no markup parsing (a transcript's "[laughs]" stays as written)
            table.add_row(*map(Text, line))
        out.print(table)
    else:
        print(plain_table(header, cells))
    print(f"{len(rows)} intercept(s)")


def _chart(project: Project, query: Query, out: Path, by: str) -> None:
    from docedit.jobs.arc import arc_data, draw_arc
    from docedit.plan.redact import Redactor

    arc = arc_data(project, query, by)
    redactor = Redactor.of(project.timeline)
    draw_arc(arc, out, redactor.text(project.timeline.title or ""))
    print(
        f"wrote {out}: {arc.calls} call(s) over {len(arc.weeks)} week(s), {arc.in_cut} in the cut"
    )


@guarded
def plan(
    timeline: TimelineArg, cut: CutOpt = None, scene: SceneOpt = None, as_json: JsonOpt = False
) -> None:
    """The planned cut, `select:` expanded: every shot and sound with the YAML that made it."""
    from docedit.jobs.catalog import plan_data

    scenes = plan_data(docedit.load(timeline), cut, scene or ())
    if as_json:
        print(json.dumps(scenes, ensure_ascii=False, indent=2))
        return
    for scene_data in scenes:
        print(f"{scene_data['id']} at {format_clock(scene_data['start'])}")
        for sound in scene_data["sounds"]:
            what = sound.get("intercept") or sound["source"]
            where = sound["origin"]
            print(
                f"  {sound['role']:9} {what} at {format_clock(sound['start'])} for "
                f"{sound['duration']:.3f}s  ({where['path']}, line {where['line']})"
            )
