"""`docedit otio` and `docedit storyboard`: the cut for a finishing suite, and for a producer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import docedit
from docedit.cli.common import CutOpt, SceneOpt, TimelineArg, err, guarded


@guarded
def otio(
    timeline: TimelineArg,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="cut.otio, cut.fcpxml, cut.xml (FCP 7) or cut.edl."),
    ],
    cut: CutOpt = None,
    scene: SceneOpt = None,
) -> None:
    """The cut as an editing timeline for Resolve, Premiere, Final Cut or Kdenlive."""
    from docedit.jobs.handoff import otio as run
    from docedit.output.interchange.formats import format_for

    format_for(output.suffix)  # an unknown suffix is refused before loading anything
    result = run(docedit.load(timeline), output, cut=cut, scenes=scene or ())
    print(
        f"wrote {result.path} ({result.label}): {result.pictures} pictures, {result.sounds} "
        f"sounds, {result.markers} markers, {result.frames} frames; read back and checked"
    )
    for note in result.dropped:
        err.print(f"not in {result.label}: {note}", markup=False)


@guarded
def storyboard(
    timeline: TimelineArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="board.png or board.pdf.")],
    cut: CutOpt = None,
    scene: SceneOpt = None,
) -> None:
    """A storyboard of the cut: a row per scene, its pictures, calls and redactions."""
    from docedit.jobs.handoff import storyboard as run
    from docedit.output.storyboard import check_suffix

    check_suffix(output)
    board = run(docedit.load(timeline), output, cut=cut, scenes=scene or ())
    print(f"wrote {board.path}: {board.width}x{board.height} px, {board.rows} scenes")
