"""Catalogs outside the timeline, queries over them, `select:` and trims by words.

One small generated project: two catalogs (YAML and CSV, in a folder of their own, with
paths relative to it), three short calls with an impulse each at a known offset, and SRT
transcripts in Russian and English. Placement is checked on the decoded mix.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from docedit.jobs.catalog import catalog_rows, used_intercepts
from docedit.jobs.render import mix
from docedit.jobs.validate import load_project, validate
from docedit.plan import make_plan
from docedit.plan.query import Catalog, Query, expand
from tests import media

RATE = 48000
# id -> (seconds, impulse offset in seconds)
CALLS = {"a": (1.0, 0.5), "b": (0.6, 0.2), "c": (0.8, 0.3)}
CATALOG_YAML = """\
call-a:
  file: calls/a.wav
  recorded: 2022-03-04
  speakers: [soldier, mother]
  tags: [confidence]
  transcript: calls/a.srt
call-b:
  file: calls/b.wav
  recorded: 2022-03-01
  speakers: [Soldier]
  tags: [confidence, losses]
  transcript: calls/b.srt
"""
CALLS_CSV = """\
id,file,recorded,speakers,tags,translation,note
call-c,calls/c.wav,2022-04-10,mother;wife,losses,calls/c.en.srt,
call-d,calls/c.wav,,soldier,fear,,"a note, with a comma"
"""
SRT = {
    "a.srt": [(0, 400, "Мы тут быстро"), (400, 1000, "и домой, Пётр")],
    "b.srt": [(0, 300, "Где Пётр?"), (300, 600, "ПЁТР, где ты?")],
    "c.en.srt": [(0, 800, "Pétrov is missing")],
}


def _srt(cues: list[tuple[int, int, str]]) -> str:
    def stamp(ms: int) -> str:
        return f"00:00:{ms // 1000:02d},{ms % 1000:03d}"

    return "".join(
        f"{i}\n{stamp(a)} --> {stamp(b)}\n{text}\n\n" for i, (a, b, text) in enumerate(cues, 1)
    )


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    calls = tmp_path / "cat" / "calls"
    calls.mkdir(parents=True)
    for name, (seconds, offset) in CALLS.items():
        media.impulse_wav(calls / f"{name}.wav", seconds, round(offset * RATE))
    for name, cues in SRT.items():
        (calls / name).write_text(_srt(cues), "utf-8")
    (tmp_path / "cat" / "catalog.yaml").write_text(CATALOG_YAML, "utf-8")
    (tmp_path / "cat" / "calls.csv").write_text(CALLS_CSV, "utf-8")
    return tmp_path


def write(folder: Path, scenes: str, intercepts: str | None = None) -> Path:
    """A timeline with the two includes and one inline entry, and `scenes` as written."""
    intercepts = intercepts or (
        "  - include: cat/catalog.yaml\n"
        "  - include: cat/calls.csv\n"
        "  - call-e: {file: cat/calls/a.wav, tags: [other]}\n"
    )
    text = f"docedit: 1\nsettings: {{loudness: -30}}\nintercepts:\n{intercepts}scenes:\n{scenes}"
    path = folder / "t.yaml"
    path.write_text(text, "utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(
        i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in line
    )


SELECT = """\
  s:
    audio:
      - select: {tags: [confidence, LOSSES], order: recorded}
        at: 1s
        gap: 0.5s
