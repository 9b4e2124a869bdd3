"""Meaning checks over the valid parts of a bound timeline, each at its line.

Files (readable, and decodable as what they are used for), in/out points against real
durations, references to intercepts and scenes, redaction spans. What needs the plan's
arithmetic (overlaps, lengths) is in `docedit.plan.checks`; `docedit.jobs.validate` runs
both. Which checks a picture or sound kind gets is said once per kind (a dispatch).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import singledispatchmethod
from typing import Any

from docedit.core.errors import Finding, Severity
from docedit.core.origin import Location
from docedit.core.timecode import Time, format_clock
from docedit.core.units import Clock
from docedit.core.words import holds
from docedit.media.info import SourceCue
from docedit.media.probe import MediaInfo
from docedit.timeline.format import (
    BedEvent,
    FileEvent,
    ImagePicture,
    Intercept,
    InterceptEvent,
    Redaction,
    Scene,
    SelectEvent,
    StillsPicture,
    Timeline,
    VideoPicture,
)
from docedit.timeline.load import Marks
from docedit.timeline.project import Project

QUIET_BED_DB = -60.0


@dataclass
class Checked:
    """Findings, and the scenes whose files are all usable (ready for timing checks)."""

    findings: list[Finding] = field(default_factory=list)
    ready: list[str] = field(default_factory=list)


def check_timeline(project: Project, data: Any) -> Checked:
    """Check the bound (possibly partial) timeline; `data` is the YAML as written."""
    return _Checker(project, data if isinstance(data, dict) else {}).run()


def _written_empty(scene: object) -> bool:
    """A scene with no pictures, audio or title as written (not after dropping bad items)."""
    return isinstance(scene, dict) and not any(scene.get(k) for k in ("pictures", "audio", "title"))


def _ids(mapping: object) -> list[str]:
    return [str(key) for key in mapping] if isinstance(mapping, Mapping) else []


def _did_you_mean(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f" (known: {', '.join(known[:12])})" if known else ""


class _Checker:
    """Semantic checks over the valid parts of a bound timeline."""

    def __init__(self, project: Project, data: dict[Any, Any]) -> None:
        self.project = project
        # Ids as written, valid or not: a broken scene is reported once, not as "unknown".
        self.declared_scenes = _ids(data.get("scenes"))
        scenes = data.get("scenes")
        self.raw_scenes: dict[Any, Any] = scenes if isinstance(scenes, dict) else {}
        self.declared_intercepts = _ids(data.get("intercepts"))
        self.timeline: Timeline = project.timeline
        assert project.marks is not None, "checks need a timeline read from a file"
        self.marks: Marks = project.marks
        self.clock = Clock(self.timeline.settings.fps, self.timeline.settings.sample_rate)
        self.findings: list[Finding] = []
        self.ready: list[str] = []

    def run(self) -> Checked:
        for intercept_id in self.timeline.intercepts:
            self._intercept(intercept_id)
        for scene_id, scene in self.timeline.scenes.items():
            self._scene(scene_id, scene)
        for cut, scene_ids in self.timeline.cuts.items():
            self._cut(cut, scene_ids)
        return Checked(self.findings, self.ready)

    def error(self, loc: Location, message: str, *, key: bool = False) -> None:
        self.findings.append(self.marks.finding(loc, message, key=key))

    def warn(self, loc: Location, message: str) -> None:
        self.findings.append(self.marks.finding(loc, message, severity=Severity.WARNING))

    def seconds(self, time: Time) -> Fraction:
        return self.clock.seconds(time)

    # media ---------------------------------------------------------------------------

    def _media(self, loc: Location, relative: str, use: str) -> MediaInfo | None:
        """The probed file at `loc`, or None after reporting why it cannot serve as `use`."""
        info = self.project.media.get(self.project.path(relative))
        if info is None:
            return None
        if info.error:
            self.error(loc, f"{relative}: {info.error}")
            return None
        if use == "audio" and info.audio is None:
            what = "a picture" if info.video else "no media"
            self.error(loc, f"{relative}: has no audio stream (it is {what}); sound is needed here")
            return None
        if use == "video" and info.video is None:
            self.error(loc, f"{relative}: has no video stream; use `image:` for stills")
            return None
        return info

    def _in_out(
        self, loc: Location, item: VideoPicture | FileEvent | InterceptEvent, duration: float | None
    ) -> None:
        """`in` before `out`, both inside the media's duration (within half a frame)."""
        # Words (`in: {text: ...}`) are resolved, and checked, when the plan expands them.
        first = self.seconds(item.in_) if isinstance(item.in_, Time) else Fraction(0)
        last = self.seconds(item.out) if isinstance(item.out, Time) else None
        slack = 1 / (2 * self.clock.fps)
        if last is not None and last <= first:
            self.error((*loc, "out"), f"out ({item.out}) must be after in ({item.in_ or 0})")
            return
        if duration is None:
            return
        length = Fraction(duration).limit_denominator(1_000_000)
        if isinstance(item.in_, Time) and first >= length:
            self.error(
                (*loc, "in"),
                f"in ({item.in_}) is at or past the end of the media "
                f"({format_clock(duration)}): use an earlier time",
            )
        if last is not None and last > length + slack:
            self.error(
                (*loc, "out"),
                f"out ({item.out}) is past the end of the media ({format_clock(duration)}): "
                "use an earlier time or leave `out` out to play to the end",
            )

    # catalog -------------------------------------------------------------------------

    def _intercept(self, intercept_id: str) -> None:
        intercept = self.timeline.intercepts[intercept_id]
        loc: Location = ("intercepts", intercept_id)
        info = self._media((*loc, "file"), intercept.file, "audio")
        for key in ("transcript", "translation"):
            relative = getattr(intercept, key)
            if relative is None or not self.project.unreadable:
                continue
            why = self.project.unreadable.get(self.project.path(relative))
            if why is not None:  # read once, when the timeline was bound
                self.error((*loc, key), f"{relative}: {why}")
        self._redactions(loc, intercept, info)

    def _redactions(self, loc: Location, intercept: Intercept, info: MediaInfo | None) -> None:
        """Spans inside the recording; named words found where the span is (else misspelt)."""
        if not intercept.redact:
            return  # no cues to read (a catalog of thousands redacts in a few)
        cues = [self.project.cues(intercept, lang) for lang in ("original", "translation")]
        files = [self.project.path(relative) for relative in intercept.text_files()]
        readable = not any(path in self.project.unreadable for path in files)
        for index, item in enumerate(intercept.redact):
            span_loc = (*loc, "redact", index)
            begin, end = item.span()
            if self.seconds(end) <= self.seconds(begin):
                self.error(span_loc, f"redact span [{begin}, {end}] must end after it starts")
            elif info and info.duration and self.seconds(begin) >= info.duration:
                self.error(span_loc, f"redact span starts past the end of {intercept.file}")
            elif readable and not self._words_found(item, cues):
                # Never quote the words or the cues: this message may be shown to others.
                self.error(
                    span_loc,
                    f"redact item {index + 1} names words that no cue it overlaps holds "
                    "(transcript or translation): a misspelt name is a leak; spell them as "
                    "the cues do, or leave `words` out to mask the whole cue",
                )

    def _words_found(self, item: Redaction, cues: list[list[SourceCue]]) -> bool:
        """Named words are held by a cue the span overlaps, in either language (or none
        are named). Not found means misspelt: where else they appear, they would show."""
        if item.words is None:
            return True
        begin, until = (self.seconds(time) for time in item.span())
        original, translation = cues
        pairs = ((item.words_in("original"), original), (item.words_in("translation"), translation))
        return any(
            begin < cue.end and cue.start < until and holds(cue.text, words)
            for words, lang_cues in pairs
            if words
            for cue in lang_cues
        )

    # scenes --------------------------------------------------------------------------

    def _scene(self, scene_id: str, scene: Scene) -> None:
        loc: Location = ("scenes", scene_id)
        if _written_empty(self.raw_scenes.get(scene_id)):
            self.error(loc, f"scene {scene_id!r} is empty: give it pictures, audio or a title")
            return
        # Every item is checked (a list, not a generator: all() would stop at the first).
        pictures_ok = all(
            [self._picture(p, self._item(loc, "pictures", i)) for i, p in enumerate(scene.pictures)]
        )
        audio_ok = all(
            [self._sound(e, self._item(loc, "audio", i)) for i, e in enumerate(scene.audio)]
        )
        if pictures_ok and audio_ok:  # timings need every file's facts
            self.ready.append(scene_id)

    def _item(self, loc: Location, key: str, index: int) -> Location:
        """The YAML location of a scene's kept item (items before it may have been dropped)."""
        return self.project.yaml_loc((*loc, key, index))

    @singledispatchmethod
    def _picture(self, picture: object, loc: Location) -> bool:
        """Whether a picture's files are usable; one registration per picture kind."""
        raise TypeError(f"no checks registered for {type(picture).__name__}")

    @_picture.register
    def _stills(self, picture: StillsPicture, loc: Location) -> bool:
        files = self.project.stills(picture)
        if not files:
            self.error(
                (*loc, "glob"),
                f"{picture.glob}: matches no files (looked in {self.project.base})",
            )
            return False
        return all([self._still((*loc, "glob"), str(path)) for path in files])

    @_picture.register
    def _image(self, picture: ImagePicture, loc: Location) -> bool:
        return self._still((*loc, "image"), picture.image)

    @_picture.register
    def _video(self, picture: VideoPicture, loc: Location) -> bool:
        info = self._media((*loc, "video"), picture.video, "video")
        if info is None:
            return False
        self._in_out(loc, picture, info.duration)
        if info.duration is None:
            self.error((*loc, "video"), f"{picture.video}: has no duration, even decoded")
            return False
        return True

    def _still(self, loc: Location, relative: str) -> bool:
        info = self.project.media.get(self.project.path(relative))
        if info is None:
            return False
        if info.error:
            self.error(loc, f"{relative}: {info.error}")
            return False
        width, height = self.timeline.settings.size
        if info.image_size and (info.image_size[0] < width / 2 and info.image_size[1] < height / 2):
            w, h = info.image_size
            self.warn(loc, f"{relative}: {w}x{h} is far smaller than the frame; it will look soft")
        return True

    @singledispatchmethod
    def _sound(self, event: object, loc: Location) -> bool:
        """Whether a sound's file is usable; one registration per audio kind."""
        raise TypeError(f"no checks registered for {type(event).__name__}")

    @_sound.register
    def _intercept_event(self, event: InterceptEvent, loc: Location) -> bool:
        known = self.declared_intercepts
        if event.intercept not in self.timeline.intercepts:
            if event.intercept in known:
                return False  # its own entry is reported
            self.error(
                (*loc, "intercept"),
                f"no intercept {event.intercept!r} in the catalog"
                f"{_did_you_mean(event.intercept, known)}",
            )
            return False
        relative = self.timeline.intercepts[event.intercept].file
        info = self.project.media.get(self.project.path(relative))
        if info is None or info.error or info.audio is None:
            return False  # reported at the catalog entry
        self._in_out(loc, event, info.duration)
        return True

    @_sound.register
    def _file_event(self, event: FileEvent, loc: Location) -> bool:
        info = self._media((*loc, "file"), event.file, "audio")
        if info is None:
            return False
        self._in_out(loc, event, info.duration)
        return True

    @_sound.register
    def _select_event(self, event: SelectEvent, loc: Location) -> bool:
        """The query itself; what it matches is checked at each catalog entry, and the
        expansion (plan/query.py) warns when it matches nothing."""
        query = event.select
        if query.begin and query.end and query.end < query.begin:
            self.error((*loc, "select", "to"), f"select: to ({query.end}) is before from")
            return False
        return True

    @_sound.register
    def _bed_event(self, event: BedEvent, loc: Location) -> bool:
        if self._media((*loc, "bed"), event.bed, "audio") is None:
            return False
        if event.gain != -math.inf and event.gain < QUIET_BED_DB:
            self.warn(
                (*loc, "gain"), f"bed at {event.gain:g} dB is below {QUIET_BED_DB:g} dB: inaudible"
            )
        if event.duck > 0:
            self.warn(
                (*loc, "duck"),
                f"duck {event.duck:g} dB raises the bed under speech; "
                "write a negative value such as -10dB to lower it",
            )
        return True

    # cuts ----------------------------------------------------------------------------

    def _cut(self, cut: str, scene_ids: list[str]) -> None:
        if not scene_ids:
            self.error(("cuts", cut), f"cut {cut!r} is empty: list the scenes it plays")
        known = self.declared_scenes
        for index, scene_id in enumerate(scene_ids):
            if scene_id not in known:
                self.error(
                    ("cuts", cut, index),
                    f"cut {cut!r} names unknown scene {scene_id!r}{_did_you_mean(scene_id, known)}",
                )
