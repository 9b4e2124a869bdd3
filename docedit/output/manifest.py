"""Provenance: `OUT.manifest.json` beside every render, and checking it again later.

The manifest names what the output was made from: the timeline's and every source's
sha256 and size, the spans of each source the cut used and which timeline node used
them (from the plan items' `origin`), and a redaction log (each redaction's span in the
recording and its note: never the redacted words). `verify` hashes the sources again
and names each one that changed or went missing. Paths are kept relative to the
manifest's folder, so a project moved whole still verifies.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from docedit.core.atomic import atomic_output
from docedit.core.cachefiles import file_sha256
from docedit.core.errors import OutputError
from docedit.core.origin import Origin
from docedit.core.version import __version__
from docedit.plan.items import Plan
from docedit.timeline.project import Project

MANIFEST_VERSION = 1


def manifest_path(out: Path) -> Path:
    """`film.mp4` -> `film.mp4.manifest.json`; an export folder keeps `manifest.json`."""
    out = Path(out)
    return out / "manifest.json" if out.is_dir() else out.with_name(out.name + ".manifest.json")


def _seconds(value: Fraction) -> float:
    return round(float(value), 6)


def _where(origin: Origin) -> dict[str, Any]:
    return {"node": origin.path, "line": origin.line}


def _relative(path: Path, folder: Path) -> str:
    try:
        return os.path.relpath(path, folder)
    except ValueError:  # another drive (Windows): keep it absolute
        return str(path)


@dataclass
class _Uses:
    """Every span of one file the cut uses, and the role of the file."""

    role: str
    spans: list[dict[str, Any]] = field(default_factory=list)


def _uses(project: Project, plan: Plan) -> dict[Path, _Uses]:
    rate, fps = plan.clock.rate, plan.clock.fps
    uses: dict[Path, _Uses] = {}
    for sound in plan.sounds:
        start = Fraction(sound.source_in, rate)
        span = {"from": _seconds(start), "to": _seconds(start + Fraction(sound.length, rate))}
        entry = uses.setdefault(sound.source, _Uses(sound.role))
        entry.spans.append({**span, **_where(sound.origin)})
    for shot in plan.shots:
        if shot.source is None:
            continue  # a title card
        entry = uses.setdefault(shot.source, _Uses(shot.kind))
        if shot.kind == "video":
            end = shot.source_in + Fraction(shot.frames) / fps
            entry.spans.append(
                {"from": _seconds(shot.source_in), "to": _seconds(end), **_where(shot.origin)}
            )
        else:
            entry.spans.append(_where(shot.origin))
    for name in _intercepts(plan):
        intercept = project.timeline.intercepts[name]
        for relative in intercept.text_files():
            where = _where(project.origin("intercepts", name))
            uses.setdefault(project.path(relative), _Uses("transcript")).spans.append(where)
    return uses


def _intercepts(plan: Plan) -> list[str]:
    return sorted({s.intercept for s in plan.sounds if s.intercept is not None})


def _redactions(project: Project, plan: Plan) -> list[dict[str, Any]]:
    """The redaction log: spans and notes of every intercept in the cut, no words."""
    fps = project.timeline.settings.fps
    log = []
    for name in _intercepts(plan):
        for index, item in enumerate(project.timeline.intercepts[name].redact):
            begin, end = (time.to_seconds(fps) for time in item.span())
            origin = project.origin("intercepts", name, "redact", index)
            log.append(
                {
                    "intercept": name,
                    "from": _seconds(begin),
                    "to": _seconds(end),
                    "note": item.note,
                    **_where(origin),
                }
            )
    return log


def source_hashes(project: Project, plan: Plan) -> dict[Path, str]:
    """The sha256 of every file the cut uses. A render works these out while it draws
    (hashlib lets go of the GIL), not after the output is written: its sources cannot
    change meanwhile unnoticed, as the render checks their size and time at the end."""
    return {path: file_sha256(path) for path in _uses(project, plan)}


def build_manifest(
    project: Project, plan: Plan, out: Path, profile: str, hashes: dict[Path, str] | None = None
) -> dict[str, Any]:
    """The manifest of an output just written at `out` (with the sources' `hashes` when
    they were worked out already)."""
    folder = manifest_path(out).parent
    hashes = hashes or {}
    sources = [
        {
            "path": _relative(path, folder),
            "role": entry.role,
            "sha256": hashes.get(path) or file_sha256(path),
            "size": path.stat().st_size,
            "uses": entry.spans,
        }
        for path, entry in sorted(_uses(project, plan).items())
    ]
    return {
        "manifest": MANIFEST_VERSION,
        "docedit": __version__,
        "output": {"path": _relative(out, folder), "sha256": file_sha256(out), "profile": profile},
        "timeline": {
            "path": _relative(project.timeline_path, folder),
            "sha256": file_sha256(project.timeline_path),
        },
        "sources": sources,
        "redactions": _redactions(project, plan),
    }


def write_manifest(
    project: Project, plan: Plan, out: Path, profile: str, hashes: dict[Path, str] | None = None
) -> Path:
    """Write `OUT.manifest.json` atomically, after the output itself."""
    target = manifest_path(out)
    data = build_manifest(project, plan, out, profile, hashes)
    with atomic_output(target, ".json") as temp:
        temp.write_text(json.dumps(data, indent=2) + "\n", "utf-8")
    return target


@dataclass(frozen=True)
class Problem:
    path: str
    what: str  # "changed" or "missing"
    role: str

    def __str__(self) -> str:
        return f"{self.path}: {self.role} {self.what}"


def verify(out: Path) -> tuple[Path, list[Problem], int]:
    """(the manifest, every file that changed or went missing, how many were checked)."""
    target = manifest_path(out)
    try:
        files = _recorded(json.loads(target.read_text("utf-8")))
    except FileNotFoundError:
        raise OutputError(f"{target}: no manifest (was {out} made by docedit render?)") from None
    except (ValueError, KeyError, TypeError) as err:
        raise OutputError(f"{target}: not a docedit manifest ({err})") from None
    problems = []
    for entry, role in files:
        path = target.parent / entry["path"]
        if not path.is_file():
            problems.append(Problem(entry["path"], "missing", role))
        elif file_sha256(path) != entry["sha256"]:
            problems.append(Problem(entry["path"], "changed", role))
    return target, problems, len(files)


def _recorded(data: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """Every (file entry, role) a manifest records: a render's, or an export folder's
    (`docedit export`: its scene files, each with the sources it used)."""
    if "scenes" not in data:  # a render's OUT.manifest.json
        files = [(data["output"], "output"), (data["timeline"], "timeline")]
        return files + [(source, source["role"]) for source in data["sources"]]
    files = [({"path": data["timeline"], "sha256": data["timeline_sha256"]}, "timeline")]
    seen: set[str] = set()
    for scene in data["scenes"]:
        files.append(({"path": scene["file"], "sha256": scene["sha256"]}, "scene file"))
        for source in scene["sources"]:
            if source["path"] not in seen:  # a source shared by scenes is checked once
                seen.add(source["path"])
                files.append((source, source.get("role", "source")))
    return files
