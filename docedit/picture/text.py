"""Text on the picture: title cards, caption lower-thirds and subtitles.

Set with the DejaVu fonts the package ships (full Latin and Cyrillic; licence beside
them), sized relative to the frame height so they read the same at 640 px and 4K.
Each piece of text is rendered once to an RGBA patch and blended per frame.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"


def font_path(name: str = REGULAR) -> Path:
    return Path(str(resources.files("docedit") / "fonts" / name))


@functools.lru_cache(maxsize=32)
def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(name)), max(6, size))


@dataclass(frozen=True, slots=True)
class Patch:
    """Premultiplied-ready RGBA text image and where its top-left goes on the frame."""

    rgba: np.ndarray
    x: int
    y: int
    # Its colour and opacity as floats, made once: a subtitle is blended on every frame
    # it is shown, and converting them each time was half of the blending's cost.
    colour: np.ndarray = field(init=False, repr=False, compare=False)
    alpha: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "colour", self.rgba[..., :3].astype(np.float32))
        object.__setattr__(self, "alpha", self.rgba[..., 3:4].astype(np.float32) / 255.0)


def wrap(text: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy word wrap to a pixel width, keeping the text's own line breaks."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and face.getlength(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def title_card(text: str, size: tuple[int, int]) -> np.ndarray:
    """A full frame: the title in bold, centred on black."""
    width, height = size
    face = font(BOLD, round(height / 13))
    image = Image.new("RGB", size, (0, 0, 0))
    draw = ImageDraw.Draw(image)
    lines = wrap(text, face, width * 0.8)
    step = round(face.size * 1.3)
    top = height / 2 - step * (len(lines) - 1) / 2
    for index, line in enumerate(lines):
        draw.text(
            (width / 2, top + index * step), line, font=face, fill=(235, 232, 225), anchor="mm"
        )
    return np.asarray(image.convert("RGBA"))


def _block(
    lines: list[tuple[str, ImageFont.FreeTypeFont, tuple[int, int, int]]],
    pad: int,
    align: str,
    box_alpha: int,
) -> np.ndarray:
    """Lines of text on a translucent dark box, with an outline for legibility."""
    widths = [face.getlength(text) for text, face, _ in lines]
    heights = [round(face.size * 1.25) for _, face, _ in lines]
    box_w = int(max(widths, default=0)) + 2 * pad
    box_h = sum(heights) + 2 * pad
    image = Image.new("RGBA", (box_w, box_h), (0, 0, 0, box_alpha))
    draw = ImageDraw.Draw(image)
    y = pad
    for (text, face, colour), w, h in zip(lines, widths, heights, strict=True):
        x = (box_w - w) / 2 if align == "center" else pad
        stroke = max(1, face.size // 14)
        draw.text(
            (x, y),
            text,
            font=face,
            fill=(*colour, 255),
            stroke_width=stroke,
            stroke_fill=(0, 0, 0, 255),
        )
        y += h
    return np.asarray(image)


def caption_patch(text: str, size: tuple[int, int]) -> Patch:
    """A lower-third, left-aligned inside the title-safe area."""
    width, height = size
    face = font(REGULAR, round(height / 24))
    lines = [(line, face, (240, 240, 240)) for line in wrap(text, face, width * 0.6)]
    rgba = _block(lines, pad=round(height / 60), align="left", box_alpha=150)
    # In the lower third, clear of the subtitles below it.
    return Patch(rgba, round(width * 0.05), max(0, round(height * 0.76) - rgba.shape[0]))


def subtitle_patch(original: str | None, translation: str | None, size: tuple[int, int]) -> Patch:
    """Subtitles centred at the bottom of the action-safe area; the original, when both
    are shown, sits smaller and dimmer above the translation."""
    width, height = size
    main = font(REGULAR, round(height / 20))
    small = font(REGULAR, round(height / 27))
    lines: list[tuple[str, ImageFont.FreeTypeFont, tuple[int, int, int]]] = []
    if original is not None:
        face = small if translation is not None else main
        colour = (215, 215, 205) if translation is not None else (255, 255, 255)
        lines += [(line, face, colour) for line in wrap(original, face, width * 0.86)]
    if translation is not None:
        lines += [(line, main, (255, 255, 255)) for line in wrap(translation, main, width * 0.86)]
    rgba = _block(lines, pad=round(height / 90), align="center", box_alpha=120)
    x = (width - rgba.shape[1]) // 2
    y = round(height * 0.95) - rgba.shape[0]
    return Patch(rgba, max(0, x), max(0, y))


def blend(frame: np.ndarray, patch: Patch) -> None:
    """Alpha-blend a patch onto an RGB(A) frame in place (only its own region is touched)."""
    h, w = patch.rgba.shape[:2]
    y0, x0 = patch.y, patch.x
    y1, x1 = min(frame.shape[0], y0 + h), min(frame.shape[1], x0 + w)
    if y1 <= y0 or x1 <= x0:
        return
    alpha = patch.alpha[: y1 - y0, : x1 - x0]
    region = frame[y0:y1, x0:x1, :3].astype(np.float32)
    region += (patch.colour[: y1 - y0, : x1 - x0] - region) * alpha
    frame[y0:y1, x0:x1, :3] = region.astype(np.uint8)
