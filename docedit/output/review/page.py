"""The review page: one `index.html` with its style, script and data inside.

The page is built here from plain data (`Review`); the job (jobs/review.py) gathers that
data from the plan, already masked by the redactions. The transcript is written into the
HTML itself, so the page reads even without script; the script adds seeking, the
highlight of the line playing and the subtitle tracks.

Why the tracks travel inside the page: Chromium treats every `file://` document as its
own origin and refuses `<track src="x.vtt">` there. The WebVTT text is embedded as JSON
and the script gives each `<track>` a `data:` URL of it, which loads from disk and from
any web host alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from html import escape
from importlib import resources
from string import Template

from docedit.output.review.vtt import Span, webvtt


@dataclass(frozen=True, slots=True)
class Line:
    """One thing said: the same moment in both languages (either may be missing)."""

    start: Fraction  # seconds of the cut
    end: Fraction
    original: str | None
    translation: str | None
    redacted: bool = False


@dataclass(frozen=True, slots=True)
class Call:
    """An intercept as the cut plays it."""

    name: str
    date: str
    speakers: str
    start: Fraction
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class Language:
    """A subtitle track's language: `code` a BCP 47 tag, or "" when unknown."""

    label: str
    code: str = ""


@dataclass(frozen=True)
class Review:
    title: str
    cut: str
    length: Fraction  # seconds
    loudness: str  # "-16.0 LUFS, true peak -1.5 dBTP"
    version: str
    video: str  # file name in the folder
    video_size: tuple[int, int]
    frame: Fraction  # one frame of the video, in seconds
    original: Language
    translation: Language
    chapters: tuple[Span, ...]  # scenes: title over [start, end)
    calls: tuple[Call, ...]
    storyboard: str | None = None  # file name in the folder

    def subtitles(self, lang: str) -> str:
        """One language's WebVTT, from the lines (their text is already masked)."""
        spans = [
            Span(line.start, line.end, text)
            for call in self.calls
            for line in call.lines
            if (text := line.original if lang == "original" else line.translation)
        ]
        return webvtt(sorted(spans, key=lambda s: (s.start, s.end)))

    def chapters_vtt(self) -> str:
        return webvtt(self.chapters)


def clock(seconds: Fraction) -> str:
    """m:ss.s, as a producer reads times off a page."""
    minutes, rest = divmod(float(seconds), 60)
    return f"{int(minutes)}:{rest:04.1f}"


def _asset(name: str) -> str:
    return resources.files("docedit.output.review").joinpath("assets", name).read_text("utf-8")


def _seconds(value: Fraction) -> str:
    return f"{float(value):.6f}".rstrip("0").rstrip(".") or "0"


def _lang(language: Language) -> str:
    return f' lang="{escape(language.code)}"' if language.code else ""


def _line(line: Line, review: Review) -> str:
    texts = []
    for text, language, kind in (
        (line.original, review.original, "original"),
        (line.translation, review.translation, "translation"),
    ):
        if text:
            texts.append(f'<span class="{kind}"{_lang(language)}>{escape(text)}</span>')
    redacted = " redacted" if line.redacted else ""
    return (
        f'<li><button type="button" class="line{redacted}" data-start="{_seconds(line.start)}" '
        f'data-end="{_seconds(line.end)}"><span class="time">{clock(line.start)}</span>'
        f'<span class="words">{"".join(texts)}</span></button></li>'
    )


def _call(call: Call, review: Review) -> str:
    lines = "\n".join(_line(line, review) for line in call.lines)
    return (
        f'<section class="call" aria-label="{escape(call.name)}">'
        f'<h3><span class="name">{escape(call.name)}</span> '
        f'<span class="meta">{escape(call.date)} · {escape(call.speakers)}</span></h3>'
        f'<ol class="lines">{lines}</ol></section>'
    )


def _chapter(chapter: Span) -> str:
    return (
        f'<li><button type="button" class="chapter" data-start="{_seconds(chapter.start)}" '
        f'data-end="{_seconds(chapter.end)}"><span class="title">{escape(chapter.text)}</span>'
        f'<span class="time">{clock(chapter.start)} · {float(chapter.end - chapter.start):.1f} s'
        "</span></button></li>"
    )


def _tracks(review: Review) -> str:
    """`<track>` elements without `src`: the script sets a `data:` URL of the embedded text."""
    tracks = []
    for key, language in (("original", review.original), ("translation", review.translation)):
        code = f' srclang="{escape(language.code)}"' if language.code else ""
        tracks.append(
            f'<track kind="subtitles" label="{escape(language.label)}"{code} data-vtt="{key}">'
        )
    tracks.append('<track kind="chapters" label="Scenes" data-vtt="chapters">')
    return "\n      ".join(tracks)


def _data(review: Review) -> str:
    """The page's data as JSON that is safe inside a `<script>` element."""
    data = {
        "frame": float(review.frame),
        "vtt": {
            "original": review.subtitles("original"),
            "translation": review.subtitles("translation"),
            "chapters": review.chapters_vtt(),
        },
    }
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _storyboard(review: Review) -> str:
    if not review.storyboard:
        return ""
    name = escape(review.storyboard)
    return (
        '<section class="board" aria-labelledby="board-title"><h2 id="board-title">Storyboard</h2>'
        f'<a href="{name}"><img src="{name}" alt="Storyboard of the cut: one row per scene, '
        'its pictures, calls and redactions" loading="lazy"></a></section>'
    )


def page_html(review: Review) -> str:
    """The whole page, style, script and data inside."""
    width, height = review.video_size
    calls = "\n".join(_call(call, review) for call in review.calls)
    values = {
        "title": escape(review.title),
        "cut": escape(review.cut),
        "length": clock(review.length),
        "loudness": escape(review.loudness),
        "version": escape(review.version),
        "video": escape(review.video),
        "width": str(width),
        "height": str(height),
        "tracks": _tracks(review),
        "chapters": "\n".join(_chapter(c) for c in review.chapters),
        "calls": calls or '<p class="empty">No intercepts play in this cut.</p>',
        "storyboard": _storyboard(review),
        "style": _asset("review.css"),
        "script": _asset("review.js"),
        "data": _data(review),
    }
    return Template(_asset("index.html")).substitute(values)
