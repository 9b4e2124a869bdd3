"""The timeline format as pydantic models: the schema, separate from loading and media.

Models hold what the editor wrote (times stay `Time` values until the plan snaps them);
paths stay strings relative to the timeline folder until `bind` reads the disk. Value
types (times, `auto`, gains, rates) are in values.py.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
)
from pydantic_core import PydanticCustomError

from docedit.core.loudness_specs import SPECS, LoudnessSpec, SpecName, loudness_spec
from docedit.core.timecode import Time
from docedit.timeline.points import AfterWords as AfterWords
from docedit.timeline.points import FromWords as FromWords
from docedit.timeline.points import InPoint, OutPoint
from docedit.timeline.points import as_time as as_time
from docedit.timeline.redaction import REDACTION_MARK, RedactItem
from docedit.timeline.redaction import Redaction as Redaction
from docedit.timeline.redaction import RedactWords as RedactWords
from docedit.timeline.values import AUTO as AUTO  # re-exported: the format's own values
from docedit.timeline.values import Auto as Auto
from docedit.timeline.values import (
    FrameRate,
    Gain,
    NonEmpty,
    TimeOrAuto,
    TimeValue,
)
from docedit.timeline.values import Model as Model

FORMAT_VERSION = 1


def _loudness(value: Any) -> Any:
    """A number of LUFS or a spec's name, as one clear error (not one per union member)."""
    if isinstance(value, str) and value.strip().lower() in SPECS:
        return value.strip().lower()
    if isinstance(value, int | float) and not isinstance(value, bool) and -70 <= value <= 0:
        return float(value)
    raise PydanticCustomError(
        "loudness",
        "loudness must be LUFS from -70 to 0, or a delivery spec: {specs}",
        {"specs": ", ".join(SPECS)},
    )


class Settings(Model):
    size: tuple[int, int] = Field(
        (1920, 1080), description="Output frame, width x height in pixels (even numbers)."
    )
    fps: FrameRate = Fraction(25)
    sample_rate: int = Field(48000, ge=8000, le=192000, description="Mix sample rate in Hz.")
    loudness: Annotated[
        float | SpecName,
        BeforeValidator(
            _loudness, json_schema_input_type=Annotated[float, Field(ge=-70, le=0)] | SpecName
        ),
    ] = Field(
        -16.0,
        description="Integrated LUFS of the final mix, or a delivery spec by name "
        "(ebu-r128, atsc-a85, streaming, podcast, web), which sets the true peak too.",
    )
    true_peak: float = Field(-1, ge=-20, le=0, description="dBTP ceiling of the final mix.")
    subtitles: Literal["burn", "none"] = "burn"
    subtitle_lang: Literal["original", "translation", "both"] = "translation"
    duck_attack: TimeValue = Field(
        Time.from_seconds(Fraction(15, 100)), description="How long a bed takes to duck."
    )
    duck_release: TimeValue = Field(
        Time.from_seconds(Fraction(4, 10)), description="How long a bed takes to come back."
    )
    redaction_mark: NonEmpty = Field(
        REDACTION_MARK, description="docedit addition: what redacted text shows instead."
    )

    def loudness_spec(self) -> LoudnessSpec:
        """The mix's target: a named spec (a `true_peak` written too holds if it is
        lower), or the number with `true_peak`."""
        if isinstance(self.loudness, str):
            spec = loudness_spec(self.loudness)
            if "true_peak" in self.model_fields_set and self.true_peak < spec.true_peak:
                return replace(spec, true_peak=self.true_peak)
            return spec
        return loudness_spec(self.loudness, self.true_peak)

    @field_validator("size")
    @classmethod
    def _even_size(cls, size: tuple[int, int]) -> tuple[int, int]:
        width, height = size
        if width <= 0 or height <= 0 or width % 2 or height % 2:
            raise PydanticCustomError(
                "size",
                "size {size} must be two positive even numbers (H.264 needs even sides), "
                "e.g. [1920, 1080]",
                {"size": list(size)},
            )
        if width > 7680 or height > 4320:
            raise PydanticCustomError("size", "size is larger than 8K (7680 x 4320)")
        return size


