"""The editor's loop: `docedit init`, `info`, `watch`, and a help that reads like a native
tool's. Every command runs in a child process, as a user would run it."""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from fractions import Fraction
from pathlib import Path

from docedit.jobs.validate import load_project
from docedit.plan import make_plan
from tests.conftest import SAMPLE
from tests.media import ffmpeg, run_cli, streams

WAIT = 180  # seconds: a bound against a hang, never a figure the test checks


def test_init_makes_a_project_that_renders(tmp_path: Path) -> None:
    made = run_cli("init", "mydoc", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "mydoc"
    for folder in ("timelines", "assets/intercepts", "assets/images", "assets/ambience"):
        assert any((project / folder).iterdir()), folder
    assert "out/" in (project / ".gitignore").read_text()
    settings = json.loads((project / ".vscode" / "settings.json").read_text())
    [(schema, pattern)] = settings["yaml.schemas"].items()
    assert pattern == "timelines/*.yaml" and (project / schema).is_file()
    [timeline] = project.glob("timelines/*.yaml")
    modeline = timeline.read_text().splitlines()[0]
    assert modeline == "# yaml-language-server: $schema=../schema/timeline.schema.json"

    checked = run_cli("validate", "--strict", timeline, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    rendered = run_cli("render", timeline, "--profile", "preview", "-q", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    facts = streams(tmp_path / f"{timeline.stem}.mp4")
    assert facts["video_codec"] == "h264" and facts["audio_codec"] == "aac"
    assert facts["frames"] > 0 and facts["duration"] > 5


def test_init_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "mydoc").mkdir()
    (tmp_path / "mydoc" / "notes.txt").write_text("mine")
    refused = run_cli("init", "mydoc", cwd=tmp_path)
    assert refused.returncode == 1
    [line] = refused.stderr.strip().splitlines()
    assert "not empty" in line and "mydoc" in line
    assert sorted(p.name for p in (tmp_path / "mydoc").iterdir()) == ["notes.txt"]


def test_info_figures_are_the_plans() -> None:
    shown = run_cli("info", SAMPLE, "--json")
    assert shown.returncode == 0, shown.stderr
    facts = json.loads(shown.stdout)
    project = load_project(SAMPLE)
    plan = make_plan(project)
    assert facts["length"]["frames"] == plan.frames
    assert Fraction(facts["length"]["seconds"]).limit_denominator(1000) == plan.duration
    assert [s["id"] for s in facts["scenes"]] == [s.id for s in plan.scenes]
    for shown_scene, scene in zip(facts["scenes"], plan.scenes, strict=True):
        assert shown_scene["start"]["frames"] == scene.start
        assert shown_scene["length"]["frames"] == scene.frames
        pictures = [shot for shot in scene.shots if shot.kind != "title"]
        assert shown_scene["pictures"] == len(pictures)
        calls = {sound.intercept for sound in scene.sounds if sound.intercept}
        assert set(shown_scene["intercepts"]) == calls
    for name in project.timeline.cuts:
        assert facts["cuts"][name]["frames"] == make_plan(project, name).frames
    intercepts = project.timeline.intercepts
    assert facts["speakers"] == sorted({s for i in intercepts.values() for s in i.speakers})
    days = sorted(str(i.recorded) for i in intercepts.values())
    assert facts["recorded"] == [days[0], days[-1]]
    [redaction] = facts["redactions"]
    assert redaction["intercept"] == "call-05"
    assert (redaction["begin"], redaction["end"]) == (9.34, 11.32)
    assert redaction["note"] == "the unit commander is named; bleeped"
    assert facts["warnings"] == 0

    text = run_cli("info", SAMPLE)
    assert text.returncode == 0 and "00:01:37.760" in text.stdout
    assert "call-05 9.34s-11.32s" in text.stdout


class Lines:
    """A child's merged stdout and stderr, read line by line as they come."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert process.stdout is not None
        stream = process.stdout
        threading.Thread(target=lambda: [*map(self.lines.put, stream)], daemon=True).start()

    def next(self, wanted: str) -> str:
        """The next line that holds `wanted`; fails on a render or error line before it."""
        while True:
            line = self.lines.get(timeout=WAIT).rstrip("\n")
            self.seen.append(line)
            if wanted in line:
                return line
            assert not line.startswith(("rendered", "error")), f"{line!r}; all: {self.seen}"


class Snapshots:
    """Reads the output over and over while the watch renders, keeping each distinct
    content: every one must be a whole, decodable preview."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.contents: dict[str, bytes] = {}
        self.reads = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        while not self.stop.is_set():
            try:
                data = self.path.read_bytes()
            except FileNotFoundError:
                continue
            self.reads += 1
            self.contents.setdefault(hashlib.sha256(data).hexdigest(), data)

    def finish(self) -> list[bytes]:
        self.stop.set()
        self.thread.join()
        return list(self.contents.values())


def test_watch_renders_on_save_and_survives_broken_yaml(tmp_path: Path) -> None:
    assert run_cli("init", "proj", cwd=tmp_path).returncode == 0
    timeline = tmp_path / "proj" / "timelines" / "proj.yaml"
    out = tmp_path / "out" / "preview.mp4"
    process = subprocess.Popen(
        [sys.executable, "-m", "docedit", "watch", str(timeline), "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        lines = Lines(process)
        first = lines.next("rendered")
        assert "2 of 2 segments encoded" in first and "sound mixed" in first
        snapshots = Snapshots(out)
        original = timeline.read_text()

        # One scene's picture: one render, that scene's segment alone, the sound kept.
        timeline.write_text(original.replace("motion: pan-left", "motion: pan-right"))
        again = lines.next("rendered")
        assert "1 of 2 segments encoded" in again and "sound from the cache" in again

        # Half-typed YAML: an error at its line, and the watch goes on. The error comes
        # next: no second render came from the one save above.
        timeline.write_text(timeline.read_text() + "scenes: [\n")
        lines.next("proj.yaml:")
        lines.next("waiting for the next save")
        assert process.poll() is None

        timeline.write_text(original)  # fixed: a render
        assert "segments encoded" in lines.next("rendered")
        seen = snapshots.finish()
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=WAIT)
    assert code == 0
    assert "stopped;" in lines.next("stopped")
    assert snapshots.reads > 0 and len(seen) >= 2  # the previews before and after saves
    for number, data in enumerate(seen):
        copy = tmp_path / f"seen-{number}.mp4"
        copy.write_bytes(data)
        decoded = ffmpeg("-v", "error", "-i", str(copy), "-f", "null", "-")
        assert decoded.stderr == b"", decoded.stderr
        assert streams(copy)["frames"] == streams(out)["frames"]


def test_watch_of_a_missing_timeline_fails_at_once(tmp_path: Path) -> None:
    failed = run_cli("watch", "missing.yaml", cwd=tmp_path)
    assert failed.returncode == 1
    assert "missing.yaml" in failed.stderr and not (tmp_path / "out").exists()


TYPE_TAG = re.compile(
    r"<(bool|str|int|float|path|file|dir|directory|datetime|uuid|list\[[^>]*\]|\w+ range"
    r"|[\w-]+(\|[\w-]+)+)>|\b(TEXT|INTEGER|FLOAT|BOOLEAN|PATH)\b"
)


def _commands() -> list[list[str]]:
    import typer.main

    from docedit.cli.app import app

    group = typer.main.get_command(app)
    found: list[list[str]] = [[]]
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        found.append([name])
        found += [[name, sub] for sub in getattr(command, "commands", {})]
    return found


def test_every_help_has_an_example_and_no_type_tags() -> None:
    from typer.testing import CliRunner

    from docedit.cli.app import app

    commands = _commands()
    assert ["watch"] in commands and ["init"] in commands and ["info"] in commands
    for words in commands:
        shown = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "200"})
        text = shown.output
        assert shown.exit_code == 0, (words, text)
        assert re.search(r"Examples?:\s+docedit ", text), (words, text)
        assert "Exit codes: 0 done; 1 " in text, words
        assert not TYPE_TAG.search(text), (words, TYPE_TAG.search(text))
        if words and words[0] != "cache":  # every guarded command: -q and -v
            assert "--quiet" in text and "--verbose" in text, words
    top = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).output
    assert "--install-completion" in top and "--version" in top
    assert "130 interrupted" in top and "70 a bug" in top


