"""A storyboard a producer can read: one row per scene, drawn with Pillow.

Each row: the scene's title and times on the left; thumbnails of its pictures (a
frame from the middle of each shot, with its time) joined by a thin line to their
place on the scene's time axis; under the axis the calls as bars, with speakers, date
and the first words of the translation (already masked), redactions in red, beds as
thin grey bars. The data comes in ready (jobs/handoff.py renders the frames); this
module only draws, and writes PNG or PDF atomically.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from docedit.core.atomic import atomic_output
from docedit.core.errors import OutputError

WIDTH = 1600
LEFT = 250  # the scene column
MARGIN = 24
HEADER = 84
THUMB = (192, 108)
BAR = 40  # one lane of calls
INK, MUTED, RULE = (30, 30, 34), (110, 110, 118), (205, 205, 212)
CALL, BED, REDACT = (58, 110, 180), (180, 180, 188), (200, 40, 40)
SUFFIXES = (".png", ".pdf")


@dataclass(frozen=True)
class Thumb:
    image: np.ndarray  # RGB
    at: float  # seconds from the scene start (the frame shown)
    label: str  # its time in the cut


@dataclass(frozen=True)
class Bar:
    start: float  # seconds from the scene start
    end: float
    title: str  # "call-01 · soldier, mother · 2022-02-26"
    words: str  # first words of the translation
    bed: bool = False
    redactions: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class Row:
    scene: str
    title: str
    times: str  # "0:00.00 - 0:33.00 (33.0 s)"
    length: float  # seconds
    thumbs: list[Thumb] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)


@dataclass(frozen=True)
class Board:
    title: str
    subtitle: str
    rows: list[Row]


@dataclass(frozen=True)
class Drawn:
    path: Path
    width: int
    height: int
    rows: int
    tops: list[int]  # where each scene's row starts, in pixels


def check_suffix(out: Path) -> None:
    if out.suffix.lower() not in SUFFIXES:
        raise OutputError(f"{out}: a storyboard is .png or .pdf")


@functools.cache  # a board asks for the same few sizes some 25 times a row
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(resources.files("docedit") / "fonts" / name), size)


def _lanes(bars: list[Bar]) -> list[list[Bar]]:
    """Calls packed into lanes so that none overlaps another; beds last, on their own."""
    lanes: list[list[Bar]] = []
    for bar in sorted((b for b in bars if not b.bed), key=lambda b: b.start):
        lane = next((lane for lane in lanes if lane[-1].end <= bar.start), None)
        if lane is None:
            lanes.append([bar])
        else:
            lane.append(bar)
    beds = [b for b in bars if b.bed]
    return lanes + ([beds] if beds else [])


def row_height(row: Row) -> int:
    return 34 + THUMB[1] + 22 + 14 + BAR * max(1, len(_lanes(row.bars))) + 18


def draw(board: Board, out: Path) -> Drawn:
    check_suffix(out)
    heights = [row_height(row) for row in board.rows]
    height = HEADER + sum(heights) + MARGIN
    image = Image.new("RGB", (WIDTH, height), "white")
    pen = ImageDraw.Draw(image)
    pen.text((MARGIN, 18), board.title, font=_font(28, True), fill=INK)
    pen.text((MARGIN, 54), board.subtitle, font=_font(15), fill=MUTED)
    tops, top = [], HEADER
    for row, row_h in zip(board.rows, heights, strict=True):
        tops.append(top)
        pen.line((MARGIN, top, WIDTH - MARGIN, top), fill=RULE, width=2)
        _row(image, pen, row, top)
        top += row_h
    with atomic_output(out, out.suffix) as temp:
        image.save(temp, format="PDF" if out.suffix.lower() == ".pdf" else "PNG", resolution=150)
    return Drawn(out, WIDTH, height, len(board.rows), tops)


def _row(image: Image.Image, pen: ImageDraw.ImageDraw, row: Row, top: int) -> None:
    pen.text((MARGIN, top + 12), row.title, font=_font(20, True), fill=INK)
    pen.text((MARGIN, top + 40), f"scene {row.scene}", font=_font(14), fill=MUTED)
    pen.text((MARGIN, top + 60), row.times, font=_font(14), fill=MUTED)
    left, right = LEFT, WIDTH - MARGIN
    scale = (right - left) / max(row.length, 1e-9)
    axis = top + 34 + THUMB[1] + 22 + 4
    _thumbs(image, pen, row, top + 12, axis, left, right, scale)
    pen.line((left, axis, right, axis), fill=MUTED, width=1)
    for second in range(0, int(row.length) + 1, 5):
        x = left + second * scale
        pen.line((x, axis - 3, x, axis + 3), fill=MUTED)
        pen.text((x + 2, axis + 1), f"{second}s", font=_font(10), fill=MUTED)
    for number, lane in enumerate(_lanes(row.bars)):
        for bar in lane:
            _bar(pen, bar, axis + 14 + number * BAR, left, scale)


def _thumbs(
    image: Image.Image,
    pen: ImageDraw.ImageDraw,
    row: Row,
    top: int,
    axis: int,
    left: int,
    right: int,
    scale: float,
) -> None:
    """Thumbnails side by side (shrunk to fit), each tied to its time on the axis."""
    count = len(row.thumbs)
    if not count:
        return
    gap = 8
    width = min(THUMB[0], (right - left - gap * (count - 1)) // count)
    height = round(width * THUMB[1] / THUMB[0])
    for index, thumb in enumerate(row.thumbs):
        x = left + index * (width + gap)
        picture = Image.fromarray(thumb.image).resize((width, height), Image.Resampling.LANCZOS)
        image.paste(picture, (x, top))
        pen.rectangle((x, top, x + width - 1, top + height - 1), outline=RULE)
        pen.text((x + 2, top + height + 3), thumb.label, font=_font(11), fill=INK)
        at = left + thumb.at * scale
        pen.line((x + width / 2, top + height + 18, at, axis), fill=RULE, width=1)
        pen.ellipse((at - 3, axis - 3, at + 3, axis + 3), fill=INK)


def _bar(pen: ImageDraw.ImageDraw, bar: Bar, y: int, left: int, scale: float) -> None:
    x0, x1 = left + bar.start * scale, left + max(bar.end * scale, bar.start * scale + 2)
    if bar.bed:
        pen.rectangle((x0, y + 4, x1, y + 9), fill=BED)
        pen.text((x0 + 4, y + 12), bar.title, font=_font(11), fill=MUTED)
        return
    pen.rectangle((x0, y, x1, y + 14), fill=CALL)
    for start, end in bar.redactions:
        r0, r1 = left + start * scale, left + max(end * scale, start * scale + 3)
        pen.rectangle((r0, y - 2, r1, y + 16), fill=REDACT)
        pen.text((r0, y - 14), "redacted", font=_font(10, True), fill=REDACT)
    title = _font(11, True)
    pen.text((x0 + 4, y + 1), _fit(bar.title, title, x1 - x0 - 8), font=title, fill="white")
    words = _font(11)
    pen.text((x0 + 4, y + 17), _fit(f"“{bar.words}”", words, 560), font=words, fill=INK)


def _fit(text: str, face: ImageFont.FreeTypeFont, width: float) -> str:
    """The text, cut with an ellipsis to fit `width` pixels."""
    if face.getlength(text) <= width:
        return text
    while text and face.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…" if text else ""
