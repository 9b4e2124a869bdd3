"""What every on-disk cache of docedit shares: a key made from what an entry is made
from, the SHA-256 of a file, and the removal of the least recently used entries.

The sound cache, the picture segments and the decoded stills each had their own copy of
these; the manifest's file hash is the same function.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Container, Iterable
from pathlib import Path

# How much each cache keeps before its least recently used entries go. Here, light to
# import, so that `docedit cache info` can say them without loading the renderer.
SEGMENTS_KEEP_BYTES = 4 << 30
STILLS_KEEP_BYTES = 512 << 20


def recipe_key(recipe: object) -> str:
    """A cache key: the first 32 hex digits of the SHA-256 of the recipe's repr."""
    return hashlib.sha256(repr(recipe).encode()).hexdigest()[:32]


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def evict_oldest(
    entries: Iterable[Path],
    keep_bytes: int,
    remove: Callable[[Path], None],
    keep: Container[str] = (),
) -> int:
    """`remove` the least recently used of `entries` (by modification time: a cache
    touches an entry when it serves it) until the rest take at most `keep_bytes`; never
    one whose stem is in `keep`. How many went."""
    stats = []
    for path in entries:
        with contextlib.suppress(OSError):  # gone meanwhile: another render evicted it
            stats.append((os.stat(path), path))
    stats.sort(key=lambda entry: entry[0].st_mtime)  # oldest use first
    total, removed = sum(stat.st_size for stat, _ in stats), 0
    for stat, path in stats:
        if total <= keep_bytes:
            break
        if path.stem in keep:
            continue
        total -= stat.st_size
        remove(path)
        removed += 1
    return removed
