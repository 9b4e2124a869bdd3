"""Transcripts and translations read from SRT or WebVTT files (pysubs2), bounded in size."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import pysubs2

from docedit.core.errors import SubtitleError
from docedit.media.info import SourceCue

MAX_SUBTITLE_BYTES = 5 * 1024 * 1024


def read_cues(path: Path) -> list[SourceCue]:
    """Parse an SRT or WebVTT file with pysubs2; SubtitleError says what is wrong."""
    try:
        size = os.path.getsize(path)
    except OSError as err:
        raise SubtitleError(f"cannot read it: {err.strerror}") from None
    if size > MAX_SUBTITLE_BYTES:
        raise SubtitleError(f"subtitle file is over {MAX_SUBTITLE_BYTES // 2**20} MiB")
    try:
        subs = pysubs2.load(str(path), encoding="utf-8")
    except (pysubs2.exceptions.Pysubs2Error, UnicodeDecodeError, ValueError) as err:
        raise SubtitleError(f"not a subtitle file pysubs2 can read ({err})") from None
    lines = timing_lines(path, len(subs))
    cues = [
        SourceCue(Fraction(e.start, 1000), Fraction(e.end, 1000), e.plaintext.strip(), line)
        for e, line in zip(subs, lines, strict=True)
        if not e.is_comment and e.end > e.start and e.plaintext.strip()
    ]
    return sorted(cues, key=lambda c: (c.start, c.end))


def timing_lines(path: Path, count: int) -> list[int]:
    """The 1-based line of each cue's `-->` timing line, in file order (as pysubs2 reads
    them), so findings can point into the file; all 0 if the two do not agree."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        found = [number for number, text in enumerate(handle, 1) if "-->" in text]
    return found if len(found) == count else [0] * count
