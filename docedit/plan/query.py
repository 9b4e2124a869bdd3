"""Queries over the intercept catalog, and the plan-time expansion of what depends on them.

A query matches an intercept when every field it names matches: any of its tags, any of
its speakers, recorded within [from, to], and every word of `text` somewhere in its
transcript or translation. Words and names are compared without case or accents
(`Пётр` is `ПЕТР`, `Pétrov` is `petrov`). Results are deterministic: `order: recorded`
(undated calls last), `id` or `catalog` (declaration order), ties by id.

`expand(project)` turns each `select:` into consecutive intercept events `gap` apart and
resolves `in: {text: ...}` / `out: {after: ...}` to word times where the transcript
carries them (media/transcripts.py says how), else to cue boundaries, so everything after it
(timing checks, placement, cues, mix) sees plain intercept events. Each expanded event
keeps its origin at the YAML item that made it (through `Project.positions`). Pure: the
transcripts were read when the timeline was bound.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cached_property, singledispatch

from docedit.core.errors import Finding, PlanError, Severity
from docedit.core.origin import Location
from docedit.core.timecode import Time, format_clock
from docedit.core.units import Clock
from docedit.core.words import fold, holds
from docedit.media.info import SourceCue
from docedit.plan.redact import LANGS, Redactor
from docedit.plan.sounds import sound_length
from docedit.timeline.format import (
    AfterWords,
    FromWords,
    InterceptEvent,
    Order,
    Scene,
    SelectEvent,
    Selection,
)
from docedit.timeline.project import Positions, Project

ORDERS: tuple[Order, ...] = ("recorded", "id", "catalog")
# Intercepts a text search reads the transcripts of in one go (fewer than the catalog
# keeps made: entries.Intercepts.RECENT, as each is asked for again to be matched).
READ_AHEAD = 128


@dataclass(frozen=True)
class Query:
    """What to match; an empty field matches everything."""

    tags: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    begin: dt.date | None = None
    end: dt.date | None = None
    text: str | None = None

    @classmethod
    def of(cls, selection: Selection) -> Query:
        return cls(
            tuple(selection.tags),
            tuple(selection.speakers),
            selection.begin,
            selection.end,
            selection.text,
        )


@dataclass
class Catalog:
    """A project's intercepts, searchable. Nothing is kept per intercept (a catalog may
    hold thousands): a search folds each one's names and transcripts as it goes, and
    only what it found is kept."""

    project: Project
    _found: dict[tuple[Query, Order, int | None], list[str]] = field(default_factory=dict)

    def text(self, intercept_id: str) -> str:
        """The intercept's transcript and translation cues, folded, one line each."""
        intercept = self.project.timeline.intercepts[intercept_id]
        texts = (text for lang in LANGS for text in self.project.cue_texts(intercept, lang))
        return fold("\n".join(texts))

    def names(self, intercept_id: str) -> tuple[set[str], set[str]]:
        """The intercept's tags and speakers, folded."""
        intercept = self.project.timeline.intercepts[intercept_id]
        return _folded(intercept.tags), _folded(intercept.speakers)

    def matches(self, intercept_id: str, query: Query, wanted: _Wanted | None = None) -> bool:
        """Whether the intercept answers `query` (`wanted`: the query folded, once for a
        whole search rather than once per intercept)."""
        wanted = wanted or _Wanted.of(query)
        if query.tags or query.speakers:
            tags, speakers = self.names(intercept_id)
            if query.tags and wanted.tags.isdisjoint(tags):
                return False
            if query.speakers and wanted.speakers.isdisjoint(speakers):
                return False
        if query.begin or query.end:
            day = self.project.timeline.intercepts[intercept_id].recorded
            if day is None or (query.begin and day < query.begin):
                return False
            if query.end and day > query.end:
                return False
        if query.text:
            text = self.text(intercept_id)
            return all(word.search(text) for word in wanted.words)
        return True

    def search(
        self, query: Query, order: Order = "recorded", limit: int | None = None
    ) -> list[str]:
        """Ids of the matching intercepts, in `order`, at most `limit` (a search asked
        again, as `docedit catalog` does to probe and then to list, is not run again)."""
        key = (query, order, limit)
        if key not in self._found:
            wanted = _Wanted.of(query)
            intercepts = self.project.timeline.intercepts
            found: dict[str, dt.date | None] = {}  # each match's date, taken as it matched
            for chunk in chunks(intercepts, READ_AHEAD):
                if query.text:  # their transcripts from the cache in one go
                    self.project.read_ahead(chunk)
                for i in chunk:
                    if self.matches(i, query, wanted):
                        found[i] = intercepts[i].recorded
            self._found[key] = ordered(found, order)[:limit]
        return list(self._found[key])


