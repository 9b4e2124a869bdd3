"""The PCM WAV fast probe (media/wav.py) agrees with ffmpeg's probe, and leaves every WAV
whose sizes do not add up to ffmpeg."""

from __future__ import annotations

import shutil
import struct

import numpy as np
import pytest

from docedit.media.decode import decode_audio
from docedit.media.probe import probe_av
from docedit.media.wav import probe_wav
from tests import media
from tests.conftest import DATA

RATE = 48000


@pytest.mark.parametrize(
    ("codec", "channels"),
    [("pcm_u8", 1), ("pcm_s16le", 2), ("pcm_s24le", 2), ("pcm_s32le", 1), ("pcm_f32le", 2)],
)
def test_a_pcm_wav_is_read_from_its_header_as_ffmpeg_reads_it(tmp_path, codec, channels):
    wav = tmp_path / "call.wav"
    media.ffmpeg(
        "-f", "lavfi", "-i", "sine=d=1.2345:r=8000", "-ac", str(channels), "-c:a", codec, str(wav)
    )  # fmt: skip
    fast = probe_wav(wav)
    assert fast is not None and fast.error is None
    shutil.copy(wav, tmp_path / "call.audio")  # not named .wav: probed by ffmpeg
    slow = probe_av(tmp_path / "call.audio")
    assert fast.audio == slow.audio
    assert fast.duration == pytest.approx(slow.duration, abs=0.006)  # ffmpeg prints 1/100 s
    assert fast.duration == 9876 / 8000  # exact: frames over rate
    decoded = decode_audio(fast, RATE)  # the codec it names is one pydub decodes
    assert decoded.shape[0] == round(9876 / 8000 * RATE)


def wav_bytes(data: bytes, *, riff_extra: int = 0, data_extra: int = 0) -> bytes:
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
    riff = 4 + 8 + 16 + 8 + len(data) + riff_extra
    head = b"RIFF" + struct.pack("<I", riff) + b"WAVE" + b"fmt " + fmt
    return head + b"data" + struct.pack("<I", len(data) + data_extra) + data


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("claims-2-31-samples", wav_bytes(b"\0" * 9600, riff_extra=2**32 - 9700, data_extra=2**31)),
        ("data-longer-than-file", wav_bytes(b"\0" * 9600, data_extra=2)),
        ("riff-size-wrong", wav_bytes(b"\0" * 9600, riff_extra=8)),
        ("half-a-frame", wav_bytes(b"\0" * 9601, riff_extra=1)),
        ("trailing-bytes", wav_bytes(b"\0" * 9600) + b"junk"),
        ("truncated", wav_bytes(b"\0" * 9600)[:-1]),
        ("no-data", wav_bytes(b"")),
        ("not-riff", b"RIFX" + wav_bytes(b"\0" * 16)[4:]),
    ],
)
def test_a_wav_whose_sizes_do_not_add_up_is_left_to_ffmpeg(tmp_path, name, content):
    path = tmp_path / f"{name}.wav"
    path.write_bytes(content)
    assert probe_wav(path) is None
    assert probe_wav(tmp_path / "missing.wav") is None


def test_a_consistent_wav_decodes_to_its_header_length(tmp_path):
    path = media.write_wav(tmp_path / "tone.wav", media.tone(0.75))
    info = probe_av(path)
    assert info.duration == 0.75 and info.audio is not None
    assert decode_audio(info, RATE).shape == (36000, 2)
    example = probe_av(DATA / "example.wav")
    assert (example.duration, example.audio and example.audio.sample_rate) == (2.0, 44100)
    assert np.isfinite(decode_audio(example, RATE)).all()
