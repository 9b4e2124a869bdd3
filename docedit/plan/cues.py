"""Subtitle cues of the cut: read per intercept, moved with the edit, written as sidecars.

Cue times in a transcript are in the recording's own time. The plan says where each
intercept plays (its `at`, `in` and `out`), so each cue is shifted, clipped to the
played span, masked by the redactions (plan/redact.py, the one door for text), and
snapped to the frame grid. Burned-in subtitles and sidecar files use the same cues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from docedit.media.info import SourceCue
from docedit.plan.items import Plan, Sound
from docedit.plan.redact import Lang, Redactor
from docedit.timeline.project import Project

_SPEAKER = re.compile(r"^\s*(?P<name>[^:\n]{1,32}):\s*(?P<text>.*)$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Cue:
    """A cue of the cut: absolute frames [start, end) and the text to show."""

    start: int
    end: int
    text: str
    intercept: str
    redacted: bool = False
    line: int = 0  # the source cue's line in its transcript file (0: unknown)


def cue_track(project: Project, plan: Plan, lang: Lang) -> list[Cue]:
    """Every cue of the cut in one language, in time order, masked by the redactions."""
    redactor = Redactor.of(project.timeline)
    cues: list[Cue] = []
    intercepts = project.timeline.intercepts
    for sound in plan.sounds:
        if not sound.speech or sound.intercept is None:
            continue
        intercept = intercepts[sound.intercept]
        for cue in project.cues(intercept, lang):  # read once, when the timeline was bound
            cues.extend(place_cue(cue, sound, plan, redactor, lang, intercept.speakers))
    return sorted(cues, key=lambda c: (c.start, c.end))


def place_cue(
    cue: SourceCue,
    sound: Sound,
    plan: Plan,
    redactor: Redactor,
    lang: Lang,
    speakers: list[str] | tuple[str, ...] = (),
) -> list[Cue]:
    """Shift a source cue to the cut and clip it to what plays; the redactor decides what
    it shows. A cue that a redaction overlaps stays one cue, for its whole time."""
    rate = plan.clock.rate
    first = Fraction(sound.source_in, rate)
    # Cue times relative to the sound's start, clipped to the part that plays.
    begin = max(cue.start - first, Fraction(0))
    end = min(cue.end - first, Fraction(sound.length, rate))
    if end <= begin or sound.intercept is None:
        return []
    text = speaker_text(cue.text, speakers, sound.label)
    # Overlap is judged on the cue's whole source time: its text shows whole, even clipped.
    shown = redactor.cue(sound.intercept, lang, cue.start, cue.end, text)
    origin = Fraction(sound.start, rate)
    start_frame = plan.clock.frames(origin + begin)
    end_frame = plan.clock.frames(origin + end)
    if end_frame <= start_frame:
        return []
    return [Cue(start_frame, end_frame, shown.text, sound.intercept, shown.redacted, cue.line)]


def speaker_text(text: str, speakers: list[str] | tuple[str, ...], label: bool) -> str:
    """`soldier: text` keeps a known speaker as a label; `label: true` shows it in capitals."""
    match = _SPEAKER.match(text)
    if not match or match["name"].strip().lower() not in {s.lower() for s in speakers}:
        return text
    name, rest = match["name"].strip(), match["text"].strip()
    return f"{name.upper()}: {rest}" if label else rest
