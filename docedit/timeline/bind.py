"""Binding a timeline to the disk: globs expanded, media probed, transcripts read.

This is the I/O edge before planning; it reads every file once and keeps the facts in
a `Project`. Which files a picture or sound kind uses is said once per kind, in
`uses` (a dispatch on the model class).
"""

from __future__ import annotations

import glob as globbing
import itertools
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial, singledispatch
from pathlib import Path

from docedit.core.errors import SubtitleError
from docedit.media.info import SourceCue
from docedit.media.probe import MediaInfo, ProbeCache
from docedit.media.transcripts import TranscriptCache
from docedit.timeline.confine import Root, root_for
from docedit.timeline.entries import redacting
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
from docedit.timeline.project import Positions, Project, Stamp, Transcripts, natural_key

MAX_GLOB_MATCHES = 10_000
TRANSCRIPTS_AHEAD = 512  # transcripts whose cache entries are read in one go
PROBES_AHEAD = 512  # files probed (their probe cache entries read) in one go
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


def media_uses(project: Project, intercepts: Iterable[str] | None = None) -> Iterator[Use]:
    """Every (file, kind) the timeline uses, once per use; of the catalog, only the
    `intercepts` named (all when None)."""
    yield from catalog_uses(project, intercepts)
    yield from scene_uses(project)


def catalog_uses(project: Project, intercepts: Iterable[str] | None = None) -> Iterator[Use]:
    """The recordings of the catalog entries `intercepts` (all when None)."""
    timeline = project.timeline
    ids = timeline.intercepts if intercepts is None else intercepts
    for intercept_id in ids:
        yield project.path(timeline.intercepts[intercept_id].file), AV


def scene_uses(project: Project) -> Iterator[Use]:
    """The files the scenes' pictures and sounds use."""
    for scene in project.timeline.scenes.values():
        for item in (*scene.pictures, *scene.audio):
            yield from uses(item, project)


def bind(
    timeline_path: Path,
    timeline: Timeline,
    cache: ProbeCache | None = None,
    marks: Marks | None = None,
    positions: Positions | None = None,
    intercepts: Iterable[str] | None = None,
) -> Project:
    """Expand globs, probe every file the timeline uses (in parallel, cached) and read
    every transcript and translation once. With `intercepts`, only those catalog
    entries' recordings are probed (a query probes what it shows: `probe_intercepts`)."""
    project = Project(Path(os.path.abspath(timeline_path)), timeline, marks=marks)
    project.positions = positions
    for scene in timeline.scenes.values():
        for picture in scene.pictures:
            if isinstance(picture, StillsPicture) and picture.glob not in project.globs:
                project.globs[picture.glob] = expand_glob(project.base, picture.glob)
    cache = cache or ProbeCache()
    root = root_for(project.timeline_path)
    whole = intercepts is None  # the whole catalog: its recordings' facts left in the cache
    if whole:
        _release_to(project, cache)
    _probe_uses(project, catalog_uses(project, intercepts), cache, root, release=whole)
    _probe_uses(project, scene_uses(project), cache, root)
    # beside the probe cache; not used when text is redacted (the cache holds text)
    redacts = bool(redacting(timeline.intercepts))
    transcripts = TranscriptCache(cache.file.parent, keep=not redacts)
    if transcripts.keep:  # cues brought back from the cache when asked, not all held
        project.transcripts = Transcripts(
            partial(_cues_again, transcripts),
            partial(_texts_again, transcripts),
            named=project.text_paths,
            unreadable=project.unreadable,
            prefetch=transcripts.prefetch,
        )
    _read_transcripts(project, root, transcripts)
    transcripts.save()
    return project


def _texts_again(cache: TranscriptCache, path: Path | str) -> list[str]:
    """The cue texts of a transcript read at binding (for a text query), as `_cues_again`."""
    try:
        return cache.texts(path)
    except SubtitleError:
        return []


def _cues_again(cache: TranscriptCache, path: Path) -> list[SourceCue]:
    """A transcript read at binding, asked again: from the cache (the file as it was
    read, unless it changed since; then as it is now, or no cues if it broke)."""
    try:
        return cache.get(path)
    except SubtitleError:
        return []


