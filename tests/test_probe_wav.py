"""The PCM WAV fast probe (media/wav.py) agrees with ffmpeg's probe, and leaves every WAV
whose sizes do not add up to ffmpeg."""

from __future__ import annotations

import shutil
import struct

import numpy as np
import pytest

from docedit.core.errors import MediaError
from docedit.media import decode
from docedit.media.decode import _through_pydub, decode_audio, read_wav
from docedit.media.probe import probe_av
from docedit.media.wav import probe_wav, wav_layout
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


def ffmpeg_floats(path, channels):
    """The file's samples as ffmpeg itself decodes them to float, at their own rate."""
    result = media.ffmpeg("-i", str(path), "-f", "f32le", "-c:a", "pcm_f32le", "-")
    return np.frombuffer(result.stdout, dtype="<f4").reshape(-1, channels)


@pytest.mark.parametrize(
    ("codec", "channels"),
    [
        ("pcm_u8", 1),
        ("pcm_s16le", 2),
        ("pcm_s24le", 2),
        ("pcm_s32le", 1),
        ("pcm_f32le", 2),
        ("pcm_f64le", 3),
    ],
)
def test_a_pcm_wav_is_read_directly_to_the_samples_ffmpeg_decodes(
    tmp_path, monkeypatch, codec, channels
):
    # A loud sweep, so that every bit of every byte of a sample is exercised.
    wav = tmp_path / "call.wav"
    sweeps = "|".join(f"0.97*sin(2*PI*({200 + 100 * c}+900*t)*t)" for c in range(channels))
    media.ffmpeg(
        "-f", "lavfi", "-i", f"aevalsrc={sweeps}:d=0.75:s=8000", "-c:a", codec, str(wav)
    )  # fmt: skip
    layout = wav_layout(wav)
    assert layout is not None and layout.frames == 6000
    direct = read_wav(wav, layout)
    assert direct.dtype == np.float32 and direct.shape == (6000, channels)
    assert np.array_equal(direct, ffmpeg_floats(wav, channels))
    assert direct.min() < -0.9 and direct.max() > 0.9
    stereo = decode_audio(probe_wav(wav), 8000)  # what a mix takes: the first two channels
    assert np.array_equal(stereo, np.repeat(direct, 2, axis=1) if channels == 1 else direct[:, :2])
    # read a piece at a time (pieces of whole frames, the last one short): the same samples
    monkeypatch.setattr(decode, "READ_BYTES", 1000)
    assert np.array_equal(read_wav(wav, layout), direct)
    # cut short after it was probed: said, not read as silence
    with open(wav, "r+b") as handle:
        handle.truncate(layout.data + layout.align * 5000 + 1)
    with pytest.raises(MediaError, match="shorter than its header says"):
        read_wav(wav, layout)


@pytest.mark.parametrize(
    ("codec", "channels"), [("pcm_s16le", 1), ("pcm_s24le", 2), ("pcm_f32le", 3)]
)
def test_a_wav_at_the_mix_rate_is_read_a_stretch_at_a_time(tmp_path, codec, channels):
    """DecodedCache hands out a WAV already at the mix's rate as WavSamples: every stretch
    the very samples of the whole file read at once (its first two channels)."""
    wav = tmp_path / "bed.wav"
    tones = "|".join(f"0.5*sin(2*PI*{300 + 200 * c}*t)" for c in range(channels))
    media.ffmpeg("-f", "lavfi", "-i", f"aevalsrc={tones}:d=1.5:s={RATE}", "-c:a", codec, str(wav))
    info = probe_av(wav)
    source = decode.DecodedCache({wav: info}, RATE).get(wav)
    assert isinstance(source, decode.WavSamples)
    whole = read_wav(wav, wav_layout(wav))[:, :2]
    assert source.shape == whole.shape
    for a, b in [(0, 10), (1000, 51_234), (70_000, 72_000), (71_990, 90_000), (80_000, 80_000)]:
        assert np.array_equal(source[a:b], whole[a:b])
    assert np.array_equal(source[: source.shape[0]], whole)
    resampled = decode.DecodedCache({wav: info}, 44100).get(wav)  # another rate: decoded whole
    assert isinstance(resampled, np.ndarray)


def test_8_bit_audio_through_pydub_is_read_signed(tmp_path):
    """pydub holds 8-bit audio signed: a WAV left to ffmpeg (trailing bytes) decodes to the
    same samples through pydub as ffmpeg's own, not shifted by half the range."""
    wav = tmp_path / "call.wav"
    media.ffmpeg(
        "-f", "lavfi", "-i", "aevalsrc=0.9*sin(2*PI*440*t):d=0.5:s=8000", "-c:a", "pcm_u8", str(wav)
    )  # fmt: skip
    expected = ffmpeg_floats(wav, 1)
    with open(wav, "ab") as handle:
        handle.write(b"junk")  # no longer consistent: probed and decoded by ffmpeg
    info = probe_av(wav)
    assert probe_wav(wav) is None and info.audio is not None
    samples, rate = _through_pydub(info)
    assert rate == 8000
    assert np.array_equal(samples, expected)
