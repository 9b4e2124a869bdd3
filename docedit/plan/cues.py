"""Subtitle cues of the cut: read per intercept, moved with the edit, written as sidecars.

Cue times in a transcript are in the recording's own time. The plan says where each
intercept plays (its `at`, `in` and `out`), so each cue is shifted, clipped to the
played span, split around redactions, and snapped to the frame grid. Burned-in
subtitles and sidecar files use the same frame-snapped cues.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

import pysubs2

from docedit.core.atomic import atomic_output
from docedit.core.errors import SubtitleError
from docedit.plan.build import Plan, Sound
from docedit.timeline.project import Project

MAX_SUBTITLE_BYTES = 5 * 1024 * 1024
REDACTED = "[redacted]"
Lang = Literal["original", "translation"]
_SPEAKER = re.compile(r"^\s*(?P<name>[^:\n]{1,32}):\s*(?P<text>.*)$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class SourceCue:
    """A cue in a recording's own time, in seconds."""

    start: Fraction
    end: Fraction
    text: str


@dataclass(frozen=True, slots=True)
class Cue:
    """A cue of the cut: absolute frames [start, end) and the text to show."""

    start: int
    end: int
    text: str
    intercept: str
    redacted: bool = False


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
    cues = [
        SourceCue(Fraction(e.start, 1000), Fraction(e.end, 1000), e.plaintext.strip())
        for e in subs
        if not e.is_comment and e.end > e.start and e.plaintext.strip()
    ]
    return sorted(cues, key=lambda c: (c.start, c.end))


def cue_track(project: Project, plan: Plan, lang: Lang) -> list[Cue]:
    """Every cue of the cut in one language, in time order."""
    cues: list[Cue] = []
    intercepts = project.timeline.intercepts
    cache: dict[Path, list[SourceCue]] = {}
    for sound in plan.sounds:
        if sound.role != "intercept" or sound.intercept is None:
            continue
        intercept = intercepts[sound.intercept]
        relative = intercept.transcript if lang == "original" else intercept.translation
        if relative is None:
            continue
        path = project.path(relative)
        if path not in cache:
            cache[path] = read_cues(path)
        event = project.timeline.scenes[sound.scene].audio[sound.event]
        speakers = intercept.speakers
        label = bool(getattr(event, "label", False))
        for cue in cache[path]:
            cues.extend(place_cue(cue, sound, plan, sound.intercept, speakers, label))
    return sorted(cues, key=lambda c: (c.start, c.end))


def place_cue(
    cue: SourceCue,
    sound: Sound,
    plan: Plan,
    intercept: str,
    speakers: list[str] | tuple[str, ...] = (),
    label: bool = False,
) -> list[Cue]:
    """Shift a source cue to the cut, clip it to what plays, and split it at redactions."""
    rate = plan.clock.rate
    first = Fraction(sound.source_in, rate)
    # Cue times relative to the sound's start, clipped to the part that plays.
    begin = max(cue.start - first, Fraction(0))
    end = min(cue.end - first, Fraction(sound.length, rate))
    if end <= begin:
        return []
    text = speaker_text(cue.text, speakers, label)
    pieces: list[tuple[Fraction, Fraction, bool]] = []
    cursor = begin
    for a, b in sound.redactions:
        span_a, span_b = Fraction(a, rate), Fraction(b, rate)
        if span_b <= cursor or span_a >= end:
            continue
        if span_a > cursor:
            pieces.append((cursor, span_a, False))
        pieces.append((max(cursor, span_a), min(end, span_b), True))
        cursor = min(end, span_b)
    if cursor < end:
        pieces.append((cursor, end, False))
    origin = Fraction(sound.start, rate)
    placed = []
    for a, b, redacted in pieces:
        start_frame = plan.clock.frames(origin + a)
        end_frame = plan.clock.frames(origin + b)
        if end_frame > start_frame:
            placed.append(
                Cue(start_frame, end_frame, REDACTED if redacted else text, intercept, redacted)
            )
    return placed


def speaker_text(text: str, speakers: list[str] | tuple[str, ...], label: bool) -> str:
    """`soldier: text` keeps a known speaker as a label; `label: true` shows it in capitals."""
    match = _SPEAKER.match(text)
    if not match or match["name"].strip().lower() not in {s.lower() for s in speakers}:
        return text
    name, rest = match["name"].strip(), match["text"].strip()
    return f"{name.upper()}: {rest}" if label else rest


def frame_ms(frame: int, plan: Plan) -> int:
    return round(plan.clock.frame_time(frame) * 1000)


def write_sidecar(cues: list[Cue], plan: Plan, out: Path) -> Path:
    """Write SRT or WebVTT (by the file's extension) atomically, times on the frame grid."""
    out = Path(out)
    fmt = {".srt": "srt", ".vtt": "vtt"}.get(out.suffix.lower())
    if fmt is None:
        raise SubtitleError(f"{out}: subtitle output must end in .srt or .vtt")
    subs = pysubs2.SSAFile()
    for cue in cues:
        subs.append(
            pysubs2.SSAEvent(
                start=frame_ms(cue.start, plan),
                end=frame_ms(cue.end, plan),
                text=cue.text.replace("\n", r"\N"),
            )
        )
    with atomic_output(out, out.suffix) as temp:
        temp.write_text(subs.to_string(fmt), "utf-8")
    return out
