"""A 5,000-entry catalog (bench/catalog_scale.py: four real short WAVs and real SRT files
reused under many ids, half the entries in a YAML catalog, half in a CSV one), the arc
chart, the second sample timeline, and a closed stdout.

Every query's answer is worked out from how the entries were made (`Entry`), not asked
of docedit. One catalog is made and validated for the whole module: it is the slow part.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from bench.catalog_scale import Entry, expected, write_catalog
from docedit.core.errors import DoceditError
from docedit.jobs.arc import arc_data, draw_arc
from docedit.jobs.validate import validate
from docedit.media.probe import ProbeCache
from docedit.media.transcripts import TranscriptCache
from docedit.plan.query import Catalog, Query, expand
from tests.conftest import ROOT

N = 5000


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("big")
    path = write_catalog(folder, N)
    report = validate(path, ProbeCache(folder / "cache"))
    assert report.ok(), report.findings[:3]
    return report


def test_includes_from_yaml_and_csv_keep_every_entry_and_its_place(big):
    project = big.project
    assert list(project.timeline.intercepts) == expected(N, lambda e: True)
    origin = project.origin("intercepts", "call-00007", "tags")
    assert (origin.file.name, origin.line) == ("catalog.yaml", 7 * 7 + 5)  # 7 lines an entry
    origin = project.origin("intercepts", f"call-{N - 1:05d}")
    assert (origin.file.name, origin.line) == ("calls.csv", N // 2 + 1)  # after the header
    entry = project.timeline.intercepts[f"call-{N - 1:05d}"]
    assert (entry.speakers, entry.tags) == (Entry(N - 1).speakers, Entry(N - 1).tags)
    assert len(project.transcripts) == 8  # four recordings' transcripts and translations


def test_queries_return_exactly_the_expected_ids(big):
    catalog = Catalog(big.project)

    def ids(**query: object) -> list[str]:
        return catalog.search(Query(**query), order="id")  # type: ignore[arg-type]

    begin, end = dt.date(2022, 3, 10), dt.date(2022, 3, 20)
    assert ids(tags=("fear",)) == expected(N, lambda e: e.tags == ["fear"])
    assert ids(speakers=("Wife",)) == expected(N, lambda e: "wife" in e.speakers)
    assert ids(begin=begin, end=end) == expected(N, lambda e: begin <= e.recorded <= end)
    assert ids(text="ПОТЕРИ") == expected(N, lambda e: e.recording == 2)  # the transcript
    assert ids(text="come back") == expected(N, lambda e: e.recording == 3)  # the translation
    both = ids(tags=("doubt",), speakers=("mother",), text="петр", begin=begin)
    assert both == expected(
        N,
        lambda e: (
            e.tags == ["doubt"]
            and "mother" in e.speakers
            and e.recording == 1
            and e.recorded >= begin
        ),
    )
    assert both  # the combined query is not vacuous


def test_select_expansion_is_deterministic(big):
    events = [expand(big.project).project.timeline.scenes["calls"].audio for _ in range(2)]
    assert events[0] == events[1]
    fear = [Entry(i) for i in range(N) if Entry(i).tags == ["fear"]]
    fear = [e for e in fear if e.recorded >= dt.date(2022, 3, 1)]
    first = sorted(fear, key=lambda e: (e.recorded, e.id))[:3]
    assert [e.intercept for e in events[0]] == [e.id for e in first]


def test_a_duplicate_id_across_two_files_names_both_places(big, tmp_path):
    folder = big.project.base
    (folder / "cat" / "dup.csv").write_text("id,file\ncall-00007,calls/rec-0.wav\n", "utf-8")
    text = big.path.read_text("utf-8")
    path = folder / "dup.yaml"
    path.write_text(text.replace("cat/calls.csv\n", "cat/calls.csv\n  - include: cat/dup.csv\n"))
    [error] = validate(path, ProbeCache(tmp_path)).errors
    assert (error.path.name, error.line) == ("dup.csv", 2)
    assert "catalog.yaml:50:1" in error.message and "dup.csv:2:1 (row 1)" in error.message


def test_transcripts_are_cached_unless_the_project_redacts(big, tmp_path):
    cache = TranscriptCache(big.project.base / "cache")
    kept = cache.kept()
    assert len(kept) == 8 and all(cache.get(Path(key)) for key in kept)
    report = validate(ROOT / "timelines" / "arc.yaml", ProbeCache(tmp_path))  # it redacts
    assert report.ok() and not TranscriptCache(tmp_path).file.exists()


def test_the_arc_chart_counts_calls_per_week_and_marks_the_cut(big, tmp_path):
    arc = arc_data(big.project, Query(tags=("confidence", "fear")))
    mondays = {e.recorded - dt.timedelta(days=e.recorded.weekday()) for e in map(Entry, range(N))}
    assert arc.weeks[0] == min(mondays) and arc.calls == len(
        expected(N, lambda e: e.tags[0] in ("confidence", "fear"))
    )
    assert sorted(arc.values) == ["confidence", "fear"]
    assert arc.in_cut == 3 and sum(sum(c.values()) for c in arc.used.values()) == 3
    out = tmp_path / "arc.png"
    draw_arc(arc, out, "Big")
    with Image.open(out) as image:
        assert image.format == "PNG" and image.size == (1650, 780)
    assert [p.name for p in tmp_path.iterdir()] == ["arc.png"]  # no temporary left
    with pytest.raises(DoceditError, match=r"\.png"):
        draw_arc(arc, tmp_path / "arc.txt")


def test_the_chart_without_matplotlib_names_the_extra(big, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if the extra were missing
    with pytest.raises(DoceditError, match=r"docedit\[chart\]"):
        draw_arc(arc_data(big.project, Query()), tmp_path / "arc.png")


def test_the_arc_sample_validates_with_its_catalog_and_select():
    report = validate(ROOT / "timelines" / "arc.yaml")
    assert report.ok(strict=False), report.errors
    project = report.project
    assert len(project.timeline.intercepts) == 31
    assert project.origin("intercepts", "call-05").file.name == "catalog.csv"
    doubt = expand(project).project.timeline.scenes["doubt"].audio
    assert [e.intercept for e in doubt[:2]] == ["call-03", "call-15"]


def test_a_reader_that_stops_early_ends_the_command_quietly(big):
    command = [sys.executable, "-m", "docedit", "catalog", str(big.path), "--json"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None and child.stdout.read(10) == b"[\n  {\n    "
        child.stdout.close()  # as `| head` does
        assert child.wait(timeout=120) == 141  # 128 + SIGPIPE, like cat or git
        assert child.stderr is not None and child.stderr.read() == b""
