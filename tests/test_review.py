"""`docedit review`: the sample's review page opened from disk in a real headless Chromium
(Playwright driving Debian's /usr/bin/chromium; `make test` installs it), the redacted
words nowhere in the folder, and bad input leaving nothing behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
import srt
from playwright.sync_api import Browser, Page, sync_playwright

from docedit.output.review.vtt import Span, escape, webvtt

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "timelines" / "intercepted.yaml"
CALLS = ROOT / "assets" / "intercepts"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FRAME = Fraction(1, 25)  # one frame of the sample
# What call-05 says inside its redact span [9.34, 11.32] (its cue 4), in both languages.
REDACTED = ["Командир", "Петров", "бросил", "Commander", "Petrov", "abandoned"]


def review_cli(*args: object, cache: Path) -> subprocess.CompletedProcess:
    """`docedit review ...` with the test session's cache (module fixtures run outside
    conftest's per-test environment)."""
    env = {**os.environ, "DOCEDIT_CACHE_DIR": str(cache)}
    env.pop("CI", None)
    env.pop("DOCEDIT_ROOT", None)
    command = [sys.executable, "-m", "docedit", "review", *map(str, args), "--quiet"]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's review folder at the preview profile (a few seconds)."""
    out = tmp_path_factory.mktemp("review") / "sample"
    done = review_cli(SAMPLE, "-o", out, cache=tmp_path_factory.getbasetemp() / "cache")
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, folder: Path) -> Iterator[Page]:
    opened = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto((folder / "index.html").as_uri())
    opened.wait_for_function("document.getElementById('video').readyState >= 1")
    yield opened
    opened.close()
    assert errors == []


def current_time(page: Page) -> Fraction:
    return Fraction(page.evaluate("document.getElementById('video').currentTime"))


def playing_lines(page: Page) -> list[int]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.line'))
            .map((line, i) => line.getAttribute('aria-current') === 'true' ? i : -1)
            .filter(i => i >= 0)"""
    )


def seek(page: Page, seconds: float) -> None:
    """Set the video's time as playback would, and let the page hear of it."""
    page.evaluate(
        """async (t) => {
            const video = document.getElementById('video');
            const seeked = new Promise(done => video.addEventListener('seeked', done, {once: 1}));
            video.currentTime = t;
            await seeked;
            video.dispatchEvent(new Event('timeupdate'));
        }""",
        seconds,
    )


def test_the_folder_holds_page_cut_tracks_and_board(folder: Path) -> None:
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "chapters.vtt",
        "cut.mp4",
        "index.html",
        "original.vtt",
        "storyboard.png",
        "translation.vtt",
    ]
    html = (folder / "index.html").read_text("utf-8")
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert "Intercepted — scene study" in html and "LUFS" in html and "0.1.0" in html
    assert (folder / "chapters.vtt").read_text("utf-8").count(" --> ") == 3
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no temp left


def test_page_from_disk_plays_seeks_and_follows(page: Page) -> None:
    tracks = page.evaluate(
        """() => Array.from(document.getElementById('video').querySelectorAll('track'))
            .map(t => [t.kind, t.label, t.srclang, t.track.mode])"""
    )
    assert tracks == [
        ["subtitles", "Russian (original)", "ru", "disabled"],
        ["subtitles", "English (translation)", "en", "disabled"],
        ["chapters", "Scenes", "", "hidden"],
    ]
    # The tracks really load from file:// (a plain src="x.vtt" would not).
    page.evaluate(
        "() => { for (const t of document.getElementById('video').textTracks) t.mode = 'hidden' }"
    )
    page.wait_for_function(
        "Array.from(document.getElementById('video').textTracks).every(t => t.cues?.length)"
    )
    counts = page.evaluate(
        "Array.from(document.getElementById('video').textTracks).map(t => t.cues.length)"
    )
    assert counts == [28, 28, 3]

    # The third line: call-01's third cue, which the cut plays from 2 s.
    third = list(srt.parse((CALLS / "call-01.en.srt").read_text("utf-8")))[2]
    start = 2 + Fraction(third.start.total_seconds())
    line = page.locator(".line").nth(2)
    assert third.content in line.inner_text()
    line.click()
    assert abs(current_time(page) - start) <= FRAME
    assert playing_lines(page) == [2]
    assert line.get_attribute("aria-current") == "true"

    # The highlight follows the time: into the sixth line, then between two lines.
    sixth = page.locator(".line").nth(5)
    middle = (float(sixth.get_attribute("data-start")) + float(sixth.get_attribute("data-end"))) / 2
    seek(page, middle)
    assert playing_lines(page) == [5]
    gap = float(sixth.get_attribute("data-end")) + 0.01
    assert gap < float(page.locator(".line").nth(6).get_attribute("data-start"))
    seek(page, gap)
    assert playing_lines(page) == []
    # The scene playing is marked too: the third scene's button seeks to it.
    page.locator(".chapter").nth(2).click()
    assert page.locator(".chapter[aria-current='true'] .title").inner_text() == "III. Fear"


