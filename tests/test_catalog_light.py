"""`docedit catalog`'s light path (jobs/catalog.py query_catalog): the same rows as after a
full validation, only the recordings it shows or plays probed, and a broken timeline
failing with validation's findings."""

from __future__ import annotations

import pytest

from bench.catalog_scale import Entry, expected, srt, write_catalog
from docedit.core.errors import TimelineError
from docedit.jobs.catalog import catalog_rows, query_catalog, used_intercepts
from docedit.jobs.validate import load_project
from docedit.media.probe import ProbeCache
from docedit.plan.query import Query
from tests import media

N = 40
TEXT = "потери"  # recording 2's transcript: entries 2, 6, 10, ...


def matching(e: Entry) -> bool:
    return e.recording == 2


@pytest.fixture
def catalog(tmp_path):
    return write_catalog(tmp_path, N, distinct=True)


def test_the_light_path_gives_the_full_paths_rows_and_probes_only_what_it_shows(catalog):
    cache = ProbeCache(catalog.parent / "light")
    rows = query_catalog(catalog, Query(text=TEXT), cache=cache)
    full = catalog_rows(
        load_project(catalog, cache=ProbeCache(catalog.parent / "full")), Query(text=TEXT)
    )
    assert [row.to_json() for row in rows] == [row.to_json() for row in full]
    assert sorted(row.id for row in rows) == expected(N, matching)
    assert all(row.duration == 3.0 for row in rows)
    probed = {key.rsplit("/", 1)[1] for key in cache.kept()}
    shown = {f"{row.id}.wav" for row in rows}
    played = {f"{i}.wav" for i in used_intercepts(load_project(catalog))}  # the select's three
    assert shown <= probed <= shown | played
    assert len(probed) < N  # the calls it neither shows nor plays were never opened


def test_a_broken_recording_it_shows_fails_with_validations_finding(catalog):
    broken = catalog.parent / "cat" / "calls" / f"{Entry(6).id}.wav"
    broken.write_bytes(b"RIFF garbage, not a wave")
    with pytest.raises(TimelineError) as caught:
        query_catalog(catalog, Query(text=TEXT), cache=ProbeCache(catalog.parent / "c"))
    assert any(f"{Entry(6).id}.wav: not a media file" in str(f) for f in caught.value.findings)
    result = media.run_cli("catalog", catalog, "--text", TEXT)
    assert result.returncode == 1 and f"{Entry(6).id}.wav" in result.stderr


def test_a_recording_it_does_not_show_is_not_checked_by_a_query(catalog):
    (catalog.parent / "cat" / "calls" / f"{Entry(1).id}.wav").unlink()  # recording 1
    rows = query_catalog(catalog, Query(text=TEXT), cache=ProbeCache(catalog.parent / "c"))
    assert sorted(row.id for row in rows) == expected(N, matching)
    with pytest.raises(TimelineError):  # validation still reports it
        load_project(catalog, cache=ProbeCache(catalog.parent / "c"))


def test_the_table_shows_bracketed_words_as_written(tmp_path):
    media.write_wav(tmp_path / "a.wav", media.tone(3.0))
    (tmp_path / "a.en.srt").write_text(srt([(0, 3, "[laughs] Where is [bold]Pyotr?")]))
    path = media.timeline(
        tmp_path / "t.yaml",
        {
            "docedit": 1,
            "intercepts": {"a": {"file": "a.wav", "translation": "a.en.srt"}},
            "scenes": {"s": {"audio": [{"intercept": "a"}]}},
        },
    )
    result = media.run_cli("catalog", path)
    assert result.returncode == 0, result.stderr
    assert "[laughs]" in result.stdout and "[bold]" in result.stdout  # not rich markup
