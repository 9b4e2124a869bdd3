"""Hand-off jobs: the cut for a finishing suite (`otio`) and a storyboard (`storyboard`).

Both take a validated `Project`; what they read from the disk (file hashes, picture
frames, cues) is read here, so the builders below them stay pure or draw only.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from docedit.core.cachefiles import file_sha256
from docedit.core.errors import OutputError
from docedit.core.timecode import format_clock, format_fps
from docedit.core.units import Clock
from docedit.jobs.render import guard_output
from docedit.plan import Plan, Sound, make_plan
from docedit.plan.cues import Cue, cue_track
from docedit.plan.items import ScenePlan
from docedit.plan.redact import Redactor
from docedit.timeline.format import Intercept
from docedit.timeline.project import Project

if TYPE_CHECKING:
    from docedit.output.interchange import Exported
    from docedit.output.storyboard import Bar, Board, Drawn

THUMB_SIZE = (256, 144)  # frames are rendered this small, then scaled for the board


def intercept_hashes(plan: Plan) -> dict[Path, str]:
    """The sha256 of every intercept recording the cut plays (evidence for the suite)."""
    return {s.source: file_sha256(s.source) for s in plan.sounds if s.intercept is not None}


def otio(
    project: Project, out: Path, *, cut: str | None = None, scenes: Sequence[str] = ()
) -> Exported:
    """The cut as .otio, .fcpxml, .xml (FCP 7) or .edl, by `out`'s suffix, written only
    once the same adapter has read it back to the frame."""
    from docedit.output.interchange import export, require_otio
    from docedit.output.interchange.formats import format_for

    format_for(Path(out).suffix)  # an unknown suffix fails before any work
    require_otio()
    from docedit.output.interchange.build import to_timeline

    out = guard_output(project, out)
    plan = make_plan(project, cut, scenes)
    if not plan.scenes:
        raise OutputError("the cut has no scenes")
    timeline = to_timeline(plan, project, intercept_hashes(plan))
    return export(timeline, out, plan.clock.fps)


def storyboard(
    project: Project, out: Path, *, cut: str | None = None, scenes: Sequence[str] = ()
) -> Drawn:
    """A storyboard of the cut as PNG or PDF: one row per scene (output/storyboard.py)."""
    from docedit.output.storyboard import check_suffix, draw

    check_suffix(Path(out))
    out = guard_output(project, out)
    plan = make_plan(project, cut, scenes)
    return draw(board_of(project, plan), out)


def board_of(project: Project, plan: Plan) -> Board:
    """The board's data: thumbnails rendered at a small size, calls with their first
    translated words (the redacted cue track), redaction spans."""
    from docedit.output.storyboard import Board, Row, Thumb
    from docedit.picture.frames import FrameRenderer

    clock = plan.clock
    cues = cue_track(project, plan, "translation")
    redactor = Redactor.of(project.timeline)  # once: it compiles every redaction's words
    renderer = FrameRenderer(plan, THUMB_SIZE)
    rows = []
    try:
        for scene in plan.scenes:
            thumbs = []
            for shot in scene.shots:
                middle = (max(shot.start, scene.start) + min(shot.end, scene.end)) // 2
                rgb = renderer.frame_rgba(middle)[..., :3].copy()
                label = short_clock(clock.frame_time(middle))
                thumbs.append(Thumb(rgb, float(clock.frame_time(middle - scene.start)), label))
            title = title_card(scene) or scene.id
            start, end = clock.frame_time(scene.start), clock.frame_time(scene.end)
            times = f"{short_clock(start)} – {short_clock(end)}"
            bars = [
                _bar(project, plan, scene.start, sound, cues, redactor) for sound in scene.sounds
            ]
            rows.append(
                Row(
                    scene.id,
                    title,
                    f"{times} ({float(end - start):.1f} s)",
                    float(end - start),
                    thumbs,
                    [b for b in bars if b is not None],
                )
            )
    finally:
        renderer.close()
    name = project.timeline.title or project.timeline_path.stem
    subtitle = (
        f"{len(plan.scenes)} scenes · {format_clock(float(plan.duration))} · "
        f"{plan.size[0]}x{plan.size[1]} at {format_fps(clock.fps)} fps · "
        "blue: calls (speakers · recorded · first words), red: redacted, grey: beds"
    )
    return Board(redactor.text(name), subtitle, rows)


def _bar(
    project: Project,
    plan: Plan,
    scene_start: int,
    sound: Sound,
    cues: list[Cue],
    redactor: Redactor,
) -> Bar | None:
    from docedit.output.storyboard import Bar

    clock = plan.clock
    origin = clock.frame_time(scene_start)
    start = float(clock.sample_time(sound.start) - origin)
    end = float(clock.sample_time(sound.end) - origin)
    if sound.role in ("bed", "footage"):
        what = "bed" if sound.role == "bed" else "footage sound"
        return Bar(start, end, f"{what}: {sound.source.name} {sound.gain_db:+.0f} dB", "", True)
    title, words = sound.source.name, ""
    if sound.intercept is not None:
        item = project.timeline.intercepts[sound.intercept]
        title = f"{sound.intercept} · {call_speakers(item, redactor)} · {call_date(item)}"
        words = _first_words(" ".join(c.text for c in call_cues(sound, cues, clock)))
    spans = tuple(
        (start + float(clock.sample_time(r.start)), start + float(clock.sample_time(r.end)))
        for r in sound.redactions
    )
    return Bar(start, end, title, words, False, spans)


def title_card(scene: ScenePlan) -> str | None:
    """The text of the scene's first title card (masked by the plan), if it has one."""
    return next((s.text for s in scene.shots if s.kind == "title" and s.text), None)


def call_cues(sound: Sound, cues: list[Cue], clock: Clock) -> list[Cue]:
    """The cues of `sound`'s intercept that start while it plays."""
    first = clock.frames(clock.sample_time(sound.start))
    last = clock.frames(clock.sample_time(sound.end))
    return [c for c in cues if c.intercept == sound.intercept and first <= c.start < last]


def call_speakers(item: Intercept, redactor: Redactor) -> str:
    return ", ".join(redactor.text(s) for s in item.speakers) or "unknown speakers"


def call_date(item: Intercept) -> str:
    return item.recorded.isoformat() if item.recorded else "undated"


def short_clock(seconds: Fraction) -> str:
    """m:ss.s, what a producer reads off a board."""
    minutes, rest = divmod(float(seconds), 60)
    return f"{int(minutes)}:{rest:04.1f}"


def _first_words(text: str, count: int = 12) -> str:
    words = text.replace("\n", " ").split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")
