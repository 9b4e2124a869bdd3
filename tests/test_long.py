"""A long cut keeps picture and sound together to the frame: a flash and a click placed
in the last minute of a 20-minute cut at 29.97 fps land in the same frame, in the plan
and in the decoded render (the flash is the one white frame; the click is the loudest
sample of the decoded AAC, to the sample). The 2-hour cut's memory is in the bench
(`python -m bench --only long`)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from docedit.jobs.validate import load_project
from docedit.plan import make_plan
from tests import media

pytestmark = pytest.mark.e2e
MINUTES = 20
FLASH = 1115  # frames into the last scene (37.2 s at 29.97 fps)


def test_a_flash_and_a_click_in_the_last_minute_land_in_the_same_frame(tmp_path):
    media.still(tmp_path / "black.png", (0, 0, 0), (160, 90))
    media.still(tmp_path / "white.png", (255, 255, 255), (160, 90))
    # The click 10 ms into its file: past the 3 ms de-click ramp every sound gets.
    media.impulse_wav(tmp_path / "click.wav", 0.5, at_sample=480)
    scenes = {
        f"m{k:02d}": {"pictures": [{"image": "black.png", "hold": "60s"}]}
        for k in range(1, MINUTES)
    }
    scenes["last"] = {
        "pictures": [
            {"image": "black.png", "hold": f"{FLASH}f"},
            {"image": "white.png", "hold": "1f"},
            {"image": "black.png", "hold": "20s"},
        ],
        "audio": [{"file": "click.wav", "at": f"{FLASH}f"}],
    }
    data = {"docedit": 1, "settings": {"size": [160, 90], "fps": "30000/1001"}, "scenes": scenes}
    project = load_project(media.timeline(tmp_path / "long.yaml", data))
    plan = make_plan(project)
    assert plan.duration > 19 * 60
    (flash,) = [shot for shot in plan.shots if shot.media and shot.media.name == "white.png"]
    (click,) = plan.sounds
    fps, rate = Fraction(30000, 1001), plan.clock.rate
    assert click.start / rate > (MINUTES - 1) * 60  # in the last minute
    clock = plan.clock  # a frame's first sample: its start time rounded to a sample
    first, after = clock.frame_to_sample(flash.start), clock.frame_to_sample(flash.start + 1)
    assert first <= click.start < after  # the click sounds in the flash's frame
    assert abs(click.start - Fraction(flash.start) / fps * rate) < 1  # no drift: under a sample
    # The decoded render: the one white frame is the flash's, the click's sample is where
    # the plan put it (its file's 480th sample after the sound's start), in the last minute.
    out = tmp_path / "long.mp4"
    done = media.run_cli("render", tmp_path / "long.yaml", "-o", out, "--no-cache", "-q")
    assert done.returncode == 0, done.stderr
    assert media.frame_at(out, flash.start, (160, 90)).mean() > 250
    assert media.frame_at(out, flash.start - 1, (160, 90)).mean() < 5
    assert media.frame_at(out, flash.start + 1, (160, 90)).mean() < 5
    t0 = (MINUTES - 1) * 60
    decoded = media.ffmpeg(
        "-i", str(out), "-ss", str(t0), "-t", "60", "-vn", "-ac", "1", "-ar", str(rate),
        "-f", "f32le", "-",
    ).stdout  # fmt: skip
    audio = np.frombuffer(decoded, dtype="<f4")
    assert int(np.argmax(np.abs(audio))) + t0 * rate == click.start + 480
    assert first <= click.start + 480 < after  # heard in the flash's own frame
