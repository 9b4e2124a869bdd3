"""Included catalogs, parsed, on disk: a catalog of thousands is parsed once.

One file per included catalog (and timeline folder, as its paths are rebased to it) in
`catalogs-v1/` of the cache folder, valid while the catalog's size and modification time
are what they were when it was read. It holds what parsing the catalog gave: each
entry's id, its values (paths rebased), CSV row, and positions (the entry's own marks,
the positions inside it packed as PackedMarks keeps them), so findings and origins name
the catalog's line and column as after parsing. A catalog with any finding is not kept
(parsing it again reports them). The body is checked against its SHA-256: a damaged file
is never served, it is parsed again with a `warning:` line and rewritten. It holds only
what the catalog file holds (no transcript text).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docedit.core.atomic import atomic_output
from docedit.timeline.load import Mark, PackedMarks
from docedit.timeline.project import Stamp

VERSION = 1
_DATE, _DATETIME = "\0date", "\0datetime"  # a YAML date in JSON: {"\0date": "2022-03-01"}


@dataclass
class Parsed:
    """One catalog file, parsed: its entries in file order (id, entry, CSV row, where the
    id stands) and the marks of their values."""

    marks: PackedMarks
    entries: list[tuple[Any, Any, int | None, Mark]] = field(default_factory=list)


class CatalogCache:
    def __init__(self, directory: Path) -> None:
        self.folder = directory / f"catalogs-v{VERSION}"

    def _file(self, path: Path, base: Path) -> Path:
        key = hashlib.sha256(f"{path}\0{base}".encode()).hexdigest()[:32]
        return self.folder / f"{key}.json"

    def get(self, path: Path, base: Path, stamp: Stamp) -> Parsed | None:
        """The parsed catalog when it is cached for this stamp; None when it is not (or
        is stale); a damaged file is reported and treated as missing."""
        file = self._file(path, base)
        try:
            raw = file.read_bytes()
        except OSError:
            return None
        try:
            head, _, body = raw.partition(b"\n")
            header = json.loads(head)
            if [header["path"], header["base"]] != [str(path), str(base)]:
                return None  # another catalog's (a hash collision): parse this one
            if header["stamp"] != list(stamp):
                return None  # the catalog changed since: parse it again
            if header["sha256"] != hashlib.sha256(body).hexdigest():
                raise ValueError("its checksum does not match")
            return _parsed(path, json.loads(body))
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as err:
            print(
                f"warning: the catalog cache {file} is damaged ({err}); reading {path} again",
                file=sys.stderr,
                flush=True,
            )
            return None

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
            with atomic_output(self._file(path, base), ".json") as temp:
                temp.write_bytes(json.dumps(header).encode() + b"\n" + body)
        except OSError:
            pass


def _body(parsed: Parsed) -> bytes | None:
    """The entries as JSON; None when one cannot be kept as it is (it is then parsed
    every time): an entry without its own marks, a key JSON would turn into a string."""
    marks = parsed.marks
    entries = []
    try:
        for intercept_id, entry, row, key in parsed.entries:
            # a CSV row's id is its value's place too (and an id twice in a CSV has two)
            value = key if row is not None else marks.values[("intercepts", intercept_id)]
            where = [key.line, key.column, value.line, value.column]
            packed = marks.packed.get(intercept_id)
            entries.append([intercept_id, _plain(entry), row, where, packed])
        return json.dumps(entries, ensure_ascii=False).encode()
    except (KeyError, ValueError):
        return None


def stamp_of(path: Path) -> Stamp | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _parsed(path: Path, entries: list[Any]) -> Parsed:
    marks = PackedMarks(path)
    parsed = Parsed(marks)
    for intercept_id, entry, row, (kl, kc, vl, vc), packed in entries:
        if not isinstance(intercept_id, str | int) or not isinstance(row, int | None):
            raise TypeError(f"entry {intercept_id!r} is not an id and a row")
        loc = ("intercepts", intercept_id)
        key = Mark(int(kl), int(kc))
        marks.keys[loc], marks.values[loc] = key, Mark(int(vl), int(vc))
        if packed is not None:
            marks.packed[intercept_id] = str(packed)
        parsed.entries.append((intercept_id, _restored(entry), row, key))
    return parsed


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


def _restored(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and (_DATE in value or _DATETIME in value):
            if _DATE in value:
                return dt.date.fromisoformat(value[_DATE])
            return dt.datetime.fromisoformat(value[_DATETIME])
        return {key: _restored(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_restored(item) for item in value]
    return value
