"""Frames, samples and exact seconds as distinct types, and the one clock between them.

A frame count is not a sample count, and neither is a number of seconds: mypy keeps
them apart (`NewType`), and every conversion goes through `Clock`, which snaps an exact
rational time once, half up, to the grid it is asked for. Positions are always computed
from absolute rational times, never by adding up rounded values, so nothing drifts.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import NewType

from docedit.core.timecode import Time, round_half_up

Frames = NewType("Frames", int)  # a frame index or count at the project rate
Samples = NewType("Samples", int)  # a sample index or count at the mix rate
Seconds = NewType("Seconds", Fraction)  # exact seconds

ZERO = Seconds(Fraction(0))
NO_FRAMES = Frames(0)
NO_SAMPLES = Samples(0)


@dataclass(frozen=True, slots=True)
class Clock:
    """The project's frame rate and sample rate, and exact conversions between them."""

    fps: Fraction
    rate: int

    def seconds(self, time: Time) -> Seconds:
        """A time as written (seconds, frames or SMPTE) in exact seconds at this rate."""
        return Seconds(time.to_seconds(self.fps))

    def frames(self, seconds: Fraction) -> Frames:
        """Snapped to the nearest frame (halves round up)."""
        return Frames(round_half_up(seconds * self.fps))

    def samples(self, seconds: Fraction) -> Samples:
        """Snapped to the nearest sample (halves round up)."""
        return Samples(round_half_up(seconds * self.rate))

    def frame_time(self, frame: int) -> Seconds:
        return Seconds(Fraction(frame) / self.fps)

    def sample_time(self, sample: int) -> Seconds:
        return Seconds(Fraction(sample, self.rate))

    def frame_to_sample(self, frame: int) -> Samples:
        """The sample at which a frame starts: both grids meet at every frame boundary."""
        return self.samples(self.frame_time(frame))

    def time_frames(self, time: Time) -> Frames:
        return self.frames(self.seconds(time))

    def time_samples(self, time: Time) -> Samples:
        return self.samples(self.seconds(time))
