"""Catalogs outside the timeline: `intercepts:` entries read from included YAML and CSV.

`intercepts:` may be `{include: catalog.yaml}`, `{include: calls.csv}`, or a list of
includes and inline mappings. Runs after loading and before the schema check: the
entries are merged into one mapping, each included entry keeps its own file's marks (so
findings and plan origins name that file and line), its paths are rebased from the
catalog's folder to the timeline's, and an id declared twice anywhere is an error that
names both places.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import os
from pathlib import Path
from typing import Any

from docedit.core.errors import Finding, Severity, TimelineError
from docedit.media.probe import cache_root
from docedit.timeline.catalogcache import CachedCatalog, CatalogCache, Parsed, stamp_of
from docedit.timeline.confine import root_for
from docedit.timeline.entries import Entries, Place, key_mark
from docedit.timeline.load import (
    MAX_TIMELINE_BYTES,
    LoadedTimeline,
    Location,
    Mark,
    Marks,
    PackedMarks,
    pack,
    parse_timeline_text,
    read_bounded,
)
from docedit.timeline.project import Stamp
from docedit.timeline.structure import Structured, structure

MAX_CATALOG_BYTES = MAX_TIMELINE_BYTES  # per included file, like a timeline
MAX_CATALOG_ROWS = 100_000
CSV_COLUMNS = (
    "id",
    "file",
    "recorded",
    "speakers",
    "tags",
    "transcript",
    "translation",
    "note",
    "redact",
)
CSV_REQUIRED = ("id", "file")
PATH_KEYS = ("file", "transcript", "translation")
ROOT: Location = ("intercepts",)


def structure_all(loaded: LoadedTimeline, cache_folder: Path | None) -> Structured:
    """The timeline's structure with its included catalogs merged in first (parsed ones
    kept in `cache_folder`); its findings are the loading's, the catalogs' and the
    structure's, in that order: what validation and the catalog's light path both start
    with."""
    included = include_catalogs(loaded, cache_folder)
    structured = structure(loaded)
    structured.findings = [*loaded.findings, *included, *structured.findings]
    return structured


def include_catalogs(loaded: LoadedTimeline, cache_dir: Path | None = None) -> list[Finding]:
    """Merge `intercepts:` includes into `loaded.data` in place; findings for what failed.
    Parsed catalogs are kept in `cache_dir` (the cache folder by default: catalogcache.py)."""
    data = loaded.data
    raw = data.get("intercepts") if isinstance(data, dict) else None
    if not isinstance(raw, list) and not (isinstance(raw, dict) and "include" in raw):
        return []  # a plain inline mapping (or nothing): as written
    merger = _Merger(loaded, CatalogCache(cache_dir or cache_root()))
    if isinstance(raw, list):
        for index, item in enumerate(raw):
            if isinstance(item, dict):
                merger.mapping(item, (*ROOT, index))
            else:
                merger.error(
                    (*ROOT, index), "an `intercepts:` list item is {include: FILE} or a mapping"
                )
    else:
        merger.mapping(raw, ROOT)
    entries = merger.entries
    loaded.marks.included = entries.included
    # Ids that are not all strings are a schema error the whole timeline's check words
    # (pydantic's, at the id): held as a plain mapping, checked as written.
    data["intercepts"] = entries if entries.all_str else dict(entries.items())
    return merger.findings


class _Merger:
    def __init__(self, loaded: LoadedTimeline, cache: CatalogCache) -> None:
        self.cache = cache
        self.marks = loaded.marks
        self.base = Path(os.path.abspath(loaded.path)).parent
        self.root = root_for(loaded.path)
        self.entries = Entries()
        self.findings: list[Finding] = []

    def error(self, loc: Location, message: str) -> None:
        self.findings.append(self.marks.finding(loc, message))

    def mapping(self, mapping: dict[Any, Any], loc: Location) -> None:
        """Includes and inline entries of one mapping of the main file, in written order."""
        for key, value in mapping.items():
            if key == "include" and isinstance(value, str | list):
                names = value if isinstance(value, list) else [value]
                for index, name in enumerate(names):
                    where = (*loc, "include", index) if isinstance(value, list) else (*loc, key)
                    self.include(name, where)
            else:
                marks = self.marks if loc == ROOT else _rooted(self.marks, (*loc, key), key)
                self.add(key, value, marks, None)

    def add(
        self, intercept_id: Any, entry: Any, marks: Marks, row: int | None, mark: Mark | None = None
    ) -> None:
        """Merge one entry; `mark` is where its id stands (else looked up in `marks`)."""
        mark = mark or key_mark(marks, intercept_id)
        if self._first(intercept_id, marks.path, mark, row):
            own = None if marks is self.marks else marks
            place = Place(marks.path, mark.line, mark.column, row)
            self.entries.hold(intercept_id, entry, own, place)

    def _first(self, intercept_id: Any, path: Path, mark: Mark, row: int | None) -> bool:
        """Whether `intercept_id` is declared here first; else a finding naming both."""
        if intercept_id not in self.entries:
            return True
        place = Place(path, mark.line, mark.column, row)
        first = self.entries.place(intercept_id)
        self.findings.append(
            Finding(
                place.path,
                place.line,
                place.column,
                Severity.ERROR,
                f"duplicate intercept id {intercept_id!r}: declared at "
                f"{first.describe(self.base)} and again at {place.describe(self.base)}; "
                "ids must be unique across the timeline and its catalogs",
            )
        )
        return False

    def add_cached(self, catalog: CachedCatalog) -> None:
        """Merge a catalog served from the cache: its entries stay in the cache file."""
        number = len(self.entries.catalogs)
        self.entries.catalogs.append(catalog)
        if catalog.repeated:  # an id twice in it: each line in turn, as when parsed
            for intercept_id, _line, row, mark in catalog.heads():
                if self._first(intercept_id, catalog.path, mark, row):
                    self.entries.cached(intercept_id, number)
            return
        for intercept_id, line in catalog.first.items():  # no line read unless a duplicate
            if intercept_id not in self.entries:
                self.entries.cached(intercept_id, number)
            else:
                _id, _line, row, mark = next(catalog.heads(start=line))
                self._first(intercept_id, catalog.path, mark, row)

    def include(self, name: object, loc: Location) -> None:
        if not isinstance(name, str) or not name.strip():
            self.error(loc, "include names a catalog file: {include: calls.csv}")
            return
        path = Path(os.path.normpath(self.base / os.path.expanduser(name)))
        suffix = path.suffix.lower()
        if suffix not in (".yaml", ".yml", ".csv"):
            self.error(loc, f"include {name}: a catalog is a .yaml, .yml or .csv file")
            return
        if self.root is not None and not self.root.admits(path):
            self.error(loc, f"include {name}: {self.root.refusal(path)}")  # never read
            return
        stamp = stamp_of(path)  # before reading: a catalog changed meanwhile is stale
        cached = self.cache.get(path, self.base, stamp) if stamp else None
        if cached is not None:
            self.add_cached(cached)
        else:
            self._parse(path, name, loc, stamp)

    def _parse(self, path: Path, name: str, loc: Location, stamp: Stamp | None) -> None:
        """Read and parse a catalog (kept in the cache when it has no finding)."""
        try:
            text = _read(path)
        except OSError as err:
            self.error(loc, f"include {name}: cannot read it: {err.strerror or err}")
            return
        except ValueError as err:
            self.error(loc, f"include {name}: {err}")
            return
        before = len(self.findings)
        csv_file = path.suffix.lower() == ".csv"
        parsed = self._csv(path, text) if csv_file else self._yaml(path, text)
        if stamp and len(self.findings) == before:
            self.cache.put(path, self.base, stamp, parsed)
        for intercept_id, entry, row, mark in parsed.entries:
            self.add(intercept_id, entry, parsed.marks, row, mark)

    def _yaml(self, path: Path, text: str) -> Parsed:
        try:
            loaded = parse_timeline_text(text, path, ROOT)  # marks at intercepts.<id>...
        except TimelineError as err:
            self.findings += err.findings
            return Parsed(PackedMarks(path))
        self.findings += loaded.findings
        if not isinstance(loaded.data, dict):
            self.findings.append(
                loaded.marks.finding(ROOT, "a catalog file is a mapping of intercept id to entry")
            )
            return Parsed(PackedMarks(path))
        marks = pack(loaded.marks)  # kept compactly: thousands of entries
        parsed = Parsed(marks)
        for intercept_id, entry in loaded.data.items():
            mark = marks.keys.get((*ROOT, intercept_id)) or marks.at((*ROOT, intercept_id))
            rebased = _rebased(entry, path.parent, self.base)
            parsed.entries.append((intercept_id, rebased, None, mark))
        return parsed

    def _csv(self, path: Path, text: str) -> Parsed:
        reader = csv.reader(io.StringIO(text))
        parsed = Parsed(PackedMarks(path))
        try:
            names = self._header(path, next(reader, None))
            if names is None:
                return parsed
            line = reader.line_num + 1  # where the next record starts
            for row, cells in enumerate(reader, 1):
                start, line = line, reader.line_num + 1
                if row > MAX_CATALOG_ROWS:
                    self._at(path, start, f"more than {MAX_CATALOG_ROWS} rows: split the catalog")
                    return parsed
                if any(cell.strip() for cell in cells):
                    self._row(path, parsed, names, cells, row, start)
        except csv.Error as err:
            self._at(path, reader.line_num, f"CSV: {err}")
        return parsed

    def _header(self, path: Path, header: list[str] | None) -> list[str] | None:
        names = [name.strip().lower() for name in header or []]
        unknown = [name for name in names if name not in CSV_COLUMNS]
        missing = [name for name in CSV_REQUIRED if name not in names]
        if unknown:
            close = difflib.get_close_matches(unknown[0], CSV_COLUMNS, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self._at(path, 1, f"unknown column {unknown[0]!r}{hint} (columns: {CSV_COLUMNS})")
        if missing:
            self._at(path, 1, f"the header line names no {missing[0]!r} column (needs id, file)")
        return None if unknown or missing else names

    def _row(
        self, path: Path, parsed: Parsed, names: list[str], cells: list[str], row: int, line: int
    ) -> None:
        if len(cells) != len(names):
            self._at(path, line, f"row {row} has {len(cells)} fields; the header has {len(names)}")
            return
        values = {name: cell.strip() for name, cell in zip(names, cells, strict=True)}
        intercept_id = values.pop("id")
        if not intercept_id:
            self._at(path, line, f"row {row} has no id")
            return
        entry: dict[str, Any] = {}
        for name, cell in values.items():
            if cell:
                entry[name] = _cell(name, cell)
        mark = Mark(line, 1)
        parsed.marks.keys[(*ROOT, intercept_id)] = mark
        parsed.marks.values[(*ROOT, intercept_id)] = mark
        rebased = _rebased(entry, path.parent, self.base)
        parsed.entries.append((intercept_id, rebased, row, mark))

    def _at(self, path: Path, line: int, message: str) -> None:
        self.findings.append(Finding(path, max(1, line), 1, Severity.ERROR, message))


def _cell(name: str, cell: str) -> Any:
    """A CSV cell as the YAML value it stands for."""
    if name in ("speakers", "tags"):
        return [part.strip() for part in cell.split(";") if part.strip()]
    if name == "redact":  # `00:07.2-00:08.1; 00:10-00:11`
        spans = [part.strip() for part in cell.split(";") if part.strip()]
        return [span.split("-") if span.count("-") == 1 else span for span in spans]
    return cell


def _read(path: Path) -> str:
    return read_bounded(path, MAX_CATALOG_BYTES, "split it into several catalogs")


def _rebased(entry: Any, folder: Path, base: Path) -> Any:
    """An entry whose paths were written relative to its catalog, relative to the timeline."""
    if not isinstance(entry, dict):
        return entry
    rebased = dict(entry)
    for key in PATH_KEYS:
        value = entry.get(key)
        if isinstance(value, str) and value:
            rebased[key] = _rebase(value, str(folder), str(base))
    return rebased


def _rebase(value: str, folder: str, base: str) -> str:
    """`value` (relative to `folder`) relative to `base`, both absolute and normalised.
    The usual case, a catalog at or under the timeline's folder naming a path under its
    own, is joined and normalised: what relpath would give, without its cost (thousands
    of entries, three paths each); anything else goes through relpath."""
    inside = _relative(folder, base)
    climbs = ".." in value.replace("\\", "/").split("/")
    plain = not (climbs or value.startswith("~") or os.path.isabs(value))
    if plain and inside.split(os.sep, 1)[0] != "..":
        return os.path.normpath(os.path.join(inside, value))
    full = os.path.normpath(os.path.join(folder, os.path.expanduser(value)))
    return os.path.relpath(full, base)


@functools.cache
def _relative(folder: str, base: str) -> str:
    return os.path.relpath(folder, base)


def _rooted(marks: Marks, loc: Location, intercept_id: Any) -> Marks:
    """The main file's marks of an entry inside a list item, at `intercepts.<id>`."""
    size = len(loc)

    def moved(table: dict[Location, Mark]) -> dict[Location, Mark]:
        return {
            (*ROOT, intercept_id, *where[size:]): mark
            for where, mark in table.items()
            if where[:size] == loc
        }

    return Marks(marks.path, moved(marks.values), moved(marks.keys))
