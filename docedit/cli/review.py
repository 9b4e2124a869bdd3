"""`docedit review`: the cut, its words and its scenes in one page a director opens from disk."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

import docedit
from docedit.cli.common import CutOpt, QuietOpt, SceneOpt, TimelineArg, err, guarded
from docedit.jobs.progress import reporter_for

if TYPE_CHECKING:
    ReviewProfile = str
else:
    ReviewProfile = Literal["preview", "final"]


@guarded
def review(
    timeline: TimelineArg,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The folder to write (index.html and its files)."),
    ],
    cut: CutOpt = None,
    scene: SceneOpt = None,
    profile: Annotated[
        ReviewProfile,
        typer.Option(
            "--profile", help="preview: 640 px, 12 fps (quick to share); final: full size, CRF 18."
        ),
    ] = "preview",
    quiet: QuietOpt = False,
) -> None:
    """A review page: the rendered cut with subtitle and chapter tracks, every line of
    its intercepts (click to seek), its scenes and storyboard; opens from disk."""
    from docedit.jobs.review import review as run

    project = docedit.load(timeline)
    with closing(reporter_for(err, quiet)) as reporter:
        done = run(project, output, cut=cut, scenes=scene or (), profile=profile, reporter=reporter)
    print(
        f"wrote {done.folder}/index.html: {done.chapters} scenes, {done.calls} intercepts, "
        f"{done.lines} lines, {float(done.render.duration):.1f}s at "
        f"{done.render.mix.report.integrated:.1f} LUFS"
    )