def test_keyboard_reaches_lines_and_subtitles(page: Page) -> None:
    page.locator(".line").nth(3).focus()
    page.keyboard.press("Enter")
    expected = float(page.locator(".line").nth(3).get_attribute("data-start"))
    assert abs(current_time(page) - Fraction(expected)) <= FRAME
    page.locator("#subtitles").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # Off -> Russian -> English
    modes = page.evaluate(
        "Array.from(document.getElementById('video').textTracks).map(t => t.mode)"
    )
    assert modes[:2] == ["disabled", "showing"]
    assert page.evaluate("document.activeElement.tagName") == "SELECT"


def test_phone_width_is_one_column(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    video = page.locator("video").bounding_box()
    transcript = page.locator("#transcript").bounding_box()
    assert video and transcript
    assert video["width"] <= 390 and transcript["y"] > video["y"] + video["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_no_redacted_word_reaches_the_folder(folder: Path) -> None:
    spoken = [
        cue.content
        for lang in ("ru", "en")
        for cue in srt.parse((CALLS / f"call-05.{lang}.srt").read_text("utf-8"))
        if cue.start.total_seconds() < 11.32 and cue.end.total_seconds() > 9.34
    ]
    assert all(any(word in text for text in spoken) for word in REDACTED)  # the right words
    for path in folder.rglob("*"):
        text = path.read_bytes().decode("utf-8", errors="replace").casefold()
        for word in REDACTED:
            assert word.casefold() not in text, f"{word!r} in {path.name}"
    assert "[redacted]" in (folder / "translation.vtt").read_text("utf-8")
    assert "[redacted]" in (folder / "index.html").read_text("utf-8")


def test_a_second_review_replaces_the_first(folder: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    shutil.copytree(folder, again)
    done = review_cli(SAMPLE, "-o", again, "--cut", "short", cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    html = (again / "index.html").read_text("utf-8")
    assert "<dd>short</dd>" in html and "call-03" in html and "call-01" not in html
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again", "cache"]


@pytest.mark.parametrize("case", ["file", "other folder", "unknown cut"])
def test_bad_input_is_one_line_and_leaves_nothing(tmp_path: Path, case: str) -> None:
    out = tmp_path / "review"
    cut = ["--cut", "nosuch"] if case == "unknown cut" else []
    if case == "file":
        out.write_text("mine")
    elif case == "other folder":
        out.mkdir()
        (out / "notes.txt").write_text("mine")
    before = sorted(p.name for p in tmp_path.iterdir())
    done = review_cli(SAMPLE, "-o", out, *cut, cache=tmp_path / "cache")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    expected = {"file": "is a file", "other folder": "not a review", "unknown cut": "'nosuch'"}
    assert expected[case] in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == before
    if case == "file":
        assert out.read_text() == "mine"


def test_webvtt_text_is_escaped_and_timed() -> None:
    assert escape("a <b> & c\n\nd --> e") == "a &lt;b&gt; &amp; c\nd --&gt; e"
    text = webvtt([Span(Fraction(1, 3), Fraction(61, 1), "hi")])
    assert text == "WEBVTT\n\n00:00:00.333 --> 00:01:01.000\nhi\n"