"""


def test_includes_merge_yaml_csv_and_inline_with_their_own_lines(project_dir):
    path = write(project_dir, SELECT)
    project = load_project(path)
    assert list(project.timeline.intercepts) == ["call-a", "call-b", "call-c", "call-d", "call-e"]
    c = project.timeline.intercepts["call-c"]
    assert (c.speakers, c.tags, str(c.recorded)) == (["mother", "wife"], ["losses"], "2022-04-10")
    assert project.path(c.file) == project_dir / "cat" / "calls" / "c.wav"  # from the CSV's folder
    assert project.timeline.intercepts["call-d"].note == "a note, with a comma"
    origin = project.origin("intercepts", "call-c")
    assert (origin.file, origin.line) == (project_dir / "cat" / "calls.csv", 2)
    origin = project.origin("intercepts", "call-b", "tags")
    assert (origin.file, origin.line) == (project_dir / "cat" / "catalog.yaml", 11)
    assert project.origin("intercepts", "call-e").line == line_of(path, "call-e")


def test_a_duplicate_id_across_catalogs_names_both_places(project_dir):
    (project_dir / "cat" / "more.csv").write_text("file,id\ncalls/b.wav,x\ncalls/a.wav,call-b\n")
    intercepts = "  - include: cat/catalog.yaml\n  - {include: [cat/calls.csv, cat/more.csv]}\n"
    report = validate(write(project_dir, SELECT, intercepts))
    [error] = [f for f in report.errors if "duplicate" in f.message]
    assert (error.path, error.line) == (project_dir / "cat" / "more.csv", 3)
    assert "catalog.yaml:7:1" in error.message and "more.csv:3:1 (row 2)" in error.message


def test_a_bad_catalog_entry_is_reported_in_its_own_file(project_dir):
    (project_dir / "cat" / "calls.csv").write_text(
        CALLS_CSV.replace("2022-04-10", "April"), "utf-8"
    )
    report = validate(write(project_dir, SELECT))
    [error] = report.errors
    assert (error.path.name, error.line) == ("calls.csv", 2) and "recorded" in error.message


def test_queries_by_tag_speaker_dates_and_text_in_any_case_and_accents(project_dir):
    catalog = Catalog(load_project(write(project_dir, SELECT)))

    def ids(**query: object) -> list[str]:
        return catalog.search(Query(**query), order="id")  # type: ignore[arg-type]

    assert ids(tags=("losses",)) == ["call-b", "call-c"]
    assert ids(speakers=("SOLDIER",)) == ["call-a", "call-b", "call-d"]
    assert ids(speakers=("mother",), tags=("confidence",)) == ["call-a"]
    assert ids(begin=_day("2022-03-02"), end=_day("2022-04-10")) == ["call-a", "call-c"]
    assert ids(text="петр") == ids(text="ПЁТР") == ["call-a", "call-b"]  # Cyrillic, ё = е
    assert ids(text="домой пётр") == ["call-a"]  # every word, anywhere in the call
    assert ids(text="PETROV") == ["call-c"]  # the translation, accents folded
    assert ids(text="пёт") == []  # whole words only


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_select_expands_deterministically_gap_spaced_and_mixes_on_the_sample(project_dir, tmp_path):
    path = write(project_dir, SELECT)
    project = load_project(path)
    first, again = expand(project).project, expand(project).project
    events = first.timeline.scenes["s"].audio
    assert events == again.timeline.scenes["s"].audio
    assert [e.intercept for e in events] == ["call-b", "call-a", "call-c"]  # by recording date
    plan = make_plan(project)
    starts = [round(1.0 * RATE), round(2.1 * RATE), round(3.6 * RATE)]  # at, + 0.6 + gap, ...
    assert [s.start for s in plan.sounds] == starts
    select_line = line_of(path, "- select:")
    assert {(s.origin.path, s.origin.line) for s in plan.sounds} == {
        ("scenes.s.audio[0]", select_line)
    }
    out = tmp_path / "m.wav"
    mix(project, out)
    audio, _, _ = media.read_wav(out)
    for start, call in zip(starts, ["b", "a", "c"], strict=True):
        window = np.abs(audio[start : start + round(0.9 * RATE), 0])
        assert int(np.argmax(window)) == round(CALLS[call][1] * RATE)


def test_limit_and_order_and_a_query_that_matches_nothing(project_dir):
    scenes = (
        "  s:\n    audio:\n"
        "      - select: {speakers: [soldier], order: id, limit: 2}\n"
        "      - select: {tags: [nothing]}\n        at: 5s\n"
    )
    path = write(project_dir, scenes)
    report = validate(path)
    [warning] = [f for f in report.warnings if "select" in f.message]
    assert warning.line == line_of(path, "tags: [nothing]") and "matches no" in warning.message
    events = expand(report.project).project.timeline.scenes["s"].audio
    assert [e.intercept for e in events] == ["call-a", "call-b"]


TRIMS = """\
  s:
    audio:
      - intercept: call-a
        at: 1s
        in: {text: "И ДОМОЙ"}
      - intercept: call-a
        at: 3s
        out: {after: "мы тут быстро"}
