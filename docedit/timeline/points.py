"""In and out points of an intercept event: a time, or a phrase of the transcript.

`in: {text: "..."}` starts where the phrase starts, `out: {after: "..."}` ends where it
ends; the plan resolves them from the transcripts (plan/query.py) before placing sounds.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, TypeAdapter, WithJsonSchema
from pydantic_core import PydanticCustomError

from docedit.core.errors import PlanError
from docedit.core.timecode import Time
from docedit.timeline.values import Model, NonEmpty, TimeValue, validated_time


class FromWords(Model):
    """`in: {text: "..."}`: start where this phrase starts in a cue of the intercept."""

    text: NonEmpty


class AfterWords(Model):
    """`out: {after: "..."}`: end where this phrase ends in a cue of the intercept."""

    after: NonEmpty


def _words_or_time(value: Any, words: type[Model], key: str) -> Any:
    """A time, or a mapping naming words (resolved from the transcripts when planning)."""
    if isinstance(value, words | Time):
        return value
    if isinstance(value, dict):
        if set(value) != {key} or not isinstance(value[key], str) or not value[key].strip():
            raise PydanticCustomError(
                "time", f'write a time, or {{{key}: "words"}} naming a phrase of the transcript'
            )
        return words.model_validate(value)
    return validated_time(value)


def _dump_point(value: Time | Model) -> Any:
    return value.model_dump() if isinstance(value, Model) else str(value)


def _point_schema(words: type[Model]) -> dict[str, Any]:
    return {"anyOf": [TypeAdapter(TimeValue).json_schema(), words.model_json_schema()]}


InPoint = Annotated[
    Time | FromWords,
    PlainValidator(lambda v: _words_or_time(v, FromWords, "text")),
    PlainSerializer(_dump_point),
    WithJsonSchema(_point_schema(FromWords)),
]
OutPoint = Annotated[
    Time | AfterWords,
    PlainValidator(lambda v: _words_or_time(v, AfterWords, "after")),
    PlainSerializer(_dump_point),
    WithJsonSchema(_point_schema(AfterWords)),
]


def as_time(value: Time | FromWords | AfterWords | None) -> Time | None:
    """A planned in/out point as a time; words must have been resolved (plan/query.py)."""
    if isinstance(value, FromWords | AfterWords):
        raise PlanError(f"{value!r}: words were not resolved to a time before planning")
    return value
