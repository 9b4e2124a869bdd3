"""Segments encoded in lanes: one frame loop feeding one encoder per lane.

Each lane draws its frames with its own renderer (a renderer forgets the shots that are
over, so each must move forwards through the cut on its own) and, when it has handed a
segment's last frame to its encoder, takes the next segment from the queue while that
encoder finishes (waiting for each to flush before starting the next left x264 idle at
every join: 3.4 s of the 3-minute reference cut's cold preview). Taking from one queue
keeps the lanes busy to the end however long the segments are.

Each frame is drawn for the lane whose encoder has the least left in its pipe. Handing
frames out strictly in turn made the loop wait on a full pipe while the other encoder
ran dry whenever one segment was harder to encode than the other: once the sound was
made, a core was 10 to 20 % idle in the 3-minute reference preview, and its time
varied from run to run by twice as much (alternated quiet runs: a median 5.23 s against
5.53 s, the slowest 5.42 s against 5.89 s).

A preview runs two lanes. Its x264 encodes on one thread (output/encode.py says why),
so with one lane the encoder was one chain of work through the whole cut, the longest
in the render, with a core idle beside it once the sound was made. Two encoders on one
thread each share the cores with the sound and the frames instead. Each segment is still
encoded by one x264 on one thread from the same frames: the same bits as with one lane.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from docedit.output.encode import PendingVideo, Profile, VideoSink

if TYPE_CHECKING:
    from docedit.jobs.segments import Segment

Frames = Callable[[int], np.ndarray]  # output frame index -> I420 frame


@dataclass
class _Lane:
    frames: Frames
    segment: Segment | None = None
    sink: VideoSink | None = None
    position: int = 0  # frames of `segment` handed to `sink`
    handed: int = 0  # frames handed to any of its encoders
    finishing: tuple[Segment, PendingVideo] | None = None  # told its input ended


def encode_in_lanes(
    queue: Sequence[Segment],
    lanes: Sequence[Frames],
    size: tuple[int, int],
    fps: Fraction,
    profile: Profile,
    temp: Callable[[Segment], Path],
    done: Callable[[Segment, Path], None],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Encode every segment of `queue` into `temp(segment)`, each frame drawn for the lane
    whose encoder has least left to read (`hungriest`); `done(segment, file)` as each
    encoder has finished; `progress(frames)`."""
    waiting = deque(queue)
    running = [_Lane(frames) for frames in lanes]
    written = 0
    try:
        for lane in running:
            _take(lane, waiting, size, fps, profile, temp)
        while active := [lane for lane in running if lane.sink is not None]:
            lane = hungriest(active)
            assert lane.sink is not None and lane.segment is not None  # an active lane
            lane.sink.write(lane.frames(lane.segment.first + lane.position))
            lane.position += 1
            lane.handed += 1
            written += 1
            if progress:
                progress(written)
            if lane.position == lane.segment.frames:
                _hand_over(lane, done)
                _take(lane, waiting, size, fps, profile, temp)
        for lane in running:
            if lane.finishing is not None:
                segment, video = lane.finishing
                done(segment, video.wait())  # a failing wait stops its own encoder
                lane.finishing = None
    finally:  # a frame or an encoder failed (or Ctrl-C): stop every encoder still running
        for lane in running:
            if lane.sink is not None:
                lane.sink.stop()
            if lane.finishing is not None:
                lane.finishing[1].stop()


def hungriest(lanes: Sequence[_Lane]) -> _Lane:
    """The lane whose encoder has the fewest bytes left to read, so gets the next frame;
    of equals (or where a pipe cannot tell), the one handed fewest frames so far."""
    return min(lanes, key=lambda lane: (lane.sink.backlog() if lane.sink else 0, lane.handed))


def _take(
    lane: _Lane,
    waiting: deque[Segment],
    size: tuple[int, int],
    fps: Fraction,
    profile: Profile,
    temp: Callable[[Segment], Path],
) -> None:
    """Start the lane's encoder on the next segment in the queue, if any is left."""
    lane.segment, lane.sink, lane.position = None, None, 0
    if waiting:
        segment = waiting.popleft()
        lane.sink = VideoSink(size, fps, temp(segment), profile)
        lane.segment = segment


def _hand_over(lane: _Lane, done: Callable[[Segment, Path], None]) -> None:
    """The lane's segment has all its frames: its encoder finishes on its own, and the
    one that finished before it (long since, as a whole segment was drawn meanwhile) is
    waited for."""
    assert lane.sink is not None and lane.segment is not None
    previous, lane.finishing = lane.finishing, (lane.segment, lane.sink.finish())
    lane.sink = None
    if previous is not None:
        done(previous[0], previous[1].wait())
