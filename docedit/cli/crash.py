"""A bug's traceback, kept in a file the user can attach to a report.

The file goes to `crash/` in docedit's cache folder, or the temporary folder when that
cannot be written; failing both, the traceback is printed instead.
"""

from __future__ import annotations

import os
import platform
import shlex
import sys
import tempfile
import traceback
from datetime import datetime
from pathlib import Path


def save_traceback(failure: BaseException) -> Path | None:
    """Write the traceback and what ran to a new file and return its path; None if no
    folder could take it (the traceback is then printed to stderr)."""
    from docedit import __version__

    text = (
        f"docedit {__version__}, Python {platform.python_version()} on {platform.platform()}\n"
        f"command: {shlex.join(sys.argv)}\n"
        f"folder: {os.getcwd()}\n\n" + "".join(traceback.format_exception(failure))
    )
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    name = f"docedit-crash-{stamp}-{os.getpid()}.txt"
    for folder in _folders():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_text(text, "utf-8")
            return path
        except OSError:
            continue
    print(text, file=sys.stderr, end="")
    return None


def _folders() -> list[Path]:
    try:
        from docedit.media.probe import cache_root

        folders = [cache_root() / "crash"]
    except Exception:  # the bug may be in that import itself
        folders = []
    return [*folders, Path(tempfile.gettempdir())]
