"""A timeline bound to the disk: the facts a plan needs, as data.

`bind` (bind.py) fills a `Project` in: paths resolved, globs expanded, media probed,
transcripts read. The plan only ever sees a `Project`, so planning itself stays pure:
nothing here reads a file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from docedit.core.origin import Location, Origin
from docedit.media.info import MediaInfo, SourceCue
from docedit.timeline.format import Intercept, StillsPicture, Timeline
from docedit.timeline.load import Marks

# For each scene, the YAML index of each picture and audio item the model kept (a
# partial timeline drops invalid items, so model index and YAML index can differ).
Positions = dict[str, dict[str, list[int]]]
Stamp = tuple[int, int]  # a file's (size, mtime_ns) when it was probed


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
    transcripts: dict[Path, list[SourceCue]] = field(default_factory=dict)
    unreadable: dict[Path, str] = field(default_factory=dict)  # transcript -> why not
    stamps: dict[Path, Stamp] = field(default_factory=dict)  # media as validated
    marks: Marks | None = None
    positions: Positions | None = None
    # Resolved once each: a catalog of thousands asks for the same paths many times.
    _paths: dict[str, Path] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def base(self) -> Path:
        return self.timeline_path.parent

    def path(self, relative: str) -> Path:
        """A path from the timeline, made absolute against the timeline's folder."""
        path = self._paths.get(relative)
        if path is None:
            path = Path(os.path.normpath(os.path.join(self.base, os.path.expanduser(relative))))
            self._paths[relative] = path
        return path

    def info(self, relative: str) -> MediaInfo:
        return self.media[self.path(relative)]

    def stills(self, picture: StillsPicture) -> list[Path]:
        return self.globs.get(picture.glob, [])

    def cues(self, intercept: Intercept, lang: str) -> list[SourceCue]:
        """The intercept's transcript (`original`) or translation cues, as read at binding."""
        relative = intercept.transcript if lang == "original" else intercept.translation
        if relative is None:
            return []
        return self.transcripts.get(self.path(relative), [])

    def yaml_loc(self, loc: Location) -> Location:
        """The YAML location of a model location (a partial scene's kept items renumbered)."""
        if self.positions is None or len(loc) < 4 or loc[0] != "scenes":
            return loc
        kept = self.positions.get(str(loc[1]), {}).get(str(loc[2]))
        index = loc[3]
        if kept is None or not isinstance(index, int) or index >= len(kept):
            return loc
        return (*loc[:3], kept[index], *loc[4:])

    def origin(self, *loc: str | int) -> Origin:
        """The origin of the model node at `loc`: its YAML path, line and column."""
        where = self.yaml_loc(loc)
        if self.marks is None:
            return Origin(where, self.timeline_path)
        mark = self.marks.at(where)  # an included catalog entry: in its own file
        return Origin(where, self.marks.owner(where).path, mark.line, mark.column)