"""


def test_word_trims_land_on_cue_boundaries_in_the_mix(project_dir, tmp_path):
    project = load_project(write(project_dir, TRIMS))
    trimmed, ends = make_plan(project).sounds
    assert (trimmed.source_in, trimmed.length) == (round(0.4 * RATE), round(0.6 * RATE))
    assert (ends.source_in, ends.length) == (0, round(0.4 * RATE))
    out = tmp_path / "m.wav"
    mix(project, out)
    audio, _, _ = media.read_wav(out)
    window = np.abs(audio[RATE : 2 * RATE, 0])  # the impulse at 0.5 s plays 0.1 s after `at`
    assert int(np.argmax(window)) == round(0.1 * RATE)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [("нет такого", "not found"), ("пётр", "ambiguous")],
)
def test_a_missing_or_ambiguous_phrase_is_one_error_at_its_line(project_dir, phrase, expected):
    scenes = f'  s:\n    audio:\n      - intercept: call-b\n        in: {{text: "{phrase}"}}\n'
    path = write(project_dir, scenes)
    report = validate(path)
    [error] = report.errors
    assert error.line == line_of(path, "in: {text:") and expected in error.message
    if expected == "ambiguous":
        assert "00:00.000" in error.message and "00:00.300" in error.message


def test_catalog_rows_and_unused(project_dir):
    project = load_project(write(project_dir, SELECT))
    assert used_intercepts(project) == {"call-a", "call-b", "call-c"}
    [row] = catalog_rows(project, Query(), unused=True, order="id")[:1]
    assert row.id == "call-d" and not row.used
    [c] = catalog_rows(project, Query(text="petrov"))
    assert (c.duration, c.words, c.used) == (pytest.approx(0.8), "Pétrov is missing", True)


def test_catalog_and_plan_commands_print_json(project_dir):
    path = write(project_dir, SELECT)
    found = media.run_cli("catalog", path, "--text", "ПЁТР", "--json")
    assert found.returncode == 0, found.stderr
    assert [row["id"] for row in json.loads(found.stdout)] == ["call-b", "call-a"]
    planned = media.run_cli("plan", path, "--json")
    assert planned.returncode == 0, planned.stderr
    [scene] = json.loads(planned.stdout)
    assert [s["yaml"]["at"] for s in scene["sounds"]] == ["1s", "2.1s", "3.6s"]
    assert {s["origin"]["path"] for s in scene["sounds"]} == {"scenes.s.audio[0]"}


def test_word_trims_use_word_times_from_webvtt_stamps_and_words_json(project_dir, tmp_path):
    calls = project_dir / "cat" / "calls"
    (calls / "a.vtt").write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nМы тут <00:00:00.450>быстро и домой\n", "utf-8"
    )
    words = [("Pétrov", 0.0, 0.25), ("is", 0.25, 0.5), ("missing", 0.5, 0.8)]
    (calls / "c.en.words.json").write_text(  # beside c.en.srt, whose one cue starts at 0
        json.dumps({"words": [{"word": w, "start": a, "end": b} for w, a, b in words]}), "utf-8"
    )
    intercepts = "  - va: {file: cat/calls/a.wav, transcript: cat/calls/a.vtt}\n"
    intercepts += "  - include: cat/calls.csv\n"
    scenes = (
        "  s:\n    audio:\n"
        '      - {intercept: va, at: 1s, in: {text: "БЫСТРО"}}\n'
        '      - {intercept: call-c, at: 3s, in: {text: "is missing"}, out: {after: "is"}}\n'
    )
    project = load_project(write(project_dir, scenes, intercepts))
    first, second = make_plan(project).sounds
    assert first.source_in == round(0.45 * RATE)  # the stamped word, not the cue's start (0)
    assert (second.source_in, second.length) == (round(0.25 * RATE), round(0.25 * RATE))
    out = tmp_path / "m.wav"
    mix(project, out)
    audio, _, _ = media.read_wav(out)
    for at in (1, 3):  # each impulse is 0.05 s after its word's start, to the sample
        window = np.abs(audio[at * RATE - RATE // 4 : at * RATE + RATE // 4, 0])
        assert int(np.argmax(window)) == RATE // 4 + round(0.05 * RATE)
