"""The plan as an OpenTimelineIO timeline: a pure function, no file is read or written.

Every time is a whole number of frames at the project's exact rate (29.97 is
30000/1001, never 30). The video track holds the pictures cut to cut, with each
crossfade as a centred `Transition` whose halves are the clips' handles; title cards
are gaps with a `title:` marker. Audio tracks hold the intercepts and other played
files, footage sound and beds (a looped bed as one clip per pass), each with its
gain, fades and, for an intercept, the catalog's facts in its metadata. Scene starts,
titles and redactions are markers on the timeline; a redaction marker carries its
note, never its words.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from docedit.output.interchange.formats import NS, REDACTED, SCENE, TITLE
from docedit.plan.items import Plan, Shot, Sound, Window
from docedit.plan.redact import Redactor
from docedit.timeline.project import Project

COLOURS = {SCENE: otio.schema.MarkerColor.CYAN, TITLE: otio.schema.MarkerColor.YELLOW}
LANES = {"intercept": "Intercepts", "file": "Intercepts", "footage": "Footage", "bed": "Beds"}


def otio_rate(fps: Fraction) -> float:
    """OTIO keeps a rate as a double: 30000/1001 exactly as a double, never 29.97 or 30."""
    return float(fps)


@dataclass(frozen=True)
class Frames:
    """Whole-frame times at the project's rate, as OTIO values."""

    fps: Fraction

    @property
    def rate(self) -> float:
        return otio_rate(self.fps)

    def t(self, frames: int | float | Fraction) -> otio.opentime.RationalTime:
        return otio.opentime.RationalTime(float(frames), self.rate)

    def span(self, start: int | float | Fraction, length: int | float | Fraction) -> Any:
        return otio.opentime.TimeRange(self.t(start), self.t(length))


def to_timeline(plan: Plan, project: Project, hashes: Mapping[Path, str]) -> otio.schema.Timeline:
    """The cut as an OTIO timeline: one video track, audio tracks by role, markers."""
    timeline = project.timeline
    grid = Frames(plan.clock.fps)
    redactor = Redactor.of(timeline)
    name = redactor.text(timeline.title or project.timeline_path.stem)
    result = otio.schema.Timeline(name=name, global_start_time=grid.t(0))
    result.metadata[NS] = {"fps": str(plan.clock.fps), "size": list(plan.size)}
    result.tracks.append(video_track(plan, project, grid))
    for track in audio_tracks(plan, project, hashes, redactor, grid):
        result.tracks.append(track)
    for marker in markers(plan, project, redactor, grid):
        result.tracks.markers.append(marker)
    return result


# --- pictures ----------------------------------------------------------------------


def cut_in(shot: Shot) -> int:
    """Where a shot's own picture starts: the middle of the crossfade into it."""
    return shot.start + shot.fade_in // 2


def video_track(plan: Plan, project: Project, grid: Frames) -> otio.schema.Track:
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    shots = sorted(plan.shots, key=lambda s: (s.start, s.end))
    position = 0
    for index, shot in enumerate(shots):
        head = cut_in(shot)
        tail = min(cut_in(shots[index + 1]), shot.end) if index + 1 < len(shots) else shot.end
        if head > position:
            track.append(otio.schema.Gap(source_range=grid.span(0, head - position)))
        if _dissolve_into(shots, index):
            half = shot.fade_in // 2
            track.append(
                otio.schema.Transition(
                    name="dissolve",
                    transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                    in_offset=grid.t(half),
                    out_offset=grid.t(shot.fade_in - half),
                )
            )
        track.append(_picture(shot, head, tail, project, grid))
        position = tail
    if plan.frames > position:
        track.append(otio.schema.Gap(source_range=grid.span(0, plan.frames - position)))
    return track


def _dissolve_into(shots: list[Shot], index: int) -> bool:
    """A crossfade between two pictures (one from or to a title card is a gap: a cut)."""
    shot = shots[index]
    if not shot.fade_in or index == 0:
        return False
    return shot.kind != "title" and shots[index - 1].kind != "title"


