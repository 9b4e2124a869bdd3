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
from typing import Protocol

import numpy as np

from docedit.core.errors import MediaError, first_line
from docedit.media.dsp import resample as resample_to
from docedit.media.ffmpeg import configure_pydub, media_arg
from docedit.media.info import MediaInfo
from docedit.media.wav import WavLayout, wav_layout


def decode_audio(info: MediaInfo, rate: int) -> np.ndarray:
    """All of a file's first audio stream as float32 samples, shape (n, 2), at `rate`."""
    return to_stereo(decode_channels(info, rate))


def decode_channels(info: MediaInfo, rate: int) -> np.ndarray:
    """`decode_audio`, but a mono file stays one column, (n, 1): the mix copies it into
    both channels as it places it, and holding every call of a cut twice cost the
    3-minute reference cut's sound process 26 MB and the copying."""
    return _decoded(info, _layout(info), rate)


def _layout(info: MediaInfo) -> WavLayout | None:
    """The file's layout when it is a consistent PCM WAV (else None: ffmpeg decodes it);
    MediaError when it has no sound to decode."""
    if info.error or info.audio is None:
        raise MediaError(f"{info.path}: {info.error or 'has no audio stream'}")
    return wav_layout(Path(info.path))


def _decoded(info: MediaInfo, layout: WavLayout | None, rate: int) -> np.ndarray:
    """The file whole, at `rate`: read directly with its `layout`, else through pydub."""
    if layout is not None:
        audio, source_rate = read_wav(Path(info.path), layout), layout.rate
    else:
        audio, source_rate = _through_pydub(info)
    # Channels are filtered independently: a mono call is resampled once (the same
    # samples as resampling both copies of it, in half the time).
    return resample(audio[:, :2], source_rate, rate)


def _through_pydub(info: MediaInfo) -> tuple[np.ndarray, int]:
    """Any file ffmpeg decodes, as float32 samples (n, channels), and its rate."""
    assert info.audio is not None  # checked by _layout
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


READ_BYTES = 1 << 20  # a WAV is read and converted this much at a time

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
    return read_frames(path, layout, 0, layout.frames)


def read_frames(path: Path, layout: WavLayout, first: int, count: int) -> np.ndarray:
    """Frames [first, first + count) of a consistent PCM WAV, as `read_wav` gives them."""
    samples = np.empty(count * layout.channels, dtype=np.float32)
    # Read a piece at a time into one buffer, each piece converted into its place: the
    # file's bytes are never held whole beside their floats (a 3-minute bed: 34 MB).
    piece = bytearray(max(1, min(READ_BYTES, count * layout.align) // layout.align) * layout.align)
    filled = 0
    try:
        with open(path, "rb") as handle:
            handle.seek(layout.data + first * layout.align)
            left = count * layout.align
            while left:
                view = memoryview(piece)[: min(left, len(piece))]
                got = handle.readinto(view)
                if not got or got % layout.align:
                    break  # the last whole frames, or nothing: shorter than said
                filled += _convert(view[:got], layout.codec, samples[filled:])
                left -= got
    except OSError as err:
        first_error = first_line(err, type(err).__name__)
        raise MediaError(f"{path}: its audio does not read ({first_error})") from None
    if filled != samples.size:
        raise MediaError(f"{path}: shorter than its header says (changed while being read?)")
    if layout.codec in _INTEGER:
        scale = _INTEGER[layout.codec][1]
        if layout.codec == "pcm_u8":
            samples -= 128.0
        samples /= np.float32(scale)
    return samples.reshape(count, layout.channels)


def _convert(raw: memoryview, codec: str, out: np.ndarray) -> int:
    """Write the samples in `raw` at the start of `out` as float32 (integers unscaled);
    how many there were."""
    if codec in ("pcm_f32le", "pcm_f64le"):
        values = np.frombuffer(raw, dtype="<f4" if codec == "pcm_f32le" else "<f8")
    elif codec == "pcm_s24le":  # three bytes each, as the top of an int32
        count = len(raw) // 3
        wide = np.zeros((count, 4), dtype=np.uint8)
        wide[:, 1:] = np.frombuffer(raw, dtype=np.uint8).reshape(count, 3)
        values = wide.view("<i4").reshape(count)
    else:
        values = np.frombuffer(raw, dtype=_INTEGER[codec][0])
    out[: values.size] = values
    return values.size


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


class Samples(Protocol):
    """What the mix reads of a decoded source: its length, and stretches of it."""

    @property
    def shape(self) -> tuple[int, ...]: ...

    def __getitem__(self, index: slice, /) -> np.ndarray: ...


class WavSamples:
    """A PCM WAV already at the mix's rate, read a stretch at a time when the mix asks
    for it (`read_frames`; the first two channels): a bed as long as the cut is never
    whole in memory. Decoding it whole made 69 MB of new memory in the 3-minute reference
    cut, which this machine's kernel gave at 0.12 s of CPU; the mix asks for each stretch
    of a bed about once."""

    def __init__(self, path: Path, layout: WavLayout) -> None:
        self.path, self.layout = path, layout
        self.shape = (layout.frames, min(2, layout.channels))

    def __getitem__(self, index: slice, /) -> np.ndarray:
        start, stop, step = index.indices(self.shape[0])
        if step != 1:
            raise ValueError("a WAV is read in stretches, not every n-th frame")
        frames = read_frames(self.path, self.layout, start, max(0, stop - start))
        return frames if self.layout.channels <= 2 else np.ascontiguousarray(frames[:, :2])


class DecodedCache:
    """Each source decoded once per mix, however many events use it: (n, 2), or (n, 1)
    for a mono source (`decode_channels`), which numpy spreads over both channels
    wherever the mix copies it into a stereo buffer."""

    def __init__(self, media: dict[Path, MediaInfo], rate: int) -> None:
        self.media = media
        self.rate = rate
        self._decoded: dict[Path, Samples] = {}

    def get(self, path: Path) -> Samples:
        if path not in self._decoded:
            info = self.media[path]
            layout = _layout(info)
            if layout is not None and layout.rate == self.rate:
                self._decoded[path] = WavSamples(Path(info.path), layout)
            else:
                self._decoded[path] = _decoded(info, layout, self.rate)
        return self._decoded[path]
