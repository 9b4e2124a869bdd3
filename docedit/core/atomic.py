"""Outputs appear whole or not at all: write to a temporary name, rename at the end."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


@contextmanager
def atomic_output(out: Path, suffix: str = "") -> Iterator[Path]:
    """A temporary path beside `out` (same file system), renamed to `out` only if the
    block succeeds; on any error or Ctrl-C it is removed and `out` is untouched."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.stem}.", suffix=f".partial{suffix}")
    os.close(fd)
    try:
        yield Path(temp)
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes files private; outputs are not
        os.replace(temp, out)
    finally:
        Path(temp).unlink(missing_ok=True)