def _picture(shot: Shot, head: int, tail: int, project: Project, grid: Frames) -> Any:
    if shot.kind == "title":
        return otio.schema.Gap(source_range=grid.span(0, tail - head), metadata=_shot_meta(shot))
    source = shot.media
    offset = Fraction(head - shot.start)  # frames of handle before the cut
    if shot.kind == "video":
        first = Fraction(shot.source_in) * grid.fps + offset
        info = project.media.get(source)
        available = Fraction(info.duration or 0).limit_denominator(1_000_000) if info else 0
        whole = max(Fraction(available) * grid.fps, first + tail - head)
        media_range = grid.span(0, math.floor(whole))
    else:  # a still: its media is the picture held over the shot's whole span
        first, media_range = offset, grid.span(0, shot.frames)
    clip = otio.schema.Clip(
        name=source.name,
        media_reference=otio.schema.ExternalReference(
            target_url=source.as_uri(), available_range=media_range
        ),
        source_range=grid.span(first, tail - head),
        metadata=_shot_meta(shot),
    )
    if shot.motion[0] != shot.motion[1]:
        clip.effects.append(
            otio.schema.Effect(
                name="camera move",
                effect_name="docedit.camera_move",
                metadata={NS: {"from": _window(shot.motion[0]), "to": _window(shot.motion[1])}},
            )
        )
    return clip


def _window(window: Window) -> list[float]:
    return [window.x, window.y, window.width]


def _shot_meta(shot: Shot) -> dict[str, Any]:
    meta: dict[str, Any] = {"kind": shot.kind, "scene": shot.scene, "origin": str(shot.origin)}
    if shot.kind != "title":
        meta["fit"] = shot.fit
    for key, value in (("text", shot.text), ("caption", shot.caption)):
        if value:
            meta[key] = value  # already masked by the plan's redactor
    if shot.black_in or shot.black_out:
        meta["dip_to_black_frames"] = {"in": shot.black_in, "out": shot.black_out}
    return {NS: meta}


# --- sound -------------------------------------------------------------------------


def audio_tracks(
    plan: Plan,
    project: Project,
    hashes: Mapping[Path, str],
    redactor: Redactor,
    grid: Frames,
) -> list[otio.schema.Track]:
    """Sounds packed into as few tracks per role as keep them from overlapping."""
    lanes: dict[str, list[list[tuple[int, Any]]]] = {}
    for sound in sorted(plan.sounds, key=lambda s: (s.start, s.end)):
        for start, clip in sound_clips(sound, plan, project, hashes, redactor, grid):
            group = lanes.setdefault(LANES[sound.role], [])
            lane = next((lane for lane in group if _lane_end(lane) <= start), None)
            if lane is None:
                lane = []
                group.append(lane)
            lane.append((start, clip))
    tracks = []
    for group_name in dict.fromkeys(LANES.values()):
        for number, lane in enumerate(lanes.get(group_name, []), 1):
            track = otio.schema.Track(name=f"{group_name} {number}", kind="Audio")
            position = 0
            for start, clip in lane:
                if start > position:
                    track.append(otio.schema.Gap(source_range=grid.span(0, start - position)))
                track.append(clip)
                position = start + int(clip.source_range.duration.value)
            tracks.append(track)
    return tracks


def _lane_end(lane: list[tuple[int, Any]]) -> int:
    start, clip = lane[-1]
    return start + int(clip.source_range.duration.value)


def sound_span(sound: Sound, plan: Plan) -> tuple[int, int, int]:
    """(record start, record end, source start) of a sound, snapped to frames."""
    clock = plan.clock
    start = clock.frames(clock.sample_time(sound.start))
    end = clock.frames(clock.sample_time(sound.end))
    return start, end, clock.frames(clock.sample_time(sound.source_in))