class Intercept(Model):
    """One recorded call in the catalog."""

    # A merged catalog's entries are made from JSON again and again (entries.py): only
    # the keys go through pydantic's string cache, not thousands of distinct paths.
    model_config = ConfigDict(cache_strings="keys")

    file: NonEmpty
    recorded: dt.date | None = None
    speakers: list[str] = []
    tags: list[str] = []
    transcript: NonEmpty | None = None
    translation: NonEmpty | None = None
    redact: list[RedactItem] = Field(
        [],
        description="Spans [from, to] (or {from, to, words, note}) of the recording to bleep "
        "in the mix and mask in every text.",
    )
    note: str | None = None

    def text_file(self, lang: str) -> str | None:
        """The transcript (`original`) or the translation file, as written."""
        return self.transcript if lang == "original" else self.translation

    def text_files(self) -> list[str]:
        """The transcript and the translation files it names, as written."""
        return [name for name in (self.transcript, self.translation) if name]


class FreeMotion(Model):
    """A camera move between two windows: normalised centre x, y and width of the view."""

    start: tuple[float, float, float] = Field(alias="from")
    end: tuple[float, float, float] = Field(alias="to")

    @field_validator("start", "end")
    @classmethod
    def _window(cls, window: tuple[float, float, float]) -> tuple[float, float, float]:
        x, y, width = window
        if not (0 <= x <= 1 and 0 <= y <= 1 and 0.05 <= width <= 1):
            raise PydanticCustomError(
                "motion",
                "a window is [x, y, width]: centre x and y from 0 to 1, width from 0.05 to 1",
            )
        return window


MotionName = Literal["none", "zoom-in", "zoom-out", "pan-left", "pan-right"]
Fit = Literal["cover", "contain"]


class _Shot(Model):
    motion: MotionName | FreeMotion = "none"
    fit: Fit = "cover"
    caption: str | None = None


class StillsPicture(_Shot):
    """Every image a glob matches, in natural order, each held `hold`."""

    glob: NonEmpty
    hold: TimeOrAuto = Time.from_seconds(4)


class ImagePicture(_Shot):
    image: NonEmpty
    hold: TimeOrAuto = Time.from_seconds(4)


class VideoPicture(_Shot):
    video: NonEmpty
    in_: TimeValue | None = Field(None, alias="in")
    out: TimeValue | None = None
    volume: Gain = Field(-math.inf, description="Level of the footage's own sound; -inf mutes.")


def _kind(value: Any, kinds: tuple[str, ...]) -> str | None:
    if isinstance(value, dict):
        for kind in kinds:
            if kind in value:
                return f"{kind}-item"
    elif isinstance(value, BaseModel):
        for kind in kinds:
            if kind in type(value).model_fields:
                return f"{kind}-item"
    return None


PICTURE_KINDS = ("glob", "image", "video")
AUDIO_KINDS = ("intercept", "file", "bed", "select")
UNION_TAGS = frozenset(f"{k}-item" for k in PICTURE_KINDS + AUDIO_KINDS)

Picture = Annotated[
    Annotated[StillsPicture, Tag("glob-item")]
    | Annotated[ImagePicture, Tag("image-item")]
    | Annotated[VideoPicture, Tag("video-item")],
    Discriminator(
        lambda v: _kind(v, PICTURE_KINDS),
        custom_error_type="picture_kind",
        custom_error_message="a picture needs one of `glob:`, `image:` or `video:`",
    ),
]


class _Sound(Model):
    at: TimeValue = Field(Time(), description="Start, relative to the scene start.")
    in_: TimeValue | None = Field(None, alias="in")
    out: TimeValue | None = None
    gain: Gain = 0.0
    fade_in: TimeValue = Time()
    fade_out: TimeValue = Time()
    phone: bool = False


class InterceptEvent(_Sound):
    intercept: NonEmpty
    in_: InPoint | None = Field(None, alias="in")  # type: ignore[assignment]
    out: OutPoint | None = None  # type: ignore[assignment]
    label: bool = Field(False, description="Prefix subtitle cues with the speaker's name.")


