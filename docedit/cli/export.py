"""`docedit export` (a file per scene and a manifest) and `docedit cache info|clear`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

import docedit
from docedit.cli.common import (
    CutOpt,
    QuietOpt,
    SceneOpt,
    TimelineArg,
    err,
    guarded,
)
from docedit.cli.profiles import ProfileName


@guarded
def export(
    timeline: TimelineArg,
    folder: Annotated[
        Path, typer.Option("--dir", "-d", help="The folder for the scene files and manifest.json.")
    ],
    scene: SceneOpt = None,
    cut: CutOpt = None,
    profile: Annotated[
        ProfileName, typer.Option("--profile", help="final, preview or master, as for render.")
    ] = "final",
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Scenes rendered at once, a process each.")
    ] = 1,
    name: Annotated[
        str,
        typer.Option("--name", help="File name template: {index} (from 1) and {scene}."),
    ] = "{scene}",
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Send the scenes to a Dask cluster at tcp://HOST:PORT (docedit\\[dask]); "
            "its workers must see the same paths.",
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Make every sound and picture segment again.")
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Every scene to its own file in DIR, and DIR/manifest.json (each file's duration,
    frames, sha256 and the sources it used). A scene exported alone is normalised to
    the loudness target on its own. Exit 1 if any scene failed (the others are kept)."""
    from docedit.jobs.scenes import scene_display

    project = docedit.load(timeline)
    display = scene_display(err, quiet)
    result = docedit.export(
        project,
        folder,
        scenes=scene or (),
        cut=cut,
        profile=profile,
        name=name,
        jobs=jobs,
        scheduler=scheduler,
        cache=not no_cache,
        display=display,
    )
    for file in result.files:
        print(f"wrote {file.file}: {file.frames} frames, {float(file.duration):.3f}s")
    print(f"wrote {result.manifest_path}: {len(result.files)} scene(s)")
    for scene_id, why in result.failed:
        print(f"error: scene {scene_id!r} failed: {why}", file=sys.stderr)
    if result.failed:
        raise typer.Exit(1)


cache_app = typer.Typer(
    name="cache", help="docedit's caches: probes, sounds, picture segments.", no_args_is_help=True
)


def _size(path: Path) -> tuple[int, int]:
    """(files, bytes) under `path`."""
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else []
    if path.is_file():
        files = [path]
    return len(files), sum(p.stat().st_size for p in files)


@cache_app.command("info")
def cache_info() -> None:
    """Where the caches are and how much each holds."""
    from docedit.core.cachefiles import SEGMENTS_KEEP_BYTES, STILLS_KEEP_BYTES
    from docedit.media.probe import cache_root

    root = cache_root()
    print(f"cache: {root}")
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        count, size = _size(entry)
        print(f"  {entry.name}: {count} file(s), {size / 1e6:.1f} MB")
    segments, stills = SEGMENTS_KEEP_BYTES / 2**30, STILLS_KEEP_BYTES >> 20
    print(f"picture segments are kept up to {segments:.0f} GiB, oldest used go first")
    print(f"decoded stills are kept up to {stills} MB, oldest used go first")


@cache_app.command("clear")
def cache_clear() -> None:
    """Remove everything docedit can make again (crash reports are kept)."""
    from docedit.media.probe import cache_root

    root = cache_root()
    count, size = 0, 0
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        if entry.name == "crash":
            continue
        files, used = _size(entry)
        count, size = count + files, size + used
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    print(f"cleared {root}: {count} file(s), {size / 1e6:.1f} MB")
