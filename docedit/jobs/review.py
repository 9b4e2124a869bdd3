"""`review`: a folder a director opens in any browser: the rendered cut, its words, its
scenes and its storyboard, in one page (output/review/ builds it).

Every text in the folder comes through the redactor: the cues of plan/cues.py are
masked already, and titles, scene names and speakers go through `Redactor.text`. The
render's provenance manifest is left out: it logs each redaction's note, which may
describe what was hidden. The folder appears whole or not at all: it is built in a
temporary folder beside it and renamed at the end.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from docedit.core.atomic import sweep_stale_folders, umask
from docedit.core.errors import OutputError
from docedit.core.version import __version__
from docedit.jobs.handoff import board_of, call_cues, call_date, call_speakers, title_card
from docedit.jobs.progress import Reporter
from docedit.jobs.render import RenderResult, render
from docedit.output.review import Call, Language, Line, Review, Span, page_html, webvtt
from docedit.output.review.lines import pair_lines
from docedit.output.storyboard import draw
from docedit.plan import Plan, Sound, make_plan
from docedit.plan.cues import Cue, cue_track
from docedit.plan.redact import Lang, Redactor
from docedit.timeline.project import Project

VIDEO = "cut.mp4"
BOARD = "storyboard.png"
PAGE = "index.html"
GENERATOR = '<meta name="generator" content="docedit'  # marks a folder as a review page
LANGUAGES = {
    "ru": "Russian",
    "uk": "Ukrainian",
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "ar": "Arabic",
    "pl": "Polish",
    "be": "Belarusian",
}
_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


@dataclass(frozen=True)
class Reviewed:
    folder: Path
    render: RenderResult
    calls: int
    lines: int
    chapters: int


def review(
    project: Project,
    out: Path,
    *,
    cut: str | None = None,
    scenes: Sequence[str] = (),
    profile: str = "preview",
    reporter: Reporter | None = None,
) -> Reviewed:
    """Write the review folder `out`: index.html, the cut (`cut.mp4`), its WebVTT tracks
    (original, translation, chapters) and the storyboard. An unknown cut or an output
    that is a file (or a folder that is not a review page) fails before any work."""
    plan = make_plan(project, cut, scenes)
    folder = check_folder(out)
    sweep_stale_folders(folder)  # what a killed review left beside it
    temp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.{os.getpid()}."))
    try:
        result = render(
            project,
            temp / VIDEO,
            cut=cut,
            scenes=scenes,
            profile=profile,
            reporter=reporter,
            manifest=False,  # the page is the record; its video needs none beside it
        )
        draw(board_of(project, plan), temp / BOARD)  # the plan made above, not made again
        page = review_of(project, plan, result, cut)
        write_folder(temp, page)
        os.chmod(temp, 0o777 & ~umask())  # mkdtemp makes folders private; outputs are not
        install(temp, folder)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    calls = len(page.calls)
    lines = sum(len(c.lines) for c in page.calls)
    return Reviewed(folder, result, calls, lines, len(page.chapters))


def check_folder(out: Path) -> Path:
    """The absolute folder to write; refuse a file, and a folder of something else (it
    would be replaced whole)."""
    folder = Path(os.path.abspath(out))
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file; the review is a folder: give a folder name")
    if folder.is_dir() and any(folder.iterdir()) and not _is_review(folder):
        raise OutputError(
            f"{folder}: is a folder that is not a review page; choose a new or empty folder"
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    return folder


def _is_review(folder: Path) -> bool:
    try:
        return GENERATOR in (folder / PAGE).read_text("utf-8", errors="replace")[:2000]
    except OSError:
        return False


def install(temp: Path, folder: Path) -> None:
    """Put the finished folder in place; an earlier review there is replaced."""
    if not folder.exists():
        os.rename(temp, folder)
        return
    old = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.old."))
    os.rename(folder, old / "review")
    try:
        os.rename(temp, folder)
    except BaseException:
        os.rename(old / "review", folder)  # put the earlier review back
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def write_folder(temp: Path, page: Review) -> None:
    (temp / "original.vtt").write_text(page.subtitles("original"), "utf-8")
    (temp / "translation.vtt").write_text(page.subtitles("translation"), "utf-8")
    (temp / "chapters.vtt").write_text(webvtt(page.chapters), "utf-8")
    (temp / PAGE).write_text(page_html(page), "utf-8")


def review_of(project: Project, plan: Plan, result: RenderResult, cut: str | None) -> Review:
    """The page's data: every text masked by the redactions."""
    redactor = Redactor.of(project.timeline)
    timeline = project.timeline
    loudness = result.mix.report
    return Review(
        title=redactor.text(timeline.title or project.timeline_path.stem),
        cut=redactor.text(cut or "all scenes"),
        length=Fraction(result.duration),
        loudness=f"{loudness.integrated:.1f} LUFS, true peak {loudness.true_peak:.1f} dBTP",
        version=__version__,
        video=VIDEO,
        video_size=result.size,
        frame=1 / Fraction(result.fps),
        original=language(project, plan, "original"),
        translation=language(project, plan, "translation"),
        chapters=chapters(project, plan, redactor),
        calls=calls(project, plan, redactor),
        storyboard=BOARD,
    )


def chapters(project: Project, plan: Plan, redactor: Redactor) -> tuple[Span, ...]:
    """A chapter per scene: its title card's text (masked by the plan), or its title."""
    spans = []
    for scene in plan.scenes:
        title = title_card(scene) or redactor.text(
            project.timeline.scenes[scene.id].title or scene.id
        )
        start, end = plan.clock.frame_time(scene.start), plan.clock.frame_time(scene.end)
        spans.append(Span(start, end, title))
    return tuple(spans)


def calls(project: Project, plan: Plan, redactor: Redactor) -> tuple[Call, ...]:
    """The intercepts the cut plays, in order, each with its paired lines."""
    original = cue_track(project, plan, "original")
    translation = cue_track(project, plan, "translation")
    played = sorted((s for s in plan.sounds if s.intercept), key=lambda s: s.start)
    return tuple(_call(project, plan, redactor, s, original, translation) for s in played)


def _call(
    project: Project,
    plan: Plan,
    redactor: Redactor,
    sound: Sound,
    original: list[Cue],
    translation: list[Cue],
) -> Call:
    assert sound.intercept is not None  # calls() keeps intercepts only
    item = project.timeline.intercepts[sound.intercept]
    clock = plan.clock
    mine = call_cues(sound, original, clock), call_cues(sound, translation, clock)
    lines: list[Line] = pair_lines(*mine, clock)
    return Call(
        name=redactor.text(sound.intercept),
        date=call_date(item),
        speakers=call_speakers(item, redactor),
        start=Fraction(clock.sample_time(sound.start)),
        lines=tuple(lines),
    )


def language(project: Project, plan: Plan, lang: Lang) -> Language:
    """A track's language, read off the transcripts' names (`call-01.ru.srt`) when all
    the cut's intercepts agree; otherwise just "Original" or "Translation"."""
    codes = set()
    for sound in plan.sounds:
        if sound.intercept is None:
            continue
        item = project.timeline.intercepts[sound.intercept]
        name = item.text_file(lang)
        if name:
            suffixes = Path(name).suffixes
            codes.add(suffixes[-2].lstrip(".") if len(suffixes) >= 2 else "")
    code = codes.pop() if len(codes) == 1 else ""
    role = "original" if lang == "original" else "translation"
    if not _CODE.match(code):
        return Language(role.capitalize())
    name = LANGUAGES.get(code.split("-")[0], code)
    return Language(f"{name} ({role})", code)
