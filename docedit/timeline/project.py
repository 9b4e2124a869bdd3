"""A timeline bound to the disk: paths resolved, globs expanded, media probed.

This is the I/O edge before planning. The plan only ever sees a `Project`, whose
media facts were read here, so planning itself stays pure.
"""

from __future__ import annotations

import glob as globbing
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from docedit.media.probe import MediaInfo, ProbeCache
from docedit.timeline.format import (
    BedEvent,
    FileEvent,
    ImagePicture,
    InterceptEvent,
    StillsPicture,
    Timeline,
    VideoPicture,
)

MAX_GLOB_MATCHES = 10_000
IMAGE = "image"
AV = "av"


def natural_key(path: Path) -> list[object]:
    """img2 before img10: digits compare as numbers, the rest case-insensitively."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", str(path))]


@dataclass
class Project:
    """Everything a plan needs from the disk, and nothing it has to ask the disk for."""

    timeline_path: Path
    timeline: Timeline
    media: dict[Path, MediaInfo] = field(default_factory=dict)
    globs: dict[str, list[Path]] = field(default_factory=dict)

    @property
    def base(self) -> Path:
        return self.timeline_path.parent

    def path(self, relative: str) -> Path:
        """A path from the timeline, made absolute against the timeline's folder."""
        return Path(os.path.normpath(self.base / os.path.expanduser(relative)))

    def info(self, relative: str) -> MediaInfo:
        return self.media[self.path(relative)]

    def stills(self, picture: StillsPicture) -> list[Path]:
        return self.globs.get(picture.glob, [])


def expand_glob(base: Path, pattern: str) -> list[Path]:
    """Files matching `pattern` (relative to `base`), naturally sorted, bounded in number."""
    full = os.path.join(base, os.path.expanduser(pattern))
    matches: list[Path] = []
    for match in globbing.iglob(full, recursive=True):
        if os.path.isfile(match):
            matches.append(Path(os.path.normpath(match)))
            if len(matches) > MAX_GLOB_MATCHES:
                break
    return sorted(matches, key=natural_key)


def media_uses(project: Project) -> Iterator[tuple[Path, str]]:
    """Every (file, kind) the timeline uses, once per use."""
    timeline = project.timeline
    for intercept in timeline.intercepts.values():
        yield project.path(intercept.file), AV
    for scene in timeline.scenes.values():
        for picture in scene.pictures:
            if isinstance(picture, StillsPicture):
                for still in project.stills(picture):
                    yield still, IMAGE
            elif isinstance(picture, ImagePicture):
                yield project.path(picture.image), IMAGE
            elif isinstance(picture, VideoPicture):
                yield project.path(picture.video), AV
        for event in scene.audio:
            if isinstance(event, FileEvent):
                yield project.path(event.file), AV
            elif isinstance(event, BedEvent):
                yield project.path(event.bed), AV
            elif isinstance(event, InterceptEvent):
                continue  # probed through the catalog


def bind(timeline_path: Path, timeline: Timeline, cache: ProbeCache | None = None) -> Project:
    """Expand globs and probe every file the timeline uses (in parallel, cached)."""
    project = Project(Path(os.path.abspath(timeline_path)), timeline)
    for scene in timeline.scenes.values():
        for picture in scene.pictures:
            if isinstance(picture, StillsPicture) and picture.glob not in project.globs:
                project.globs[picture.glob] = expand_glob(project.base, picture.glob)
    cache = cache or ProbeCache()
    wanted = dict.fromkeys(media_uses(project))
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        infos = pool.map(lambda use: cache.get(*use), wanted)
        for (path, _kind), info in zip(wanted, infos, strict=True):
            project.media[path] = info
    cache.save()
    return project
