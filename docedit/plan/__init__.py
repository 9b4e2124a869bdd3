"""The plan: the cut as exact frame and sample times, every item knowing its origin.

Pure: nothing in this package reads a file, starts a process or imports ffmpeg
(checked by the import contract in `make lint`).

The plan's items are imported with the package; `make_plan` and `select_scenes` (which
bring in the timeline's pydantic models) only when first asked for: a render's sound
process unpickles a plan and never makes one, and the models were 0.15 s of its CPU.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docedit.core.units import Clock
from docedit.plan.items import Plan, Redaction, ScenePlan, Shot, Sound, Window

if TYPE_CHECKING:
    from docedit.plan.build import make_plan, select_scenes

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


def __getattr__(name: str) -> Any:
    if name in ("make_plan", "select_scenes"):
        from docedit.plan import build

        return getattr(build, name)
    raise AttributeError(f"module 'docedit.plan' has no attribute {name!r}")
