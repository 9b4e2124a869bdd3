"""Subtitles follow the edit: sidecars read by other libraries, burned-in text checked on frames."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import cv2
import numpy as np
import pytest
import srt
import webvtt
from PIL import Image, ImageDraw

from docedit.jobs.render import render, subtitles
from docedit.jobs.validate import load_project
from docedit.picture.text import REGULAR, font
from tests import media

SIZE = (640, 360)
TRANSCRIPT = """1
00:00:00,500 --> 00:00:01,500
Первая

2
00:00:02,000 --> 00:00:03,000
soldier: Вторая

3
00:00:03,200 --> 00:00:04,800
Третья фраза

4
00:00:05,000 --> 00:00:06,000
Четвёртая
"""
TRANSLATION = TRANSCRIPT.replace("Первая", "First").replace("Вторая", "Second")
TRANSLATION = TRANSLATION.replace("Третья фраза", "Third line").replace("Четвёртая", "Fourth")


def project_dir(tmp_path: Path, subtitle_settings: dict, label: bool = False) -> Path:
    """A 2 s still, then a call moved to 10 s, trimmed to 1.0-5.5 s, redacted 3.5-4.0 s
    (inside the third cue, 3.2-4.8 s, which is therefore masked whole)."""
    (tmp_path / "call.ru.srt").write_text(TRANSCRIPT, "utf-8")
    (tmp_path / "call.en.srt").write_text(TRANSLATION, "utf-8")
    media.write_wav(tmp_path / "call.wav", media.tone(7, 300, 0.2))
    media.textured(tmp_path / "grey.jpg", SIZE)
    return media.timeline(
        tmp_path / "t.yaml",
        {
            "docedit": 1,
            "settings": {"size": list(SIZE), "fps": 25, **subtitle_settings},
            "intercepts": {
                "call": {
                    "file": "call.wav",
                    "speakers": ["soldier", "mother"],
                    "transcript": "call.ru.srt",
                    "translation": "call.en.srt",
                    "redact": [["3.5s", "4.0s"]],
                }
            },
            "scenes": {
                "intro": {"pictures": [{"image": "grey.jpg", "hold": "2s"}]},
                "call": {
                    "pictures": [{"image": "grey.jpg", "hold": "1s"}],
                    "audio": [
                        {
                            "intercept": "call",
                            "at": "10s",
                            "in": "1s",
                            "out": "5.5s",
                            "label": label,
                        }
                    ],
                },
            },
        },
    )


# By hand: the call starts at 2 s (scene) + 10 s (at) = 12 s, at source time 1.0 s; each
# time is then snapped to the 25 fps grid (halves round up: 12.5 s is frame 312.5 -> 313).
EXPECTED = [
    (12.00, 12.52, "First"),  # 0.5-1.5 clipped to in = 1.0 -> 12.0-12.5
    (13.00, 14.00, "Second"),  # speaker name dropped
    (14.20, 15.80, "[redacted]"),  # overlapped by the redaction (3.5-4.0): masked whole
    (16.00, 16.52, "Fourth"),  # 5.0-6.0 clipped to out = 5.5 -> 16.0-16.5
]


def seconds(value: dt.timedelta) -> float:
    return value.total_seconds()


def test_srt_sidecar_follows_trim_move_and_redaction(tmp_path):
    path = project_dir(tmp_path, {})
    subtitles(load_project(path), tmp_path / "cut.srt")
    cues = list(srt.parse((tmp_path / "cut.srt").read_text("utf-8")))
    got = [(seconds(c.start), seconds(c.end), c.content) for c in cues]
    assert got == [(pytest.approx(a), pytest.approx(b), text) for a, b, text in EXPECTED]


def test_vtt_sidecar_in_the_original_language(tmp_path):
    path = project_dir(tmp_path, {})
    result = media.run_cli("subtitles", path, "-o", tmp_path / "cut.vtt", "--lang", "original")
    assert result.returncode == 0, result.stderr
    cues = webvtt.read(str(tmp_path / "cut.vtt"))
    texts = [c.text for c in cues]
    assert texts == ["Первая", "Вторая", "[redacted]", "Четвёртая"]
    assert [(c.start, c.end) for c in cues][2] == ("00:00:14.200", "00:00:15.800")


def test_label_true_shows_the_speaker(tmp_path):
    path = project_dir(tmp_path, {}, label=True)
    subtitles(load_project(path), tmp_path / "cut.srt")
    cues = list(srt.parse((tmp_path / "cut.srt").read_text("utf-8")))
    assert cues[1].content == "SOLDIER: Second"


def test_sidecar_needs_srt_or_vtt(tmp_path):
    path = project_dir(tmp_path, {})
    result = media.run_cli("subtitles", path, "-o", tmp_path / "cut.txt")
    assert result.returncode == 1 and not (tmp_path / "cut.txt").exists()
    assert result.stderr.strip().splitlines() == [
        f"error: --output must end in .srt or .vtt or .ttml or .ass: {tmp_path / 'cut.txt'}; "
        "nothing written"
    ]  # the contract: a bad output suffix is invalid input, exit 1, one line


@pytest.fixture(scope="module")
def burned(tmp_path_factory) -> dict[str, Path]:
    outs = {}
    for name, settings in {
        "none": {"subtitles": "none"},
        "translation": {"subtitles": "burn", "subtitle_lang": "translation"},
        "both": {"subtitles": "burn", "subtitle_lang": "both"},
    }.items():
        tmp = tmp_path_factory.mktemp(name)
        path = project_dir(tmp, settings)
        render(load_project(path), tmp / "out.mp4")
        outs[name] = tmp / "out.mp4"
    return outs


def frame(path: Path, seconds: float) -> np.ndarray:
    return media.frame_at(path, round(seconds * 25), SIZE).astype(int)


def test_burned_text_is_confined_to_the_lower_part(burned):
    difference = np.abs(frame(burned["translation"], 13.5) - frame(burned["none"], 13.5)).sum(
        axis=2
    )
    rows = np.where(difference.max(axis=1) > 60)[0]
    assert rows.size > 10  # there is text
    assert rows.min() > SIZE[1] * 0.7  # and only in the bottom of the frame


def test_burned_cues_start_and_end_on_the_sidecar_frames(burned):
    def has_text(seconds: float) -> bool:
        diff = np.abs(frame(burned["translation"], seconds) - frame(burned["none"], seconds))
        return diff.max() > 60

    for start, end, _ in EXPECTED:
        assert has_text(start) and has_text(end - 0.04)
    assert not has_text(12.96) and not has_text(15.84)  # the gaps between cues are clean


def reference(text: str, size: int) -> np.ndarray:
    """The string drawn with the shipped font by Pillow directly: white on black."""
    face = font(REGULAR, size)
    width = int(face.getlength(text)) + 8
    image = Image.new("L", (width, int(size * 1.4)), 0)
    ImageDraw.Draw(image).text((4, 2), text, font=face, fill=255)
    return np.asarray(image)


def test_cyrillic_renders_as_glyphs_not_boxes(burned):
    grey = cv2.cvtColor(frame(burned["both"], 13.5).astype(np.uint8), cv2.COLOR_RGB2GRAY)
    small = round(SIZE[1] / 27)  # the original line's size when both languages show
    score = {
        text: cv2.matchTemplate(grey, reference(text, small), cv2.TM_CCOEFF_NORMED).max()
        for text in ("Вторая", "Четвёртая", "□□□□□□")
    }
    # 13 px, outlined, dimmed and x264-encoded over a busy picture: the match is partial,
    # but clearly the right word and clearly not boxes.
    assert score["Вторая"] > 0.5
    assert score["Вторая"] > score["Четвёртая"] + 0.15 and score["Вторая"] > score["□□□□□□"] + 0.15
    english = cv2.matchTemplate(
        grey, reference("Second", round(SIZE[1] / 20)), cv2.TM_CCOEFF_NORMED
    )
    assert english.max() > 0.7
    # The original sits above the translation.
    ru_y = np.unravel_index(
        cv2.matchTemplate(grey, reference("Вторая", small), cv2.TM_CCOEFF_NORMED).argmax(),
        grey.shape,
    )[0]
    en_y = np.unravel_index(english.argmax(), grey.shape)[0]
    assert ru_y < en_y
