"""The reference cut as one melt command (MLT, the engine of Shotcut and Kdenlive), a
contender run when `melt` is installed (Debian: `apt install melt`).

Written as a melt user would: one playlist of stills, each with an `affine` zoom from
100 % to 110 % about the centre, joined by `-mix` luma dissolves; the calls on one audio
track placed with blanks, the bed on another at -18 dB with discrete keyframes 10 dB
lower while each call plays, tracks summed by `mix` transitions. Same x264 and AAC
settings as the other contenders.
"""

from __future__ import annotations

import wave
from pathlib import Path

from bench.reference import STEP, duck_spans, picture, reference_calls

FADE = 0.5


def melt_profile(folder: Path, profile: str) -> Path:
    """An MLT profile file for the final (1920x1080 at 25) or preview (640x360 at 12)."""
    (w, h), fps = picture(profile)
    path = folder / f"melt-{profile}.profile"
    path.write_text(
        f"description=docedit bench {profile}\nframe_rate_num={fps}\nframe_rate_den=1\n"
        f"width={w}\nheight={h}\nprogressive=1\nsample_aspect_num=1\nsample_aspect_den=1\n"
        f"display_aspect_num={w}\ndisplay_aspect_den={h}\ncolorspace=709\n"
    )
    return path


def melt_command(melt: str, folder: Path, stills: int, out: Path, profile: str) -> list[str]:
    fps = 12 if profile == "preview" else 25
    frames = round(stills * STEP * fps)
    fade = round(FADE * fps)
    starts = [round(i * STEP * fps) for i in range(stills)] + [frames]
    video: list[str] = []
    for i in range(stills):
        # Each still lasts until the next one has faded in (the last one to the end).
        length = starts[i + 1] - starts[i] + (fade if i + 1 < stills else 0)
        video += [
            str(folder / f"still-{i + 1:02d}.jpg"), "in=0", f"out={length - 1}",
            "-attach-cut", "affine",
            f"transition.rect=0=0% 0% 100% 100%;{length - 1}=-5% -5% 110% 110%",
            "transition.fill=1", "transition.distort=0",
        ]  # fmt: skip
        if i:
            video += ["-mix", str(fade), "-mixer", "luma"]
    calls: list[str] = []
    position = 0
    for name, at in reference_calls(folder, stills * STEP):
        start = round(at * fps)
        if start > position:
            calls += ["-blank", str(start - position - 1)]
        calls.append(str(folder / name))
        from_file = _frames(folder / name, fps)
        position = start + from_file
    level = ["0|=-18"]
    for a, b in duck_spans(folder, stills * STEP):
        level += [f"{round(a * fps)}|=-28", f"{round(b * fps)}|=-18"]
    return [
        melt, "-silent", "-profile", str(melt_profile(folder, profile)),
        *video,
        "-audio-track", *calls,
        "-audio-track", str(folder / "bed.wav"), "in=0", f"out={frames - 1}",
        "-attach-cut", "volume", f"level={';'.join(level)}",
        "-transition", "mix", "always_active=1", "sum=1", "a_track=0", "b_track=1",
        "-transition", "mix", "always_active=1", "sum=1", "a_track=0", "b_track=2",
        "-consumer", f"avformat:{out}", "vcodec=libx264",
        f"preset={'ultrafast' if profile == 'preview' else 'medium'}", "crf=20",
        "acodec=aac", "ab=192k", "frequency=48000", "channels=2", "real_time=-2",
        *(["aac_coder=fast", "aac_ms=0"] if profile == "preview" else []),
        f"out={frames - 1}",
    ]  # fmt: skip


def _frames(path: Path, fps: int) -> int:
    """A call's length in whole frames (melt places media on the frame grid)."""
    with wave.open(str(path)) as wav:
        return round(wav.getnframes() / wav.getframerate() * fps)