class FileEvent(_Sound):
    file: NonEmpty


class BedEvent(Model):
    bed: NonEmpty
    gain: Gain = 0.0
    duck: Gain = Field(0.0, description="Lowered by this much while an intercept plays.")
    loop: bool = False
    fade_in: TimeValue = Time()
    fade_out: TimeValue = Time()


Order = Literal["recorded", "id", "catalog"]


class Selection(Model):
    """A query over the catalog: every listed field must match (any of a list's values)."""

    tags: list[str] = []
    speakers: list[str] = []
    begin: dt.date | None = Field(None, alias="from", description="Recorded on or after.")
    end: dt.date | None = Field(None, alias="to", description="Recorded on or before.")
    text: str | None = Field(None, description="Words in the transcript or translation.")
    order: Order = "recorded"
    limit: int | None = Field(None, ge=1)


class SelectEvent(Model):
    """Intercepts chosen by a query, played one after another `gap` apart from `at`."""

    select: Selection
    at: TimeValue = Field(Time(), description="Start of the first call, from the scene start.")
    gap: TimeValue = Field(Time.from_seconds(2), description="Silence between two calls.")
    gain: Gain = 0.0
    fade_in: TimeValue = Time()
    fade_out: TimeValue = Time()
    phone: bool = False
    label: bool = False


AudioEvent = Annotated[
    Annotated[InterceptEvent, Tag("intercept-item")]
    | Annotated[FileEvent, Tag("file-item")]
    | Annotated[BedEvent, Tag("bed-item")]
    | Annotated[SelectEvent, Tag("select-item")],
    Discriminator(
        lambda v: _kind(v, AUDIO_KINDS),
        custom_error_type="audio_kind",
        custom_error_message="an audio event needs one of `intercept:`, `file:`, `bed:` or "
        "`select:`",
    ),
]

SceneTransition = Literal["cut", "crossfade", "dip-to-black"]


class Scene(Model):
    title: str | None = None
    title_hold: TimeValue = Time.from_seconds(3)
    pictures: list[Picture] = []
    transition: TimeValue = Field(Time(), description="Crossfade between pictures; 0 is a cut.")
    audio: list[AudioEvent] = []
    length: TimeOrAuto = AUTO
    scene_transition: SceneTransition = "cut"
    scene_transition_length: TimeValue = Time.from_seconds(1)


class Timeline(Model):
    docedit: Literal[1] = Field(description="Format version.")
    title: str | None = None
    settings: Settings = Settings()
    intercepts: Mapping[str, Intercept] = {}  # a merged catalog: entries.Intercepts
    scenes: dict[str, Scene] = Field(min_length=1)
    cuts: dict[str, list[str]] = {}


def model_for(loc: tuple[str | int, ...]) -> type[Model] | None:
    """The model class that validates the mapping at `loc` (for did-you-mean hints)."""
    tagged = {f"{k}-item": cls for k, cls in _TAGGED.items()}
    if not loc:
        return Timeline
    if loc == ("settings",):
        return Settings
    if len(loc) == 2 and loc[0] == "intercepts":
        return Intercept
    if len(loc) == 2 and loc[0] == "scenes":
        return Scene
    if loc[-1] == "select":
        return Selection
    if loc[-1] == "motion":
        return FreeMotion
    if loc[-1] in tagged:
        return tagged[str(loc[-1])]
    return None


_TAGGED: dict[str, type[Model]] = {
    "glob": StillsPicture,
    "image": ImagePicture,
    "video": VideoPicture,
    "intercept": InterceptEvent,
    "file": FileEvent,
    "bed": BedEvent,
    "select": SelectEvent,
}


def json_schema() -> dict[str, Any]:
    """JSON Schema of the format, for YAML editors' completion and checking."""
    schema = Timeline.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://docedit.invalid/schema/timeline-1.json"
    schema["title"] = "docedit timeline, format version 1"
    return schema
