"""A catalog merged from included files, held compactly: its entries are read back from
the parsed-catalog cache, and made into `Intercept` models, when something asks.

`Entries` is the merged `intercepts:` mapping (id -> the entry as written) that
includes.py builds: an entry of a catalog served from the cache is held as the number of
that catalog (its values stay in the cache file, catalogcache.py), any other (inline, or
a catalog parsed this run) as its values. `Intercepts` is the same catalog as the
timeline model sees it (id -> `Intercept`), each model made when asked and only the most
recently asked kept, and `Included` says which file holds each entry's marks. A catalog
of thousands then costs about its ids in memory, not thousands of models.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from docedit.core.origin import Location
from docedit.timeline.format import Intercept
from docedit.timeline.load import Mark, Marks

ROOT: Location = ("intercepts",)


class CatalogFile(Protocol):
    """What `Entries` asks of a cached catalog (catalogcache.CachedCatalog; named here
    by what it does, so the plan can use this module without the cache's file I/O)."""

    path: Path
    first: dict[Any, int]  # the line of each id's entry
    unmodelled: set[Any]  # ids whose line holds no model
    redacting: set[Any]  # ids whose values redact something

    @property
    def marks(self) -> Marks: ...

    def heads(self, start: int = 0) -> Iterator[tuple[Any, int, int | None, Mark]]: ...

    def entry(self, intercept_id: Any) -> Any: ...

    def model(self, intercept_id: Any) -> Intercept: ...


@dataclass(frozen=True, slots=True)
class Place:
    """Where an id was declared, for the duplicate message."""

    path: Path
    line: int
    column: int
    row: int | None = None  # a CSV data row

    def describe(self, base: Path) -> str:
        name = os.path.relpath(self.path, base) if self.path.is_absolute() else str(self.path)
        where = f"{name}:{self.line}:{self.column}"
        return f"{where} (row {self.row})" if self.row is not None else where


@dataclass(frozen=True, slots=True)
class _Held:
    """An entry held as its values: inline, or from a catalog parsed this run."""

    entry: Any
    marks: Marks | None  # the marks of the file that holds it; None: the timeline's own
    place: Place


class Entries(Mapping[Any, Any]):
    """The merged catalog, id -> entry as written, in declaration order (the first of a
    duplicated id). An entry of a cached catalog is held as that catalog's number."""

    def __init__(self) -> None:
        self._where: dict[Any, _Held | int] = {}
        self.catalogs: list[CatalogFile] = []
        self.included = Included(self)
        self.all_str = True  # every id a string (else the timeline is checked whole)
        self.owned = 0  # entries whose marks are another file's

    def hold(self, intercept_id: Any, entry: Any, marks: Marks | None, place: Place) -> None:
        self._note(intercept_id, marks is not None)
        self._where[intercept_id] = _Held(entry, marks, place)

    def cached(self, intercept_id: Any, catalog: int) -> None:
        """An entry of `self.catalogs[catalog]`, read from its cache file when asked."""
        self._note(intercept_id, True)
        self._where[intercept_id] = catalog

    def _note(self, intercept_id: Any, owned: bool) -> None:
        self.all_str = self.all_str and isinstance(intercept_id, str)
        self.owned += owned

    def place(self, intercept_id: Any) -> Place:
        """Where `intercept_id` was first declared."""
        where = self._where[intercept_id]
        if isinstance(where, _Held):
            return where.place
        catalog = self.catalogs[where]
        index = catalog.first[intercept_id]
        for _id, line, row, mark in catalog.heads(start=index):
            assert line == index
            return Place(catalog.path, mark.line, mark.column, row)
        raise KeyError(intercept_id)

    def marks(self, intercept_id: Any) -> Marks | None:
        """The marks of the file that holds the entry, None for the timeline's own."""
        where = self._where[intercept_id]
        return where.marks if isinstance(where, _Held) else self.catalogs[where].marks

    def model(self, intercept_id: Any) -> Intercept:
        """The entry as a model; ValidationError when it is not a valid one."""
        where = self._where[intercept_id]
        if isinstance(where, _Held):
            return Intercept.model_validate(where.entry)
        return self.catalogs[where].model(intercept_id)

    def unchecked(self) -> Iterator[tuple[Any, Any]]:
        """(id, entry as written) of every entry not known to be valid: all but those of
        a cached catalog whose line holds their model (valid when it was parsed)."""
        for intercept_id, where in self._where.items():
            if isinstance(where, _Held):
                yield intercept_id, where.entry
            elif intercept_id in self.catalogs[where].unmodelled:
                yield intercept_id, self.catalogs[where].entry(intercept_id)

    def may_redact(self) -> Iterator[Any]:
        """The ids of the entries that may redact something, in declaration order: all
        held, and those of a cached catalog whose values name redactions."""
        for intercept_id, where in self._where.items():
            if isinstance(where, _Held) or intercept_id in self.catalogs[where].redacting:
                yield intercept_id

    def __getitem__(self, intercept_id: Any) -> Any:
        where = self._where[intercept_id]
        if isinstance(where, _Held):
            return where.entry
        return self.catalogs[where].entry(intercept_id)

    def __contains__(self, intercept_id: object) -> bool:
        return intercept_id in self._where

    def __iter__(self) -> Iterator[Any]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


class Included(Mapping[Location, Marks]):
    """`Marks.included` of a merged catalog: `("intercepts", id)` -> the marks of the
    file that holds that entry (an included catalog's), asked of `Entries`."""

    def __init__(self, entries: Entries) -> None:
        self._entries = entries

    def __getitem__(self, loc: Location) -> Marks:
        if len(loc) == 2 and loc[0] == ROOT[0] and loc[1] in self._entries:
            marks = self._entries.marks(loc[1])
            if marks is not None:
                return marks
        raise KeyError(loc)

    def __iter__(self) -> Iterator[Location]:
        return ((*ROOT, i) for i in self._entries if self._entries.marks(i) is not None)

    def __len__(self) -> int:
        return self._entries.owned  # counted as they were merged: `owner` asks often


class Intercepts(Mapping[str, Intercept]):
    """The catalog as models, made from `entries` when asked (the most recently asked
    kept: a query's rows and the played calls ask for the same few again); `invalid`
    entries (a schema error) are left out, as a partial timeline leaves them out."""

    RECENT = 256

    def __init__(self, entries: Entries, invalid: frozenset[str] = frozenset()) -> None:
        self._entries = entries
        self._invalid = invalid
        self._made: OrderedDict[str, Intercept] = OrderedDict()
        self._redacting: list[str] | None = None

    def __getitem__(self, intercept_id: str) -> Intercept:
        made = self._made.get(intercept_id)
        if made is not None:
            self._made.move_to_end(intercept_id)
            return made
        if intercept_id in self._invalid:
            raise KeyError(intercept_id)
        made = self._entries.model(intercept_id)
        self._made[intercept_id] = made
        if len(self._made) > self.RECENT:
            self._made.popitem(last=False)
        return made

    def __contains__(self, intercept_id: object) -> bool:
        return intercept_id in self._entries and intercept_id not in self._invalid

    def __iter__(self) -> Iterator[str]:
        return (i for i in self._entries if i not in self._invalid)

    def __len__(self) -> int:
        return len(self._entries) - len(self._invalid)

    def redacting(self) -> list[str]:
        """The ids of the entries that redact something (looked for once: binding and
        every redactor ask, and few entries do)."""
        if self._redacting is None:
            may = self._entries.may_redact()
            self._redacting = [i for i in may if i in self and self[i].redact]
        return self._redacting

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (to another process) or deep-copied as a plain dict of models: the
        cache files it reads are this process's."""
        return (dict, (dict(self.items()),))

    def __repr__(self) -> str:
        return f"Intercepts({len(self)} entries)"


def redacting(intercepts: Mapping[str, Intercept]) -> list[Intercept]:
    """The intercepts that redact something, in declaration order."""
    if isinstance(intercepts, Intercepts):
        return [intercepts[i] for i in intercepts.redacting()]
    return [intercept for intercept in intercepts.values() if intercept.redact]


def key_mark(marks: Marks, intercept_id: Any) -> Mark:
    """Where `intercept_id` stands in `marks`' file (its key, else its value)."""
    loc = (*ROOT, intercept_id)
    return marks.keys.get(loc) or marks.at(loc)