def test_colour_follows_no_color_and_force_color(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("docedit: 1\nscenes: {a: {pictures: [{image: nope.png}]}}\n")
    plain = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    forced = run_cli("validate", bad, env={**plain, "FORCE_COLOR": "1"})
    assert forced.returncode == 1 and "\x1b[31m" in forced.stderr  # red, through a pipe
    muted = run_cli("validate", bad, env={**plain, "FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert muted.returncode == 1 and "nope.png" in muted.stderr and "\x1b[" not in muted.stderr
    piped = run_cli("validate", bad, env=plain)
    assert "\x1b[" not in piped.stderr  # a pipe, not a terminal: no colour unasked


def test_verbose_and_quiet(tmp_path: Path) -> None:
    said = run_cli("info", SAMPLE, "-v")
    assert said.returncode == 0 and re.search(r"done in \d+\.\d\ds", said.stderr)
    warned = tmp_path / "warned.yaml"
    data = SAMPLE.read_text().replace("../assets", str(SAMPLE.parent.parent / "assets"))
    warned.write_text(data.replace("duck: -12dB", "duck: 3dB"))  # a warning, not an error
    loud = run_cli("validate", warned)
    quiet = run_cli("validate", warned, "-q")
    assert loud.returncode == quiet.returncode == 0
    assert "warning" in loud.stderr and "warning" not in quiet.stderr
