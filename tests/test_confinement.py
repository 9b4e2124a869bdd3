"""Confinement: a timeline from someone else (a pull request in CI) may only use files
under the project root. A file outside it, by `~`, `..`, an absolute path, a symlink, a
glob or an include, fails validation at its line and is never read into the output."""

from __future__ import annotations

import inspect
import os
from importlib import import_module
from pathlib import Path

import pytest
from typer.testing import CliRunner

from docedit.cli.app import COMMANDS, app
from docedit.jobs.validate import validate
from docedit.timeline.confine import confined, git_top, root_for
from tests import media
from tests.conftest import ROOT, SAMPLE

SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- do-not-print-me"


@pytest.fixture
def project(tmp_path, tmp_path_factory, monkeypatch) -> Path:
    """A project folder with its media, and a home elsewhere holding a private key."""
    home = tmp_path_factory.mktemp("home")
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text(f"1\n00:00:00,000 --> 00:00:01,000\n{SECRET}\n")
    monkeypatch.setenv("HOME", str(home))
    folder = tmp_path / "project"
    (folder / "images").mkdir(parents=True)
    media.still(folder / "images" / "a.png", (10, 200, 10))
    media.write_wav(folder / "call.wav", media.tone(1.0))
    outside = tmp_path / "outside"
    outside.mkdir()
    media.still(outside / "b.png", (200, 10, 10))
    media.write_wav(outside / "bed.wav", media.tone(1.0))
    return folder


def write(folder: Path, text: str) -> Path:
    path = folder / "t.yaml"
    path.write_text(text.lstrip(), "utf-8")
    return path


ESCAPES = """
docedit: 1
intercepts:
  call:
    file: call.wav
    transcript: ~/.ssh/id_rsa
scenes:
  one:
    pictures:
      - image: images/a.png
      - image: ../outside/b.png
      - glob: ../outside/*.png
    audio:
      - intercept: call
      - bed: {bed}
"""


def lines(report) -> dict[int, str]:
    return {f.line: f.message for f in report.errors}


def test_every_way_out_of_the_root_fails_at_its_line_and_prints_nothing_of_it(project):
    path = write(project, ESCAPES.format(bed=project.parent / "outside" / "bed.wav"))
    assert validate(path).ok()  # confinement is off unless asked for
    with confined(project):
        report = validate(path)
    found = lines(report)
    assert sorted(found) == [5, 10, 11, 14], found
    for line in (5, 10, 11, 14):
        assert f"outside the project root {project}" in found[line]
        assert found[line].endswith("move it inside or pass --root (a timeline may only use "
                                    "files under its root)")  # fmt: skip
    assert found[5].startswith("~/.ssh/id_rsa: ")
    assert found[10].startswith("../outside/b.png: ")
    result = media.run_cli("validate", path, "--root", project)
    assert result.returncode == 1
    assert "do-not-print-me" not in result.stdout + result.stderr
    assert f"{path}:5:17: error: ~/.ssh/id_rsa: outside the project root" in result.stderr


def test_a_symlink_inside_the_root_pointing_out_is_refused(project):
    (project / "images" / "link.png").symlink_to(project.parent / "outside" / "b.png")
    (project / "elsewhere").symlink_to(project.parent / "outside", target_is_directory=True)
    path = write(
        project,
        """
docedit: 1
scenes:
  one:
    pictures:
      - image: images/link.png
      - glob: elsewhere/*.png
""",
    )
    with confined(project):
        found = lines(validate(path))
    real = project.parent / "outside" / "b.png"
    assert sorted(found) == [5, 6]
    assert found[5].startswith(f"images/link.png: outside the project root {project} (a link to")
    assert f"(a link to {real})" in found[6]


def test_an_include_outside_the_root_is_never_read(project):
    catalog = project.parent / "outside" / "calls.yaml"
    catalog.write_text("leak:\n  file: ../project/call.wav\n")
    path = write(
        project,
        """
docedit: 1
intercepts:
  include: ../outside/calls.yaml
scenes:
  one:
    pictures:
      - image: images/a.png
""",
    )
    with confined(project):
        report = validate(path)
    (finding,) = report.errors
    assert finding.line == 3
    assert finding.message.startswith("include ../outside/calls.yaml: outside the project root")


def test_ci_or_docedit_root_turn_it_on_with_the_documented_default_root(project, monkeypatch):
    path = write(project, ESCAPES.format(bed="call.wav"))
    assert root_for(path) is None
    monkeypatch.setenv("CI", "true")
    (project / ".git").mkdir()  # the project is a git work tree: its top is the root
    assert git_top(project / "images") == project
    assert root_for(path).path == project
    assert sorted(lines(validate(path))) == [5, 10, 11]
    monkeypatch.delenv("CI")
    monkeypatch.setenv("DOCEDIT_ROOT", str(project.parent))  # a wider root
    assert root_for(path).path == project.parent
    assert sorted(lines(validate(path))) == [5]  # only the home folder is outside
    monkeypatch.setenv("CI", "false")
    monkeypatch.delenv("DOCEDIT_ROOT")
    assert root_for(path) is None


def test_without_git_the_root_is_the_current_folder(project, monkeypatch):
    path = write(project, ESCAPES.format(bed="call.wav"))
    monkeypatch.setenv("CI", "1")
    monkeypatch.chdir(project.parent)
    assert git_top(project) is None  # pytest's temp folders are not in a work tree
    assert root_for(path).path == project.parent.resolve()
    assert sorted(lines(validate(path))) == [5]


def test_the_sample_validates_confined_as_ci_runs_it():
    result = media.run_cli("validate", SAMPLE, env={**os.environ, "CI": "true"}, cwd="/")
    assert result.returncode == 0, result.stderr
    assert git_top(SAMPLE.parent) == ROOT


def test_every_command_that_reads_a_timeline_takes_root():
    targets = {name: getattr(import_module(m), f) for name, (m, f) in COMMANDS.items()}
    commands = {name: f for name, f in targets.items() if inspect.isfunction(f)}  # not groups
    reading = {
        name for name, f in commands.items() if "timeline" in inspect.signature(f).parameters
    }
    assert {"validate", "render", "mix", "subtitles"} <= reading
    for name in reading:
        result = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "200"})
        assert "--root" in result.output, name
