"""The CLI's exit statuses and messages, and the public Python API, in real processes.

A user's mistake is one line (or one per finding) and exit 1; a bug is an "internal
error" line, exit 70 and a saved traceback; no failure leaves an output behind.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import docedit
from tests import media

BUG = re.compile(
    r"^internal error: (?P<what>.+); this is a bug in docedit\. "
    r"The traceback is in (?P<file>.+); nothing written$"
)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """One second of a red still under a tone."""
    media.still(tmp_path / "red.png", (220, 30, 30))
    media.write_wav(tmp_path / "call.wav", media.tone(1.0, 440, 0.5))
    return media.timeline(
        tmp_path / "t.yaml",
        {
            "docedit": 1,
            "settings": {"size": [160, 90], "fps": 25},
            "intercepts": {"call": {"file": "call.wav"}},
            "scenes": {
                "a": {
                    "pictures": [{"image": "red.png", "hold": "1s"}],
                    "audio": [{"intercept": "call"}],
                }
            },
        },
    )


def _files(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()}


def _crash_files() -> set[Path]:
    folder = Path(os.environ["DOCEDIT_CACHE_DIR"]) / "crash"
    return _files(folder) if folder.exists() else set()


@pytest.mark.parametrize("command", ["render", "validate"])
def test_a_bad_timeline_is_one_line_per_finding(tmp_path, command):
    bad = tmp_path / "bad.yaml"
    bad.write_text("docedit: 1\nscenes:\n  a:\n    pictres: []\n", "utf-8")
    output = ["-o", tmp_path / "x.mp4", "-q"] if command == "render" else []
    result = media.run_cli(command, bad, *output)
    assert result.returncode == 1
    *findings, last = result.stderr.splitlines()
    located = re.compile(rf"{re.escape(str(bad))}:\d+:\d+: error: ")
    assert findings and all(located.match(finding) for finding in findings)
    assert "pictres" in findings[0] and not (tmp_path / "x.mp4").exists()
    if command == "render":
        assert last == f"{len(findings)} error(s); nothing written"
    else:
        assert last == f"{bad}: {len(findings)} error(s), 0 warning(s)"


def test_a_usage_error_is_exit_2(small):
    result = media.run_cli("render", small, "--profile", "huge", "-o", small.parent / "x.mp4")
    assert result.returncode == 2 and "'huge' is not one of" in result.stderr


@pytest.mark.e2e
@pytest.mark.parametrize("where", ["/proc/docedit-missing", "a-file"])
def test_an_output_in_a_place_that_cannot_hold_it_is_one_line(small, where):
    folder = small.parent / where  # a folder /proc refuses; or a file, not a folder
    if where == "a-file":
        folder.write_text("not a folder", "utf-8")
    before = _files(small.parent)
    result = media.run_cli("mix", small, "-o", folder / "sub" / "m.wav", "-q")
    assert result.returncode == 1, result.stderr
    line = result.stderr.strip()
    assert "\n" not in line, result.stderr
    said = r"; nothing (written|was rendered)"  # the early output check says the latter
    assert re.fullmatch(rf"error: {re.escape(str(folder))}(/sub)?: [^;]+{said}", line)
    assert _files(small.parent) == before


@pytest.mark.e2e
def test_an_unknown_cut_is_one_line(small):
    result = media.run_cli("mix", small, "--cut", "nope", "-o", small.parent / "m.wav", "-q")
    assert result.returncode == 1
    assert result.stderr == "error: no cut named 'nope' (cuts: none); nothing written\n"
    assert not (small.parent / "m.wav").exists()


def _run_with_a_bug(
    module: str, name: str, raises: str, *argv: object
) -> subprocess.CompletedProcess:
    """`docedit ARGV` in a child process where the function `module.name` (a dotted
    name: a method too) is replaced by one that raises: a real bug, not a mock."""
    *owners, function = name.split(".")
    script = "\n".join(
        [
            "import importlib, sys",
            "import docedit.cli",
            f"owner = importlib.import_module({module!r})",
            *(f"owner = owner.{part}" for part in owners),
            "def broken(*args, **kwargs):",
            f"    raise {raises}",
            f"setattr(owner, {function!r}, broken)",
            f"sys.argv = ['docedit', *{[str(a) for a in argv]!r}]",
            "docedit.cli.main()",
        ]
    )
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("raises", "named"),
    [
        ("ZeroDivisionError('division by zero')", "ZeroDivisionError: division by zero"),
        ("ValueError()", "ValueError"),  # was shown as a user's mistake before
        (
            "FileNotFoundError(2, 'No such file or directory', '/nonexistent/docedit-internal')",
            "FileNotFoundError: [Errno 2] No such file or directory: "
            "'/nonexistent/docedit-internal'",
        ),  # an OS error about a file the user did not name
    ],
)
def test_a_bug_in_the_mix_is_an_internal_error_with_a_saved_traceback(small, raises, named):
    before, crashes = _files(small.parent), _crash_files()
    out = small.parent / "m.wav"
    result = _run_with_a_bug("docedit.sound.mix", "pcm24", raises, "mix", small, "-o", out, "-q")
    assert result.returncode == 70, result.stderr
    assert "Traceback" not in result.stderr
    match = BUG.match(result.stderr.strip())
    assert match, result.stderr
    assert match["what"] == named
    saved = Path(match["file"])
    assert _crash_files() - crashes == {saved}
    text = saved.read_text("utf-8")
    assert "Traceback (most recent call last)" in text and named.split(":")[0] in text
    assert "in pcm24" not in text and "in broken" in text and "mix_to_wav" in text
    assert _files(small.parent) == before  # no output, no temporary file


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("module", "name", "where"),
    [
        ("docedit.picture.frames", "FrameRenderer.frame", "in encode_video"),
        ("docedit.sound.mix", "limiter_gain", "In the sound process"),  # the forked worker's
    ],
)
def test_a_bug_in_a_render_stops_it_and_leaves_nothing(small, module, name, where):
    before = _files(small.parent)
    out = small.parent / "out" / "cut.mp4"
    bug = "ZeroDivisionError('division by zero')"
    result = _run_with_a_bug(module, name, bug, "render", small, "-o", out, "-q", "--no-cache")
    assert result.returncode == 70, result.stderr
    match = BUG.match(result.stderr.strip())
    assert match and match["what"] == "ZeroDivisionError: division by zero", result.stderr
    text = Path(match["file"]).read_text("utf-8")
    assert "ZeroDivisionError" in text and where in text and "in broken" in text
    assert _files(small.parent) == before


@pytest.mark.e2e
def test_a_good_run_prints_what_it_wrote_and_no_error(small):
    good = media.run_cli("mix", small, "-o", small.parent / "m.wav", "-q")
    assert good.returncode == 0 and good.stdout.startswith(f"wrote {small.parent / 'm.wav'}")
    assert good.stderr == ""


@pytest.mark.e2e
def test_the_public_api_and_the_old_import_paths(small, tmp_path):
    from docedit.render import mix as old_mix
    from docedit.render import render as old_render
    from docedit.render import subtitles as old_subtitles
    from docedit.validate import load_project, validate

    assert callable(docedit.render) and callable(docedit.validate)  # functions, not modules
    assert callable(old_render) and callable(old_subtitles)
    report = docedit.validate(small)
    assert report.ok() and report.summary.startswith("1 scenes") and report.project
    assert validate(small).summary == report.summary
    project = docedit.load(str(small))
    assert load_project(small).timeline == project.timeline
    new = docedit.mix(project, tmp_path / "new.wav")
    old = old_mix(load_project(small), tmp_path / "old.wav")
    assert new.samples == old.samples == 48000
    assert media.read_wav(tmp_path / "new.wav")[0].tobytes() == (
        media.read_wav(tmp_path / "old.wav")[0].tobytes()
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("docedit: 1\nscenes: {}\n", "utf-8")
    with pytest.raises(docedit.DoceditError) as caught:
        docedit.load(bad)
    assert isinstance(caught.value, docedit.TimelineError) and caught.value.findings
    assert not docedit.validate(bad).ok()


@pytest.mark.e2e
def test_render_from_a_path_writes_the_cut(small, tmp_path):
    result = docedit.render(small, tmp_path / "cut.mp4", profile="preview")
    assert isinstance(result, docedit.RenderResult)
    assert result.path == tmp_path / "cut.mp4" and result.size == (640, 360)
    frames = media.all_frames(result.path, result.size)
    assert frames.shape[0] == result.frames == 12  # a preview runs at 12 fps
    assert abs(frames[6].reshape(-1, 3).mean(axis=0) - (220, 30, 30)).max() < 12


def test_import_docedit_stays_light():
    heavy = ["moviepy", "scipy", "pydub", "cv2", "numpy", "pydantic", "typer"]
    script = f"import sys, docedit; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