def sound_clips(
    sound: Sound,
    plan: Plan,
    project: Project,
    hashes: Mapping[Path, str],
    redactor: Redactor,
    grid: Frames,
) -> Iterator[tuple[int, Any]]:
    """One clip per sound at its frame; a looped bed one clip per pass of its file."""
    start, end, first = sound_span(sound, plan)
    info = project.media.get(sound.source)
    seconds = Fraction(info.duration or 0).limit_denominator(1_000_000) if info else Fraction(0)
    media_frames = math.floor(seconds * plan.clock.fps)
    media = grid.span(0, max(media_frames, first + end - start if not sound.loop else 0))
    pieces = [(start, end - start)]
    if sound.loop and 0 < media_frames < end - start:
        pieces = [(at, min(media_frames, end - at)) for at in range(start, end, media_frames)]
    elif sound.role == "bed":
        pieces = [(start, min(end - start, media_frames or end - start))]
    meta = _sound_meta(sound, project, hashes, redactor)
    for number, (at, length) in enumerate(pieces):
        if length <= 0:
            continue
        clip = otio.schema.Clip(
            name=sound.intercept or sound.source.name,
            media_reference=otio.schema.ExternalReference(
                target_url=sound.source.as_uri(), available_range=media
            ),
            source_range=grid.span(first if number == 0 else 0, length),
            metadata={NS: {**meta, "pass": number + 1} if len(pieces) > 1 else meta},
        )
        yield at, clip


def _sound_meta(
    sound: Sound, project: Project, hashes: Mapping[Path, str], redactor: Redactor
) -> dict[str, Any]:
    rate = project.timeline.settings.sample_rate
    meta: dict[str, Any] = {
        "role": sound.role,
        "scene": sound.scene,
        "origin": str(sound.origin),
        "gain_db": sound.gain_db if math.isfinite(sound.gain_db) else None,
        "fade_in_s": float(Fraction(sound.fade_in, rate)),
        "fade_out_s": float(Fraction(sound.fade_out, rate)),
        "start_sample": sound.start,
        "length_samples": sound.length,
        "sample_rate": rate,
    }
    if sound.role == "bed":
        meta.update(loop=sound.loop, duck_db=sound.duck_db)
    if sound.phone:
        meta["phone"] = True
    if sound.source in hashes:
        meta["sha256"] = hashes[sound.source]
    if sound.intercept is not None:
        item = project.timeline.intercepts[sound.intercept]
        meta["intercept"] = {
            "id": sound.intercept,
            "recorded": item.recorded.isoformat() if item.recorded else None,
            "speakers": [redactor.text(s) for s in item.speakers],
            "tags": [redactor.text(t) for t in item.tags],
            "sha256": hashes.get(sound.source),
            "note": redactor.optional(item.note),
            "redactions": len(sound.redactions),
        }
    return meta


# --- markers -----------------------------------------------------------------------


def markers(plan: Plan, project: Project, redactor: Redactor, grid: Frames) -> list[Any]:
    """Scene starts, title cards and redactions, at their frames in the cut."""
    found = []
    for scene in plan.scenes:
        found.append(_marker(f"scene: {scene.id}", SCENE, grid.span(scene.start, 0)))
        for shot in scene.shots:
            if shot.kind == "title":
                head = cut_in(shot)
                span = grid.span(head, shot.end - head)
                found.append(_marker(f"title: {shot.text or ''}", TITLE, span))
    clock = plan.clock
    for sound in plan.sounds:
        for redaction in sound.redactions:
            start = clock.frames(clock.sample_time(sound.start + redaction.start))
            end = clock.frames(clock.sample_time(sound.start + redaction.end))
            note = _note(project, redaction.origin.loc, redactor)
            name = f"redacted: {sound.intercept}" + (f" ({note})" if note else "")
            marker = _marker(name, REDACTED, grid.span(start, max(1, end - start)))
            marker.metadata[NS].update(intercept=sound.intercept, note=note)
            found.append(marker)
    return sorted(found, key=lambda m: m.marked_range.start_time.value)


def _marker(name: str, kind: str, span: Any) -> Any:
    colour = COLOURS.get(kind, otio.schema.MarkerColor.RED)
    return otio.schema.Marker(
        name=name, marked_range=span, color=colour, metadata={NS: {"kind": kind}}
    )


def _note(project: Project, loc: tuple[str | int, ...], redactor: Redactor) -> str | None:
    """A redaction's note (masked like every text; the words themselves are never used)."""
    if len(loc) == 4 and loc[0] == "intercepts" and isinstance(loc[3], int):
        items = project.timeline.intercepts[str(loc[1])].redact
        if loc[3] < len(items):
            return redactor.optional(items[loc[3]].note)
    return None
