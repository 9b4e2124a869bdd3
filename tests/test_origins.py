"""Every planned item knows the node of the timeline it came from, and nothing is matched
by position: a footage clip too short for a frame takes its own sound with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import media
import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docedit.core.origin import Origin
from docedit.jobs.validate import load_project, validate
from docedit.plan import make_plan


def clip(path: Path, hz: int, seconds: float = 1.0) -> Path:
    """Real footage with its own sound: grey picture and a sine tone, H.264 + AAC."""
    media.ffmpeg(
        "-f", "lavfi", "-i", f"color=c=gray:size=160x90:rate=25:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency={hz}:sample_rate=48000:duration={seconds}",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path),
    )  # fmt: skip
    return path


def test_a_clip_shorter_than_half_a_frame_takes_its_sound_with_it(tmp_path):
    """The issue's case: a 0.012 s clip at -3 dB, then a muted clip. The plan used to zip
    volumes with surviving shots by position, so the muted clip played at -3 dB."""
    clip(tmp_path / "short.mp4", 440)
    clip(tmp_path / "muted.mp4", 1000)
    data = {
        "docedit": 1,
        "settings": {"size": [160, 90], "fps": 25},
        "scenes": {
            "s": {
                "pictures": [
                    {"video": "short.mp4", "in": 0, "out": "0.012s", "volume": "-3dB"},
                    {"video": "muted.mp4", "in": 0, "out": "1s"},
                ]
            }
        },
    }
    path = media.timeline(tmp_path / "t.yaml", data)
    report = validate(path)
    (warning,) = report.warnings
    lines = path.read_text("utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "video: short.mp4" in text)
    assert (warning.line, warning.column) == (line, lines[line - 1].index("video") + 1)
    assert "no frame of this clip is shown" in warning.message
    plan = make_plan(load_project(path))
    assert [shot.source.name for shot in plan.shots if shot.source] == ["muted.mp4"]
    assert plan.sounds == []
    out = tmp_path / "mix.wav"
    result = media.run_cli("mix", path, "-o", out)
    assert result.returncode == 0, result.stderr
    audio, rate, _width = media.read_wav(out)
    assert rate == 48000 and len(audio) == 48000  # the muted clip's second
    assert np.max(np.abs(audio)) == 0.0  # silent: neither clip's tone


# A generated timeline: scenes of random picture and audio items over real tiny media.
PICTURE = st.sampled_from(["image", "glob", "video"])
AUDIO = st.sampled_from(["intercept", "file", "bed"])


def _picture(kind: str, n: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        "image": {"image": "still.png", "hold": f"{1 + n % 2}s"},
        "glob": {"glob": "stills/*.png", "hold": "1s", "motion": "zoom-in"},
        "video": {"video": "clip.mp4", "out": "0.5s", "volume": "-6dB"},
    }[kind]
    if n % 3 == 0:
        item["caption"] = f"caption {n}"
    return item


def _audio(kind: str, n: int, at: float) -> dict[str, Any]:
    return {
        "intercept": {"intercept": f"call-{n % 2}", "at": at},
        "file": {"file": "tone.wav", "at": at, "gain": -3},
        "bed": {"bed": "tone.wav", "gain": -20, "loop": True},
    }[kind]


@st.composite
def timelines(draw: st.DrawFn) -> dict[str, Any]:
    scenes = {}
    for s in range(draw(st.integers(1, 3))):
        pictures = [_picture(k, i) for i, k in enumerate(draw(st.lists(PICTURE, max_size=4)))]
        kinds = draw(st.lists(AUDIO, max_size=3))
        # Intercepts never overlap: each gets its own 2 s slot.
        audio = [_audio(k, i, 2.0 * i) for i, k in enumerate(kinds)]
        scene: dict[str, Any] = {"pictures": pictures, "audio": audio}
        if draw(st.booleans()) or not (pictures or audio):
            scene["title"] = f"Scene {s}"
        scenes[f"scene-{s}"] = scene
    return {
        "docedit": 1,
        "settings": {"size": [160, 90], "fps": draw(st.sampled_from([25, "29.97"]))},
        "intercepts": {
            f"call-{i}": {"file": "call.wav", "redact": [["0.2s", "0.4s"]]} for i in range(2)
        },
        "scenes": scenes,
    }


@pytest.fixture(scope="module")
def media_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("origins")
    media.still(folder / "still.png", (90, 20, 20))
    (folder / "stills").mkdir()
    for i in range(2):
        media.still(folder / "stills" / f"{i}.png", (20, 90, 20))
    media.write_wav(folder / "call.wav", media.tone(1.5))
    media.write_wav(folder / "tone.wav", media.tone(1.0, 220))
    clip(folder / "clip.mp4", 330)
    return folder


def node_at(root: yaml.Node, loc: tuple[str | int, ...]) -> yaml.Node:
    """The composed YAML node at a location: keys in mappings, indices in sequences."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next(value for key, value in node.value if key.value == str(part))
        else:
            assert isinstance(node, yaml.SequenceNode) and isinstance(part, int)
            node = node.value[part]
    return node


def expect_kind(origin: Origin, data: dict[str, Any], *keys: str) -> None:
    value: Any = data
    for part in origin.loc:
        value = value[part]
    if keys == ("title",):
        assert origin.loc[-1] == "title" and isinstance(value, str)
    else:
        assert isinstance(value, dict) and any(k in value for k in keys), (origin, value)


SHOT_KEYS = {"still": ("image", "glob"), "video": ("video",), "title": ("title",)}
SOUND_KEYS = {
    "intercept": ("intercept",),
    "file": ("file",),
    "bed": ("bed",),
    "footage": ("video",),
}


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=timelines())
def test_every_plan_item_points_at_its_own_node(media_folder, data):
    path = media.timeline(media_folder / "t.yaml", data)
    text = path.read_text("utf-8")
    root = yaml.compose(text)
    plan = make_plan(load_project(path))
    origins: list[Origin] = []
    for shot in plan.shots:
        expect_kind(shot.origin, data, *SHOT_KEYS[shot.kind])
        origins.append(shot.origin)
    for sound in plan.sounds:
        expect_kind(sound.origin, data, *SOUND_KEYS[sound.role])
        origins.append(sound.origin)
        for redaction in sound.redactions:
            assert redaction.origin.loc[:2] == ("intercepts", sound.intercept)
            assert redaction.origin.loc[2] == "redact"
            origins.append(redaction.origin)
    for origin in origins:
        node = node_at(root, origin.loc)
        assert (origin.line, origin.column) == (
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        ), origin
        assert origin.file == path
    assert len(plan.sounds) == sum(
        len(scene["audio"]) + sum(1 for p in scene["pictures"] if "video" in p)
        for scene in data["scenes"].values()
    )
