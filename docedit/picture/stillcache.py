"""Stills decoded and scaled for a frame size, kept between renders.

Decoding a photographer's JPEG and scaling it to the largest size its move shows is
most of what a preview's picture costs besides the warp (about 20 ms a still, against
under a millisecond to read the result back). The result depends only on the file and
on how it is shown, so it is kept under `<cache>/stills`, keyed like the probe cache
(absolute path, size, modification time) plus the frame size, the fit and the closest
zoom of the move.

Only pictures prepared for small frames are kept (at most `MAX_ENTRY` bytes, a 720p
frame with its zoom margin): at full size a still is a few MB and x264 dominates the
render anyway. Each entry carries its shape and a CRC-32 of its pixels; one that is
truncated or changed is made again, with a `warning:` line. Least recently used
entries go when the folder passes `KEEP_BYTES`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from docedit.core.atomic import atomic_output
from docedit.core.cachefiles import STILLS_KEEP_BYTES, evict_oldest
from docedit.core.version import __version__
from docedit.media.probe import cache_root

MAGIC = b"DOCEDIT-STILL-1\n"
HEADER = struct.Struct("<16sIII")  # magic, height, width, CRC-32 of the RGBA bytes
MAX_ENTRY = 4 << 20
KEEP_BYTES = STILLS_KEEP_BYTES


def _stderr_warning(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)


class StillCache:
    """Prepared stills (RGBA) on disk, checked before every use."""

    def __init__(
        self, folder: Path | None = None, warn: Callable[[str], None] = _stderr_warning
    ) -> None:
        self.folder = folder or cache_root() / "stills"
        self.warn = warn

    @staticmethod
    def key(path: Path, frame: tuple[int, int], fit: str, closest: float) -> str | None:
        """The entry's name for `path` shown in `frame` (None when the file is unreadable:
        decoding it will say why)."""
        absolute = os.path.abspath(path)
        try:
            stat = os.stat(absolute)
        except OSError:
            return None
        facts = f"{__version__}|{absolute}|{stat.st_size}|{stat.st_mtime_ns}|{frame}|{fit}|"
        facts += repr(closest)
        return hashlib.sha256(facts.encode()).hexdigest()[:32]

    def get(self, key: str) -> np.ndarray | None:
        """The prepared still, if its entry is whole."""
        path = self.folder / f"{key}.rgba"
        try:
            data = path.read_bytes()
        except OSError:
            return None
        image = _decode(data)
        if image is None:
            self.warn(f"cached still {path.name} is truncated or damaged; decoding it again")
            path.unlink(missing_ok=True)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: evicted last
        return image

    def put(self, key: str, image: np.ndarray) -> None:
        """Keep a prepared still (small ones only); a cache that cannot be written is
        only slower."""
        if image.nbytes > MAX_ENTRY or image.ndim != 3 or image.shape[2] != 4:
            return
        pixels = np.ascontiguousarray(image, dtype=np.uint8).tobytes()
        header = HEADER.pack(MAGIC, image.shape[0], image.shape[1], zlib.crc32(pixels))
        try:
            with atomic_output(self.folder / f"{key}.rgba", ".rgba") as temp:
                temp.write_bytes(header + pixels)
        except OSError:
            pass

    def evict(self) -> None:
        """Remove least recently used entries beyond `KEEP_BYTES` (a render's own were
        just used, so they go last)."""
        evict_oldest(self.folder.glob("*.rgba"), KEEP_BYTES, _unlink)


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


def _decode(data: bytes) -> np.ndarray | None:
    """The RGBA array of an entry, or None if it is not whole."""
    if len(data) < HEADER.size:
        return None
    magic, height, width, crc = HEADER.unpack_from(data)
    pixels = memoryview(data)[HEADER.size :]
    if magic != MAGIC or len(pixels) != height * width * 4 or zlib.crc32(pixels) != crc:
        return None
    return np.frombuffer(data, dtype=np.uint8, offset=HEADER.size).reshape(height, width, 4)
