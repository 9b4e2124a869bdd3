"""The review page: `index.html` (style, script and data inside) and its WebVTT text.

Pure builders: the job in jobs/review.py gathers masked data and writes the folder."""

from docedit.output.review.page import Call, Language, Line, Review, page_html
from docedit.output.review.vtt import Span, webvtt

__all__ = ["Call", "Language", "Line", "Review", "Span", "page_html", "webvtt"]
