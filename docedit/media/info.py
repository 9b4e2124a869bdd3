"""Facts read from media files, as plain data: what the plan may know about the disk.

Nothing here reads a file. The readers (probe.py for media, transcripts.py for cues)
fill these in at binding time, so the pure plan can import them without pulling in
ffmpeg, Pillow or pysubs2.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any


@dataclass(frozen=True, slots=True)
class Word:
    """A word of a cue with its own times (from WebVTT inline timestamps or a
    `.words.json` beside the transcript), in the recording's time, in seconds."""

    start: Fraction
    end: Fraction
    text: str


@dataclass(frozen=True, slots=True)
class SourceCue:
    """A transcript or translation cue in the recording's own time, in seconds."""

    start: Fraction
    end: Fraction
    text: str
    line: int = 0  # of its timing line in the SRT/VTT file, 1-based (0: unknown)
    words: tuple[Word, ...] = ()  # timed words, when the transcript carries them


@dataclass(frozen=True, slots=True)
class AudioStream:
    codec: str
    sample_rate: int
    channels: int


@dataclass(frozen=True, slots=True)
class VideoStream:
    codec: str
    width: int
    height: int
    fps: float


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """A decodable file's facts; `error` says why it is unusable, if it is."""

    path: str
    duration: float | None = None
    audio: AudioStream | None = None
    video: VideoStream | None = None
    image_size: tuple[int, int] | None = None  # for stills, after EXIF rotation
    image_mode: str | None = None
    error: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MediaInfo:
        """Back from `dataclasses.asdict` (the probe cache's JSON)."""
        audio = AudioStream(**data["audio"]) if data.get("audio") else None
        video = VideoStream(**data["video"]) if data.get("video") else None
        size = data.get("image_size")  # a JSON list [width, height]
        return cls(
            path=data["path"],
            duration=data.get("duration"),
            audio=audio,
            video=video,
            image_size=(int(size[0]), int(size[1])) if size else None,
            image_mode=data.get("image_mode"),
            error=data.get("error"),
        )
