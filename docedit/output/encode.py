"""Frames and the mix into an H.264/AAC MP4 (or a ProRes/PCM master MOV), atomically.

The output is written under a temporary name in the target folder and renamed into
place only when ffmpeg has finished cleanly. On any failure or Ctrl-C the encoder is
stopped and the temporary file removed: no partial file is ever left behind.
"""

from __future__ import annotations

import contextlib
import functools
import math
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from docedit.core.atomic import atomic_output
from docedit.core.errors import EncodeError, last_line
from docedit.media.ffmpeg import (
    configure_moviepy,
    ffmpeg_exe,
    media_arg,
    pipe_backlog,
    run_ffmpeg,
    widen_pipe,
)

if TYPE_CHECKING:  # imported for real only after configure_moviepy()
    from docedit.output.writer import I420Writer

PREVIEW_WIDTH = 640
PREVIEW_MAX_FPS = 12


@dataclass(frozen=True)
class Profile:
    """How a cut is encoded: size, rate and x264/AAC settings (or a ProRes/PCM master)."""

    name: str
    crf: int
    preset: str
    audio_bitrate: str = "192k"
    preview: bool = False
    master: bool = False  # ProRes 422 HQ and 24-bit PCM in a .mov

    @property
    def suffix(self) -> str:
        """The output's container: what the CLI asks the output name to end in."""
        return ".mov" if self.master else ".mp4"

    @property
    def sound_suffix(self) -> str:
        """The sound made beside the picture before the mux."""
        return ".wav" if self.master else ".m4a"

    def video_codec(self) -> list[str]:
        """ffmpeg's encoder options for the picture."""
        if self.master:  # prores_ks profile 3 is 422 HQ; it needs 10-bit 4:2:2 input
            return ["-c:v", "prores_ks", "-profile:v", "3", "-pix_fmt", "yuv422p10le"]
        crf = ["-crf", str(self.crf)]
        # A preview's x264 runs on one thread: at 640 px ultrafast one core encodes far
        # faster than frames come, and the cut's other processes (frames, the mix, AAC, the
        # next segment's encoder) already fill the cores; x264's frame threads only added
        # their hand-offs (0.3 to 0.6 s more CPU for the 3-minute reference cut, measured
        # in bench runs). The final keeps x264's own threads: there it is most of the work.
        threads = ["-threads", "1"] if self.preview else []
        return ["-c:v", "libx264", "-preset", self.preset, *crf, "-pix_fmt", "yuv420p", *threads]

    def audio_codec(self) -> list[str]:
        """ffmpeg's encoder options for the sound."""
        if self.master:
            return ["-c:a", "pcm_s24le"]
        # The fast coder, and no mid/side stereo search: that search is most of the AAC
        # encoder's time (2.8 s -> 0.8 s of CPU for 98 s at 192k), and a preview's sound
        # needs no finer stereo coding than left/right at this rate.
        coder = ["-aac_coder", "fast", "-aac_ms", "0"] if self.preview else []
        return ["-c:a", "aac", *coder, "-b:a", self.audio_bitrate]

    def size(self, size: tuple[int, int]) -> tuple[int, int]:
        if not self.preview:
            return size
        width, height = size
        new_height = max(2, round(height * PREVIEW_WIDTH / width / 2) * 2)
        return (PREVIEW_WIDTH, new_height)

    def fps(self, fps: Fraction) -> Fraction:
        return min(fps, Fraction(PREVIEW_MAX_FPS)) if self.preview else fps


PROFILES = {
    "final": Profile("final", crf=18, preset="medium"),
    "preview": Profile("preview", crf=30, preset="ultrafast", preview=True),
    "master": Profile("master", crf=0, preset="", master=True),
}


@functools.cache
def has_encoder(name: str) -> bool:
    """Whether the bundled ffmpeg was built with an encoder (some builds lack prores_ks)."""
    listed = run_ffmpeg(["-encoders"]).stdout.decode(errors="replace")
    return any(line.split()[1:2] == [name] for line in listed.splitlines())


def require_encoders(profile: Profile) -> None:
    """Fail before any work when the bundled ffmpeg cannot make this profile."""
    if profile.master and not has_encoder("prores_ks"):
        raise EncodeError(
            f"the bundled ffmpeg ({ffmpeg_exe()}) has no prores_ks encoder, which the "
            "master profile needs; use --profile final, or point IMAGEIO_FFMPEG_EXE at an "
            "ffmpeg built with it"
        )


def frame_count(plan_frames: int, plan_fps: Fraction, out_fps: Fraction) -> int:
    """Output frames for a plan at another rate: the same duration, within one frame."""
    return max(1, round(Fraction(plan_frames) * out_fps / plan_fps))


def plan_frame(out_index: int, plan_fps: Fraction, out_fps: Fraction) -> int:
    """The plan frame shown at output frame `out_index` (the one on screen at that time)."""
    return math.floor(Fraction(out_index) * plan_fps / out_fps)


