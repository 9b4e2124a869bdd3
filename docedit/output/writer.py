"""moviepy's ffmpeg writer, fed I420 (YUV 4:2:0) frames instead of RGB.

moviepy 2.2.1's `FFMPEG_VideoWriter` ignores its own `pixel_format` argument and always
declares rgb24 input (moviepy #2359; the fix, #2462, is not released). ffmpeg then turns
every frame into YUV on a single thread (about 5 ms per 1080p frame, as much CPU as the
frame took to draw), and the pipe carries twice the bytes x264 needs. This subclass
honours the input pixel format, as the fix does, and passes the rate exactly rather
than rounded to two decimals; writing, errors and closing are moviepy's own. The
encoder runs at a lower priority (`nice`, +5 there): x264 only ever waits for frames,
so the frame loop and the sound (whose AAC encoder is a preview's longest single chain
of work) get the CPU first, and x264 takes every cycle left over. (A preview at the
render's own priority was faster while its segments were encoded one at a time, when
x264 was the longest chain; with two lanes, the 3-minute reference preview takes a
median 5.28 s at +5 against 5.48 s, four alternated quiet runs each.)
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

from moviepy.video.io.ffmpeg_writer import FFMPEG_VideoWriter

from docedit.media.ffmpeg import ffmpeg_exe, media_arg, widen_pipe


class I420Writer(FFMPEG_VideoWriter):
    """H.264 (or what `codec` says: ffmpeg's encoder options) from raw I420 frames (an
    array of H*3/2 rows of W bytes each)."""

    proc: subprocess.Popen[bytes] | None  # None once closed or killed

    def __init__(
        self,
        filename: Path,
        size: tuple[int, int],
        fps: Fraction,
        codec: Sequence[str],
        nice: int = 0,
    ) -> None:
        rate = f"{fps.numerator}/{fps.denominator}"
        self.filename = str(filename)
        self.ext = self.filename.rsplit(".", 1)[-1]
        self.codec, self.audio_codec, self.logfile = "libx264", None, subprocess.PIPE
        command = [
            *(ffmpeg_exe(), "-y", "-nostdin", "-loglevel", "error"),
            *("-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{size[0]}x{size[1]}"),
            *("-r", rate, "-an", "-i", "pipe:0"),
            *codec,
            *("-r", rate, media_arg(filename)),
        ]
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        widen_pipe(self.proc.stdin)
        if nice:
            with contextlib.suppress(AttributeError, OSError):  # no setpriority on Windows
                own = os.getpriority(os.PRIO_PROCESS, 0)
                os.setpriority(os.PRIO_PROCESS, self.proc.pid, own + nice)

    def close(self) -> None:
        """moviepy's close, which does not look at ffmpeg's exit status; this does."""
        proc = self.proc
        if proc is None:
            return
        assert proc.stdin is not None and proc.stderr is not None  # opened as pipes
        proc.stdin.close()
        error = proc.stderr.read().decode(errors="replace").strip()
        super().close()
        if proc.returncode != 0:
            raise OSError(error or f"ffmpeg exited with status {proc.returncode}")
