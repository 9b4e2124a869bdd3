"""Loudness delivery specs by name: the target, the true-peak ceiling and the tolerance.

`settings.loudness`, `mix`/`render --loudness` and `qc --spec` take a name from SPECS or
a number (LUFS; the true peak then comes from `settings.true_peak` or `--true-peak`).
Pure data, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from docedit.core.errors import DoceditError

SpecName = Literal["ebu-r128", "atsc-a85", "streaming", "podcast", "web"]
NUMBER_TOLERANCE = 1.0  # LU either side of a plain number


@dataclass(frozen=True, slots=True)
class LoudnessSpec:
    """Integrated loudness within `tolerance` LU of `integrated`, true peak at most
    `true_peak` dBTP."""

    name: str
    integrated: float  # LUFS (LKFS for ATSC: the same measure)
    true_peak: float  # dBTP ceiling
    tolerance: float  # LU either side of the target

    def describe(self) -> str:
        return (
            f"{self.name}: {self.integrated:g} LUFS \u00b1{self.tolerance:g} LU, "
            f"true peak at most {self.true_peak:g} dBTP"
        )


# EBU R128 allows +-0.5 LU for file-based programmes (+-1 LU live); ATSC A/85 +-2 dB;
# the streaming and podcast targets are the platforms' published normalisation levels.
SPECS: dict[str, LoudnessSpec] = {
    "ebu-r128": LoudnessSpec("ebu-r128", -23.0, -1.0, 0.5),
    "atsc-a85": LoudnessSpec("atsc-a85", -24.0, -2.0, 2.0),
    "streaming": LoudnessSpec("streaming", -16.0, -1.0, 1.0),
    "podcast": LoudnessSpec("podcast", -14.0, -1.0, 1.0),
    "web": LoudnessSpec("web", -16.0, -1.0, 1.0),
}
assert set(SPECS) == set(get_args(SpecName))


class LoudnessSpecError(DoceditError):
    """A loudness that is neither a number nor a known spec name."""


def loudness_spec(value: float | str, true_peak: float = -1.0) -> LoudnessSpec:
    """The spec of a `loudness` value: a name from SPECS, or a number of LUFS held to
    `true_peak` dBTP, within NUMBER_TOLERANCE."""
    if isinstance(value, str):
        name = value.strip().lower()
        if name in SPECS:
            return SPECS[name]
        try:
            value = float(name)
        except ValueError:
            known = ", ".join(SPECS)
            raise LoudnessSpecError(
                f"loudness {value!r} is neither a number (LUFS) nor a spec ({known})"
            ) from None
    if not -70 <= value <= 0:
        raise LoudnessSpecError(f"loudness {value:g} LUFS is outside -70..0")
    return LoudnessSpec(f"{value:g} LUFS", float(value), true_peak, NUMBER_TOLERANCE)