@dataclass(frozen=True)
class _Wanted:
    """A query's tags, speakers and words, folded, and the words' patterns."""

    tags: set[str]
    speakers: set[str]
    words: tuple[re.Pattern[str], ...]

    @classmethod
    def of(cls, query: Query) -> _Wanted:
        words = fold(query.text).split() if query.text else []
        return cls(_folded(query.tags), _folded(query.speakers), tuple(_word(w) for w in words))


def chunks(ids: Iterable[str], size: int) -> Iterator[list[str]]:
    """`ids` in lists of `size` (the last shorter): what is read ahead in one go."""
    iterator = iter(ids)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _folded(values: Iterable[str]) -> set[str]:
    return {_fold_name(value) for value in values}


@functools.lru_cache(maxsize=4096)
def _fold_name(value: str) -> str:
    """A tag or speaker folded: a catalog's thousands of entries share a few names."""
    return fold(value).strip()


def _word(word: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)")


def ordered(recorded: Mapping[str, dt.date | None], order: Order) -> list[str]:
    """The ids of `recorded` (id -> its date, in catalog order) in a deterministic order
    (the dates taken as the ids were found: a catalog's model may be made from its cache
    file each time it is asked for)."""
    if order == "catalog":
        return list(recorded)
    if order == "id":
        return sorted(recorded)
    return sorted(recorded, key=lambda i: (recorded[i] is None, recorded[i], i))


# expansion -------------------------------------------------------------------------


@dataclass
class Expansion:
    """The project with `select:` and word trims resolved, what went wrong, and where."""

    project: Project
    findings: list[Finding] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # scenes that cannot be timed


@dataclass
class _Context:
    project: Project
    catalog: Catalog
    clock: Clock
    findings: list[Finding] = field(default_factory=list)

    @cached_property
    def redactor(self) -> Redactor:
        """Made once per expansion: it compiles every redaction's words."""
        return Redactor.of(self.project.timeline)

    def add(self, loc: Location, message: str, severity: Severity = Severity.ERROR) -> None:
        origin = self.project.origin(*loc)
        path = origin.file or self.project.timeline_path
        self.findings.append(Finding(path, origin.line or 1, origin.column or 1, severity, message))


def expand(project: Project, catalog: Catalog | None = None) -> Expansion:
    """Every `select:` expanded and every word trim resolved (the project itself when
    there is none), with a finding for each that cannot be; `catalog` is the project's
    when a caller has one (what it folded is not folded again)."""
    scenes = project.timeline.scenes
    if not any(_needs(event) for scene in scenes.values() for event in scene.audio):
        return Expansion(project)
    settings = project.timeline.settings
    catalog = catalog if catalog is not None and catalog.project is project else Catalog(project)
    context = _Context(project, catalog, Clock(settings.fps, settings.sample_rate))
    new_scenes: dict[str, Scene] = {}
    positions: Positions = {}
    broken: set[str] = set()
    for scene_id, scene in scenes.items():
        audio: list[object] = []
        kept: list[int] = []
        for index, event in enumerate(scene.audio):
            loc = ("scenes", scene_id, "audio", index)
            before = len(context.findings)
            events = expand_event(event, context, loc)
            if any(f.severity is Severity.ERROR for f in context.findings[before:]):
                broken.add(scene_id)
            audio += events
            kept += [int(project.yaml_loc(loc)[3])] * len(events)
        pictures = [
            int(project.yaml_loc(("scenes", scene_id, "pictures", i))[3])
            for i in range(len(scene.pictures))
        ]
        new_scenes[scene_id] = scene.model_copy(update={"audio": audio})
        positions[scene_id] = {"pictures": pictures, "audio": kept}
    timeline = project.timeline.model_copy(update={"scenes": new_scenes})
    expanded = replace(project, timeline=timeline, positions=positions)
    return Expansion(expanded, context.findings, broken)


def expanded(project: Project, catalog: Catalog | None = None) -> Project:
    """The project ready to place, or PlanError when a query or a trim cannot resolve."""
    expansion = expand(project, catalog)
    errors = [f for f in expansion.findings if f.severity is Severity.ERROR]
    if errors:
        raise PlanError(str(errors[0]))
    return expansion.project


def _needs(event: object) -> bool:
    if isinstance(event, SelectEvent):
        return True
    return isinstance(event, InterceptEvent) and (
        isinstance(event.in_, FromWords) or isinstance(event.out, AfterWords)
    )


