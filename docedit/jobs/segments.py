"""Incremental picture: the cut in segments, each encoded once and kept between renders.

The picture is cut at scene boundaries (moved out of any transition that straddles
one) and long scenes in pieces of about `SEGMENT_SECONDS` (`PREVIEW_SEGMENT_SECONDS` in a
preview), at frames no dissolve or dip
crosses. Each segment is keyed by everything its frames are made from: its shots and
burned subtitles (not their origins: a line added above a picture in the YAML changes
no frame; times counted from the segment's start, so that a scene moved along the cut
keeps its key), the size and modification time of each
source, the output size, rate and encoder settings, and docedit's version. Only the
segments whose key is not in the cache are drawn and encoded; all are then joined by
stream copy (output/concat.py). The sound is not segmented: it stays one mix.

Each cache entry is `<key>.mp4` beside `<key>.json` (its size and sha256, written after
the file): an entry whose file is missing, truncated or changed is rebuilt, with a
`warning:` line. Least recently used entries go when the folder passes `KEEP_BYTES`.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

import numpy as np

from docedit.core.atomic import atomic_output
from docedit.core.cachefiles import SEGMENTS_KEEP_BYTES, evict_oldest, file_sha256, recipe_key
from docedit.core.units import Frames
from docedit.core.version import __version__
from docedit.jobs.lanes import encode_in_lanes
from docedit.jobs.progress import warn
from docedit.media.probe import cache_root
from docedit.output.encode import PendingVideo, Profile, start_video
from docedit.plan import Plan, Shot
from docedit.plan.cues import Cue
from docedit.plan.items import as_played

SEGMENT_SECONDS = 10  # a long scene is encoded in pieces of about this length
# A preview's pieces are longer: each piece costs an encoder start and an IDR frame (about
# 50 ms of CPU at 640 px, CRF 20), as much as 30 frames; 18 pieces for the 3-minute
# reference cut cost 0.45 s more CPU than 9, and its 6 pieces of 30 s take 0.12 s less
# time than 10 of 18 s (6 alternated quiet runs each; 45 s pieces gained nothing more).
# An edit then re-encodes up to 30 s of preview (under a second), inside the editor's loop.
PREVIEW_SEGMENT_SECONDS = 30
KEEP_BYTES = SEGMENTS_KEEP_BYTES  # least recently used segments go beyond this
FORMAT = 1  # bump when what a key covers changes

# Encodes the given segments somewhere else; returns each one's file by segment index.
RemoteEncoder = Callable[[list["Segment"]], dict[int, Path]]


@dataclass(frozen=True)
class Segment:
    """Output frames [first, end) of the cut, over plan frames [plan_first, plan_end)."""

    index: int
    first: int
    end: int
    plan_first: int
    plan_end: int
    scenes: tuple[str, ...]
    key: str = ""

    @property
    def frames(self) -> int:
        return self.end - self.first


def segment_seconds(profile: Profile) -> float:
    """The longest piece of a scene a render in `profile` encodes as one segment."""
    return PREVIEW_SEGMENT_SECONDS if profile.preview else SEGMENT_SECONDS


def lane_count(profile: Profile) -> int:
    """Encoders fed at once (jobs/lanes.py): two one-thread x264s in a preview; one in a
    final, whose x264 has its own threads."""
    return 2 if profile.preview else 1


def transitions(plan: Plan) -> list[tuple[int, int]]:
    """Plan frame spans [a, b) of every dissolve and dip: no segment starts inside one."""
    spans: list[tuple[int, int]] = []
    for shot in plan.shots:
        if shot.fade_in:
            spans.append((shot.start, shot.start + shot.fade_in))
        if shot.black_in:
            spans.append((shot.start, shot.start + shot.black_in))
        if shot.black_out:
            spans.append((shot.end - shot.black_out, shot.end))
    return spans


def _inside(frame: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a < frame < b for a, b in spans)


def _clear_after(frame: int, spans: Sequence[tuple[int, int]], limit: int) -> int:
    """The first frame at or after `frame` that no transition straddles."""
    while frame < limit and _inside(frame, spans):
        frame = max(b for a, b in spans if a < frame < b)
    return frame


def cut_points(plan: Plan, seconds: float = SEGMENT_SECONDS, lanes: int = 1) -> list[int]:
    """Plan frames where segments start (0 first), none inside a transition. A scene
    longer than `seconds` is cut in equal pieces, as many as a multiple of `lanes`: a
    lone piece left for one lane at the end kept a core idle while it was encoded (the
    3-minute reference cut's one scene in 9 pieces: the last alone took 0.4 s)."""
    spans, total = transitions(plan), plan.frames
    longest = max(1, round(seconds * plan.clock.fps))
    bounds = sorted({0, *(_clear_after(s.start, spans, total) for s in plan.scenes)} - {total})
    points: list[int] = []
    for begin, end in zip(bounds, [*bounds[1:], total], strict=True):
        points.append(begin)
        pieces = math.ceil((end - begin) / longest)
        if pieces > 1:
            pieces = -(-pieces // lanes) * lanes
        for k in range(1, pieces):
            point = _clear_after(begin + (end - begin) * k // pieces, spans, end)
            if points[-1] < point < end:
                points.append(point)
    return points


def plan_segments(
    plan: Plan, count: int, fps: Fraction, seconds: float = SEGMENT_SECONDS, lanes: int = 1
) -> list[Segment]:
    """The segments of `count` output frames at `fps` (output frame i shows plan frame
    floor(i * plan fps / fps)), cut at `cut_points`."""
    ratio = Fraction(fps) / plan.clock.fps
    points = cut_points(plan, seconds, lanes)
    firsts = sorted({min(count, math.ceil(p * ratio)) for p in points})
    segments: list[Segment] = []
    for first, end in zip(firsts, [*firsts[1:], count], strict=True):
        if end <= first:
            continue
        plan_first = math.floor(first / ratio)
        plan_end = math.floor((end - 1) / ratio) + 1
        scenes = tuple(s.id for s in plan.scenes if s.start < plan_end and s.end > plan_first)
        segments.append(Segment(len(segments), first, end, plan_first, plan_end, scenes))
    return segments


def _moved(shot: Shot, base: int) -> Shot:
    return replace(
        shot,
        start=Frames(shot.start - base),
        end=Frames(shot.end - base),
        hold_start=Frames(shot.hold_start - base),
        hold_end=Frames(shot.hold_end - base),
    )


def _source_stats(shots: Sequence[Shot]) -> list[tuple[str, int, int]]:
    stats = []
    for path in sorted({shot.source for shot in shots if shot.source is not None}):
        stat = os.stat(path)
        stats.append((str(path), stat.st_size, stat.st_mtime_ns))
    return stats


def segment_key(
    segment: Segment,
    plan: Plan,
    size: tuple[int, int],
    fps: Fraction,
    cues: tuple[Sequence[Cue], Sequence[Cue]],
    profile: Profile,
) -> str:
    """A digest of everything the segment's frames and their encoding depend on."""
    base, stop = segment.plan_first, segment.plan_end
    shots = [s for s in plan.shots if s.start < stop and s.end > base]
    texts = [
        [(c.start - base, c.end - base, c.text) for c in track if c.start < stop and c.end > base]
        for track in cues
    ]
    phase = Fraction(segment.first) * plan.clock.fps / fps - base  # which plan frames it shows
    recipe = (
        FORMAT,
        __version__,
        plan.clock.fps,
        plan.size,
        size,
        fps,
        phase,
        segment.frames,
        [repr(_moved(as_played(shot), base)) for shot in shots],
        _source_stats(shots),
        texts,
        repr(profile),
        profile.video_codec(),
    )
    return recipe_key(recipe)


@dataclass
class SegmentCache:
    """Encoded segments under `<cache>/segments`, checked before every use."""

    folder: Path = field(default_factory=lambda: cache_root() / "segments")
    keep_bytes: int = KEEP_BYTES

    def get(self, key: str, suffix: str) -> Path | None:
        """The segment's file if it is whole; a damaged entry is removed, with a warning."""
        data, note = self.folder / f"{key}{suffix}", self.folder / f"{key}.json"
        if not data.exists() and not note.exists():
            return None
        try:
            facts = json.loads(note.read_text("utf-8"))
            whole = data.stat().st_size == facts["size"] and file_sha256(data) == facts["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            whole = False
        if not whole:
            warn(f"cached segment {data.name} is truncated or half-written; encoding it again")
            self._remove(key, suffix)
            return None
        with contextlib.suppress(OSError):
            os.utime(data)  # recently used: evicted last
        return data

    def put(self, key: str, encoded: Path) -> Path:
        """Move an encoded segment into the cache: the file first, then its size and hash."""
        data = self.folder / f"{key}{encoded.suffix}"
        facts = {"size": encoded.stat().st_size, "sha256": file_sha256(encoded)}
        with atomic_output(data, encoded.suffix) as temp:
            shutil.move(encoded, temp)
        with atomic_output(self.folder / f"{key}.json", ".json") as temp:
            temp.write_text(json.dumps(facts), "utf-8")
        return data

    def evict(self, keep: set[str] = frozenset()) -> int:  # type: ignore[assignment]
        """Remove least recently used entries beyond the size cap (never those in `keep`,
        the segments of the render just made); how many went."""
        entries = []
        with contextlib.suppress(OSError):
            entries = [
                path
                for path in self.folder.iterdir()
                if path.suffix != ".json" and not path.name.startswith(".")
            ]
        return evict_oldest(
            entries, self.keep_bytes, lambda path: self._remove(path.stem, path.suffix), keep
        )

    def _remove(self, key: str, suffix: str) -> None:
        for path in (self.folder / f"{key}{suffix}", self.folder / f"{key}.json"):
            with contextlib.suppress(OSError):
                path.unlink()


@dataclass(frozen=True)
class SegmentStats:
    """What an incremental render did with each segment of the picture."""

    encoded: tuple[Segment, ...]
    reused: tuple[Segment, ...]
    parts: tuple[Path, ...] = ()  # the segments' files, in the cut's order

    @property
    def rebuilt_scenes(self) -> list[str]:
        return sorted({scene for segment in self.encoded for scene in segment.scenes})


def encode_segments(
    plan: Plan,
    lanes: Sequence[Callable[[int], np.ndarray]],
    count: int,
    size: tuple[int, int],
    fps: Fraction,
    cues: tuple[Sequence[Cue], Sequence[Cue]],
    profile: Profile,
    cache: SegmentCache,
    out: Path,
    progress: Callable[[int], None] | None = None,
    remote: RemoteEncoder | None = None,
) -> SegmentStats:
    """Encode the segments of the picture the cache lacks (temporary files go beside
    `out`), in as many lanes as `lanes` gives frame sources (jobs/lanes.py: each lane
    its own encoder, fed from one loop); `SegmentStats.parts` lists every segment's file
    in order, for the one stream-copy run that joins them with the sound
    (output/concat.py). With `remote`, the missing segments are encoded elsewhere (a Dask
    cluster, each segment a task; jobs/cluster.py), all at once."""
    segments = [
        replace(s, key=segment_key(s, plan, size, fps, cues, profile))
        for s in plan_segments(plan, count, fps, segment_seconds(profile), lane_count(profile))
    ]
    parts: dict[int, Path] = {}
    missing, reused = [], []
    for segment in segments:
        part = cache.get(segment.key, profile.suffix)
        if part is None:
            missing.append(segment)
        else:
            reused.append(segment)
            parts[segment.index] = part
    if remote is not None and missing:
        for index, encoded in remote(missing).items():
            parts[index] = cache.put(segments[index].key, encoded)
    elif missing:
        kept = sum(segment.frames for segment in reused)

        def done(segment: Segment, encoded: Path) -> None:
            parts[segment.index] = cache.put(segment.key, encoded)

        def step(written: int) -> None:
            if progress:
                progress(kept + written)

        def beside(segment: Segment) -> Path:
            return out.with_name(f"segment-{segment.index}{profile.suffix}")

        # the longest first, so that what is left for the last is short (the lanes end
        # together); the files still go in the cut's order (`parts`)
        queue = sorted(missing, key=lambda segment: -segment.frames)
        encode_in_lanes(queue, lanes, size, fps, profile, beside, done, step)
    if progress:
        progress(count)
    cache.evict({segment.key for segment in segments})  # never this render's own
    return SegmentStats(tuple(missing), tuple(reused), tuple(parts[s.index] for s in segments))


def start_one(
    segment: Segment,
    frames: Callable[[int], np.ndarray],
    size: tuple[int, int],
    fps: Fraction,
    out: Path,
    profile: Profile,
    progress: Callable[[int], None] | None,
) -> PendingVideo:
    """Draw one segment into its own encoder and leave that encoder finishing."""
    first = segment.first

    def step(done: int) -> None:
        if progress:
            progress(first + done)

    return start_video(lambda i: frames(first + i), segment.frames, size, fps, out, profile, step)
