"""A fast, exact probe for plain PCM WAV files: the header read in Python, no ffmpeg.

A catalog of thousands of phone calls is mostly PCM WAV; starting ffmpeg for each one was
nearly all of a cold validation. PCM cannot fail to decode once its sizes are right, so a
WAV whose every chunk fits the file exactly (RIFF size, a `fmt ` chunk of integer or float
PCM, one `data` chunk of whole frames, nothing past the end) is known from its header.
Anything else (a header that claims more than the file holds, RF64, compressed WAV, a
short or padded file) returns None and is probed by ffmpeg as before, so its lie is
found the same way. The same layout lets the mix read such a file's samples directly
(media/decode.py), without an ffmpeg run and pydub's copies.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from docedit.media.info import AudioStream, MediaInfo

PCM, FLOAT, EXTENSIBLE = 1, 3, 0xFFFE
_CODECS = {
    (PCM, 8): "pcm_u8",
    (PCM, 16): "pcm_s16le",
    (PCM, 24): "pcm_s24le",
    (PCM, 32): "pcm_s32le",
    (FLOAT, 32): "pcm_f32le",
    (FLOAT, 64): "pcm_f64le",
}
_GUID_TAIL = bytes.fromhex("000000001000800000aa00389b71")  # KSDATAFORMAT_SUBTYPE_*
MAX_CHUNKS = 64  # a real WAV has a handful; more is not worth walking in Python


@dataclass(frozen=True, slots=True)
class WavLayout:
    """Where a consistent PCM WAV keeps its samples: `frames` frames of `align` bytes
    from byte `data` on."""

    codec: str
    channels: int
    rate: int
    align: int
    data: int
    frames: int


def probe_wav(path: Path) -> MediaInfo | None:
    """The facts of a consistent PCM WAV, or None to leave the file to ffmpeg."""
    layout = wav_layout(path)
    if layout is None:
        return None
    audio = AudioStream(layout.codec, layout.rate, layout.channels)
    return MediaInfo(str(path), duration=layout.frames / layout.rate, audio=audio)


def wav_layout(path: Path) -> WavLayout | None:
    """The sample layout of a consistent PCM WAV (see the module's docstring), else None."""
    if path.suffix.lower() not in (".wav", ".wave"):
        return None
    try:
        with open(path, "rb") as handle:
            return _parse(handle, os.fstat(handle.fileno()).st_size)
    except (OSError, struct.error):
        return None


def _parse(handle: BinaryIO, size: int) -> WavLayout | None:
    read = handle.read
    head = read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:] != b"WAVE":
        return None
    if struct.unpack("<I", head[4:8])[0] + 8 != size:
        return None  # the header's size is not the file's: let ffmpeg judge it
    fmt: tuple[str, int, int, int] | None = None
    frames = data = None
    offset = 12
    for _ in range(MAX_CHUNKS):
        if offset == size:
            break
        chunk = read(8)
        if len(chunk) < 8:
            return None
        kind, length = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        body_end = offset + 8 + length
        if body_end > size:
            return None  # a chunk that claims more than the file holds
        if kind == b"fmt ":
            fmt = _format(read(length)) if fmt is None else None
            if fmt is None:
                return None
        elif kind == b"data":
            if fmt is None or frames is not None or length == 0 or length % fmt[3]:
                return None  # data before fmt, twice, empty or not whole frames
            frames, data = length // fmt[3], offset + 8
        offset = body_end + (length & 1)  # chunks are padded to even sizes
        handle.seek(offset)
    else:
        return None
    if fmt is None or frames is None or data is None or offset != size:
        return None
    codec, channels, rate, align = fmt
    return WavLayout(codec, channels, rate, align, data, frames)


def _format(body: bytes) -> tuple[str, int, int, int] | None:
    """(codec, channels, rate, bytes per frame) of a PCM `fmt ` chunk, else None."""
    if len(body) < 16:
        return None
    tag, channels, rate, byte_rate, align, bits = struct.unpack("<HHIIHH", body[:16])
    if tag == EXTENSIBLE:  # the real tag is the sub-format GUID's first two bytes
        if len(body) < 40 or body[26:40] != _GUID_TAIL:
            return None
        tag = struct.unpack("<H", body[24:26])[0]
    codec = _CODECS.get((tag, bits))
    if codec is None or not 1 <= channels <= 8 or not 1 <= rate <= 384_000:
        return None
    if align != channels * bits // 8 or byte_rate != rate * align:
        return None
    return codec, channels, rate, align
