"""One door for text: what the redactions hide, masked in every text docedit writes.

A cue that a redacted span overlaps shows none of its words: the whole cue becomes the
mark, unless every redaction over it names its words and the cue holds them; then only
those words are masked. Named words are masked wherever they appear: in every cue, in
titles and in captions. Matching ignores case and accents (NFKD, combining marks
dropped, casefolded) and takes whole words only. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Literal

from docedit.core.words import holds, mask, word_pattern
from docedit.plan.items import ScenePlan, Shot
from docedit.timeline.entries import redacting
from docedit.timeline.format import REDACTION_MARK, Intercept, Redaction, Timeline

Lang = Literal["original", "translation"]
LANGS: tuple[Lang, ...] = ("original", "translation")


@dataclass(frozen=True, slots=True)
class Masked:
    text: str
    redacted: bool  # something was hidden


class Redactor:
    """Masks text by the redactions of a timeline's intercepts."""

    def __init__(
        self, intercepts: Mapping[str, Intercept], fps: Fraction, mark: str = REDACTION_MARK
    ) -> None:
        self.intercepts = intercepts
        self.fps = fps
        self.mark = mark
        named = {
            words
            for intercept in redacting(intercepts)  # a merged catalog is not gone through
            for item in intercept.redact
            for lang in LANGS
            if (words := item.words_in(lang))
        }
        # Longest first, so a phrase is masked before a word inside it.
        self.patterns = [word_pattern(w) for w in sorted(named, key=lambda w: (-len(w), w))]

    @classmethod
    def of(cls, timeline: Timeline) -> Redactor:
        settings = timeline.settings
        return cls(timeline.intercepts, settings.fps, settings.redaction_mark)

    def text(self, text: str) -> str:
        """Any text docedit writes (titles, captions, cues): every named word masked."""
        return mask(text, self.patterns, self.mark) if self.patterns else text

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self.text(text)

    def scenes(self, scenes: Iterable[ScenePlan]) -> tuple[ScenePlan, ...]:
        """Planned scenes with every title card and caption masked."""
        return tuple(replace(s, shots=tuple(self._shot(shot) for shot in s.shots)) for s in scenes)

    def _shot(self, shot: Shot) -> Shot:
        return replace(shot, text=self.optional(shot.text), caption=self.optional(shot.caption))

    def cue(self, intercept: str, lang: Lang, start: Fraction, end: Fraction, text: str) -> Masked:
        """A cue of `intercept` at [start, end) of the recording, as it may be shown."""
        for item in self.overlapping(intercept, start, end):
            words = item.words_in(lang)
            if words is None or not holds(text, words):
                return Masked(self.mark, True)  # safe by default: no word of it shows
        masked = self.text(text)
        return Masked(masked, masked != text)

    def overlapping(self, intercept: str, start: Fraction, end: Fraction) -> list[Redaction]:
        """The redactions of `intercept` whose span overlaps [start, end) of the recording."""
        return [
            item for item in self.intercepts[intercept].redact if self._overlaps(item, start, end)
        ]

    def _overlaps(self, item: Redaction, start: Fraction, end: Fraction) -> bool:
        begin, until = (time.to_seconds(self.fps) for time in item.span())
        return begin < end and start < until
