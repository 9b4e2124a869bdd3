"""A timeline bound to the disk: the facts a plan needs, as data.

`bind` (bind.py) fills a `Project` in: paths resolved, globs expanded, media probed,
transcripts read. The plan only ever sees a `Project`, so planning itself stays pure:
nothing here reads a file.
"""

from __future__ import annotations

import itertools
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from docedit.core.origin import Location, Origin
from docedit.media.info import MediaInfo, SourceCue
from docedit.timeline.facts import Media, Stamps
from docedit.timeline.facts import Stamp as Stamp  # where binding's callers name it
from docedit.timeline.format import Intercept, StillsPicture, Timeline
from docedit.timeline.load import Marks

# For each scene, the YAML index of each picture and audio item the model kept (a
# partial timeline drops invalid items, so model index and YAML index can differ).
Positions = dict[str, dict[str, list[int]]]
PATHS_KEPT = 512  # paths made absolute, kept to be asked again


def natural_key(path: Path) -> list[object]:
    """img2 before img10: digits compare as numbers, the rest case-insensitively."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", str(path))]


class Transcripts(Mapping[Path, list[SourceCue]]):
    """The cues of every transcript and translation read at binding, by path.

    With `load` (the transcript cache's lookup) nothing is kept per transcript: which
    files there are is asked of `named` (the timeline's, in catalog order), one that
    could not be read is in `unreadable` (the project's), and only the cues of the most
    recently asked are held, the rest brought back from the cache when asked: a catalog
    of thousands keeps its memory flat. Without it (nothing cached: a project that
    redacts) every one read is held."""

    RECENT = 64  # played calls and a query's rows ask for the same few again and again

    def __init__(
        self,
        load: Callable[[Path], list[SourceCue]] | None = None,
        load_texts: Callable[[Path | str], list[str]] | None = None,
        named: Callable[[], Iterator[Path]] | None = None,
        unreadable: Mapping[Path, str] | None = None,
        prefetch: Callable[[Iterable[Path | str]], None] | None = None,
    ) -> None:
        self._load = load
        self._load_texts = load_texts
        self._named = named or (lambda: iter(()))
        self._unreadable: Mapping[Path, str] = {} if unreadable is None else unreadable
        self._prefetch = prefetch
        self._paths: dict[Path, None] = {}  # without `load`: every transcript read
        self._held: OrderedDict[Path, list[SourceCue]] = OrderedDict()

    def add(self, path: Path, cues: list[SourceCue] | None) -> None:
        """A transcript read at binding; its cues, or None to load them when asked."""
        if self._load is None:
            self._paths[path] = None
        if cues is not None or self._load is None:
            self._hold(path, cues or [])

    def __getitem__(self, path: Path) -> list[SourceCue]:
        if path not in self:
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
        if cues is None and self._load_texts is not None and path in self:
            return self._load_texts(path)
        return [cue.text for cue in self[path]]

    def texts_of(self, name: str) -> list[str]:
        """`texts` of the transcript at absolute path `name`, [] when it was not read;
        a cached one without making a Path (a search asks for thousands)."""
        if self._load_texts is None or self._held or self._unreadable:
            path = Path(name)
            return self.texts(path) if path in self else []
        return self._load_texts(name)

    def read_ahead(self, paths: Iterable[Path | str]) -> None:
        """Have the cache read these transcripts in one go (a search asks for thousands,
        a chunk at a time); what is read ahead and not asked is dropped at the next."""
        if self._prefetch is not None:
            self._prefetch(paths)

    def each(self) -> Iterator[Path]:
        """Every transcript, in catalog order, without holding them all: a path is seen
        again only when others came between (a shared transcript is checked again)."""
        if self._load is None:
            yield from self._paths
            return
        recent: OrderedDict[Path, None] = OrderedDict()
        named = self._named()
        while chunk := list(itertools.islice(named, self.RECENT)):
            self.read_ahead(chunk)  # their cache entries in one go
            for path in chunk:
                if path in recent or path in self._unreadable:
                    continue
                recent[path] = None
                if len(recent) > self.RECENT:
                    recent.popitem(last=False)
                yield path

    def _hold(self, path: Path, cues: list[SourceCue]) -> None:
        self._held[path] = cues
        if self._load is not None and len(self._held) > self.RECENT:
            self._held.popitem(last=False)

    def keeps(self) -> bool:
        """Whether every transcript read is kept (there is no cache to ask again)."""
        return self._load is None

    def kept(self, path: Path) -> bool:
        """Whether `path` is held as read at binding (without `load`: binding reads a
        shared transcript once); with `load` nothing is kept, it is read again."""
        return self._load is None and path in self._paths

    def __contains__(self, path: object) -> bool:
        """Read at binding: without `load`, kept then; with it, any of the timeline's
        (the only paths asked) that is not unreadable (binding read every one)."""
        if self._load is None:
            return path in self._paths
        return isinstance(path, Path) and path not in self._unreadable

    def __iter__(self) -> Iterator[Path]:
        if self._load is None:
            return iter(self._paths)
        return iter(dict.fromkeys(p for p in self._named() if p not in self._unreadable))

    def __len__(self) -> int:
        return len(self._paths) if self._load is None else sum(1 for _path in self)


@dataclass
class Project:
    """Everything a plan needs from the disk, and nothing it has to ask the disk for."""

    timeline_path: Path
    timeline: Timeline
    media: Media = field(default_factory=Media)
    globs: dict[str, list[Path]] = field(default_factory=dict)
    transcripts: Transcripts = field(default_factory=Transcripts)
    unreadable: dict[Path, str] = field(default_factory=dict)  # transcript -> why not
    stamps: Stamps = field(default_factory=Stamps)  # media as validated
    marks: Marks | None = None
    positions: Positions | None = None
    # Resolved once each: a catalog of thousands asks for the same paths many times.
    _paths: dict[str, Path] = field(default_factory=dict, init=False, repr=False, compare=False)
    _folder: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def base(self) -> Path:
        return self.timeline_path.parent

    def file(self, relative: str) -> str:
        """`path(relative)` as a string (a search asks for thousands: Paths cost)."""
        if self._folder is None:
            self._folder = str(self.base)
        return os.path.normpath(os.path.join(self._folder, os.path.expanduser(relative)))

    def path(self, relative: str) -> Path:
        """A path from the timeline, made absolute against the timeline's folder."""
        path = self._paths.get(relative)
        if path is None:
            path = Path(self.file(relative))
            if len(self._paths) >= PATHS_KEPT:  # a catalog's thousands are not all kept
                self._paths.clear()
            self._paths[relative] = path
        return path

    def read_ahead(self, intercept_ids: Iterable[str]) -> None:
        """Have the transcripts of these intercepts read from the cache in one go."""
        self.transcripts.read_ahead(self.text_names(intercept_ids))

    def info(self, relative: str) -> MediaInfo:
        return self.media[self.path(relative)]

    def stills(self, picture: StillsPicture) -> list[Path]:
        return self.globs.get(picture.glob, [])

    def text_paths(self) -> Iterator[Path]:
        """Every transcript and translation file the timeline names, made absolute."""
        return map(Path, self.text_names())

    def text_names(self, intercept_ids: Iterable[str] | None = None) -> Iterator[str]:
        """`text_paths` as strings (thousands of Paths cost), of the intercepts
        `intercept_ids` (all when None)."""
        intercepts = self.timeline.intercepts
        for intercept_id in intercepts if intercept_ids is None else intercept_ids:
            for relative in intercepts[intercept_id].text_files():
                yield self.file(relative)

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
        return self.transcripts.texts_of(self.file(relative))

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
