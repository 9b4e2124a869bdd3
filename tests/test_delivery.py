"""Delivery (issue 16): the master profile, qc, provenance and subtitle rules, end to end
on real files made here, checked with the bundled ffmpeg (no mocks)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pysubs2
import pytest

from docedit.jobs.render import mix, render
from docedit.jobs.validate import load_project
from tests import media
from tests.conftest import SAMPLE

pytestmark = pytest.mark.e2e
SIZE = (320, 180)
TT = "{http://www.w3.org/ns/ttml}"

SRT = """1
00:00:00,200 --> 00:00:02,000
Where are you now?

2
00:00:02,400 --> 00:00:04,200
Near the river.
Do not call again.
"""


def speechlike(seconds: float) -> np.ndarray:
    """Two tones under a syllable-rate envelope: loudness that AAC keeps to a tenth of a LU."""
    t = np.arange(round(seconds * media.RATE)) / media.RATE
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 3 * t)
    return 0.3 * envelope * (np.sin(2 * np.pi * 220 * t) + 0.5 * np.sin(2 * np.pi * 660 * t))


def make_project(folder: Path, loudness: object = "ebu-r128") -> Path:
    media.still(folder / "red.png", (220, 30, 30), SIZE)
    media.still(folder / "blue.png", (30, 30, 220), SIZE)
    media.write_wav(folder / "call.wav", speechlike(4.5))
    (folder / "call.en.srt").write_text(SRT, "utf-8")
    call = {
        "file": "call.wav",
        "translation": "call.en.srt",
        "redact": [{"from": "2.5s", "to": "3s", "note": "a place name"}],
    }
    return media.timeline(
        folder / "t.yaml",
        {
            "docedit": 1,
            "settings": {"size": list(SIZE), "fps": 25, "loudness": loudness},
            "intercepts": {"call": call},
            "scenes": {
                "one": {
                    "pictures": [
                        {"image": "red.png", "hold": "2s"},
                        {"image": "blue.png", "hold": "2.5s"},
                    ],
                    "audio": [{"intercept": "call"}],
                }
            },
        },
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("delivery")
    path = make_project(folder)
    project = load_project(path)
    outs = {"timeline": path, "final": folder / "out.mp4", "master": folder / "out.mov"}
    render(project, outs["final"])
    render(project, outs["master"], profile="master")
    mix(project, folder / "mix.wav")
    outs["mix"] = folder / "mix.wav"
    return outs


def describe(path: Path) -> str:
    return media.ffmpeg("-i", str(path), "-f", "null", "-t", "0", "-").stderr.decode()


def pcm24(path: Path) -> np.ndarray:
    """The file's audio stream as raw 24-bit samples (no resampling), scaled as read_wav."""
    raw = media.ffmpeg("-i", str(path), "-map", "0:a:0", "-f", "s24le", "-").stdout
    bytes3 = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
    ints = bytes3[:, 0] | (bytes3[:, 1] << 8) | (bytes3[:, 2] << 16)
    ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
    return (ints / float(1 << 23)).reshape(-1, 2)


def test_master_is_prores_hq_422_10bit_with_pcm24_and_the_final_frames_and_mix(rendered):
    info = describe(rendered["master"])
    assert re.search(r"Video: prores \(HQ\).*yuv422p10le.*320x180.*25 fps", info), info
    assert "Audio: pcm_s24le" in info and "48000 Hz, stereo" in info
    master, final = media.streams(rendered["master"]), media.streams(rendered["final"])
    assert master["frames"] == final["frames"] == 113  # 4.5 s at 25 fps, rounded up
    # The mix: the master carries the very samples `docedit mix` writes; the final's AAC
    # is the same mix, lossy.
    mixed, _, _ = media.read_wav(rendered["mix"])
    carried = pcm24(rendered["master"])
    assert carried.shape == mixed.shape and np.array_equal(carried, mixed)
    aac = media.decode_audio(rendered["final"])[: mixed.shape[0]]
    assert np.corrcoef(aac[:, 0], mixed[: aac.shape[0], 0])[0, 1] > 0.99
    # The same pictures: ProRes is near lossless, H.264 at CRF 18 close to it.
    for index in (10, 80):
        a = media.frame_at(rendered["master"], index, SIZE).astype(int)
        b = media.frame_at(rendered["final"], index, SIZE).astype(int)
        assert np.abs(a - b).mean() < 3


