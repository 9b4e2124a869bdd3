"""Hand-off: each export read back with opentimelineio and its adapters and compared with
the plan to the frame, at 25 and at 29.97 fps; the storyboard's size and rows; bad input."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest
from lxml import etree
from PIL import Image

from docedit.jobs.handoff import otio as export_otio
from docedit.jobs.handoff import storyboard
from docedit.jobs.validate import load_project
from docedit.output.interchange.build import cut_in
from docedit.plan import make_plan
from tests.media import run_cli, still, timeline, tone, write_wav

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "timelines" / "intercepted.yaml"
FORMATS = (".otio", ".xml", ".fcpxml", ".edl")


def tiny(tmp_path: Path, fps: str) -> Path:
    """Two scenes: a title, three stills with dissolves, an intercept with a redaction,
    a bed; then a scene of one still and one call."""
    for i, colour in enumerate([(200, 40, 40), (40, 200, 40), (40, 40, 200), (200, 200, 40)]):
        still(tmp_path / f"p{i}.png", colour)
    write_wav(tmp_path / "call.wav", tone(3.0, 300))
    write_wav(tmp_path / "call2.wav", tone(2.0, 500))
    write_wav(tmp_path / "bed.wav", tone(1.5, 200, 0.05))
    return timeline(
        tmp_path / "t.yaml",
        {
            "docedit": 1,
            "settings": {"size": [320, 180], "fps": fps},
            "intercepts": {
                "c1": {
                    "file": "call.wav",
                    "recorded": "2022-03-01",
                    "speakers": ["soldier", "mother"],
                    "redact": [{"from": "1.2s", "to": "1.7s", "note": "a name"}],
                },
                "c2": {"file": "call2.wav"},
            },
            "scenes": {
                "one": {
                    "title": "One",
                    "title_hold": "1s",
                    "pictures": [{"glob": "p[0-2].png", "hold": "1.3s", "motion": "zoom-in"}],
                    "transition": "0.4s",
                    "audio": [
                        {"intercept": "c1", "at": "0.5s", "in": "0.1s", "gain": "-3dB"},
                        {"bed": "bed.wav", "loop": True, "gain": "-20dB"},
                    ],
                },
                "two": {
                    "pictures": [{"image": "p3.png", "hold": "2s"}],
                    "audio": [{"intercept": "c2", "at": "0.3s"}],
                },
            },
        },
    )


def _read(path: Path, fps: Fraction):
    extra = {"rate": float(fps)} if path.suffix == ".edl" else {}
    return otio.adapters.read_from_file(str(path), **extra)


def _clips(back, kind):
    return [
        c
        for track in back.tracks
        if track.kind == kind
        for c in track
        if isinstance(c, otio.schema.Clip)
    ]


def _frames(time, fps: Fraction) -> int:
    assert time.rate == pytest.approx(float(fps), rel=1e-9)  # never 30 for 29.97
    return round(time.value)


@pytest.mark.parametrize("fps", ["25", "30000/1001"])
@pytest.mark.parametrize("suffix", FORMATS)
def test_export_reads_back_as_the_plan(tmp_path: Path, fps: str, suffix: str) -> None:
    project = load_project(tiny(tmp_path, fps))
    plan = make_plan(project)
    rate = plan.clock.fps
    out = tmp_path / f"cut{suffix}"
    if suffix == ".fcpxml" and rate.denominator != 1:
        with pytest.raises(Exception, match="truncates fractional rates"):
            export_otio(project, out)
        assert not out.exists()
        return
    result = export_otio(project, out)
    back = _read(out, rate)
    pictures = [s for s in sorted(plan.shots, key=lambda s: s.start) if s.kind != "title"]
    video = _clips(back, otio.schema.TrackKind.Video)
    assert len(video) == len(pictures) == result.pictures
    # Cut-to-cut placements; an EDL's reader starts at its first event and splits a
    # dissolve at its start, so there the picture's whole span (with handles) is checked.
    slack = 1 if suffix == ".fcpxml" else 0  # its reader truncates times (OTIO #1661)
    shift = cut_in(pictures[0]) if suffix == ".edl" else 0
    for shot, clip in zip(pictures, video, strict=True):
        placed = clip.range_in_parent()
        start, length = _frames(placed.start_time, rate), _frames(placed.duration, rate)
        if suffix == ".edl":
            assert start + length + shift <= shot.end and start + shift >= shot.start
            continue
        following = [s for s in pictures if s.start > shot.start]
        end = cut_in(following[0]) if following else shot.end
        assert abs(start - cut_in(shot)) <= slack
        assert abs(start + length - end) <= slack
        assert (
            abs(_frames(clip.source_range.start_time, rate) - (cut_in(shot) - shot.start)) <= slack
        )
    if suffix != ".edl":
        assert abs(_frames(back.duration(), rate) - plan.frames) <= slack
        sounds = _clips(back, otio.schema.TrackKind.Audio)
        calls = [s for s in plan.sounds if s.role == "intercept"]
        assert len([c for c in sounds if c.name in ("c1", "c2")]) == len(calls)
        for sound in calls:
            clip = next(c for c in sounds if c.name == sound.intercept)
            at = plan.clock.frames(plan.clock.sample_time(sound.start))
            assert abs(_frames(clip.range_in_parent().start_time, rate) - at) <= slack
    names = _marker_names(back)
    if suffix == ".edl" and rate.denominator != 1:  # dropped, and said so
        assert any("markers (the EDL reader skips drop-frame LOCs)" in d for d in result.dropped)
        return
    assert {"scene: one", "scene: two"} <= names
    assert any(n.startswith("redacted: c1") and "a name" in n for n in names)


def _marker_names(back) -> set[str]:
    names = {m.name.casefold() for m in back.tracks.markers}
    for clip in back.find_clips():
        names |= {m.name.casefold() for m in clip.markers}
    return names


def test_otio_keeps_metadata_rate_and_transitions(tmp_path: Path) -> None:
    project = load_project(tiny(tmp_path, "30000/1001"))
    out = tmp_path / "cut.otio"
    export_otio(project, out)
    back = otio.adapters.read_from_file(str(out))
    assert Fraction(back.duration().rate).limit_denominator(10_000) == Fraction(30000, 1001)
    video = back.tracks[0]
    assert sum(isinstance(i, otio.schema.Transition) for i in video) == 2
    call = next(c for c in back.find_clips() if c.name == "c1")
    facts = call.metadata["docedit"]["intercept"]
    assert facts["recorded"] == "2022-03-01" and list(facts["speakers"]) == ["soldier", "mother"]
    assert len(facts["sha256"]) == 64 and call.metadata["docedit"]["gain_db"] == -3
    redaction = next(m for m in back.tracks.markers if m.name.startswith("redacted"))
    assert redaction.metadata["docedit"]["note"] == "a name"
    assert [e.effect_name for e in back.find_clips()[0].effects] == ["docedit.camera_move"]


@pytest.mark.parametrize("suffix", [".xml", ".fcpxml"])
def test_sample_xml_passes_the_adapter_and_parses(tmp_path: Path, suffix: str) -> None:
    """No package ships the FCP 7 (xmeml) DTD or the FCPXML DTD (Apple ships them only
    inside Final Cut Pro), so the check is the adapter's own reading plus a strict lxml
    parse and the root element each format requires."""
    out = tmp_path / f"sample{suffix}"
    result = run_cli("otio", SAMPLE, "-o", out)
    assert result.returncode == 0, result.stderr
    assert "read back and checked" in result.stdout
    root = etree.parse(str(out), etree.XMLParser(resolve_entities=False)).getroot()
    assert root.tag == ("xmeml" if suffix == ".xml" else "fcpxml")
    back = otio.adapters.read_from_file(str(out))
    assert len(_clips(back, otio.schema.TrackKind.Video)) == 15
    if suffix == ".fcpxml":
        assert "not in FCPXML: 12 dissolves" in result.stderr  # said, never silent


def test_storyboard_rows(tmp_path: Path) -> None:
    project = load_project(tiny(tmp_path, "25"))
    drawn = storyboard(project, tmp_path / "board.png")
    with Image.open(drawn.path) as image:
        assert image.size == (drawn.width, drawn.height)
        assert image.width >= 800 and drawn.rows == 2
        pixels = image.convert("RGB")
        heights = [b - a for a, b in zip(drawn.tops, [*drawn.tops[1:], image.height], strict=True)]
        assert min(heights) >= 100
        for top in drawn.tops:  # each row has a thumbnail (a saturated still) in it
            row = pixels.crop((250, top + 12, image.width, top + 120))
            assert max(max(p) - min(p) for p in row.getdata()) > 100
    pdf = storyboard(project, tmp_path / "board.pdf")
    assert pdf.path.read_bytes().startswith(b"%PDF")


def test_bad_output_is_one_line_and_nothing_written(tmp_path: Path) -> None:
    path = tiny(tmp_path, "25")
    unknown = run_cli("otio", path, "-o", tmp_path / "cut.mov")
    assert unknown.returncode == 1 and "unknown hand-off format '.mov'" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")  # a file where the output's folder should be: unwritable
    denied = run_cli("otio", path, "-o", blocker / "cut.otio")
    assert denied.returncode == 1 and len(denied.stderr.strip().splitlines()) == 1
    assert blocker.read_text() == "" and not (tmp_path / "cut.mov").exists()
    bad = run_cli("storyboard", path, "-o", tmp_path / "board.gif")
    assert bad.returncode == 1 and not (tmp_path / "board.gif").exists()


def test_missing_adapter_names_the_extra(tmp_path: Path) -> None:
    path = tiny(tmp_path, "25")
    code = (
        "import sys; sys.modules['opentimelineio'] = None; sys.argv = ['docedit', *sys.argv[1:]];"
        "from docedit.cli import main; main()"
    )
    out = tmp_path / "cut.otio"
    result = subprocess.run(
        [sys.executable, "-c", code, "otio", str(path), "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    assert "pip install 'docedit[otio]'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()
