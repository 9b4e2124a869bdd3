"""End to end: render real files and check them with a decoder (no mocks anywhere)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from docedit.jobs.render import render
from docedit.jobs.soundcache import SoundCache
from docedit.jobs.validate import load_project
from docedit.plan import make_plan
from docedit.sound.report import LoudnessReport, MixReport
from tests import media
from tests.conftest import SAMPLE

pytestmark = pytest.mark.e2e
RATE = 48000
SIZE = (320, 180)
RED, GREEN, BLUE = (220, 30, 30), (30, 200, 30), (30, 30, 220)


@pytest.fixture(scope="module")
def two_scenes(tmp_path_factory) -> tuple[Path, Path]:
    """Scene one: red then green with a 0.4 s dissolve; scene two: blue under a call."""
    tmp = tmp_path_factory.mktemp("two")
    for name, colour in (("red", RED), ("green", GREEN), ("blue", BLUE)):
        media.still(tmp / f"{name}.png", colour)
    media.write_wav(tmp / "call.wav", media.tone(1.5, 440, 0.5))
    media.write_wav(tmp / "bed.wav", media.noise(2, 0.02))
    path = media.timeline(
        tmp / "t.yaml",
        {
            "docedit": 1,
            "settings": {"size": list(SIZE), "fps": 25},
            "intercepts": {"call": {"file": "call.wav"}},
            "scenes": {
                "one": {
                    "pictures": [
                        {"image": "red.png", "hold": "1s"},
                        {"image": "green.png", "hold": "1s"},
                    ],
                    "transition": "0.4s",
                    "audio": [{"bed": "bed.wav", "loop": True}],
                },
                "two": {
                    "pictures": [{"image": "blue.png", "hold": "2s"}],
                    "audio": [
                        {"intercept": "call", "at": "0.25s"},
                        {"bed": "bed.wav", "loop": True},
                    ],
                },
            },
            "cuts": {"blue": ["two"]},
        },
    )
    out = tmp / "out.mp4"
    render(load_project(path), out)
    return path, out


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def mean_colour(frame: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    return frame[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4].reshape(-1, 3).mean(axis=0)


def test_streams_duration_and_frame_count_match_the_plan(two_scenes):
    path, out = two_scenes
    plan = make_plan(load_project(path))
    info = media.streams(out)
    assert (info["video_codec"], info["width"], info["height"], info["fps"]) == (
        "h264",
        320,
        180,
        25,
    )
    assert (info["audio_codec"], info["audio_rate"], info["audio_layout"]) == (
        "aac",
        RATE,
        "stereo",
    )
    assert info["frames"] == plan.frames == 100
    assert out.stat().st_mode & 0o777 == 0o666 & ~current_umask()
    assert info["duration"] == pytest.approx(4.0, abs=1 / 25)


def test_frames_show_each_scene_and_a_dissolve_blends(two_scenes):
    _, out = two_scenes
    assert np.allclose(mean_colour(media.frame_at(out, 12, SIZE)), RED, atol=12)
    assert np.allclose(mean_colour(media.frame_at(out, 40, SIZE)), GREEN, atol=12)
    assert np.allclose(mean_colour(media.frame_at(out, 75, SIZE)), BLUE, atol=12)
    # The 10-frame dissolve is centred on the cut at frame 25: there it is half and half.
    middle = mean_colour(media.frame_at(out, 25, SIZE))
    assert np.allclose(middle, (np.array(RED) + GREEN) / 2, atol=20)
    before, after = (
        mean_colour(media.frame_at(out, 21, SIZE)),
        mean_colour(media.frame_at(out, 28, SIZE)),
    )
    assert before[0] > middle[0] > after[0] and before[1] < middle[1] < after[1]
    assert np.allclose(mean_colour(media.frame_at(out, 19, SIZE)), RED, atol=12)
    assert np.allclose(mean_colour(media.frame_at(out, 30, SIZE)), GREEN, atol=12)


def test_audio_is_loud_where_the_call_plays_and_quiet_under_the_bed_alone(two_scenes):
    _, out = two_scenes
    audio = media.decode_audio(out)[:, 0]

    def level(a: float, b: float) -> float:
        return 20 * np.log10(np.sqrt(np.mean(audio[int(a * RATE) : int(b * RATE)] ** 2)))

    assert level(2.5, 3.5) - level(0.5, 1.5) > 12
    assert level(0.5, 1.5) > -70  # the bed is there, just quieter


def test_cut_renders_only_its_scenes(two_scenes, tmp_path):
    path, _ = two_scenes
    out = tmp_path / "blue.mp4"
    result = media.run_cli("render", path, "--cut", "blue", "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    assert media.streams(out)["frames"] == 50
    assert np.allclose(mean_colour(media.frame_at(out, 0, SIZE)), BLUE, atol=12)


def test_preview_profile_is_640_wide_12fps_same_duration(two_scenes, tmp_path):
    path, _ = two_scenes
    out = tmp_path / "p.mp4"
    render(load_project(path), out, profile="preview")
    info = media.streams(out)
    assert (info["width"], info["height"], info["fps"]) == (640, 360, 12)
    assert info["frames"] / 12 == pytest.approx(4.0, abs=1 / 12)
    assert info["duration"] == pytest.approx(4.0, abs=1 / 12)


def test_sample_preview_renders_and_scenes_differ(tmp_path):
    out = tmp_path / "sample.mp4"
    result = render(load_project(SAMPLE), out, profile="preview")
    plan = make_plan(load_project(SAMPLE))
    info = media.streams(out)
    assert (info["width"], info["height"]) == (640, 360)
    assert info["duration"] == pytest.approx(float(plan.duration), abs=1 / 12)
    assert result.mix.report.integrated == pytest.approx(-16, abs=0.5)
    frames = [
        media.frame_at(out, round(float(scene.start / plan.clock.fps + 10) * 12), (640, 360))
        for scene in plan.scenes
    ]
    means = [mean_colour(f) for f in frames]
    assert np.abs(means[0] - means[1]).max() > 20 and np.abs(means[1] - means[2]).max() > 20


@pytest.mark.parametrize(
    ("sent", "code", "said"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")],
)
def test_ctrl_c_or_sigterm_leave_no_output_and_no_temp_files(tmp_path, sent, code, said):
    out_dir = tmp_path / "out"
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "CI": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "docedit", "render", str(SAMPLE), "-o", str(out_dir / "cut.mp4")],
        stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    for line in proc.stderr:
        if line.startswith("picture:") and "(0/" not in line:
            break
        assert time.monotonic() < deadline
    assert any(scratch.iterdir())  # mid-render: picture and sound being made in a work folder
    proc.send_signal(sent)
    rest = proc.communicate(timeout=60)[1]
    assert proc.returncode == code
    assert f"{said}; nothing written" in rest
    assert "Traceback" not in rest
    assert not out_dir.exists() or list(out_dir.iterdir()) == []
    assert list(scratch.iterdir()) == []


def test_a_render_killed_outright_takes_its_sound_process_with_it(tmp_path):
    """SIGKILL (no handler runs) on a render before it has planned: its forked sound
    process, which holds a copy of every descriptor the render had (the pipe it waits on
    for a plan, and a pool's pipe in `docedit export --jobs`), dies with it instead of
    waiting for the plan for ever."""
    out = tmp_path / "cut.mp4"
    proc = subprocess.Popen(
        [sys.executable, "-m", "docedit", "render", str(SAMPLE), "-o", str(out), "--no-cache"],
        stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    sound, deadline = None, time.monotonic() + 30
    while sound is None and time.monotonic() < deadline:  # forked first of all
        kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        sound = int(kids[0]) if kids else None
    assert sound is not None, "no sound process was seen"
    proc.kill()
    proc.wait(timeout=60)
    deadline = time.monotonic() + 10
    while _alive(sound) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(sound), "the sound process outlived the render"


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped (Linux /proc)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_render_refuses_to_overwrite_an_input(tmp_path):
    media.still(tmp_path / "a.png", RED)
    path = media.timeline(
        tmp_path / "t.yaml", {"docedit": 1, "scenes": {"a": {"pictures": [{"image": "a.png"}]}}}
    )
    before = (tmp_path / "a.png").read_bytes()
    result = media.run_cli("mix", path, "-o", tmp_path / "a.png")
    assert result.returncode == 1  # not a .wav: invalid input (the contract), one line
    assert len(result.stderr.strip().splitlines()) == 1
    out = tmp_path / "t.yaml.wav"
    result = media.run_cli("render", path, "-o", tmp_path / "x.mp4", "--scene", "nope")
    assert result.returncode == 1 and "scene 'nope' is not in the timeline" in result.stderr
    assert (tmp_path / "a.png").read_bytes() == before and not out.exists()
    assert not (tmp_path / "x.mp4").exists()


def test_mix_command_matches_the_render_sound(two_scenes, tmp_path):
    path, out = two_scenes
    wav = tmp_path / "m.wav"
    result = media.run_cli("mix", path, "-o", wav, "--report")
    assert result.returncode == 0, result.stderr
    assert "integrated" in result.stdout and "scene two" in result.stdout
    mixed, rate, _ = media.read_wav(wav)
    rendered = media.decode_audio(out)
    assert rate == RATE and mixed.shape[0] == 4 * RATE
    # AAC is lossy; the envelopes agree.
    a = np.sqrt(np.mean(mixed[: 4 * RATE, 0].reshape(40, -1) ** 2, axis=1))
    b = np.sqrt(np.mean(rendered[: 4 * RATE, 0].reshape(40, -1) ** 2, axis=1))
    assert np.corrcoef(a, b)[0, 1] > 0.99


def test_schema_is_json_schema_with_every_key():
    import json

    result = media.run_cli("schema")
    schema = json.loads(result.stdout)
    text = result.stdout
    assert schema["$schema"].endswith("2020-12/schema")
    for key in (
        "intercepts",
        "scenes",
        "cuts",
        "pictures",
        "transition",
        "redact",
        "duck",
        "title_hold",
        "subtitle_lang",
        "scene_transition",
    ):
        assert f'"{key}"' in text


def test_a_second_render_takes_the_same_sound_from_the_cache_until_a_sound_changes(tmp_path):
    """Same sounds: the AAC is reused (identical decoded samples, reported as cached);
    a changed gain, a touched source file or a damaged entry make it again."""
    media.still(tmp_path / "a.png", RED)
    media.write_wav(tmp_path / "call.wav", media.tone(1.0, 440, 0.5))
    data = {
        "docedit": 1,
        "settings": {"size": list(SIZE), "fps": 25},
        "scenes": {"a": {"pictures": [{"image": "a.png", "hold": "2s"}],
                         "audio": [{"file": "call.wav", "at": "0.5s"}]}},
    }  # fmt: skip
    cache = SoundCache(tmp_path / "cache")

    def once(name: str) -> tuple[bool, np.ndarray]:
        path = media.timeline(tmp_path / "t.yaml", data)
        result = render(load_project(path), tmp_path / name, profile="preview", cache=cache)
        return result.sound_cached, media.decode_audio(tmp_path / name)

    first, audio = once("1.mp4")
    again, same = once("2.mp4")
    assert (first, again) == (False, True)
    assert np.array_equal(audio, same)
    data["scenes"]["a"]["audio"][0]["gain"] = "-6dB"
    assert once("3.mp4")[0] is False
    assert once("4.mp4")[0] is True
    os.utime(tmp_path / "call.wav", ns=(1, 1))  # the recording was replaced
    assert once("5.mp4")[0] is False
    for entry in (tmp_path / "cache").glob("*.json"):
        entry.write_text("{not json")
    assert once("6.mp4")[0] is False  # a damaged entry is made again, not trusted
    assert once("7.mp4")[0] is True
    assert len(list((tmp_path / "cache").glob("*.m4a"))) == 3


def test_the_sound_cache_forgets_its_least_recently_used_entries_past_its_size(
    tmp_path, monkeypatch
):
    monkeypatch.setattr("docedit.jobs.soundcache.KEEP_BYTES", 250)
    audio = tmp_path / "a.m4a"
    audio.write_bytes(b"x" * 100)
    mixed = MixReport(48000, 48000, LoudnessReport(-16.0, -1.5, 3.0, 2.0), {"a": -16.0})
    cache = SoundCache(tmp_path / "cache")
    for age, key in enumerate(("old", "used", "new")):
        cache.put(key, audio, mixed)
        os.utime(cache.folder / f"{key}.m4a", (1000 + age, 1000 + age))
    assert cache.get("old") is None  # 300 bytes > 250: the oldest went when "new" came
    assert cache.get("used") == (cache.folder / "used.m4a", mixed)  # and now it is recent
    cache.put("newest", audio, mixed)
    assert sorted(p.stem for p in cache.folder.glob("*.m4a")) == ["newest", "used"]
    assert not (cache.folder / "new.json").exists()