def test_master_output_must_end_in_mov_and_final_in_mp4(rendered, tmp_path):
    result = media.run_cli(
        "render", rendered["timeline"], "--profile", "master", "-o", tmp_path / "x.mp4"
    )
    assert result.returncode == 1 and "must end in .mov" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # the contract: one line
    result = media.run_cli("render", rendered["timeline"], "-o", tmp_path / "x.mov")
    assert result.returncode == 1 and "must end in .mp4" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_qc_passes_renders_made_to_the_spec(rendered):
    for kind in ("master", "final"):
        result = media.run_cli("qc", rendered[kind], "--spec", "ebu-r128")
        assert result.returncode == 0, result.stdout + result.stderr
        assert "passed ebu-r128" in result.stdout
        assert re.search(r"video 113 frames at 25 fps", result.stdout)
        assert re.search(r"loudness -23\.\d LUFS integrated", result.stdout), result.stdout


def test_qc_fails_a_copy_10_db_louder_saying_by_how_much(rendered, tmp_path):
    loud = tmp_path / "loud.mov"
    media.ffmpeg("-i", str(rendered["master"]), "-c:v", "copy", "-af", "volume=10dB",
                 "-c:a", "pcm_s24le", str(loud))  # fmt: skip
    result = media.run_cli("qc", loud, "--spec", "ebu-r128")
    assert result.returncode == 1
    said = re.search(r"integrated loudness (-?[\d.]+) LUFS is ([\d.]+) LU louder", result.stderr)
    assert said, result.stderr
    assert abs(float(said[2]) - 10) <= 0.2
    data = json.loads(media.run_cli("qc", loud, "--loudness", "-23", "--json").stdout)
    assert data["passed"] is False and abs(data["loudness"]["integrated"] + 13) < 0.3


