"""A timeline bound to the disk: the facts a plan needs, as data.

`bind` (bind.py) fills a `Project` in: paths resolved, globs expanded, media probed,
transcripts read. The plan only ever sees a `Project`, so planning itself stays pure:
nothing here reads a file.
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
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


class Transcripts(Mapping[Path, list[SourceCue]]):
    """The cues of every transcript and translation read at binding, by path. With
    `load` (the transcript cache's lookup) only the most recently asked are held and the
    rest are brought back from the cache when asked: a catalog of thousands keeps its
    memory flat. Without it (nothing cached: a project that redacts) every one is held."""

    RECENT = 64  # played calls and a query's rows ask for the same few again and again

    def __init__(
        self,
        load: Callable[[Path], list[SourceCue]] | None = None,
        load_texts: Callable[[Path], list[str]] | None = None,
    ) -> None:
        self._load = load
        self._load_texts = load_texts
        self._paths: dict[Path, None] = {}  # every transcript read, in reading order
        self._held: OrderedDict[Path, list[SourceCue]] = OrderedDict()

    def add(self, path: Path, cues: list[SourceCue] | None) -> None:
        """A transcript read at binding; its cues, or None to load them when asked."""
        self._paths[path] = None
        if cues is not None or self._load is None:
            self._hold(path, cues or [])

    def __getitem__(self, path: Path) -> list[SourceCue]:
        if path not in self._paths:
            raise KeyError(path)
        cues = self._held.get(path)
        if cues is None:
            assert self._load is not None  # without a loader every one is held
            cues = self._load(path)
            self._hold(path, cues)
        elif self._load is not None:
            self._held.move_to_end(path)
        return cues

    def texts(self, path: Path) -> list[str]:
        """The text of each cue of `path` (a text query needs no times): from the cues
        held, else without making them."""
        cues = self._held.get(path)
        if cues is None and self._load_texts is not None and path in self._paths:
            return self._load_texts(path)
        return [cue.text for cue in self[path]]

    def _hold(self, path: Path, cues: list[SourceCue]) -> None:
        self._held[path] = cues
        if self._load is not None and len(self._held) > self.RECENT:
            self._held.popitem(last=False)

    def __contains__(self, path: object) -> bool:
        return path in self._paths

    def __iter__(self) -> Iterator[Path]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


@dataclass
class Project:
    """Everything a plan needs from the disk, and nothing it has to ask the disk for."""

    timeline_path: Path
    timeline: Timeline
    media: dict[Path, MediaInfo] = field(default_factory=dict)
    globs: dict[str, list[Path]] = field(default_factory=dict)
    transcripts: Transcripts = field(default_factory=Transcripts)
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

    def text_paths(self) -> Iterator[Path]:
        """Every transcript and translation file the timeline names, made absolute."""
        for intercept in self.timeline.intercepts.values():
            for relative in (intercept.transcript, intercept.translation):
                if relative:
                    yield self.path(relative)

    def cues(self, intercept: Intercept, lang: str) -> list[SourceCue]:
        """The intercept's transcript (`original`) or translation cues, as read at binding."""
        relative = intercept.text_file(lang)
        if relative is None:
            return []
        return self.transcripts.get(self.path(relative), [])

    def cue_texts(self, intercept: Intercept, lang: str) -> list[str]:
        """The text of each of `cues(intercept, lang)`, for a text query."""
        relative = intercept.text_file(lang)
        if relative is None:
            return []
        path = self.path(relative)
        return self.transcripts.texts(path) if path in self.transcripts else []

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
