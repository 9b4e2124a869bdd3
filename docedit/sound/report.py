"""What a mix measured, as plain values: light to import (no scipy), so the render
process, the sound worker and the sound cache can all pass it around."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoudnessReport:
    integrated: float  # LUFS
    true_peak: float  # dBTP
    loudness_range: float  # LU
    gain: float  # dB applied to reach the target


@dataclass(frozen=True)
class MixReport:
    rate: int
    samples: int
    report: LoudnessReport
    scene_loudness: dict[str, float]

    @property
    def seconds(self) -> float:
        return self.samples / self.rate
