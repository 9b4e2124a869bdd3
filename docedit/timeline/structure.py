"""Check loaded YAML against the model and turn pydantic's errors into located findings.

All schema errors are reported in one pass. Besides the strict result, a *partial*
timeline is built from the parts that are valid on their own (each intercept, each
scene), so that later checks can still find mistakes elsewhere in the same run.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from docedit.core.errors import Finding
from docedit.core.origin import dotted
from docedit.timeline.entries import Entries, Intercepts
from docedit.timeline.format import (
    AUDIO_KINDS,
    PICTURE_KINDS,
    UNION_TAGS,
    AudioEvent,
    Intercept,
    Picture,
    Scene,
    Settings,
    Timeline,
    model_for,
)
from docedit.timeline.load import LoadedTimeline, Location, Marks
from docedit.timeline.project import Positions

# For each partial scene, the YAML index of each picture and audio item it kept.


@dataclass
class Structured:
    timeline: Timeline | None  # the whole file, when it is valid
    partial: Timeline | None  # the valid parts, for checks that can still run
    findings: list[Finding]
    positions: Positions = field(default_factory=dict)


def structure(loaded: LoadedTimeline) -> Structured:
    data = loaded.data
    marks = loaded.marks
    if not isinstance(data, dict):
        return Structured(
            None, None, [marks.finding((), "a timeline is a mapping that starts with `docedit: 1`")]
        )
    if isinstance(data.get("intercepts"), Entries):
        return _structure_merged(data, marks, data["intercepts"])
    try:
        timeline = Timeline.model_validate(data)
        return Structured(timeline, timeline, [])
    except ValidationError as err:
        findings = [_finding(e, data, marks) for e in err.errors()]
    partial, positions = _partial(data)
    return Structured(None, partial, findings, positions)


# Fields validated before `intercepts` (pydantic reports errors in field order).
_BEFORE_INTERCEPTS = ("docedit", "title", "settings")


def _structure_merged(data: dict[str, Any], marks: Marks, entries: Entries) -> Structured:
    """`structure` of a timeline whose catalog was merged from included files: the same
    findings, in the same order, but the entries are checked one at a time and kept as
    entries (`Intercepts` makes a model when asked), not as thousands of models."""
    errors: list[Any] = []
    timeline: Timeline | None = None
    try:
        timeline = Timeline.model_validate({**data, "intercepts": {}})
    except ValidationError as err:
        errors = err.errors()
    before = [e for e in errors if e["loc"][:1] and e["loc"][0] in _BEFORE_INTERCEPTS]
    after = [e for e in errors if not (e["loc"][:1] and e["loc"][0] in _BEFORE_INTERCEPTS)]
    invalid: set[str] = set()
    for intercept_id, entry in entries.unchecked():
        try:
            Intercept.model_validate(entry)
        except ValidationError as err:
            invalid.add(intercept_id)
            before += [{**e, "loc": ("intercepts", intercept_id, *e["loc"])} for e in err.errors()]
    if timeline is not None and not before:
        timeline = timeline.model_copy(update={"intercepts": Intercepts(entries)})
        return Structured(timeline, timeline, [])
    findings = [_finding(e, data, marks) for e in [*before, *after]]
    partial, positions = _partial(data, Intercepts(entries, frozenset(invalid)))
    return Structured(None, partial, findings, positions)


def _partial(data: dict[str, Any], valid: Intercepts | None = None) -> tuple[Timeline, Positions]:
    """A timeline of the parts that validate alone, down to single pictures and sounds
    (`valid`: the catalog's valid entries, when they are already known)."""
    settings = _valid(Settings, data.get("settings") or {}) or Settings()
    intercepts = valid if valid is not None else _valid_items(Intercept, data.get("intercepts"))
    scenes: dict[str, Scene] = {}
    positions: Positions = {}
    raw_scenes = data.get("scenes")
    for scene_id, raw in raw_scenes.items() if isinstance(raw_scenes, dict) else ():
        scene, kept = _partial_scene(raw)
        if scene is not None:
            scenes[str(scene_id)] = scene
            positions[str(scene_id)] = kept
    cuts = data.get("cuts")
    cuts = {
        k: v
        for k, v in (cuts.items() if isinstance(cuts, dict) else ())
        if isinstance(k, str) and isinstance(v, list) and all(isinstance(s, str) for s in v)
    }
    timeline = Timeline.model_construct(
        docedit=1, settings=settings, intercepts=intercepts, scenes=scenes, cuts=cuts, title=None
    )
    return timeline, positions


# Annotated unions are not types to mypy, so the adapters are typed as TypeAdapter[Any].
_ITEMS: dict[str, TypeAdapter[Any]] = {
    "pictures": TypeAdapter(Picture),
    "audio": TypeAdapter(AudioEvent),
}


def _partial_scene(raw: Any) -> tuple[Scene | None, dict[str, list[int]]]:
    """The scene, or its valid keys and items; with the YAML index of each kept item."""
    whole = _valid(Scene, raw)
    if whole is not None:
        return whole, {k: list(range(len(getattr(whole, k)))) for k in _ITEMS}
    if not isinstance(raw, dict):
        return None, {}
    known = {f.alias or name for name, f in Scene.model_fields.items()}
    base = _valid(Scene, {k: v for k, v in raw.items() if k in known and k not in _ITEMS})
    if base is None:
        return None, {}
    kept: dict[str, list[int]] = {}
    items: dict[str, list[Any]] = {}
    for key, adapter in _ITEMS.items():
        raw_items = raw.get(key)
        values = raw_items if isinstance(raw_items, list) else []
        valid = [(i, _valid_one(adapter, v)) for i, v in enumerate(values)]
        kept[key] = [i for i, item in valid if item is not None]
        items[key] = [item for _, item in valid if item is not None]
    return base.model_copy(update=items), kept


def _valid_one(adapter: TypeAdapter[Any], value: Any) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


def _valid(cls: type[BaseModel], value: Any) -> Any:
    try:
        return cls.model_validate(value)
    except ValidationError:
        return None


def _valid_items(cls: type[BaseModel], mapping: Any) -> dict[str, Any]:
    if not isinstance(mapping, dict):
        return {}
    items = {str(k): _valid(cls, v) for k, v in mapping.items()}
    return {k: v for k, v in items.items() if v is not None}


def _finding(error: Any, data: dict[str, Any], marks: Marks) -> Finding:
    loc: Location = tuple(part for part in error["loc"] if part not in UNION_TAGS)
    kind = error["type"]
    where = dotted(loc)
    if kind == "extra_forbidden":
        key = loc[-1]
        return marks.finding(
            loc, f"unknown key {key!r}{_did_you_mean(error['loc'], key)}", key=True
        )
    if kind == "missing":
        parent = loc[:-1]
        return marks.finding(
            parent, f"{dotted(parent) or 'timeline'}: missing required key {loc[-1]!r}", key=True
        )
    if kind in {"picture_kind", "audio_kind"}:
        message = error["msg"] + _kind_hint(error.get("input"), kind)
    elif kind in {"time", "gain", "fps", "size", "motion"}:
        message = error["msg"]
    elif kind == "literal_error" and loc == ("docedit",):
        message = "the format version must be 1: write `docedit: 1`"
    elif kind == "too_short" and loc == ("scenes",):
        message = "a timeline needs at least one scene under `scenes:`"
    else:
        message = f"{error['msg'][0].lower()}{error['msg'][1:]}"
        if "input" in error and not isinstance(error["input"], dict | list):
            message += f" (got {error['input']!r})"
    return marks.finding(loc, f"{where}: {message}" if where else message)


def _did_you_mean(raw_loc: tuple[Any, ...], key: Any) -> str:
    model = model_for(tuple(raw_loc[:-1]))
    if model is None:
        return ""
    allowed = sorted(f.alias or name for name, f in model.model_fields.items())
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; allowed here: {', '.join(allowed)}"


def _kind_hint(item: Any, kind: str) -> str:
    if not isinstance(item, dict):
        return ""
    kinds = PICTURE_KINDS if kind == "picture_kind" else AUDIO_KINDS
    for key in item:
        close = difflib.get_close_matches(str(key), kinds, n=1, cutoff=0.6)
        if close:
            return f" (found {key!r}: did you mean {close[0]!r}?)"
    return ""
