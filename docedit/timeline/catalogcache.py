"""Included catalogs, parsed, on disk: a catalog of thousands is parsed once, and a warm
run reads its entries one at a time from there instead of holding them.

One file per included catalog (and timeline folder, as its paths are rebased to it) in
`catalogs-v3/` of the cache folder, valid while the catalog's size and modification time
are what they were when it was read. It holds what parsing the catalog gave, one JSON
line per entry: its id, CSV row, positions (the entry's own marks, and the positions
inside it packed as PackedMarks keeps them) and values (paths rebased), so findings and
origins name the catalog's line and column as after parsing. A catalog with any finding
is not kept (parsing it again reports them). The lines are checked against their SHA-256
when the file is opened: a damaged file is never served, it is parsed again with a
`warning:` line and rewritten. It holds only what the catalog file holds (no transcript
text).

A warm run keeps, per entry, only the byte offset of its line and its id
(`CachedCatalog`): an entry's model, values and marks are read back from the file when
something asks for them, so memory stays flat in the catalog's size. Each line starts
with the JSON of the entry's model (made when the catalog was parsed, absent when the
entry is invalid), which pydantic reads back faster than the values can be decoded and
validated: bump VERSION whenever `Intercept` changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import threading
import weakref
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from docedit.core.atomic import atomic_output
from docedit.core.origin import Location
from docedit.timeline.format import Intercept
from docedit.timeline.load import Mark, PackedMarks
from docedit.timeline.project import Stamp

VERSION = 3  # 2: one JSON line per entry, read an entry at a time; 3: empty text names refused
_DATE, _DATETIME = "\0date", "\0datetime"  # a YAML date in JSON: {"\0date": "2022-03-01"}
Head = tuple[Any, int, int | None, Mark]  # an entry's id, line number in the file, row, key mark


@dataclass
class Parsed:
    """One catalog file, parsed: its entries in file order (id, entry, CSV row, where the
    id stands) and the marks of their values."""

    marks: PackedMarks
    entries: list[tuple[Any, Any, int | None, Mark]] = field(default_factory=list)


class CachedCatalog:
    """A catalog served from its cache file: the offset of each entry's line is held,
    the entry itself is read (and decoded) when asked for."""

    def __init__(self, path: Path, handle: IO[bytes], offsets: array[int]) -> None:
        self.path = path
        self.marks = CachedMarks(path, catalog=self)
        self._handle = handle
        self._offsets = offsets
        self._lock = threading.Lock()  # one reader at a time: a seek, then a line
        weakref.finalize(self, handle.close)  # open while the run may ask for an entry
        # The first line of each id (its entry), and the last of an id written twice (a
        # CSV row repeated: a duplicate finding; its marks are the last row's, as parsed).
        self.first: dict[Any, int] = {}
        self.repeated: dict[Any, int] = {}
        # Ids whose (first) line holds no model: invalid values, or a model JSON would not
        # give back; they are validated from their values.
        self.unmodelled: set[Any] = set()
        self.redacting: set[Any] = set()  # ids whose values redact something

    def __len__(self) -> int:
        return len(self._offsets)

    def heads(self, start: int = 0) -> Iterator[Head]:
        """Each entry's id, line, row and key mark, in file order from line `start` (read
        as they go)."""
        for index in range(start, len(self._offsets)):
            intercept_id, row, (kl, kc, *_value), _packed, _entry = self._record(index)
            yield intercept_id, index, row, Mark(kl, kc)

    def entry(self, intercept_id: Any) -> Any:
        """The values of `intercept_id`'s entry (its first line), as parsing gave them."""
        return self._record(self.first[intercept_id])[4]

    def model(self, intercept_id: Any) -> Intercept:
        """`intercept_id`'s entry as a model, from the JSON of the model its values made
        when the catalog was parsed (pydantic reads it without a Python JSON decode:
        thousands of entries are made again and again), else from its values (then
        ValidationError when they are invalid)."""
        if intercept_id in self.unmodelled:
            return Intercept.model_validate(self.entry(intercept_id))
        model, _record = self._line(self.first[intercept_id]).split(b"\t", 1)
        return Intercept.model_validate_json(model)

    def unpack(self, intercept_id: Any, marks: PackedMarks) -> None:
        """Put the marks of `intercept_id`'s entry into `marks`' tables (the last line of
        an id, as parsing left them); nothing for an id this catalog does not hold."""
        index = self.repeated.get(intercept_id, self.first.get(intercept_id))
        if index is None:
            return
        _id, _row, (kl, kc, vl, vc), packed, _entry = self._record(index)
        loc = ("intercepts", intercept_id)
        marks.keys[loc], marks.values[loc] = Mark(kl, kc), Mark(vl, vc)
        if packed is not None:
            marks.packed[intercept_id] = str(packed)

    def _line(self, index: int) -> bytes:
        with self._lock:
            self._handle.seek(self._offsets[index])
            return self._handle.readline()

    def _record(self, index: int) -> list[Any]:
        return _decoded(self._line(index).split(b"\t", 1)[1])


@dataclass
class CachedMarks(PackedMarks):
    """A cached catalog's marks: an entry's are read from its line the first time a
    finding or an origin asks where in it something stands."""

    catalog: CachedCatalog | None = None
    _read: set[Any] = field(default_factory=set)

    def at(self, loc: Location, *, key: bool = False) -> Mark:
        if len(loc) >= 2 and self.catalog is not None and loc[1] not in self._read:
            self._read.add(loc[1])
            self.catalog.unpack(loc[1], self)
        return super().at(loc, key=key)


