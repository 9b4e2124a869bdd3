"""docedit: assemble documentaries non-linearly from YAML timelines.

The public Python API (see `docedit.api` for every argument and result):

    import docedit

    report = docedit.validate("timelines/intercepted.yaml")  # findings; never raises
    project = docedit.load("timelines/intercepted.yaml")     # or raises TimelineError
    docedit.render(project, "out/cut.mp4", profile="preview")
    docedit.mix(project, "out/mix.wav", cut="short")
    docedit.subtitles(project, "out/cut.srt")
    docedit.export(project, "out/scenes", jobs=2)            # a file per scene + manifest

Importing the package is light: the pipeline is imported when a function is called.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from docedit.api import export, load, mix, render, subtitles, validate
from docedit.core.errors import DoceditError, Finding, Severity, TimelineError

if TYPE_CHECKING:
    from docedit.jobs.export import ExportResult
    from docedit.jobs.render import RenderResult
    from docedit.jobs.validate import Report
    from docedit.plan.cues import Cue
    from docedit.sound.report import MixReport
    from docedit.timeline.project import Project

from docedit.core.version import __version__

__all__ = [
    "Cue",
    "DoceditError",
    "ExportResult",
    "Finding",
    "MixReport",
    "Project",
    "RenderResult",
    "Report",
    "Severity",
    "TimelineError",
    "__version__",
    "export",
    "load",
    "mix",
    "render",
    "subtitles",
    "validate",
]

# The result types, imported on first use so that `import docedit` stays light.
_RESULTS = {
    "Cue": "docedit.plan.cues",
    "ExportResult": "docedit.jobs.export",
    "MixReport": "docedit.sound.report",
    "Project": "docedit.timeline.project",
    "RenderResult": "docedit.jobs.render",
    "Report": "docedit.jobs.validate",
}


def __getattr__(name: str) -> Any:
    if name in _RESULTS:
        return getattr(importlib.import_module(_RESULTS[name]), name)
    raise AttributeError(f"module 'docedit' has no attribute {name!r}")


def _old_path(name: str, target: str) -> None:
    """Keep `from docedit.NAME import ...` working (the README promised it) now that
    `docedit.NAME` is a function: a stand-in module, registered so the import system
    finds it and never sets the package attribute; its names come from `target`."""
    module = types.ModuleType(f"docedit.{name}", f"Old import path of {target}.")

    def forward(attribute: str) -> Any:
        return getattr(importlib.import_module(target), attribute)

    module.__dict__["__getattr__"] = forward  # PEP 562: looked up on first use
    sys.modules.setdefault(module.__name__, module)


_old_path("validate", "docedit.jobs.validate")  # load_project, validate, Report
_old_path("render", "docedit.jobs.render")  # render, mix, subtitles, RenderResult