def encode_video(
    frames: Callable[[int], np.ndarray],
    count: int,
    size: tuple[int, int],
    fps: Fraction,
    out: Path,
    profile: Profile,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write `count` I420 frames from `frames(i)` as H.264 or ProRes (no sound) with
    moviepy's writer."""
    return start_video(frames, count, size, fps, out, profile, progress).wait()


class PendingVideo:
    """An encoder that has every frame and is finishing (flushing its look-ahead, writing
    the file): `wait` for it, or `stop` it."""

    def __init__(self, writer: I420Writer, out: Path) -> None:
        self.writer, self.out = writer, out

    def wait(self) -> Path:
        with _stopping(self.writer):
            self.writer.close()
        return self.out

    def stop(self) -> None:
        _stop(self.writer)


class VideoSink:
    """An encoder being fed frames one at a time; `finish` it (a `PendingVideo`) or
    `stop` it. Several can be fed from one frame loop (jobs/lanes.py)."""

    def __init__(self, size: tuple[int, int], fps: Fraction, out: Path, profile: Profile) -> None:
        configure_moviepy()
        from docedit.output.writer import I420Writer

        require_encoders(profile)
        self.out = out
        self.writer = I420Writer(out, size, fps, profile.video_codec(), nice=5)

    def write(self, frame: np.ndarray) -> None:
        with _stopping(self.writer):
            self.writer.write_frame(frame)

    def backlog(self) -> int:
        """Bytes written to the encoder's pipe that it has not read yet (0 if unknown)."""
        proc = self.writer.proc
        return pipe_backlog(proc.stdin) if proc is not None else 0

    def finish(self) -> PendingVideo:
        """Tell the encoder the input ended; it flushes on its own meanwhile."""
        proc = self.writer.proc
        assert proc is not None and proc.stdin is not None  # open until close
        with _stopping(self.writer):
            proc.stdin.close()
        return PendingVideo(self.writer, self.out)

    def stop(self) -> None:
        _stop(self.writer)


def start_video(
    frames: Callable[[int], np.ndarray],
    count: int,
    size: tuple[int, int],
    fps: Fraction,
    out: Path,
    profile: Profile,
    progress: Callable[[int], None] | None = None,
) -> PendingVideo:
    """`encode_video` up to its last frame: the encoder is told the input ended and left
    to finish while the caller goes on (to draw the next segment's frames)."""
    sink = VideoSink(size, fps, out, profile)
    with _stopping(sink.writer):  # a frame failed (or Ctrl-C): the encoder goes too
        for index in range(count):
            sink.write(frames(index))
            if progress:
                progress(index + 1)
    return sink.finish()


@contextmanager
def aac_sink(out: Path, rate: int, profile: Profile) -> Iterator[Callable[[np.ndarray], object]]:
    """An AAC encoder (a 24-bit PCM WAV for the master) fed the mix's float stereo blocks
    through a pipe, so it encodes while the mix is still being made; the file is ready
    for a stream-copy mux when the block ends. The AAC encoder takes the floats as they
    are (it codes from float: rounding them to 24 bits first only cost 0.1 s of CPU in
    the 3-minute cut); the master's PCM is rounded here, so it carries the very samples
    `docedit mix` writes."""
    from docedit.media.pcm import f32le, pcm24

    layout, encode = ("s24le", pcm24) if profile.master else ("f32le", f32le)
    command = [
        *(ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-y"),
        *("-f", layout, "-ar", str(rate), "-ac", "2", "-i", "pipe:0"),
        *profile.audio_codec(),
        media_arg(out),
    ]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    stdin, stderr = process.stdin, process.stderr
    assert stdin is not None and stderr is not None  # both were asked for as pipes
    widen_pipe(stdin)
    try:
        yield lambda block: stdin.write(encode(block))
        stdin.close()
        error = stderr.read().decode(errors="replace").strip()
        if process.wait() != 0:
            raise EncodeError(f"sound encoding failed: {error}")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def mux(video: Path, audio: Path, out: Path) -> Path:
    """Join picture and sound by stream copy (no re-encoding) into `out` (.mp4 or .mov,
    by its suffix), atomically."""
    with atomic_output(out, Path(out).suffix or ".mp4") as temp:
        result = run_ffmpeg(
            [
                *("-v", "error", "-y", "-i", media_arg(video), "-i", media_arg(audio)),
                *("-map", "0:v:0", "-map", "1:a:0", "-c", "copy", "-movflags", "+faststart"),
                media_arg(temp),
            ]
        )
        if result.returncode != 0:
            raise EncodeError(f"muxing failed: {result.stderr.decode(errors='replace').strip()}")
    return Path(out)


@contextmanager
def _stopping(writer: I420Writer) -> Iterator[None]:
    """On any failure (Ctrl-C included) the encoder is stopped; ffmpeg's own failure, an
    OSError of its pipe, becomes an EncodeError with ffmpeg's last line."""
    try:
        yield
    except OSError as err:
        _stop(writer)
        raise EncodeError(last_line(err, type(err).__name__)) from None
    except BaseException:
        _stop(writer)
        raise


def _stop(writer: I420Writer) -> None:
    """Stop ffmpeg at once; its half-written file is removed by atomic_output."""
    proc = writer.proc
    if proc is None:
        return
    proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    writer.proc = None
