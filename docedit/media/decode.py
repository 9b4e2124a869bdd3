"""Decode any sound ffmpeg reads to float32 stereo at the project rate, through pydub.

pydub asks ffprobe about a file unless it is told the codec; there is no ffprobe here,
so the codec from our own probe is passed. pydub's resampler is coarse, so rate
conversion is a polyphase filter (deterministic, high quality; media/dsp.py, as
scipy.signal.resample_poly computes it).

A consistent PCM WAV (media/wav.py: most calls, most beds) is read directly: its
samples are the bytes after its header, so an ffmpeg run and pydub's copies of them
bought nothing (about 40 ms of CPU per file; a third of a 3-minute cut's decoding).
Integer PCM gives the samples pydub gave, but exactly: pydub widens a negative 24-bit
sample with 0xFF below it (one 24-bit step too high), and float PCM keeps its floats,
where pydub had ffmpeg round them to 16 bits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from docedit.core.errors import MediaError, first_line
from docedit.media.dsp import resample as resample_to
from docedit.media.ffmpeg import configure_pydub, media_arg
from docedit.media.info import MediaInfo
from docedit.media.wav import WavLayout, wav_layout


def decode_audio(info: MediaInfo, rate: int) -> np.ndarray:
    """All of a file's first audio stream as float32 samples, shape (n, 2), at `rate`."""
    if info.error or info.audio is None:
        raise MediaError(f"{info.path}: {info.error or 'has no audio stream'}")
    layout = wav_layout(Path(info.path))
    if layout is not None:
        audio, source_rate = read_wav(Path(info.path), layout), layout.rate
    else:
        audio, source_rate = _through_pydub(info)
    # Channels are filtered independently: a mono call is resampled once, then doubled
    # (the same samples as resampling both copies, in half the time).
    return to_stereo(resample(audio[:, :2], source_rate, rate))


def _through_pydub(info: MediaInfo) -> tuple[np.ndarray, int]:
    """Any file ffmpeg decodes, as float32 samples (n, channels), and its rate."""
    assert info.audio is not None  # checked by decode_audio
    configure_pydub()
    from pydub import AudioSegment
    from pydub.exceptions import CouldntDecodeError

    try:
        segment = AudioSegment.from_file(media_arg(info.path), codec=info.audio.codec)
    except (CouldntDecodeError, OSError, IndexError) as err:
        first = first_line(err, type(err).__name__)
        raise MediaError(f"{info.path}: its audio does not decode ({first})") from None
    # pydub holds 8-bit audio signed (it un-biases WAV's unsigned bytes when it reads them)
    kind = {1: np.int8, 2: np.int16, 4: np.int32}.get(segment.sample_width)
    if kind is None:
        samples = np.asarray(segment.get_array_of_samples(), dtype=np.float32)
    else:  # read the raw bytes directly: far faster than array.array -> numpy
        samples = np.frombuffer(segment.raw_data, dtype=kind).astype(np.float32)
    scale = np.float32(2 ** (8 * segment.sample_width - 1))
    return samples.reshape(-1, segment.channels) / scale, segment.frame_rate


# The integer codecs as numpy reads them, and the full scale pydub divided them by: 24-bit
# samples are widened to 32 (shifted up 8 bits, as ffmpeg widened them for pydub).
_INTEGER = {
    "pcm_u8": ("u1", 2**7),
    "pcm_s16le": ("<i2", 2**15),
    "pcm_s24le": ("<i4", 2**31),
    "pcm_s32le": ("<i4", 2**31),
}


def read_wav(path: Path, layout: WavLayout) -> np.ndarray:
    """The samples of a consistent PCM WAV, float32 (n, channels), as pydub gave them."""
    count = layout.frames * layout.channels
    try:
        with open(path, "rb") as handle:
            handle.seek(layout.data)
            raw = handle.read(layout.frames * layout.align)
    except OSError as err:
        first = first_line(err, type(err).__name__)
        raise MediaError(f"{path}: its audio does not read ({first})") from None
    if len(raw) != layout.frames * layout.align:
        raise MediaError(f"{path}: shorter than its header says (changed while being read?)")
    if layout.codec in ("pcm_f32le", "pcm_f64le"):
        kind = "<f4" if layout.codec == "pcm_f32le" else "<f8"
        samples = np.frombuffer(raw, dtype=kind).astype(np.float32)
    else:
        kind, scale = _INTEGER[layout.codec]
        if layout.codec == "pcm_s24le":  # three bytes each, as the top of an int32
            wide = np.zeros((count, 4), dtype=np.uint8)
            wide[:, 1:] = np.frombuffer(raw, dtype=np.uint8).reshape(count, 3)
            raw = wide.tobytes()
        samples = np.frombuffer(raw, dtype=kind).astype(np.float32)
        if layout.codec == "pcm_u8":
            samples -= 128.0
        samples /= np.float32(scale)
    return samples.reshape(layout.frames, layout.channels)


def to_stereo(audio: np.ndarray) -> np.ndarray:
    if audio.shape[1] == 2:
        return audio
    if audio.shape[1] == 1:
        return np.repeat(audio, 2, axis=1)
    return np.ascontiguousarray(audio[:, :2])  # front left and right of a multichannel file


def resample(audio: np.ndarray, source_rate: int, rate: int) -> np.ndarray:
    if source_rate == rate or audio.size == 0:
        return np.ascontiguousarray(audio, dtype=np.float32)
    return resample_to(audio, source_rate, rate).astype(np.float32)


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
