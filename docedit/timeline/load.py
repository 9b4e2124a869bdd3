"""Read a timeline's YAML safely, keeping the line and column of every key and value.

PyYAML's composer gives a node graph with marks; we build plain Python data from it
ourselves so that we can (a) remember where each value came from, (b) report
duplicate keys, which PyYAML's constructors silently collapse to the last one, and
(c) bound the work an alias bomb could make us do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from docedit.core.errors import Finding, Severity, TimelineError
from docedit.core.origin import Location

MAX_TIMELINE_BYTES = 8 * 1024 * 1024
MAX_NODES = 250_000
MAX_DEPTH = 64

_SEXAGESIMAL_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
# libyaml's composer when PyYAML was built with it (the wheels are): same nodes and
# marks, several times faster on big catalogs. Both are the safe loader.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Safe loading: only the core schema's own tags, never an object constructor.
_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}


@dataclass(frozen=True, slots=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class Marks:
    """Where each value (and each mapping key) stands in the file."""

    path: Path
    values: dict[Location, Mark] = field(default_factory=dict)
    keys: dict[Location, Mark] = field(default_factory=dict)
    # Entries that another file holds (an included catalog's), by their location here
    # (`("intercepts", id)`): that file's marks, keyed by the same full locations
    # (entries.py's `Included` for a merged catalog).
    included: Mapping[Location, Marks] = field(default_factory=dict)

    def owner(self, loc: Location) -> Marks:
        """The marks of the file that holds `loc`: an included catalog's, or these."""
        if self.included and len(loc) >= 2:
            return self.included.get(loc[:2], self)
        return self

    def at(self, loc: Location, *, key: bool = False) -> Mark:
        """The mark of `loc`, or of its nearest ancestor that has one."""
        owner = self.owner(loc)
        if owner is not self:
            return owner.at(loc, key=key)
        table = self.keys if key else self.values
        for end in range(len(loc), -1, -1):
            prefix = loc[:end]
            if prefix in table:
                return table[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return Mark(1, 1)

    def finding(
        self,
        loc: Location,
        message: str,
        *,
        key: bool = False,
        severity: Severity = Severity.ERROR,
    ) -> Finding:
        mark = self.at(loc, key=key)
        return Finding(self.owner(loc).path, mark.line, mark.column, severity, message)


@dataclass
class PackedMarks(Marks):
    """An included catalog's marks, compact: the entries' own marks (`intercepts.<id>`)
    in the tables, the positions inside each entry packed into one JSON string per entry
    (a few hundred bytes instead of a dozen tuples and marks), unpacked for an entry when
    something asks where in it a value stands: a finding, an origin."""

    packed: dict[str | int, str] = field(default_factory=dict)

    def at(self, loc: Location, *, key: bool = False) -> Mark:
        if len(loc) > 2 and loc[1] in self.packed:
            for kind, line, column, *inner in json.loads(self.packed.pop(loc[1])):
                table = self.keys if kind else self.values
                table[(*loc[:2], *inner)] = Mark(line, column)
        return super().at(loc, key=key)


def pack(marks: Marks) -> PackedMarks:
    """`marks` of a catalog file (locations under `intercepts.<id>`) as PackedMarks."""
    packed = PackedMarks(marks.path)
    inner: dict[str | int, list[list[Any]]] = {}
    for kind, table in ((0, marks.values), (1, marks.keys)):
        for loc, mark in table.items():
            if len(loc) <= 2:
                (packed.keys if kind else packed.values)[loc] = mark
            else:
                inner.setdefault(loc[1], []).append([kind, mark.line, mark.column, *loc[2:]])
    packed.packed = {entry: json.dumps(items, default=str) for entry, items in inner.items()}
    return packed


@dataclass
class LoadedTimeline:
    path: Path
    data: Any
    marks: Marks
    findings: list[Finding]  # problems that did not stop loading (duplicate keys)


def load_timeline(path: Path) -> LoadedTimeline:
    """Parse `path`; raise TimelineError for anything that leaves no usable document."""
    path = Path(path)
    marks = Marks(path)
    try:
        text = read_bounded(path, MAX_TIMELINE_BYTES, "split the catalog into smaller files")
    except OSError as err:
        raise _fatal(marks, f"cannot read timeline: {err.strerror or err}") from None
    except ValueError as err:
        raise _fatal(marks, f"timeline {err}") from None
    return parse_timeline_text(text, path)


def read_bounded(path: Path, limit: int, advice: str) -> str:
    """A text file of at most `limit` bytes (a timeline, a catalog), as UTF-8 (a BOM
    dropped); OSError when it cannot be read, ValueError saying what is wrong with it:
    `is 9.2 MiB; the limit is 8 MiB: {advice}`, or `is not UTF-8 text (byte N): ...`."""
    size = path.stat().st_size
    if size > limit:
        raise ValueError(f"is {size / 2**20:.1f} MiB; the limit is {limit // 2**20} MiB: {advice}")
    with path.open("rb") as handle:
        raw = handle.read(limit + 1)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(f"is not UTF-8 text (byte {err.start}): save it as UTF-8") from None


def parse_timeline_text(text: str, path: Path, prefix: Location = ()) -> LoadedTimeline:
    """Parse YAML text with the marks of every value; `prefix` is where the document
    stands in the timeline (an included catalog's entries are under `intercepts`), so
    its marks are made where they will be looked up, not copied there after."""
    marks = Marks(Path(path))
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = err.problem or "invalid YAML"
        context = ""
        if err.context and err.context_mark:
            start = err.context_mark
            context = (
                f" ({err.context} that starts at line {start.line + 1}, column {start.column + 1})"
            )
        elif err.context:
            context = f" ({err.context})"
        raise TimelineError(
            [Finding(Path(path), line, col, Severity.ERROR, f"YAML syntax: {problem}{context}")]
        ) from None
    except yaml.YAMLError as err:
        raise _fatal(marks, f"YAML: {err}") from None
    if node is None:
        raise _fatal(marks, "timeline is empty: start with `docedit: 1`")
    if _expanded_size(node, {}, 0) > MAX_NODES:
        raise _fatal(marks, _TOO_BIG)
    builder = _Builder(marks)
    data = builder.build(node, prefix)
    return LoadedTimeline(Path(path), data, marks, builder.findings)


_TOO_BIG = (
    "timeline expands to too many values (an alias bomb or runaway nesting); "
    "write the values out or split the file"
)


def _expanded_size(node: yaml.Node, sizes: dict[int, int], depth: int) -> int:
    """How many values the document becomes once aliases are expanded, without expanding
    them: each node's size is counted once and shared by every alias to it."""
    if id(node) in sizes:
        return sizes[id(node)]
    if depth > MAX_DEPTH:
        return MAX_NODES + 1
    size = 1
    if isinstance(node, yaml.SequenceNode):
        children = node.value
    elif isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    else:
        children = []
    for child in children:
        size += _expanded_size(child, sizes, depth + 1)
        if size > MAX_NODES:
            break
    sizes[id(node)] = size
    return size


def _fatal(marks: Marks, message: str) -> TimelineError:
    return TimelineError([Finding(marks.path, 1, 1, Severity.ERROR, message)])


class _Builder:
    """Turns composed nodes into dicts, lists and scalars, recording marks on the way."""

    def __init__(self, marks: Marks) -> None:
        self.marks = marks
        self.findings: list[Finding] = []
        self.nodes = 0
        self.scalars = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, loc: Location, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:  # _expanded_size checked this first
            raise _fatal(self.marks, _TOO_BIG)
        self.marks.values.setdefault(loc, _mark(node))
        if node.tag not in _PLAIN_TAGS:
            self.findings.append(
                self.marks.finding(loc, f"YAML tag {node.tag!r} is not allowed: use plain values")
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        if ":" in node.value and node.tag in _SEXAGESIMAL_TAGS:
            # YAML 1.1 reads 10:00:00:00 as a base-60 number; times parse these strings.
            return node.value
        try:
            return self.scalars.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as err:
            self.findings.append(self.marks.finding(loc, f"YAML value: {err.problem}"))
            return None

    def _mapping(self, node: yaml.MappingNode, loc: Location, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, Mark] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.findings.append(
                    Finding(self.marks.path, *_pos(key_node), Severity.ERROR, "keys must be plain")
                )
                continue
            key = self.scalars.construct_object(key_node)
            key = key if isinstance(key, str | int) else str(key)
            key_mark = _mark(key_node)
            if key in first_seen:
                first = first_seen[key]
                self.findings.append(
                    Finding(
                        self.marks.path,
                        key_mark.line,
                        key_mark.column,
                        Severity.ERROR,
                        f"duplicate key {key!r} (first at line {first.line}); YAML would "
                        "silently keep only the last one: remove or rename one of them",
                    )
                )
            first_seen[key] = key_mark
            child = (*loc, key)
            self.marks.keys[child] = key_mark
            self.marks.values.pop(child, None)
            result[key] = self.build(value_node, child, depth + 1)
        return result


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def _pos(node: yaml.Node) -> tuple[int, int]:
    mark = _mark(node)
    return mark.line, mark.column
