"""Test helpers: make exact synthetic media, and decode outputs with plain ffmpeg.

Outputs are checked with the bundled ffmpeg directly (not moviepy or pydub), so a bug
in how docedit drives those libraries cannot hide itself in the check.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import yaml
from PIL import Image
from scipy import signal

from docedit.media.ffmpeg import ffmpeg_exe

RATE = 48000


def ffmpeg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", *args], capture_output=True, check=True
    )


def write_wav(path: Path, audio: np.ndarray, rate: int = RATE) -> Path:
    """16-bit PCM; `audio` is float in -1..1, shape (n,) or (n, channels)."""
    audio = np.asarray(audio, dtype=np.float64)
    pcm = np.clip(np.round(audio * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1 if pcm.ndim == 1 else pcm.shape[1])
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())
    return path


def tone(seconds: float, hz: float = 440.0, level: float = 0.3, rate: int = RATE) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return level * np.sin(2 * np.pi * hz * t)


def noise(seconds: float, level: float = 0.1, seed: int = 1, rate: int = RATE) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, level, round(seconds * rate))


def impulse_wav(path: Path, seconds: float, at_sample: int = 0, rate: int = RATE) -> Path:
    audio = np.zeros(round(seconds * rate))
    audio[at_sample] = 0.9
    return write_wav(path, audio, rate)


def still(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (320, 180)) -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


def textured(path: Path, size: tuple[int, int] = (640, 360), seed: int = 3) -> Path:
    """A still with fine detail everywhere, so any motion shows in pixel differences."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (size[1] // 8, size[0] // 8, 3), dtype=np.uint8)
    Image.fromarray(small).resize(size, Image.BICUBIC).save(path, quality=95)
    return path


def timeline(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    return path


def decode_audio(path: Path, rate: int = RATE) -> np.ndarray:
    """All audio of a file as float32 (n, 2) at `rate`, via ffmpeg."""
    result = ffmpeg("-i", str(path), "-vn", "-ac", "2", "-ar", str(rate), "-f", "f32le", "-")
    return np.frombuffer(result.stdout, dtype="<f4").reshape(-1, 2)


def true_peak_db(audio: np.ndarray) -> float:
    """4x oversampled peak, computed here independently of docedit's own meter."""
    up = signal.resample_poly(audio, 4, 1, axis=0)
    return 20 * math.log10(np.abs(up).max())


def read_wav(path: Path) -> tuple[np.ndarray, int, int]:
    """(float samples (n, channels), rate, bytes per sample) of a PCM WAV, read directly."""
    with wave.open(str(path)) as handle:
        width, channels, rate = handle.getsampwidth(), handle.getnchannels(), handle.getframerate()
        raw = handle.readframes(handle.getnframes())
    if width == 3:
        bytes3 = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        ints = (
            bytes3[:, 0].astype(np.int32)
            | (bytes3[:, 1].astype(np.int32) << 8)
            | (bytes3[:, 2].astype(np.int32) << 16)
        )
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        audio = ints / float(1 << 23)
    else:
        audio = np.frombuffer(raw, dtype="<i2") / 32768.0
    return audio.reshape(-1, channels), rate, width


def streams(path: Path) -> dict:
    """Duration and stream facts from `ffmpeg -i`, plus the exact decoded frame count."""
    info = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True
    ).stderr
    video = re.search(r"Video: (\w+).*?, (\d+)x(\d+).*?, ([\d.]+) fps", info)
    audio = re.search(r"Audio: (\w+).*?, (\d+) Hz, (\w+)", info)
    counted = ffmpeg("-i", str(path), "-map", "0:v:0", "-f", "null", "-").stderr.decode()
    frames = re.findall(r"frame=\s*(\d+)", counted)
    return {
        "video_codec": video and video[1],
        "width": video and int(video[2]),
        "height": video and int(video[3]),
        "fps": video and float(video[4]),
        "audio_codec": audio and audio[1],
        "audio_rate": audio and int(audio[2]),
        "audio_layout": audio and audio[3],
        "frames": int(frames[-1]) if frames else 0,
        "duration": len(decode_audio(path)) / RATE if audio else None,
    }


def frame_at(path: Path, index: int, size: tuple[int, int]) -> np.ndarray:
    """Decoded frame number `index` (0-based, exact: selected by number, not by seek)."""
    result = ffmpeg(
        "-i", str(path), "-vf", f"select=eq(n\\,{index})", "-frames:v", "1",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
    )  # fmt: skip
    return np.frombuffer(result.stdout, dtype=np.uint8).reshape(size[1], size[0], 3)


def all_frames(path: Path, size: tuple[int, int]) -> np.ndarray:
    result = ffmpeg("-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
    return np.frombuffer(result.stdout, dtype=np.uint8).reshape(-1, size[1], size[0], 3)


def run_cli(*args: object, **kwargs) -> subprocess.CompletedProcess:
    """`docedit ARGS` in a child process, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "docedit", *map(str, args)], capture_output=True, text=True, **kwargs
    )