def test_qc_names_three_seconds_of_black(tmp_path):
    clip = tmp_path / "black.mp4"
    media.ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=2",
        "-f", "lavfi", "-i", "color=black:size=160x90:rate=25:duration=3",
        "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=2",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=7:sample_rate=48000",
        "-filter_complex", "[0:v][1:v][2:v]concat=n=3:v=1[v]",
        "-map", "[v]", "-map", "3:a", "-c:v", "libx264", "-pix_fmt", "yuv420p",
        "-c:a", "aac", str(clip),
    )  # fmt: skip
    result = media.run_cli("qc", clip, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    black = [s for s in data["stretches"] if s["kind"] == "black"]
    assert len(black) == 1 and abs(black[0]["start"] - 2) < 0.05 and abs(black[0]["end"] - 5) < 0.05
    assert data["frames"] == 175 and data["fps"] == 25
    text = media.run_cli("qc", clip).stderr
    assert re.search(r"black from 2\.00s to 5\.00s \(3\.00s\)", text), text


def test_verify_passes_a_fresh_render_and_names_a_changed_source(tmp_path):
    path = make_project(tmp_path, loudness=-16)
    out = tmp_path / "film.mp4"
    assert media.run_cli("render", path, "--profile", "preview", "-o", out, "-q").returncode == 0
    manifest = json.loads((tmp_path / "film.mp4.manifest.json").read_text("utf-8"))
    sources = {s["path"]: s for s in manifest["sources"]}
    assert set(sources) == {"call.wav", "call.en.srt", "red.png", "blue.png"}
    assert sources["call.wav"]["uses"][0]["node"] == "scenes.one.audio[0]"
    assert manifest["redactions"] == [
        {"intercept": "call", "from": 2.5, "to": 3.0, "note": "a place name",
         "node": "intercepts.call.redact[0]", "line": manifest["redactions"][0]["line"]}
    ]  # fmt: skip
    ok = media.run_cli("verify", out)
    assert ok.returncode == 0 and "ok: 6 file(s) as recorded" in ok.stdout, ok.stderr
    data = bytearray((tmp_path / "call.wav").read_bytes())
    data[len(data) // 2] ^= 1  # one byte of the intercept's samples
    (tmp_path / "call.wav").write_bytes(bytes(data))
    changed = media.run_cli("verify", out)
    assert changed.returncode == 1
    assert "call.wav: intercept changed" in changed.stderr
    assert "1 of 6 file(s) changed or missing" in changed.stderr
    (tmp_path / "red.png").unlink()
    assert "red.png: still missing" in media.run_cli("verify", out).stderr


def test_verify_checks_an_export_folder_and_names_a_changed_source(tmp_path):
    """`docedit export` writes DIR/manifest.json; `docedit verify DIR` re-hashes every
    scene file and every source the scenes used."""
    path = make_project(tmp_path, loudness=-16)
    folder = tmp_path / "export"
    done = media.run_cli("export", path, "-d", folder, "--profile", "preview", "-q")
    assert done.returncode == 0, done.stderr
    ok = media.run_cli("verify", folder)
    assert ok.returncode == 0 and "as recorded" in ok.stdout, ok.stderr
    data = bytearray((tmp_path / "call.wav").read_bytes())
    data[len(data) // 2] ^= 1
    (tmp_path / "call.wav").write_bytes(bytes(data))
    changed = media.run_cli("verify", folder)
    assert changed.returncode == 1
    assert "call.wav: intercept changed" in changed.stderr, changed.stderr


RULE_BREAKING = """1
00:00:00,000 --> 00:00:04,000
This line of the transcript runs to sixty characters in all.

2
00:00:05,000 --> 00:00:06,000
Thirty characters in a second.

3
00:00:06,040 --> 00:00:08,000
Then one frame.
"""


def test_three_rule_breaches_are_found_at_their_lines(tmp_path):
    media.write_wav(tmp_path / "call.wav", speechlike(8.5))
    (tmp_path / "call.srt").write_text(RULE_BREAKING, "utf-8")
    media.still(tmp_path / "red.png", (200, 0, 0), SIZE)
    path = media.timeline(
        tmp_path / "t.yaml",
        {
            "docedit": 1,
            "settings": {"size": list(SIZE), "fps": 25},
            "intercepts": {"call": {"file": "call.wav", "translation": "call.srt"}},
            "scenes": {"s": {"pictures": [{"image": "red.png"}], "audio": [{"intercept": "call"}]}},
        },
    )
    assert len("This line of the transcript runs to sixty characters in all.") == 60
    assert len("Thirty characters in a second.") == 30
    result = media.run_cli("validate", path)
    found = [line for line in result.stderr.splitlines() if "subtitle rules" in line]
    srt = tmp_path / "call.srt"
    assert found == [
        f"{srt}:2:1: warning: subtitle rules: line 1 of the cue has 60 characters; "
        "netflix allows 42",
        f"{srt}:6:1: warning: subtitle rules: reads at 30.0 characters a second; netflix allows 20 "
        "(show it 1.50s or shorten it)",
        f"{srt}:10:1: warning: subtitle rules: starts 1 frame after the cue before it ends; "
        "netflix needs 2 frames between cues",
    ], result.stderr
    checked = media.run_cli("subtitles", path, "-o", tmp_path / "s.srt", "--check")
    assert checked.returncode == 1 and "3 cue(s) miss the netflix rules" in checked.stderr
    assert [f"{srt}:{n}:1" in checked.stderr for n in (2, 6, 10)] == [True] * 3
    rules = tmp_path / "lenient.yaml"
    rules.write_text("base: bbc\nchars_per_line: 60\ncps: 30\nmin_gap_frames: 1\n", "utf-8")
    lenient = media.run_cli("subtitles", path, "-o", tmp_path / "s.srt", "--rules", rules)
    assert lenient.returncode == 0 and "pass the lenient rules" in lenient.stdout, lenient.stderr


def test_the_sample_passes_the_subtitle_rules(tmp_path):
    assert "subtitle rules" not in media.run_cli("validate", SAMPLE).stderr
    for lang in ("translation", "original"):
        result = media.run_cli(
            "subtitles", SAMPLE, "-o", tmp_path / "s.srt", "--lang", lang, "--check"
        )
        assert result.returncode == 0 and "pass the netflix rules" in result.stdout, result.stderr


def test_ttml_reads_back_to_the_srt_cues_and_ass_is_written(rendered, tmp_path):
    srt, ttml, ass = tmp_path / "s.srt", tmp_path / "s.ttml", tmp_path / "s.ass"
    for out in (srt, ttml, ass):
        assert media.run_cli("subtitles", rendered["timeline"], "-o", out).returncode == 0
    expected = [(e.start, e.end, e.plaintext) for e in pysubs2.load(str(srt))]
    assert expected[1][2] == "[redacted]"  # the redaction reaches every format
    root = ET.parse(ttml).getroot()
    got = []
    for p in root.iter(f"{TT}p"):
        text = (p.text or "") + "".join("\n" + (br.tail or "") for br in p)
        got.append((ms(p.get("begin")), ms(p.get("end")), text))
    assert got == expected
    events = [(e.start, e.end, e.plaintext) for e in pysubs2.load(str(ass))]
    assert [(round(a, -1), round(b, -1), t) for a, b, t in expected] == events


def ms(clock: str | None) -> int:
    hours, minutes, seconds = (clock or "").split(":")
    return round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)


def test_loudness_names_and_numbers_reach_the_mix(rendered, tmp_path):
    folder = rendered["timeline"].parent
    for given, lufs in (("podcast", -14.0), ("-20", -20.0)):
        wav = tmp_path / f"{given}.wav"
        result = media.run_cli("mix", rendered["timeline"], "-o", wav, "--loudness", given, "-q")
        assert result.returncode == 0 and f"{lufs:.1f} LUFS" in result.stdout, result.stderr
    bad = media.run_cli("mix", rendered["timeline"], "-o", tmp_path / "x.wav", "--loudness", "loud")
    assert bad.returncode == 1 and "neither a number (LUFS) nor a spec" in bad.stderr
    broken = media.timeline(folder / "bad.yaml", {"docedit": 1, "settings": {"loudness": "loud"}})
    said = media.run_cli("validate", broken).stderr
    assert "loudness must be LUFS from -70 to 0, or a delivery spec: ebu-r128" in said


def test_cut_zone_breaches_are_those_of_every_cut_checked():
    """plan/subrules looks only at the cuts near each cue edge (bisection): the breaches
    are the same, in the same order, as testing every cut, at 25 and 29.97 fps."""
    import random
    from fractions import Fraction

    from docedit.plan.subrules import Breach, RuleCue, Rules, check

    def every_cut(cue: RuleCue, rules: Rules, fps: Fraction, cuts: list[Fraction]) -> list[str]:
        found = []
        for edge, time in (("starts", cue.start), ("ends", cue.end)):
            for cut in cuts:
                frames = round((time - cut) * fps)
                if frames != 0 and abs(frames) <= rules.cut_zone_frames:
                    found.append(f"{edge} {frames} {cut}")
        return found

    rng = random.Random(3)
    for fps in (Fraction(25), Fraction(30000, 1001)):
        for zone in (0, 1, 2, 3):
            rules = Rules("test", cut_zone_frames=zone)
            cuts = sorted({Fraction(rng.randint(0, 3000), fps) for _ in range(60)})
            cues = []
            for _ in range(80):
                start = Fraction(rng.randint(0, 3000), fps) + Fraction(rng.randint(-1, 1), 200)
                cues.append(RuleCue(start, start + Fraction(rng.randint(20, 90), fps), "a"))
            found: list[Breach] = [
                b for b in check(cues, rules, fps, cuts) if "picture cut" in b.message
            ]
            expected = sorted(
                ((c, m) for c in cues for m in every_cut(c, rules, fps, cuts)),
                key=lambda pair: (pair[0].start, pair[0].line),
            )
            assert len(found) == len(expected)
            assert [b.cue for b in found] == [c for c, _ in expected]
