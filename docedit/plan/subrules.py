"""Subtitle style rules (Netflix's, the BBC's, or a file's) checked on cues: pure.

Each rule is a number in `Rules`; `check` returns every breach, at the cue's line in
its transcript file. Used on a transcript as read (in the recording's time: `validate`)
and on the cues of a cut (`subtitles --check`), where cues that miss a picture cut by
a frame or two are found too.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from fractions import Fraction
from typing import Any

from docedit.core.errors import DoceditError


class RulesError(DoceditError):
    """Subtitle rules that are not a known name or a usable rules file."""


@dataclass(frozen=True, slots=True)
class Rules:
    name: str
    chars_per_line: int = 42
    lines: int = 2
    cps: float = 20.0  # reading speed, characters (spaces included) per second
    min_duration: Fraction = Fraction(5, 6)
    max_duration: Fraction = Fraction(7)
    min_gap_frames: int = 2  # between one cue's end and the next one's start
    cut_zone_frames: int = 2  # an edge this close to a picture cut should be on it


# Netflix's timed text style guide (adult, English): 42 characters, 2 lines, 20 cps,
# 5/6 s to 7 s, 2 frames between cues. The BBC's subtitle guidelines read slower
# (160-180 words a minute: about 17 characters a second) on 37-character lines.
RULES: dict[str, Rules] = {
    "netflix": Rules("netflix"),
    "bbc": Rules("bbc", chars_per_line=37, cps=17.0, min_duration=Fraction(1)),
}
DEFAULT_RULES = "netflix"
_NUMBERS = {f.name for f in fields(Rules)} - {"name"}


def rules_from(data: dict[str, Any], name: str) -> Rules:
    """Rules from a mapping (a rules file): `base: netflix|bbc` and any numbers to change."""
    base = str(data.get("base", DEFAULT_RULES))
    if base not in RULES:
        raise RulesError(f"{name}: base {base!r} is not one of {', '.join(RULES)}")
    unknown = sorted(set(data) - _NUMBERS - {"base"})
    if unknown:
        raise RulesError(f"{name}: unknown rule {unknown[0]!r} (rules: {', '.join(_NUMBERS)})")
    changes: dict[str, Any] = {}
    for key in _NUMBERS & set(data):
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise RulesError(f"{name}: {key} must be a number of at least 0, not {value!r}")
        kind = type(getattr(RULES[base], key))
        changes[key] = Fraction(value).limit_denominator(1000) if kind is Fraction else kind(value)
    return replace(RULES[base], name=name, **changes)


@dataclass(frozen=True, slots=True)
class RuleCue:
    """A cue to check: seconds (exact), its text and its line in the transcript file."""

    start: Fraction
    end: Fraction
    text: str
    line: int = 0
    file: str = ""  # the transcript it came from, for the finding


@dataclass(frozen=True, slots=True)
class Breach:
    cue: RuleCue
    message: str


def check(
    cues: Sequence[RuleCue], rules: Rules, fps: Fraction, cuts: Sequence[Fraction] = ()
) -> list[Breach]:
    """Every breach of `rules` by `cues` (in time order), and by their edges near `cuts`."""
    ordered = sorted(cues, key=lambda c: (c.start, c.end))
    breaches = [b for cue in ordered for b in _one(cue, rules)]
    for before, after in itertools.pairwise(ordered):
        breaches += _gap(before, after, rules, fps)
    if cuts:
        cut_times = sorted(cuts)  # once, not once per cue
        breaches += [b for cue in ordered for b in _cuts(cue, rules, fps, cut_times)]
    return sorted(breaches, key=lambda b: (b.cue.start, b.cue.line))


def _one(cue: RuleCue, rules: Rules) -> list[Breach]:
    found = []
    rows = cue.text.split("\n")
    for number, row in enumerate(rows, 1):
        if len(row) > rules.chars_per_line:
            found.append(
                f"line {number} of the cue has {len(row)} characters; "
                f"{rules.name} allows {rules.chars_per_line}"
            )
    if len(rows) > rules.lines:
        found.append(f"the cue has {len(rows)} lines; {rules.name} allows {rules.lines}")
    seconds = cue.end - cue.start
    chars = sum(len(row) for row in rows)
    if seconds > 0 and chars / seconds > rules.cps:
        needed = Fraction(chars) / Fraction(rules.cps).limit_denominator(1000)
        found.append(
            f"reads at {float(chars / seconds):.1f} characters a second; {rules.name} allows "
            f"{rules.cps:g} (show it {float(needed):.2f}s or shorten it)"
        )
    if seconds < rules.min_duration:
        found.append(
            f"shows {float(seconds):.3f}s; {rules.name} needs at least "
            f"{float(rules.min_duration):.3f}s"
        )
    if seconds > rules.max_duration:
        found.append(
            f"shows {float(seconds):.3f}s; {rules.name} allows {float(rules.max_duration):g}s"
        )
    return [Breach(cue, message) for message in found]


def _gap(before: RuleCue, after: RuleCue, rules: Rules, fps: Fraction) -> list[Breach]:
    gap = after.start - before.end
    if gap < 0:
        return [Breach(after, f"overlaps the cue before it by {float(-gap):.3f}s")]
    frames = gap * fps
    if frames < rules.min_gap_frames:
        shown = f"{float(frames):g} frame{'' if frames == 1 else 's'}"
        return [
            Breach(
                after,
                f"starts {shown} after the cue before it ends; {rules.name} needs "
                f"{rules.min_gap_frames} frames between cues",
            )
        ]
    return []


def _cuts(cue: RuleCue, rules: Rules, fps: Fraction, cuts: list[Fraction]) -> list[Breach]:
    """An edge one or two frames off a picture cut flickers across it: snap it to the cut."""
    found = []
    # Only the cuts within a frame of the zone can be in it (|round(d * fps)| <= zone
    # needs |d| <= (zone + 0.5) / fps): found by bisection in the sorted cuts, not all.
    reach = Fraction(rules.cut_zone_frames + 1) / fps
    for edge, time in (("starts", cue.start), ("ends", cue.end)):
        near = cuts[bisect_left(cuts, time - reach) : bisect_right(cuts, time + reach)]
        for cut in near:
            frames = round((time - cut) * fps)
            if frames != 0 and abs(frames) <= rules.cut_zone_frames:
                side = "before" if frames < 0 else "after"
                count = f"{abs(frames)} frame{'' if abs(frames) == 1 else 's'}"
                found.append(
                    Breach(
                        cue,
                        f"{edge} {count} {side} a picture cut at {float(cut):.3f}s; "
                        "move it onto the cut",
                    )
                )
    return found