class CatalogCache:
    def __init__(self, directory: Path) -> None:
        self.folder = directory / f"catalogs-v{VERSION}"

    def _file(self, path: Path, base: Path) -> Path:
        key = hashlib.sha256(f"{path}\0{base}".encode()).hexdigest()[:32]
        return self.folder / f"{key}.jsonl"

    def get(self, path: Path, base: Path, stamp: Stamp) -> CachedCatalog | None:
        """The parsed catalog when it is cached for this stamp; None when it is not (or
        is stale); a damaged file is reported and treated as missing."""
        file = self._file(path, base)
        try:
            handle = file.open("rb")
        except OSError:
            return None
        try:
            catalog = _opened(path, base, stamp, handle)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, OSError) as err:
            handle.close()
            print(
                f"warning: the catalog cache {file} is damaged ({err}); reading {path} again",
                file=sys.stderr,
                flush=True,
            )
            return None
        if catalog is None:
            handle.close()
        return catalog

    def put(self, path: Path, base: Path, stamp: Stamp, parsed: Parsed) -> None:
        """Keep `parsed` for this stamp; a cache that cannot be written is only slower."""
        body = _body(parsed)
        if body is None:
            return
        header = {
            "path": str(path),
            "base": str(base),
            "stamp": list(stamp),
            "sha256": hashlib.sha256(body).hexdigest(),
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with atomic_output(self._file(path, base), ".jsonl") as temp:
                temp.write_bytes(json.dumps(header).encode() + b"\n" + body)
        except OSError:
            pass


def _opened(path: Path, base: Path, stamp: Stamp, handle: IO[bytes]) -> CachedCatalog | None:
    """The cache file open on `handle` as a CachedCatalog, every line checked against the
    header's checksum and read for its id (not kept); None when it is another catalog's
    or stale; ValueError (and the like) when it is damaged."""
    header = json.loads(handle.readline())
    if [header["path"], header["base"]] != [str(path), str(base)]:
        return None  # another catalog's (a hash collision): parse this one
    if header["stamp"] != list(stamp):
        return None  # the catalog changed since: parse it again
    digest = hashlib.sha256()
    offsets = array("q")
    catalog = CachedCatalog(path, handle, offsets)
    offset = handle.tell()
    for line in iter(handle.readline, b""):
        digest.update(line)
        model, record = line.split(b"\t", 1)
        intercept_id, row, where, _packed, entry = _decoded(record)
        if not isinstance(intercept_id, str | int) or not isinstance(row, int | None):
            raise TypeError(f"entry {intercept_id!r} is not an id and a row")
        if len(where) != 4 or not all(isinstance(number, int) for number in where):
            raise TypeError(f"entry {intercept_id!r} has no line and column")
        index = len(offsets)
        if catalog.first.setdefault(intercept_id, index) != index:
            catalog.repeated[intercept_id] = index
        else:
            if not model:
                catalog.unmodelled.add(intercept_id)
            if isinstance(entry, dict) and entry.get("redact"):
                catalog.redacting.add(intercept_id)
        offsets.append(offset)
        offset += len(line)
    if header["sha256"] != digest.hexdigest():
        raise ValueError("its checksum does not match")
    return catalog


def _body(parsed: Parsed) -> bytes | None:
    """The entries as lines, each the JSON of the entry's model (nothing when its values
    are not a valid Intercept), a tab, and the JSON of its id, row, marks and values; None
    when one cannot be kept as it is (it is then parsed every time): an entry without its
    own marks, a key JSON would turn into a string."""
    marks = parsed.marks
    lines = []
    try:
        for intercept_id, entry, row, key in parsed.entries:
            # a CSV row's id is its value's place too (and an id twice in a CSV has two)
            value = key if row is not None else marks.values[("intercepts", intercept_id)]
            where = [key.line, key.column, value.line, value.column]
            packed = marks.packed.get(intercept_id)
            record = [intercept_id, row, where, packed, _plain(entry)]
            text = json.dumps(record, ensure_ascii=False).encode()
            lines.append(_model_json(entry) + b"\t" + text + b"\n")
        return b"".join(lines)
    except (KeyError, ValueError):
        return None


def _model_json(entry: Any) -> bytes:
    """The JSON of the model `entry` makes, when it makes one and reads back as the same
    model (so serving it is serving what validating the values gives); else nothing."""
    try:
        model = Intercept.model_validate(entry)
    except ValidationError:
        return b""
    text = model.model_dump_json(by_alias=True).encode()
    same = Intercept.model_validate_json(text) == model
    return text if same and b"\t" not in text and b"\n" not in text else b""


def _decoded(record: bytes) -> Any:
    return _DECODER.decode(record.decode())


def stamp_of(path: Path) -> Stamp | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _plain(value: Any) -> Any:
    """An entry as JSON can hold it: YAML dates and times tagged."""
    if isinstance(value, dict):
        if any(not isinstance(key, str) or key in (_DATE, _DATETIME) for key in value):
            raise ValueError("a key JSON would change")  # 1: and "1": are not the same
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dt.datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    return value


def _restored(value: dict[str, Any]) -> Any:
    """A JSON object back as written: a tagged date or time as one (json.loads calls this
    for every object, innermost first)."""
    if len(value) == 1:
        if _DATE in value:
            return dt.date.fromisoformat(value[_DATE])
        if _DATETIME in value:
            return dt.datetime.fromisoformat(value[_DATETIME])
    return value


# One decoder for every line (json.loads with a hook makes one a call).
_DECODER = json.JSONDecoder(object_hook=_restored)