def probe_intercepts(project: Project, ids: Iterable[str], cache: ProbeCache) -> None:
    """Probe the recordings of catalog entries `ids` that are not probed yet."""
    intercepts = project.timeline.intercepts
    uses = ((project.path(intercepts[i].file), AV) for i in ids)
    wanted = [use for use in dict.fromkeys(uses) if use[0] not in project.media]
    _probe_uses(project, wanted, cache, root_for(project.timeline_path))


def _probe_uses(
    project: Project,
    uses: Iterable[Use],
    cache: ProbeCache,
    root: Root | None,
    release: bool = False,
) -> None:
    """Probe each (file, kind), on every core (ffmpeg runs outside the GIL), a chunk at
    a time (their cache entries read in one go), and keep the facts and stamps in the
    project, the cache saved after each chunk. With `release`, a file that probed
    cleanly is not held once the cache keeps its facts (a catalog's thousands of
    recordings: the project asks the cache again)."""
    uses = iter(uses)
    workers = max(2, os.cpu_count() or 2)
    while wanted := list(dict.fromkeys(itertools.islice(uses, PROBES_AHEAD))):
        cache.prefetch(wanted)
        # A few interleaved slices, not one task per file: thousands of warm cache hits
        # cost more to hand to a pool one by one than to answer.
        slices = [wanted[k :: workers * 4] for k in range(workers * 4)]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            done = pool.map(lambda part: [(use, _probe(use, cache, root)) for use in part], slices)
            probed = [(path, info, stamp) for part in done for (path, _), (info, stamp) in part]
        for path, info, stamp in probed:
            project.media[path] = info
            if stamp is not None:
                project.stamps[path] = stamp
        if cache.save() and release:
            for path, info, stamp in probed:
                if stamp is not None and info.error is None:
                    project.media.release(path)
                    project.stamps.release(path)


def _release_to(project: Project, cache: ProbeCache) -> None:
    """Have the project ask `cache` again for the catalog's recordings it releases."""
    recordings = partial(_recordings, project)
    project.media.release_to(partial(_cached_info, cache), recordings)
    project.stamps.release_to(partial(_cached_stamp, cache), recordings)


def _recordings(project: Project) -> Iterator[Path]:
    return (path for path, _kind in catalog_uses(project))


def _cached_info(cache: ProbeCache, path: Path) -> MediaInfo | None:
    """A released recording's facts: the cache's, for the file as it is now."""
    return cache.cached(path, AV)[0]


def _cached_stamp(cache: ProbeCache, path: Path) -> Stamp | None:
    """A released recording's stamp: the one its facts in the cache are valid for."""
    return cache.cached(path, AV)[1]


def _probe(use: Use, cache: ProbeCache, root: Root | None) -> tuple[MediaInfo, Stamp | None]:
    """A file's facts and its (size, mtime) as seen before probing; a file outside the
    root is never opened, its refusal is its error (reported at its line)."""
    path, kind = use
    if root is not None and not root.admits(path):
        return MediaInfo(str(path), error=root.refusal(path)), None
    return cache.get_stamped(path, kind)  # no stamp: the probe says why it cannot be read


def _read_transcripts(project: Project, root: Root | None, cache: TranscriptCache) -> None:
    """Every transcript and translation, in the catalog's order, their cache entries read
    ahead a chunk at a time (in one go they would all be held at once). A Path is made
    only for what must be kept or looked up by one (thousands cost)."""
    transcripts = project.transcripts
    names = project.text_names()
    while chunk := list(dict.fromkeys(itertools.islice(names, TRANSCRIPTS_AHEAD))):
        cache.prefetch(chunk)
        for name in chunk:
            needed = root is not None or project.unreadable or transcripts.keeps()
            path = Path(name) if needed else None
            if path is not None and (path in project.unreadable or transcripts.kept(path)):
                continue  # a shared transcript: read once a chunk (once, when kept)
            if root is not None and path is not None and not root.admits(path):
                project.unreadable[path] = root.refusal(path)  # never read, never shown
                continue
            try:
                cues = cache.check(name)
            except SubtitleError as err:
                project.unreadable[Path(name)] = str(err)
                continue
            if cues is not None or transcripts.keeps():
                transcripts.add(path or Path(name), cues)
