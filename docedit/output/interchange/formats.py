"""What each hand-off format can hold, and the timeline it is given.

OpenTimelineIO picks an adapter by the file's suffix; each format keeps a different
part of the cut. `prepare` makes the timeline a format is given from the full one
(never in place) and returns, with it, a note of everything it leaves out, so that
nothing is dropped silently. What a format keeps is then checked on read-back.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from docedit.core.errors import OutputError

NS = "docedit"  # the metadata namespace
SCENE, TITLE, REDACTED = "scene", "title", "redacted"


@dataclass(frozen=True)
class Format:
    suffix: str
    adapter: str  # OTIO's adapter name
    label: str
    transitions: bool  # dissolves survive the adapter
    clip_markers: bool  # timeline markers are lost: markers go onto clips
    audio: bool
    metadata: bool  # docedit's clip metadata (gain, fades, intercept facts) survives
    lead_in: bool  # the reader keeps the time before the first clip
    exact_rates_only: bool = False  # the adapter's reader truncates a fractional rate
    # The reader truncates each time with float arithmetic (36.48 s * 25 -> 911 frames,
    # not 912): read-back times may be a frame short; the text itself is checked exact.
    truncating_reader: bool = False


FORMATS = {
    f.suffix: f
    for f in (
        Format(".otio", "otio_json", "OpenTimelineIO", True, False, True, True, True),
        Format(".xml", "fcp_xml", "FCP 7 XML", True, False, True, False, True),
        Format(".fcpxml", "fcpx_xml", "FCPXML", False, True, True, False, True, True, True),
        Format(".edl", "cmx_3600", "CMX 3600 EDL", True, True, False, False, False),
    )
}


def format_for(suffix: str) -> Format:
    found = FORMATS.get(suffix.lower())
    if found is None:
        raise OutputError(
            f"unknown hand-off format {suffix or '(no suffix)'!r}: use {', '.join(FORMATS)}"
        )
    return found


def check_rate(fmt: Format, fps: Fraction) -> None:
    """FCPXML through otio-fcpx-xml-adapter 1.0.0 cannot carry 30000/1001: its writer has
    no frame duration for it and its reader truncates rates to integers (OTIO #903, #1661)."""
    if fmt.exact_rates_only and fps.denominator != 1:
        raise OutputError(
            f"{fmt.label} at {float(fps):.3f} fps: the FCPXML adapter truncates fractional "
            "rates (OpenTimelineIO #903, #1661); export .otio or .xml instead"
        )


def prepare(timeline: Any, fmt: Format, fps: Fraction) -> tuple[Any, list[str]]:
    """The timeline to give the adapter (a copy), and what it leaves out."""
    import opentimelineio as otio

    given = copy.deepcopy(timeline)
    dropped: list[str] = []
    if fmt.adapter == "cmx_3600" and fps.denominator != 1 and len(given.tracks.markers):
        # It writes drop-frame LOC lines that its own reader then skips: not a marker kept.
        dropped.append(
            f"{len(given.tracks.markers)} markers (the EDL reader skips drop-frame LOCs)"
        )
        given.tracks.markers.clear()
    tracks = list(given.tracks)
    video = [t for t in tracks if t.kind == otio.schema.TrackKind.Video]
    audio = [t for t in tracks if t.kind == otio.schema.TrackKind.Audio]
    if not fmt.audio and audio:
        count = sum(1 for t in audio for c in t if isinstance(c, otio.schema.Clip))
        dropped.append(f"{len(audio)} audio tracks ({count} clips): an EDL holds one video track")
        for track in audio:
            given.tracks.remove(track)
    if not fmt.transitions:
        dissolves = [
            (t, i) for t in video for i in list(t) if isinstance(i, otio.schema.Transition)
        ]
        if dissolves:
            dropped.append(f"{len(dissolves)} dissolves (now cuts at their middle)")
        for track, item in dissolves:
            track.remove(item)
    moves = sum(1 for c in given.find_clips() for e in c.effects if e.effect_name.startswith(NS))
    if moves and fmt.adapter != "otio_json":
        dropped.append(f"{moves} camera moves (kept only in .otio effects)")
    dips = sum(1 for c in given.find_clips() if "dip_to_black_frames" in c.metadata.get(NS, {}))
    if dips and fmt.adapter != "otio_json":
        dropped.append(f"{dips} dips to black at scene cuts (kept only in .otio metadata)")
    if not fmt.metadata:
        dropped.append(
            "clip metadata: gains, fades, ducking, intercept facts (id, date, speakers, "
            "tags, sha256) and captions (kept only in .otio)"
        )
    if fmt.clip_markers:
        dropped.extend(move_markers_to_clips(given, fmt))
    if not fmt.lead_in:
        dropped.append("the record time before the first clip (the reader starts at it)")
    return given, dropped


def move_markers_to_clips(timeline: Any, fmt: Format) -> list[str]:
    """Timeline markers onto clips, for formats that keep no timeline marker: a
    redaction onto its intercept's audio clip where there is audio, anything else onto
    the picture it falls in, or the next one (a gap keeps no marker)."""
    import opentimelineio as otio

    markers = list(timeline.tracks.markers)
    timeline.tracks.markers.clear()
    clips = [
        (track, clip)
        for track in timeline.tracks
        for clip in track
        if isinstance(clip, otio.schema.Clip)
    ]
    moved, lost = 0, []
    for marker in markers:
        at = marker.marked_range.start_time
        home = _home(marker, clips, fmt)
        if home is None:
            lost.append(marker.name)
            continue
        placed = home.range_in_parent().start_time
        local = home.source_range.start_time + (at - placed)
        if home.range_in_parent().start_time > at:
            local = home.source_range.start_time  # moved later, to the next picture
            moved += 1
        home.markers.append(
            otio.schema.Marker(
                name=marker.name,
                marked_range=otio.opentime.TimeRange(local, marker.marked_range.duration),
                color=marker.color,
                metadata=marker.metadata,
            )
        )
    notes = []
    if moved:
        notes.append(f"{moved} markers over title cards moved to the next picture (gaps keep none)")
    if lost:
        notes.append(f"{len(lost)} markers with no clip to hold them: {', '.join(lost)}")
    return notes


def _home(marker: Any, clips: list[tuple[Any, Any]], fmt: Format) -> Any:
    import opentimelineio as otio

    at = marker.marked_range.start_time
    kind = marker.metadata.get(NS, {}).get("kind")
    if kind == REDACTED and fmt.audio:
        intercept = marker.metadata[NS].get("intercept")
        for track, clip in clips:
            if track.kind == otio.schema.TrackKind.Audio and clip.name == intercept:
                span = clip.range_in_parent()
                if span.start_time <= at < span.end_time_exclusive():
                    return clip
    pictures = [c for t, c in clips if t.kind == otio.schema.TrackKind.Video]
    for clip in pictures:
        if at < clip.range_in_parent().end_time_exclusive():
            return clip
    return None
