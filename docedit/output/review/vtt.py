"""WebVTT text for the review page: subtitle tracks from the cut's cues, and a chapter
track of its scenes. Pure: strings in, a string out (the page embeds them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from docedit.core.timecode import format_clock


@dataclass(frozen=True, slots=True)
class Span:
    """Something shown over [start, end) seconds of the cut: a cue or a chapter."""

    start: Fraction
    end: Fraction
    text: str


def escape(text: str) -> str:
    """Cue text as WebVTT reads it: `&`, `<` and `>` escaped (so no arrow `-->` either),
    and no blank line inside (a blank line would end the cue)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line)


def webvtt(spans: Iterable[Span]) -> str:
    """A WebVTT file: each span a cue, in the order given (chapters and subtitles alike)."""
    blocks = ["WEBVTT"]
    for span in spans:
        text = escape(span.text) or "&nbsp;"  # a cue needs a line of text
        blocks.append(f"{format_clock(span.start)} --> {format_clock(span.end)}\n{text}")
    return "\n\n".join(blocks) + "\n"
