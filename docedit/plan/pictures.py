"""The picture track of a scene: items (one registration per picture kind), their
holds, and their cut points snapped to frames with dissolves centred on each cut."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from functools import singledispatch
from pathlib import Path

from docedit.core.origin import Origin
from docedit.core.units import ZERO, Clock, Frames, Seconds
from docedit.plan.items import Shot, ShotKind, Window
from docedit.plan.motion import motion_windows
from docedit.timeline.format import (
    Auto,
    ImagePicture,
    Scene,
    StillsPicture,
    VideoPicture,
)
from docedit.timeline.project import Project

DEFAULT_HOLD = Seconds(Fraction(4))


@dataclass(frozen=True, slots=True)
class PictureItem:
    """A picture before placement: what it is and how long it holds (None = auto)."""

    kind: ShotKind
    origin: Origin
    hold: Seconds | None
    source: Path | None = None
    text: str | None = None
    caption: str | None = None
    fit: str = "cover"
    motion: tuple[Window, Window] = (Window(), Window())
    source_in: Seconds = ZERO
    volume_db: float = float("-inf")


@singledispatch
def items_of(picture: object, origin: Origin, project: Project, clock: Clock) -> list[PictureItem]:
    """The items one picture entry of a scene becomes; one registration per kind."""
    raise TypeError(f"no picture items registered for {type(picture).__name__}")


def _hold(picture: StillsPicture | ImagePicture, clock: Clock) -> Seconds | None:
    return None if isinstance(picture.hold, Auto) else clock.seconds(picture.hold)


@items_of.register
def _stills(
    picture: StillsPicture, origin: Origin, project: Project, clock: Clock
) -> list[PictureItem]:
    hold = _hold(picture, clock)
    motion = motion_windows(picture.motion)
    return [
        PictureItem("still", origin, hold, path, None, picture.caption, picture.fit, motion)
        for path in project.stills(picture)
    ]


@items_of.register
def _image(
    picture: ImagePicture, origin: Origin, project: Project, clock: Clock
) -> list[PictureItem]:
    path = project.path(picture.image)
    motion = motion_windows(picture.motion)
    hold = _hold(picture, clock)
    return [PictureItem("still", origin, hold, path, None, picture.caption, picture.fit, motion)]


@items_of.register
def _video(
    picture: VideoPicture, origin: Origin, project: Project, clock: Clock
) -> list[PictureItem]:
    info = project.info(picture.video)
    source_in = clock.seconds(picture.in_) if picture.in_ else ZERO
    if picture.out is not None:
        source_out = clock.seconds(picture.out)
    else:
        source_out = Seconds(Fraction(info.duration or 0).limit_denominator(1_000_000))
    return [
        PictureItem(
            "video",
            origin,
            Seconds(max(ZERO, source_out - source_in)),
            project.path(picture.video),
            caption=picture.caption,
            fit=picture.fit,
            motion=motion_windows(picture.motion),
            source_in=source_in,
            volume_db=picture.volume,
        )
    ]


def picture_items(project: Project, scene_id: str, clock: Clock) -> list[PictureItem]:
    """The scene's picture track as items: its title card, then each picture in order."""
    scene = project.timeline.scenes[scene_id]
    items: list[PictureItem] = []
    if scene.title:
        origin = project.origin("scenes", scene_id, "title")
        items.append(
            PictureItem("title", origin, clock.seconds(scene.title_hold), text=scene.title)
        )
    for index, picture in enumerate(scene.pictures):
        origin = project.origin("scenes", scene_id, "pictures", index)
        items.extend(items_of(picture, origin, project, clock))
    return items


def resolve_holds(
    items: list[PictureItem], scene: Scene, clock: Clock, sound_end: Seconds
) -> list[Seconds]:
    """Fill `hold: auto` by spreading the scene's length (or its audio) evenly."""
    autos = sum(1 for item in items if item.hold is None)
    if not autos:
        return [item.hold for item in items if item.hold is not None]
    fixed = sum((item.hold for item in items if item.hold is not None), Fraction(0))
    target = sound_end if isinstance(scene.length, Auto) else clock.seconds(scene.length)
    share = Seconds((target - fixed) / autos) if target > fixed else DEFAULT_HOLD
    return [share if item.hold is None else item.hold for item in items]


def place_shots(
    items: list[PictureItem],
    holds: list[Seconds],
    start: Frames,
    frames: Frames,
    transition: Frames,
    clock: Clock,
) -> list[Shot]:
    """Snap each item's cut points to frames, centring a crossfade on every inner cut.
    An item that rounds to no frame at all is dropped, and with it anything it carries
    (its footage sound too: sounds follow the shots that survive, never positions)."""
    bounds = [Fraction(0)]
    for hold in holds:
        bounds.append(bounds[-1] + hold)
    cuts = [Frames(start + min(frames, clock.frames(b))) for b in bounds]
    cuts[-1] = Frames(start + frames)  # the last picture holds to the scene's end
    shots: list[Shot] = []
    for index, item in enumerate(items):
        head, tail = cuts[index], cuts[index + 1]
        if head >= start + frames or tail <= head:
            continue  # cut off by an explicit length, or no time left
        fade = 0
        if shots:
            previous = shots[-1]
            fade = min(transition, previous.end - previous.start, tail - head)
            before = fade // 2
            shots[-1] = replace(previous, end=Frames(head + fade - before))
            head = Frames(head - before)
        shots.append(
            Shot(
                item.kind,
                item.origin,
                head,
                tail,
                source=item.source,
                text=item.text,
                caption=item.caption,
                fit=item.fit,
                motion=item.motion,
                fade_in=Frames(fade),
                source_in=item.source_in,
                hold_start=cuts[index],
                hold_end=tail,
                volume_db=item.volume_db,
            )
        )
    return shots
