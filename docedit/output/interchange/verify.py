"""Read-back: what a written hand-off file holds, in frames, to compare with the plan.

A `Summary` is the same for a timeline and for what an adapter reads back from it
when nothing was lost: the pictures with their handles (a dissolve's halves are part
of its clips, however the format splits them), the sounds, the markers at their
record frames and the total length, all in whole frames at one exact rate.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import opentimelineio as otio

from docedit.core.errors import OutputError
from docedit.output.interchange.formats import Format

Span = tuple[int, int, int]  # record start, source start, length: frames


@dataclass
class Summary:
    pictures: list[Span] = field(default_factory=list)
    sounds: Counter[Span] = field(default_factory=Counter)
    markers: set[tuple[str, int]] = field(default_factory=set)
    frames: int = 0


def frames(time: Any, fps: float) -> int:
    """A time as a whole frame count at `fps`; a different rate is an error."""
    if abs(time.rate - fps) > 1e-6 * fps:
        raise OutputError(f"read back at {time.rate:g} fps, not {fps:g}: the rate was not kept")
    return round(time.value)


def summarise(timeline: Any, fps: float, fmt: Format) -> Summary:
    summary = Summary()
    for track in timeline.tracks:
        items = list(track)
        for index, item in enumerate(items):
            if not isinstance(item, otio.schema.Clip):
                continue
            span = _span(item, items, index, fps)
            if track.kind == otio.schema.TrackKind.Video:
                summary.pictures.append(span)
            else:
                summary.sounds[span] += 1
            for marker in item.markers:
                local = marker.marked_range.start_time - item.source_range.start_time
                at = item.range_in_parent().start_time + local
                summary.markers.add((marker.name.casefold(), frames(at, fps)))
    for marker in timeline.tracks.markers:
        summary.markers.add((marker.name.casefold(), frames(marker.marked_range.start_time, fps)))
    summary.pictures.sort()
    summary.frames = frames(timeline.duration(), fps)
    if not fmt.lead_in and summary.pictures:
        return _from_first_picture(summary)
    return summary


def _span(clip: Any, items: list[Any], index: int, fps: float) -> Span:
    """A clip with the handles of the dissolves on either side of it."""
    before = items[index - 1] if index else None
    after = items[index + 1] if index + 1 < len(items) else None
    head = before.in_offset if isinstance(before, otio.schema.Transition) else None
    tail = after.out_offset if isinstance(after, otio.schema.Transition) else None
    start = frames(clip.range_in_parent().start_time, fps)
    source = frames(clip.source_range.start_time, fps)
    length = frames(clip.source_range.duration, fps)
    lead = frames(head, fps) if head is not None else 0
    trail = frames(tail, fps) if tail is not None else 0
    return start - lead, source - lead, length + lead + trail


def _from_first_picture(summary: Summary) -> Summary:
    """An EDL reader starts the cut at its first event: compare from there."""
    first = summary.pictures[0][0]
    end = max(start + length for start, _, length in summary.pictures)
    return Summary(
        [(start - first, source, length) for start, source, length in summary.pictures],
        Counter({(s - first, src, n): k for (s, src, n), k in summary.sounds.items()}),
        {(name, at - first) for name, at in summary.markers},
        end - first,
    )


def compare(expected: Summary, found: Summary, fmt: Format) -> None:
    """Raise OutputError naming the first thing the read-back file does not hold."""
    slack = 1 if fmt.truncating_reader else 0
    problems = []
    if len(found.pictures) != len(expected.pictures):
        problems.append(f"{len(found.pictures)} pictures, not {len(expected.pictures)}")
    else:
        for want, got in zip(expected.pictures, found.pictures, strict=True):
            if not _near(want, got, slack):
                problems.append(f"a picture at {got} (record, source, frames), not {want}")
                break
    got_sounds, want_sounds = sorted(found.sounds.elements()), sorted(expected.sounds.elements())
    if len(got_sounds) != len(want_sounds) or not all(
        _near(w, g, slack) for w, g in zip(want_sounds, got_sounds, strict=False)
    ):
        missing = expected.sounds - found.sounds
        problems.append(
            f"{len(got_sounds)} sounds, not {len(want_sounds)}"
            + (f"; missing {next(iter(missing))}" if missing else "")
        )
    absent = [
        (name, at)
        for name, at in sorted(expected.markers, key=lambda m: m[1])
        if not any(n == name and abs(a - at) <= slack for n, a in found.markers)
    ]
    if absent:
        problems.append(f"{len(absent)} markers missing, first {absent[0][0]!r} at {absent[0][1]}")
    if abs(found.frames - expected.frames) > slack:
        problems.append(f"{found.frames} frames long, not {expected.frames}")
    if problems:
        raise OutputError(f"{fmt.label} read back differs from the plan: {problems[0]}")


def _near(want: Span, got: Span, slack: int) -> bool:
    return all(abs(w - g) <= slack for w, g in zip(want, got, strict=True))


_RATIONAL = re.compile(r'(?:offset|start|duration)="(-?\d+)(?:/(\d+))?s"')


def check_rationals(text: str, fps: Fraction, fmt: Format) -> None:
    """Every time an FCPXML file states is a whole number of frames at `fps` (what its
    truncating reader cannot show). Asset durations are the media's, not the cut's."""
    for match in _RATIONAL.finditer(text):
        seconds = Fraction(int(match[1]), int(match[2] or 1))
        if (seconds * fps).denominator != 1:
            raise OutputError(f"{fmt.label} holds a time off the frame grid: {match[0]}")
