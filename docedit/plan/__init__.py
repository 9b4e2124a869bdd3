"""The plan: the cut as exact frame and sample times, every item knowing its origin.

Pure: nothing in this package reads a file, starts a process or imports ffmpeg
(checked by the import contract in `make lint`).
"""

from docedit.core.units import Clock
from docedit.plan.build import make_plan, select_scenes
from docedit.plan.items import Plan, Redaction, ScenePlan, Shot, Sound, Window

__all__ = [
    "Clock",
    "Plan",
    "Redaction",
    "ScenePlan",
    "Shot",
    "Sound",
    "Window",
    "make_plan",
    "select_scenes",
]
