"""Camera moves as a start and an end window over the fitted picture."""

from __future__ import annotations

from fractions import Fraction

from docedit.plan.items import Window
from docedit.timeline.format import FreeMotion, MotionName

ZOOM = Fraction(11, 10)
PAN_TRAVEL = Fraction(1, 10)  # of the frame width


def motion_windows(motion: MotionName | FreeMotion) -> tuple[Window, Window]:
    """Start and end windows of a named or free camera move."""
    if isinstance(motion, FreeMotion):
        return Window(*motion.start), Window(*motion.end)
    zoomed = float(1 / ZOOM)
    shift = float(PAN_TRAVEL / ZOOM) / 2  # in fitted-picture units: 10 % of the frame
    return {
        "none": (Window(), Window()),
        "zoom-in": (Window(), Window(width=zoomed)),
        "zoom-out": (Window(width=zoomed), Window()),
        "pan-left": (Window(0.5 + shift, width=zoomed), Window(0.5 - shift, width=zoomed)),
        "pan-right": (Window(0.5 - shift, width=zoomed), Window(0.5 + shift, width=zoomed)),
    }[motion]
