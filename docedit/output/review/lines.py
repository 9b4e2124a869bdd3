"""The transcript's lines: each original cue beside the translated cue said at the same
time. Pure: the cues come from plan/cues.py, already masked by the redactions."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from docedit.core.units import Clock
from docedit.output.review.page import Line
from docedit.plan.cues import Cue


def overlap(a: Cue, b: Cue) -> int:
    return min(a.end, b.end) - max(a.start, b.start)


def pair_lines(original: Sequence[Cue], translation: Sequence[Cue], clock: Clock) -> list[Line]:
    """One line per original cue with the translated cue that overlaps it most; a
    translated cue that overlaps none is a line of its own. In time order."""
    unused = list(translation)
    lines = []
    for cue in original:
        best = max(unused, key=lambda t: overlap(cue, t), default=None)
        if best is not None and overlap(cue, best) > 0:
            unused.remove(best)
            lines.append(_line(clock, cue, best))
        else:
            lines.append(_line(clock, cue, None))
    lines.extend(_line(clock, None, cue) for cue in unused)
    return sorted(lines, key=lambda line: (line.start, line.end))


def _line(clock: Clock, original: Cue | None, translation: Cue | None) -> Line:
    cues = [c for c in (original, translation) if c is not None]
    start = min(c.start for c in cues)
    end = max(c.end for c in cues)
    return Line(
        Fraction(clock.frame_time(start)),
        Fraction(clock.frame_time(end)),
        original.text if original else None,
        translation.text if translation else None,
        any(c.redacted for c in cues),
    )