@singledispatch
def expand_event(event: object, context: _Context, loc: Location) -> list[object]:
    """The events one audio item plays as; most kinds play as themselves."""
    return [event]


@expand_event.register
def _select(event: SelectEvent, context: _Context, loc: Location) -> list[object]:
    selection = event.select
    ids = context.catalog.search(Query.of(selection), selection.order, selection.limit)
    if not ids:
        context.add(
            (*loc, "select"), "select matches no intercept: nothing plays here", Severity.WARNING
        )
    clock = context.clock
    at: Fraction = clock.seconds(event.at)
    gap = clock.seconds(event.gap)
    events: list[object] = []
    for intercept_id in ids:
        played = InterceptEvent(
            intercept=intercept_id,
            at=Time.from_seconds(at),
            gain=event.gain,
            fade_in=event.fade_in,
            fade_out=event.fade_out,
            phone=event.phone,
            label=event.label,
        )
        events.append(played)
        at += clock.sample_time(sound_length(context.project, played, clock)) + gap
    return events


@expand_event.register
def _intercept(event: InterceptEvent, context: _Context, loc: Location) -> list[object]:
    intercept = context.project.timeline.intercepts.get(event.intercept)
    if intercept is None or not _needs(event):
        return [event]  # an unknown id is reported by the checks
    update: dict[str, Time] = {}
    if isinstance(event.in_, FromWords):
        start = _phrase(context, event.intercept, event.in_.text, "start", (*loc, "in"))
        if start is not None:
            update["in_"] = start
    if isinstance(event.out, AfterWords):
        end = _phrase(context, event.intercept, event.out.after, "end", (*loc, "out"))
        if end is not None:
            update["out"] = end
    resolved = event.model_copy(update=update)
    first, last = resolved.in_, resolved.out
    seconds = context.clock.seconds
    if isinstance(first, Time) and isinstance(last, Time) and seconds(last) <= seconds(first):
        context.add((*loc, "out"), f"out ({last}) must be after in ({first})")
    return [resolved]


def _phrase(
    context: _Context, intercept_id: str, words: str, edge: str, loc: Location
) -> Time | None:
    """The cue boundary where `words` start (`edge="start"`) or end, in either language;
    a finding when no cue holds them or cues at different times do."""
    project = context.project
    intercept = project.timeline.intercepts[intercept_id]
    redactor = context.redactor
    found: dict[Fraction, str] = {}
    for lang in LANGS:
        for cue in project.cues(intercept, lang):
            if holds(cue.text, words):
                shown = redactor.cue(intercept_id, lang, cue.start, cue.end, cue.text).text
                for time in _edges(cue, words, edge):
                    found.setdefault(time, shown)
    quoted = redactor.text(words)  # what docedit writes goes through the redactor
    if len(found) == 1:
        return Time.from_seconds(next(iter(found)))
    if not found:
        has_cues = any(project.cues(intercept, lang) for lang in LANGS)
        why = (
            "no cue of its transcript or translation holds it"
            if has_cues
            else ("it has no transcript or translation to find words in")
        )
        context.add(loc, f"phrase {quoted!r} not found in intercept {intercept_id!r}: {why}")
        return None
    candidates = "; ".join(
        f"{format_clock(float(time))} {_short(text)!r}" for time, text in sorted(found.items())
    )
    context.add(
        loc,
        f"phrase {quoted!r} is ambiguous in intercept {intercept_id!r}: {len(found)} cues hold "
        f"it ({candidates}); quote more of the phrase",
    )
    return None


def _edges(cue: SourceCue, words: str, edge: str) -> list[Fraction]:
    """Where `words` start (or end) in a cue that holds them: at the timed words when
    the transcript carries word times and they spell the phrase, else at the cue's edge."""
    wanted = _tokens(words)
    tokens = [_tokens(word.text) for word in cue.words]
    flat = [(index, token) for index, parts in enumerate(tokens) for token in parts]
    size = len(wanted)
    hits = [
        (flat[at][0], flat[at + size - 1][0])
        for at in range(len(flat) - size + 1)
        if [token for _, token in flat[at : at + size]] == wanted
    ]
    if not wanted or not hits:
        return [cue.start if edge == "start" else cue.end]
    return [
        cue.words[first].start if edge == "start" else cue.words[last].end for first, last in hits
    ]


def _tokens(text: str) -> list[str]:
    """Folded words without the punctuation around them: `Пётр?` is `петр`."""
    return re.findall(r"\w+", fold(text))


def _short(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
