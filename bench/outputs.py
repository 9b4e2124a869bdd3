"""What each contender's output decodes to, checked in the run that made it: the same
cut from everyone (frames, size, duration, sound), and the loudness each one delivers.

Decoded with plain ffmpeg and measured with pyloudnorm, as the tests do (tests/media.py),
so docedit's own code does not check itself.
"""

from __future__ import annotations

from pathlib import Path

import pyloudnorm

from tests import media


def decoded(path: Path) -> dict[str, object]:
    """Stream facts, the exact decoded frame count, integrated loudness and true peak."""
    facts = media.streams(path)
    audio = media.decode_audio(path)
    facts["lufs"] = round(pyloudnorm.Meter(media.RATE).integrated_loudness(audio), 2)
    facts["true_peak_dbtp"] = round(media.true_peak_db(audio), 2)
    return facts


def table(outputs: dict[str, dict[str, object]]) -> list[str]:
    lines = [
        "| output | picture | frames | duration | sound | loudness | true peak |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, f in outputs.items():
        lines.append(
            f"| {name} | {f['video_codec']} {f['width']}x{f['height']} {f['fps']:g} fps "
            f"| {f['frames']} | {f['duration']:.2f} s "
            f"| {f['audio_codec']} {f['audio_rate']} Hz {f['audio_layout']} "
            f"| {f['lufs']:.1f} LUFS | {f['true_peak_dbtp']:.1f} dBTP |"
        )
    return lines
