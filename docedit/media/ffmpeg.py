"""The one ffmpeg docedit uses: the binary imageio-ffmpeg ships, never a system one.

Arguments are always a list (no shell), and every path handed to ffmpeg is made
absolute first, so a file named `-video-with-dash-.mp4` can never be read as an option.
"""

from __future__ import annotations

import array
import contextlib
import functools
import os
import subprocess
import threading
import warnings
from pathlib import Path
from typing import IO


@functools.cache
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def media_arg(path: Path | str) -> str:
    """A path as ffmpeg must see it: absolute, so it can never start with '-'."""
    return os.path.abspath(os.fspath(path))


PIPE_BYTES = 1 << 20


def widen_pipe(stream: IO[bytes] | None) -> None:
    """Give a pipe to ffmpeg 1 MiB of buffer instead of 64 KiB (Linux; a hint elsewhere).
    A 1080p frame then crosses in 3 writes, not 48: half the CPU on both sides."""
    if stream is None:
        return
    try:
        import fcntl

        fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass  # no fcntl (Windows), no F_SETPIPE_SZ (macOS) or a lower system limit


def pipe_backlog(stream: IO[bytes] | None) -> int:
    """Bytes in a pipe that its reader has not read yet (Linux and macOS); 0 if unknown."""
    if stream is None:
        return 0
    try:
        import fcntl
        import termios

        count = array.array("i", [0])
        fcntl.ioctl(stream.fileno(), termios.FIONREAD, count)
    except (ImportError, AttributeError, OSError, ValueError):
        return 0
    return count[0]


def run_ffmpeg(
    args: list[str], *, timeout: float | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run the bundled ffmpeg quietly with a list of arguments; never raises on exit status."""
    return subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", *args],
        capture_output=True,
        timeout=timeout,
        check=False,
    )


@functools.cache
def configure_pydub() -> None:
    """Point pydub at the bundled ffmpeg (it looks for one on PATH and warns otherwise)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment

    AudioSegment.converter = ffmpeg_exe()


def configure_moviepy() -> None:
    """moviepy reads FFMPEG_BINARY at import; make sure it is the bundled one. moviepy's
    own name for it, "ffmpeg-imageio", makes moviepy ask imageio-ffmpeg, which has found
    it already in this process (`ffmpeg_exe`); a path instead has moviepy run the 170 MB
    binary once more to see that it starts, on the way to a render's first frame."""
    os.environ.setdefault("FFMPEG_BINARY", "ffmpeg-imageio")
    ffmpeg_exe()


def find_ffmpeg_meanwhile() -> None:
    """Have imageio-ffmpeg find (and run once, to check it) the bundled ffmpeg on a
    thread, while this one goes on: the check is a process to wait for, 30 ms on the way
    to a render's first encoder otherwise. A failure is left for `ffmpeg_exe` to raise
    where it is needed."""

    def find() -> None:
        with contextlib.suppress(Exception):
            ffmpeg_exe()

    threading.Thread(target=find, name="find-ffmpeg", daemon=True).start()
