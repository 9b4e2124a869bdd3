"""Value types of the timeline format: times, `auto`, gains, frame rates.

Each is an annotated type: how pydantic parses what an editor writes, how it is
written back, and what the JSON Schema says of it. The models are in format.py.
"""

from __future__ import annotations

import math
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from docedit.core.errors import TimeFormatError
from docedit.core.timecode import (
    GAIN_FORMS,
    TIME_FORMS,
    Time,
    format_fps,
    format_gain,
    parse_fps,
    parse_gain,
    parse_time,
)


class Auto(StrEnum):
    """`hold: auto`, `length: auto`: a value the plan works out, not a time."""

    AUTO = "auto"


AUTO = Auto.AUTO

_TIME_PATTERN = (
    r"^\s*(([+]?(\d+(\.\d*)?|\.\d+)\s*(s|ms|f))|((\d+:)?\d{1,2}:\d{1,2}(\.\d+)?)"
    r"|(\d{1,2}:\d{2}:\d{2}[:;]\d{2}))\s*$"
)
_TIME_SCHEMA = {
    "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": _TIME_PATTERN}],
    "description": f"A time: {TIME_FORMS}.",
}


def validated_time(value: Any) -> Time:
    """A `Time` as written in a timeline, or the "time" validation error saying why not."""
    if isinstance(value, Time):
        return value
    try:
        return parse_time(value)
    except TimeFormatError as err:
        raise PydanticCustomError("time", str(err)) from None


def _time_or_auto(value: Any) -> Time | Auto:
    return AUTO if value == AUTO else validated_time(value)


def _gain(value: Any) -> float:
    if isinstance(value, float) and value == -math.inf:
        return value
    try:
        return parse_gain(value)
    except TimeFormatError as err:
        raise PydanticCustomError("gain", str(err)) from None


def _fps(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    try:
        return parse_fps(value)
    except TimeFormatError as err:
        raise PydanticCustomError("fps", str(err)) from None


TimeValue = Annotated[
    Time,
    PlainValidator(validated_time),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(_TIME_SCHEMA),
]
TimeOrAuto = Annotated[
    Time | Auto,
    PlainValidator(_time_or_auto),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"anyOf": [{"const": AUTO}, _TIME_SCHEMA]}),
]
Gain = Annotated[
    float,
    PlainValidator(_gain),
    PlainSerializer(format_gain, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number"},
                {"type": "string", "pattern": r"^\s*[+-]?(\d+(\.\d*)?|\.\d+|inf)\s*(dB)?\s*$"},
            ],
            "description": f"A gain: {GAIN_FORMS}.",
        }
    ),
]
FrameRate = Annotated[
    Fraction,
    PlainValidator(_fps),
    PlainSerializer(format_fps, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": 240},
                {"type": "string"},
            ],
            "description": "Frames per second: 24, 25, 30, or 23.976 / 29.97 for the NTSC rates.",
        }
    ),
]
NonEmpty = Annotated[str, Field(min_length=1)]


class Model(BaseModel):
    """Base of every format object: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
