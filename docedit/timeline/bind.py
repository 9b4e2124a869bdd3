"""Binding a timeline to the disk: globs expanded, media probed, transcripts read.

This is the I/O edge before planning; it reads every file once and keeps the facts in
a `Project`. Which files a picture or sound kind uses is said once per kind, in
`uses` (a dispatch on the model class).
"""

from __future__ import annotations

import glob as globbing
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import singledispatch
from pathlib import Path

from docedit.core.errors import SubtitleError
from docedit.media.probe import MediaInfo, ProbeCache
from docedit.media.transcripts import TranscriptCache
from docedit.timeline.confine import Root, root_for
from docedit.timeline.format import (
    BedEvent,
    FileEvent,
    ImagePicture,
    InterceptEvent,
    SelectEvent,
    StillsPicture,
    Timeline,
    VideoPicture,
)
from docedit.timeline.load import Marks
from docedit.timeline.project import Positions, Project, Stamp, natural_key

MAX_GLOB_MATCHES = 10_000
IMAGE = "image"
AV = "av"
Use = tuple[Path, str]  # a file and what it must decode as


def expand_glob(base: Path, pattern: str) -> list[Path]:
    """Files matching `pattern` (relative to `base`), naturally sorted, bounded in number;
    a file reached twice (a symlink loop under `**`) counts once."""
    full = os.path.join(base, os.path.expanduser(pattern))
    matches: list[Path] = []
    seen: set[str] = set()
    for match in globbing.iglob(full, recursive=True):
        real = os.path.realpath(match)
        if os.path.isfile(match) and real not in seen:
            seen.add(real)
            matches.append(Path(os.path.normpath(match)))
            if len(matches) > MAX_GLOB_MATCHES:
                break
    return sorted(matches, key=natural_key)


@singledispatch
def uses(item: object, project: Project) -> Iterator[Use]:
    """The files a picture or sound item uses; one registration per kind."""
    raise TypeError(f"no file uses registered for {type(item).__name__}")


@uses.register
def _stills(item: StillsPicture, project: Project) -> Iterator[Use]:
    for still in project.stills(item):
        yield still, IMAGE


@uses.register
def _image(item: ImagePicture, project: Project) -> Iterator[Use]:
    yield project.path(item.image), IMAGE


@uses.register
def _video(item: VideoPicture, project: Project) -> Iterator[Use]:
    yield project.path(item.video), AV


@uses.register
def _file(item: FileEvent, project: Project) -> Iterator[Use]:
    yield project.path(item.file), AV


@uses.register
def _bed(item: BedEvent, project: Project) -> Iterator[Use]:
    yield project.path(item.bed), AV


@uses.register
def _intercept(item: InterceptEvent, project: Project) -> Iterator[Use]:
    return iter(())  # probed once through the catalog


@uses.register
def _select(item: SelectEvent, project: Project) -> Iterator[Use]:
    return iter(())  # it plays catalog entries, probed once through the catalog


def media_uses(project: Project) -> Iterator[Use]:
    """Every (file, kind) the timeline uses, once per use."""
    timeline = project.timeline
    for intercept in timeline.intercepts.values():
        yield project.path(intercept.file), AV
    for scene in timeline.scenes.values():
        for item in (*scene.pictures, *scene.audio):
            yield from uses(item, project)


def bind(
    timeline_path: Path,
    timeline: Timeline,
    cache: ProbeCache | None = None,
    marks: Marks | None = None,
    positions: Positions | None = None,
) -> Project:
    """Expand globs, probe every file the timeline uses (in parallel, cached) and read
    every transcript and translation once."""
    project = Project(Path(os.path.abspath(timeline_path)), timeline, marks=marks)
    project.positions = positions
    for scene in timeline.scenes.values():
        for picture in scene.pictures:
            if isinstance(picture, StillsPicture) and picture.glob not in project.globs:
                project.globs[picture.glob] = expand_glob(project.base, picture.glob)
    cache = cache or ProbeCache()
    root = root_for(project.timeline_path)
    wanted = dict.fromkeys(media_uses(project))
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        infos = pool.map(lambda use: _probe(use, cache, root), wanted)
        for (path, _kind), (info, stamp) in zip(wanted, infos, strict=True):
            project.media[path] = info
            if stamp is not None:
                project.stamps[path] = stamp
    cache.save()
    # beside the probe cache; not used when text is redacted (the cache holds text)
    redacts = any(intercept.redact for intercept in timeline.intercepts.values())
    transcripts = TranscriptCache(cache.file.parent, keep=not redacts)
    _read_transcripts(project, root, transcripts)
    transcripts.save()
    return project


def _probe(use: Use, cache: ProbeCache, root: Root | None) -> tuple[MediaInfo, Stamp | None]:
    """A file's facts and its (size, mtime) as seen before probing; a file outside the
    root is never opened, its refusal is its error (reported at its line)."""
    path, kind = use
    if root is not None and not root.admits(path):
        return MediaInfo(str(path), error=root.refusal(path)), None
    try:
        stat = os.stat(path)
    except OSError:
        return cache.get(path, kind), None  # the probe says why it cannot be read
    return cache.get(path, kind), (stat.st_size, stat.st_mtime_ns)


def _read_transcripts(project: Project, root: Root | None, cache: TranscriptCache) -> None:
    for intercept in project.timeline.intercepts.values():
        for relative in (intercept.transcript, intercept.translation):
            if relative is None:
                continue
            path = project.path(relative)
            if path in project.transcripts or path in project.unreadable:
                continue
            if root is not None and not root.admits(path):
                project.unreadable[path] = root.refusal(path)  # never read, never shown
                continue
            try:
                project.transcripts[path] = cache.get(path)
            except SubtitleError as err:
                project.unreadable[path] = str(err)
