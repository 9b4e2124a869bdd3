"""A cache of facts on disk that is read one entry at a time: SQLite, from the stdlib.

The probe and transcript caches used to be one JSON file each, parsed whole at start:
for a catalog of thousands that is megabytes of dicts held at once, whatever the run
asks for. Here an entry is looked up by its key when asked, so memory does not grow
with the cache. Each entry keeps the stamp it is valid for (the file's size and mtime,
as JSON) and a CRC-32 of its value: a damaged entry is never served (it is made again,
with a `warning:` line), and a file SQLite cannot read is replaced by an empty one.
Writes wait in memory and go in as one transaction at `save()`: a cache that cannot be
written (read-only folder, another process holding the lock) is only slower.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
import threading
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries "
    "(key TEXT PRIMARY KEY, stamp TEXT, value TEXT, crc INTEGER) WITHOUT ROWID"
)
_LOCK_WAIT_S = 2.0  # another process saving: wait this long, then skip saving
_BATCH = 500  # keys per query when reading ahead (SQLite allows 32,766 parameters)
# SQLite's page cache, in KiB (its default is 2 MiB a connection): entries are read once
# each, from the OS's file cache, so a cache that holds the whole file of a catalog of
# thousands only makes memory grow with the catalog.
_PAGE_CACHE_KIB = 256


class Store:
    """Key -> (stamp, JSON value) in one SQLite file, opened on first use."""

    def __init__(self, file: Path, replaces: tuple[str, ...] = ()) -> None:
        self.file = file
        self.replaces = replaces  # names of older caches beside it: nothing reads them
        self._forget_older()
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._pending: dict[str, tuple[str, str] | None] = {}  # None: to delete
        # read ahead, not yet asked (None: not kept)
        self._fetched: dict[str, tuple[str, str, int | None] | None] = {}

    def __getstate__(self) -> dict[str, Any]:  # a connection does not cross processes
        return {"file": self.file, "replaces": self.replaces}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["file"], state.get("replaces", ()))  # type: ignore[misc]

    def get(self, key: str, stamp: Any) -> Any | None:
        """The value kept for `key` at `stamp`; None when there is none, it is stale, or
        it is damaged (then reported)."""
        return self.parse(key, self.raw(key, stamp))

    def parse(self, key: str, raw: str | None) -> Any | None:
        """`raw`'s value (from `raw`), or None when there is none or it is damaged (then
        reported)."""
        try:
            return None if raw is None else json.loads(raw)
        except ValueError as err:
            self._damaged(f"its entry for {key} is damaged ({err}); making it again")
            return None

    def _row(self, key: str) -> tuple[str, str, int | None] | None:
        """(stamp JSON, value JSON, CRC-32 or None) kept for `key`: written this run and
        not yet saved, read ahead (once), or queried now."""
        with self._lock:
            if key in self._pending:
                pending = self._pending[key]
                return (pending[0], pending[1], None) if pending else None
            if key in self._fetched:
                return self._fetched.pop(key)
            return self._query("SELECT stamp, value, crc FROM entries WHERE key = ?", key)

    def raw(self, key: str, stamp: Any) -> str | None:
        """`get`'s value as the JSON text kept, checksum verified, not decoded."""
        want = json.dumps(stamp)
        row = self._row(key)
        if row is None or row[0] != want:
            return None
        _stamp, value, crc = row
        if not isinstance(value, str) or (crc is not None and zlib.crc32(value.encode()) != crc):
            self._damaged(f"its entry for {key} is damaged (checksum); making it again")
            return None
        return value

    def stored(self, key: str) -> tuple[str, Any] | None:
        """The stamp (as the JSON kept: most callers need none) and value kept for
        `key`, whatever the file is now (what a run that read it kept, asked again);
        None when there is none or it is damaged."""
        row = self._row(key)
        if row is None:
            return None
        stamp, value, crc = row
        if not isinstance(value, str) or (crc is not None and zlib.crc32(value.encode()) != crc):
            return None
        try:
            return stamp, json.loads(value)
        except ValueError:
            return None

    def prefetch(self, keys: Iterable[str]) -> None:
        """Read the entries of `keys` in a few queries, not one each (binding asks for
        thousands at once); `raw` and `get` then answer each once from memory. What an
        earlier call read and nobody asked for is dropped (callers read ahead a chunk of
        a catalog at a time: the leftovers would pile up)."""
        with self._lock:
            self._fetched.clear()
            wanted = [k for k in dict.fromkeys(keys) if k not in self._pending]
            db = self._open(create=False) if wanted else None
            if db is None:
                return
            try:
                for start in range(0, len(wanted), _BATCH):
                    chunk = wanted[start : start + _BATCH]
                    marks = ",".join("?" * len(chunk))  # placeholders only: no text in SQL
                    sql = f"SELECT key, stamp, value, crc FROM entries WHERE key IN ({marks})"
                    for key, stamp, value, crc in db.execute(sql, chunk):
                        self._fetched[key] = (stamp, value, crc)
                for key in wanted:  # not kept: `raw` need not ask the file again
                    self._fetched.setdefault(key, None)
            except sqlite3.DatabaseError as err:
                self._fetched.clear()
                self._reset(err)

    def put(self, key: str, stamp: Any, value: Any) -> None:
        """Keep `value` for `key` at `stamp` (written at `save()`)."""
        with self._lock:
            self._pending[key] = (json.dumps(stamp), json.dumps(value, ensure_ascii=False))

    def pop(self, key: str) -> bool:
        """Forget `key`; whether there was an entry to forget."""
        with self._lock:
            present = self._pending.get(key) is not None or (
                key not in self._pending
                and self._query("SELECT 1 FROM entries WHERE key = ?", key) is not None
            )
            if present:
                self._pending[key] = None
        return present

    def kept(self) -> list[str]:
        """Every key kept (for tests and `cache info`)."""
        with self._lock:
            db = self._open()
            stored = [row[0] for row in db.execute("SELECT key FROM entries")] if db else []
            kept = {key for key, value in self._pending.items() if value is not None}
            gone = {key for key, value in self._pending.items() if value is None}
        return sorted((set(stored) | kept) - gone)

    def save(self) -> bool:
        """Write what was put since the last save, in one transaction; whether every
        entry put is now in the file (False when it could not be written)."""
        with self._lock:
            if not self._pending:
                return True
            rows = [(k, *v, zlib.crc32(v[1].encode())) for k, v in self._pending.items() if v]
            gone = [(k,) for k, v in self._pending.items() if v is None]
            self._pending.clear()
            try:
                self.file.parent.mkdir(parents=True, exist_ok=True)
                db = self._open()
                if db is None:
                    return False
                with db:
                    db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", rows)
                    db.executemany("DELETE FROM entries WHERE key = ?", gone)
            except (OSError, sqlite3.Error):
                return False  # only slower next time
            return True

    def _forget_older(self) -> None:
        """Remove the caches this one replaces: an older format's file beside it, which
        nothing reads any more (an old transcript cache may even hold the words of a
        project that now redacts, which this version keeps out of its cache)."""
        for name in self.replaces:
            with contextlib.suppress(OSError):
                (self.file.parent / name).unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _query(self, sql: str, key: str) -> Any:
        db = self._open(create=False)
        if db is None:
            return None
        try:
            return db.execute(sql, (key,)).fetchone()
        except sqlite3.DatabaseError as err:
            self._reset(err)
            return None

    def _open(self, create: bool = True) -> sqlite3.Connection | None:
        """The connection (made once); None when there is no cache file yet and `create`
        is false, or it cannot be opened."""
        if self._db is not None:
            return self._db
        if not create and not self.file.exists():
            return None
        for _attempt in range(2):
            try:
                db = sqlite3.connect(self.file, timeout=_LOCK_WAIT_S, check_same_thread=False)
                db.execute(f"PRAGMA cache_size = -{_PAGE_CACHE_KIB}")
                db.execute(_SCHEMA)
                db.commit()
            except sqlite3.DatabaseError as err:
                if "locked" in str(err) or not self.file.exists():
                    return None
                self._reset(err)  # then once more, on a new file
                continue
            self._db = db
            return db
        return None

    def _reset(self, err: Exception) -> None:
        """A cache file SQLite cannot read: reported, removed, made again on save."""
        self._damaged(f"it cannot be read ({err}); starting it again")
        if self._db is not None:
            self._db.close()
            self._db = None
        self.file.unlink(missing_ok=True)

    def _damaged(self, why: str) -> None:
        print(f"warning: the cache {self.file}: {why}", file=sys.stderr, flush=True)
