"""Frames and the mix into an H.264/AAC MP4, with moviepy's ffmpeg writer, atomically.

The output is written under a temporary name in the target folder and renamed into
place only when ffmpeg has finished cleanly. On any failure or Ctrl-C the encoder is
stopped and the temporary file removed: no partial file is ever left behind.
"""

from __future__ import annotations

import contextlib
import math
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from docedit.atomic import atomic_output
from docedit.ffmpeg import configure_moviepy

PREVIEW_WIDTH = 640
PREVIEW_MAX_FPS = 12


class EncodeError(RuntimeError):
    """ffmpeg refused or failed; the message carries its last words."""


@dataclass(frozen=True)
class Profile:
    """How a cut is encoded: size, rate and x264/AAC settings."""

    name: str
    crf: int
    preset: str
    audio_bitrate: str = "192k"
    preview: bool = False

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
}


def frame_count(plan_frames: int, plan_fps: Fraction, out_fps: Fraction) -> int:
    """Output frames for a plan at another rate: the same duration, within one frame."""
    return max(1, round(Fraction(plan_frames) * out_fps / plan_fps))


def plan_frame(out_index: int, plan_fps: Fraction, out_fps: Fraction) -> int:
    """The plan frame shown at output frame `out_index` (the one on screen at that time)."""
    return math.floor(Fraction(out_index) * plan_fps / out_fps)


def encode(
    frames: Callable[[int], np.ndarray],
    count: int,
    size: tuple[int, int],
    fps: Fraction,
    audio: Path,
    out: Path,
    profile: Profile,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write `count` frames from `frames(i)` and the WAV `audio` to `out` as MP4."""
    configure_moviepy()
    from moviepy.video.io.ffmpeg_writer import FFMPEG_VideoWriter

    params = [
        "-crf", str(profile.crf),
        "-r", format_rate(fps),  # exact output rate (the writer's own -r is rounded)
        "-b:a", profile.audio_bitrate,
        "-ar", "48000",
        "-movflags", "+faststart",
        "-pix_fmt", "yuv420p",
    ]  # fmt: skip
    with atomic_output(out, ".mp4") as temp:
        writer = FFMPEG_VideoWriter(
            str(temp),
            size,
            float(fps),
            codec="libx264",
            audiofile=str(audio),
            audio_codec="aac",
            preset=profile.preset,
            ffmpeg_params=params,
        )
        try:
            for index in range(count):
                writer.write_frame(np.ascontiguousarray(frames(index)))
                if progress:
                    progress(index + 1)
        except OSError as err:
            _stop(writer)
            raise EncodeError(str(err).strip().splitlines()[-1]) from None
        except BaseException:
            _stop(writer)
            raise
        writer.close()
    return Path(out)


def format_rate(fps: Fraction) -> str:
    return f"{fps.numerator}/{fps.denominator}"


def _stop(writer) -> None:
    """Stop ffmpeg at once; its half-written file is removed by atomic_output."""
    proc = writer.proc
    if proc is None:
        return
    proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    writer.proc = None
