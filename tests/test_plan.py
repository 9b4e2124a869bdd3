"""The plan is pure: these tests build projects from dicts and made-up media facts."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from docedit.core.errors import PlanError
from docedit.media.probe import AudioStream, MediaInfo
from docedit.plan import Clock, make_plan, select_scenes
from docedit.timeline.format import Timeline
from docedit.timeline.project import Project

BASE = Path("/virtual")


def project(
    data: dict, sounds: dict[str, float] | None = None, stills: tuple[str, ...] = ()
) -> Project:
    """A project whose sounds have the given durations and whose stills exist, no disk."""
    timeline = Timeline.model_validate({"docedit": 1, **data})
    media = {
        BASE / name: MediaInfo(
            str(BASE / name), duration=seconds, audio=AudioStream("pcm_s16le", 48000, 1)
        )
        for name, seconds in (sounds or {}).items()
    }
    media |= {BASE / name: MediaInfo(str(BASE / name), image_size=(1920, 1080)) for name in stills}
    return Project(BASE / "t.yaml", timeline, media=media)


def stills_scene(n: int, hold="4s", **extra) -> dict:
    return {"pictures": [{"image": f"{i}.jpg", "hold": hold} for i in range(n)], **extra}


STILLS = tuple(f"{i}.jpg" for i in range(8))


def test_scenes_play_back_to_back_and_sound_is_placed_relative_to_its_scene():
    p = project(
        {
            "scenes": {
                "a": stills_scene(2),
                "b": {**stills_scene(1), "audio": [{"file": "call.wav", "at": "2s"}]},
            }
        },
        sounds={"call.wav": 1.5},
        stills=STILLS,
    )
    plan = make_plan(p)
    a, b = plan.scenes
    assert (a.start, a.frames, b.start) == (0, 200, 200)
    (sound,) = b.sounds
    assert sound.start == 200 * 1920 + 2 * 48000  # 8 s + 2 s, to the sample
    assert sound.length == 72000


def test_crossfade_is_centred_on_the_cut_and_keeps_the_scene_length():
    p = project({"scenes": {"a": stills_scene(3, transition="1s")}}, stills=STILLS)
    plan = make_plan(p)
    first, second, third = plan.scenes[0].shots
    assert plan.frames == 300
    # 25-frame dissolve around the cut at frame 100: 12 frames before it, 13 after.
    assert (second.start, second.fade_in, first.end) == (88, 25, 113)
    assert (third.start, third.end) == (188, 300)
    # Camera moves run over each hold, between the cuts, not over the dissolves.
    assert [(s.hold_start, s.hold_end) for s in (first, second, third)] == [
        (0, 100),
        (100, 200),
        (200, 300),
    ]
    assert second.progress(88) == 0.0 and second.progress(199) == pytest.approx(0.995)
    assert second.progress(212) == 1.0


def test_auto_holds_spread_the_scene_length_and_the_last_picture_holds_for_audio():
    p = project(
        {"scenes": {"a": {**stills_scene(4, hold="auto"), "audio": [{"file": "c.wav", "at": 1}]}}},
        sounds={"c.wav": 9.0},
        stills=STILLS,
    )
    shots = make_plan(p).scenes[0].shots
    assert [s.start for s in shots] == [0, 63, 125, 188]  # 10 s over 4 pictures
    assert shots[-1].end == 250

    held = project(
        {"scenes": {"a": {**stills_scene(1, hold="2s"), "audio": [{"file": "c.wav"}]}}},
        sounds={"c.wav": 9.0},
        stills=STILLS,
    )
    (shot,) = make_plan(held).scenes[0].shots
    assert (shot.start, shot.end) == (0, 225)


def test_explicit_length_cuts_pictures_and_beds_fill_the_scene_only():
    p = project(
        {
            "scenes": {
                "a": {
                    **stills_scene(3),
                    "length": "6s",
                    "audio": [{"bed": "wind.wav", "loop": True}],
                }
            }
        },
        sounds={"wind.wav": 2.0},
        stills=STILLS,
    )
    scene = make_plan(p).scenes[0]
    assert scene.frames == 150
    assert [(s.start, s.end) for s in scene.shots] == [(0, 100), (100, 150)]
    (bed,) = scene.sounds
    assert (bed.start, bed.length, bed.loop) == (0, 6 * 48000, True)


def test_a_bed_never_lengthens_a_scene():
    p = project(
        {"scenes": {"a": {**stills_scene(1, hold="1s"), "audio": [{"bed": "long.wav"}]}}},
        sounds={"long.wav": 60.0},
        stills=STILLS,
    )
    assert make_plan(p).frames == 25


def test_title_card_comes_first_and_audio_times_count_from_the_scene_start():
    p = project(
        {
            "scenes": {
                "a": {
                    "title": "I.",
                    "title_hold": "2s",
                    **stills_scene(1, hold="3s"),
                    "audio": [{"file": "c.wav", "at": "1s"}],
                }
            }
        },
        sounds={"c.wav": 1.0},
        stills=STILLS,
    )
    scene = make_plan(p).scenes[0]
    assert [(s.kind, s.start, s.end) for s in scene.shots] == [("title", 0, 50), ("still", 50, 125)]
    assert scene.sounds[0].start == 48000


def test_redactions_move_into_the_sounds_own_samples_and_are_clipped():
    p = project(
        {
            "intercepts": {"c": {"file": "c.wav", "redact": [["1s", "2s"], ["0.2s", "0.4s"]]}},
            "scenes": {
                "a": {"audio": [{"intercept": "c", "at": "5s", "in": "0.5s", "out": "1.5s"}]}
            },
        },
        sounds={"c.wav": 3.0},
    )
    (sound,) = make_plan(p).sounds
    assert sound.source_in == 24000 and sound.length == 48000
    assert [(r.start, r.end) for r in sound.redactions] == [(24000, 48000)]


def test_scene_transitions_dip_and_crossfade_at_the_boundary():
    p = project(
        {
            "scenes": {
                "a": stills_scene(1),
                "b": {
                    **stills_scene(1),
                    "scene_transition": "dip-to-black",
                    "scene_transition_length": "1s",
                },
                "c": {
                    **stills_scene(1),
                    "scene_transition": "crossfade",
                    "scene_transition_length": "1s",
                },
            }
        },
        stills=STILLS,
    )
    plan = make_plan(p)
    a, b, c = (scene.shots[0] for scene in plan.scenes)
    assert (a.black_out, b.black_in) == (12, 13)
    assert (b.end, c.start, c.fade_in) == (200 + 13, 200 - 12, 25)
    assert plan.frames == 300  # scene transitions never change the cut's length


def test_selecting_cuts_and_scenes():
    p = project(
        {"scenes": {k: stills_scene(1) for k in "abc"}, "cuts": {"short": ["c", "a"]}},
        stills=STILLS,
    )
    t = p.timeline
    assert select_scenes(t) == ["a", "b", "c"]
    assert select_scenes(t, "short") == ["c", "a"]
    assert select_scenes(t, None, ["b"]) == ["b"]
    with pytest.raises(PlanError, match="no cut named 'long'"):
        select_scenes(t, "long")
    with pytest.raises(PlanError, match="scene 'b' is not in cut 'short'"):
        select_scenes(t, "short", ["b"])


@pytest.mark.parametrize("fps", ["25", "29.97", "23.976"])
def test_picture_and_sound_at_the_same_time_share_a_frame_over_ten_minutes(fps):
    """A click and a flash placed at one timeline time land in the same frame, at the
    start and at the end of a 10-minute cut, by construction from integer plan times."""
    scenes = {}
    for i in range(60):  # sixty 10.01 s scenes: odd lengths that drift if added up rounded
        scenes[f"s{i}"] = {
            **stills_scene(1, hold="10.01s"),
            "audio": [{"file": "click.wav", "at": "3.37s"}],
        }
    p = project(
        {"settings": {"fps": fps}, "scenes": scenes}, sounds={"click.wav": 0.1}, stills=STILLS
    )
    plan = make_plan(p)
    clock = plan.clock
    assert plan.duration >= 600
    for scene in (plan.scenes[0], plan.scenes[-1]):
        click = scene.sounds[0].start
        flash_frame = scene.start + clock.frames(Fraction(337, 100))
        exact = clock.frame_time(scene.start) + Fraction(337, 100)
        assert abs(Fraction(click, clock.rate) - exact) <= Fraction(1, 2 * clock.rate)
        # The frame on screen when the click sounds is the flash frame.
        assert int(Fraction(click, clock.rate) * clock.fps + Fraction(1, 2)) == flash_frame
    assert plan.samples == clock.frame_to_sample(plan.frames)


def test_clock_conversions_are_exact():
    ntsc = Clock(Fraction(30000, 1001), 48000)
    assert ntsc.frame_to_sample(30000) == 48048000
    assert ntsc.frames(Fraction(1001, 30)) == 1000
    assert Clock(Fraction(25), 48000).frame_to_sample(1) == 1920
