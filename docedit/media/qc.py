"""What a media file holds, measured through the bundled ffmpeg, for `docedit qc`.

Any file, docedit's or not: its streams as ffmpeg describes them, the video's frames
(decoded and counted), and stretches of black, frozen picture and silence found by
ffmpeg's blackdetect, freezedetect and silencedetect filters, in one decoding pass.
The audio is decoded separately, as float blocks, for the loudness meter.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from docedit.core.errors import MediaError, last_line
from docedit.media.ffmpeg import ffmpeg_exe, media_arg, run_ffmpeg

MIN_STRETCH_S = 2.0  # black, frozen or silent for longer than this is reported
SILENCE_DB = -60  # dBFS under which audio counts as silent
BLACK_PIXELS = 0.10  # blackdetect's pix_th: how dark a pixel is to count as black
FREEZE_NOISE = 0.001  # freezedetect's n: how little a frame may change to count as frozen
_STREAM = re.compile(r"^\s*Stream #\d+:\d+\S*: (?P<kind>Video|Audio|Subtitle|Data): (?P<rest>.*)$")
_FRAME = re.compile(r"^frame=(\d+)$", re.MULTILINE)
_EVENT = re.compile(
    r"\[(?:Parsed_)?(?P<filter>black|freeze|silence)detect(?:_\d+)? @ [^\]]*\] (?P<text>.*)"
)
_VALUE = re.compile(
    r"(black_start|black_end|freeze_start|freeze_end|silence_start|silence_end)"
    r"\s*[:=]\s*(-?[\d.]+)"
)


@dataclass(frozen=True)
class Stretch:
    kind: str  # "black", "frozen" or "silent"
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class Scan:
    """Streams as ffmpeg describes them, the decoded video frame count, and stretches."""

    streams: list[str] = field(default_factory=list)
    frames: int | None = None
    stretches: list[Stretch] = field(default_factory=list)


def describe_streams(log: str) -> list[str]:
    """`Video: prores (HQ) ..., yuv422p10le(...), 1280x720, 25 fps` and the like: the
    input's streams as ffmpeg's log lists them (the output's, after `Stream mapping:`,
    are the null muxer's and are left out)."""
    inputs = log.split("\nStream mapping:", 1)[0]
    return [
        f"{m['kind']}: {m['rest'].strip()}"
        for line in inputs.splitlines()
        if (m := _STREAM.match(line))
    ]


def scan(path: Path, video: bool, audio: bool, duration: float) -> Scan:
    """Decode the file once with the detect filters on; count the video's frames."""
    args = ["-v", "info", "-nostats", "-i", media_arg(path)]
    if video:
        args += ["-map", "0:v:0", "-vf", _video_filters()]
    if audio:
        args += ["-map", "0:a:0", "-af", f"silencedetect=n={SILENCE_DB}dB:d={MIN_STRETCH_S}"]
    result = run_ffmpeg([*args, "-f", "null", "-progress", "pipe:1", "-"])
    log = result.stderr.decode("utf-8", "replace")
    if result.returncode != 0:
        raise MediaError(f"{path}: ffmpeg cannot decode it ({last_line(log, 'no reason given')})")
    counts = _FRAME.findall(result.stdout.decode("ascii", "replace"))
    # the streams from this run's own log: no second ffmpeg run to list them
    found = Scan(describe_streams(log), int(counts[-1]) if video and counts else None)
    found.stretches = stretches(log, duration)
    return found


def _video_filters() -> str:
    black = f"blackdetect=d={MIN_STRETCH_S}:pix_th={BLACK_PIXELS}"
    frozen = f"freezedetect=n={FREEZE_NOISE}:d={MIN_STRETCH_S}"
    return f"{black},{frozen}"


def stretches(log: str, duration: float) -> list[Stretch]:
    """Pair the filters' start and end events; one still open at the end runs to it."""
    kinds = {"black": "black", "freeze": "frozen", "silence": "silent"}
    open_at: dict[str, float] = {}
    found: list[Stretch] = []
    for line in log.splitlines():
        match = _EVENT.search(line)
        if not match:
            continue
        for key, value in _VALUE.findall(match["text"]):
            name, edge = key.split("_")
            if edge == "start":
                open_at[name] = float(value)
            elif name in open_at:
                found.append(Stretch(kinds[name], open_at.pop(name), float(value)))
    found += [Stretch(kinds[name], start, duration) for name, start in open_at.items()]
    long = [s for s in found if s.seconds > MIN_STRETCH_S - 0.01]
    return sorted(long, key=lambda s: (s.start, s.kind))


def audio_blocks(
    path: Path, rate: int, channels: int, block: int = 1 << 18
) -> Iterator[np.ndarray]:
    """The first audio stream as float32 (samples, channels) blocks at its own rate."""
    command = [
        *(ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-i", media_arg(path)),
        *("-map", "0:a:0", "-f", "f32le", "-ac", str(channels), "-ar", str(rate), "pipe:1"),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = process.stdout, process.stderr
    assert stdout is not None and stderr is not None  # both were asked for as pipes
    size = block * channels * 4
    try:
        while chunk := stdout.read(size):
            usable = len(chunk) - len(chunk) % (channels * 4)
            yield np.frombuffer(chunk[:usable], dtype=np.float32).reshape(-1, channels)
        error = stderr.read().decode(errors="replace").strip()
        if process.wait() != 0:
            raise MediaError(f"{path}: its audio does not decode ({error})")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
