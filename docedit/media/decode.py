"""Decode any sound ffmpeg reads to float32 stereo at the project rate, through pydub.

pydub asks ffprobe about a file unless it is told the codec; there is no ffprobe here,
so the codec from our own probe is passed. pydub's resampler is coarse, so rate
conversion is done in numpy with a polyphase filter (deterministic, high quality).
"""

from __future__ import annotations

from math import gcd
from pathlib import Path

import numpy as np
from scipy import signal

from docedit.core.errors import MediaError, first_line
from docedit.media.ffmpeg import configure_pydub, media_arg
from docedit.media.info import MediaInfo


def decode_audio(info: MediaInfo, rate: int) -> np.ndarray:
    """All of a file's first audio stream as float32 samples, shape (n, 2), at `rate`."""
    if info.error or info.audio is None:
        raise MediaError(f"{info.path}: {info.error or 'has no audio stream'}")
    configure_pydub()
    from pydub import AudioSegment
    from pydub.exceptions import CouldntDecodeError

    try:
        segment = AudioSegment.from_file(media_arg(info.path), codec=info.audio.codec)
    except (CouldntDecodeError, OSError, IndexError) as err:
        first = first_line(err, type(err).__name__)
        raise MediaError(f"{info.path}: its audio does not decode ({first})") from None
    kind = {1: np.uint8, 2: np.int16, 4: np.int32}.get(segment.sample_width)
    if kind is None:
        samples = np.asarray(segment.get_array_of_samples(), dtype=np.float32)
    else:  # read the raw bytes directly: far faster than array.array -> numpy
        samples = np.frombuffer(segment.raw_data, dtype=kind).astype(np.float32)
        if kind is np.uint8:
            samples -= 128.0
    scale = np.float32(2 ** (8 * segment.sample_width - 1))
    audio = (samples.reshape(-1, segment.channels) / scale)[:, :2]
    # Channels are filtered independently: a mono call is resampled once, then doubled
    # (the same samples as resampling both copies, in half the time).
    return to_stereo(resample(audio, segment.frame_rate, rate))


def to_stereo(audio: np.ndarray) -> np.ndarray:
    if audio.shape[1] == 2:
        return audio
    if audio.shape[1] == 1:
        return np.repeat(audio, 2, axis=1)
    return np.ascontiguousarray(audio[:, :2])  # front left and right of a multichannel file


def resample(audio: np.ndarray, source_rate: int, rate: int) -> np.ndarray:
    if source_rate == rate or audio.size == 0:
        return np.ascontiguousarray(audio, dtype=np.float32)
    common = gcd(source_rate, rate)
    out = signal.resample_poly(audio, rate // common, source_rate // common, axis=0)
    return out.astype(np.float32)


class DecodedCache:
    """Each source decoded once per mix, however many events use it."""

    def __init__(self, media: dict[Path, MediaInfo], rate: int) -> None:
        self.media = media
        self.rate = rate
        self._decoded: dict[Path, np.ndarray] = {}

    def get(self, path: Path) -> np.ndarray:
        if path not in self._decoded:
            self._decoded[path] = decode_audio(self.media[path], self.rate)
        return self._decoded[path]
