"""The `redact:` items of an intercept: a span to bleep, and the words it may name.

A plain `[from, to]` pair is a redaction that names no words; `{from, to, words, note}`
names the words said in the span (one string for both languages, or one per language).
What a redaction guarantees is in docs/timeline-format.md ("Redaction").
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from docedit.core.timecode import Time
from docedit.timeline.values import Model, TimeValue

REDACTION_MARK = "[redacted]"


class RedactWords(Model):
    """The redacted words as each language's cues spell them."""

    original: str | None = None
    translation: str | None = None

    @field_validator("original", "translation")
    @classmethod
    def _has_a_word(cls, words: str | None) -> str | None:
        if words is not None and not any(c.isalnum() for c in words):
            raise PydanticCustomError("redact", "words must hold a word (letters or digits)")
        return words

    @model_validator(mode="after")
    def _some(self) -> RedactWords:
        if self.original is None and self.translation is None:
            raise PydanticCustomError("redact", "words needs `original`, `translation` or both")
        return self


def _words(value: Any) -> Any:
    """A plain string names the same words in both languages."""
    if not isinstance(value, str):
        return value
    if not any(c.isalnum() for c in value):
        raise PydanticCustomError("redact", "words must hold a word (letters or digits)")
    return {"original": value, "translation": value}


def _redaction_item(value: Any) -> Any:
    """The old `[from, to]` pair is a redaction that names no words."""
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise PydanticCustomError(
                "redact",
                "a redact item is [from, to] or {from: TIME, to: TIME, words: ..., note: ...}",
            )
        return {"from": value[0], "to": value[1]}
    return value


class Redaction(Model):
    """A span of the recording, bleeped in the mix; the cues it overlaps are masked.

    Without `words` an overlapped cue shows only the mark; with `words` only those words
    are masked, in every cue of the intercept and every other text docedit writes.
    """

    begin: TimeValue = Field(alias="from")
    end: TimeValue = Field(alias="to")
    words: Annotated[
        RedactWords | None,
        BeforeValidator(_words, json_schema_input_type=str | RedactWords | None),
    ] = Field(None, description="The words said in the span: one string for both languages.")
    note: str | None = Field(None, description="Why it is redacted; kept, never the words.")

    def span(self) -> tuple[Time, Time]:
        """(from, to) in the recording's time: what the mix bleeps."""
        return self.begin, self.end

    def words_in(self, lang: Literal["original", "translation"]) -> str | None:
        """The words to look for in one language's cues (a plain string is both)."""
        return None if self.words is None else getattr(self.words, lang)


RedactItem = Annotated[
    Redaction,
    BeforeValidator(
        _redaction_item,
        json_schema_input_type=tuple[TimeValue, TimeValue] | Redaction,
    ),
]
