"""The `docedit` command line: a thin shell over the public API."""

from __future__ import annotations

import gc
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typer import Typer

__all__ = ["app", "main"]


def main() -> None:
    """The `docedit` command. A render forks its sound worker first of all, so that the
    worker's imports overlap the command line's own (jobs/soundjob.py, `start_early`)."""
    # docedit runs its work in processes (frames, the mix, ffmpeg); numpy's and scipy's
    # BLAS thread pools, started at import in each of them, only spin. Set before numpy
    # is imported; a value the user set is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if sys.argv[1:2] == ["render"]:
        from docedit.jobs.soundjob import start_early

        start_early()
    from docedit.cli.app import main as run

    try:
        run()
    finally:
        # The command is over and its files are closed. At exit the interpreter would
        # search everything a render loaded for reference cycles (about 0.1 s, at the very
        # end of the render's time); frozen objects are left out of that search. Exit
        # handlers, flushing and freeing run as ever.
        gc.freeze()


def __getattr__(name: str) -> Typer:
    if name == "app":  # the Typer app, imported only when asked for (tests, completion)
        from docedit.cli.app import app

        return app
    raise AttributeError(f"module 'docedit.cli' has no attribute {name!r}")
