"""The parsed-catalog cache (timeline/catalogcache.py), the transcript cache's warm path,
and `docedit catalog`'s plain table: what a warm run serves is what parsing gives (values,
findings, lines and columns), a damaged cache file is parsed again with a `warning:` line,
and a catalog or transcript that changed is read again."""

from __future__ import annotations

import json
import os

import pytest

from bench.catalog_scale import Entry, expected, srt, write_catalog
from docedit.cli.catalog import plain_table
from docedit.core.errors import TimelineError
from docedit.jobs.catalog import query_catalog
from docedit.jobs.validate import load_project, validate
from docedit.media.probe import ProbeCache
from docedit.plan.query import Catalog, Query
from docedit.timeline.catalogcache import VERSION
from tests import media

N = 40


@pytest.fixture
def catalog(tmp_path):
    return write_catalog(tmp_path, N, distinct=True)


def _cache_files(catalog):
    return sorted((catalog.parent / "cache" / f"catalogs-v{VERSION}").glob("*.jsonl"))


def _load(catalog):
    return load_project(catalog, cache=ProbeCache(catalog.parent / "cache"))


def _facts(project):
    """What a query and a finding see of the included entries."""
    intercepts = project.timeline.intercepts
    return (
        {i: intercept.model_dump() for i, intercept in intercepts.items()},
        [project.origin("intercepts", i, "tags") for i in intercepts],
        [project.origin("intercepts", i) for i in intercepts],
    )


def test_a_warm_run_serves_what_parsing_gave(catalog, capsys):
    cold = _facts(_load(catalog))
    assert len(_cache_files(catalog)) == 2  # the YAML catalog and the CSV one
    warm = _facts(_load(catalog))
    assert warm == cold
    origin = _load(catalog).origin("intercepts", Entry(7).id, "tags")
    assert (origin.file.name, origin.line, origin.column) == ("catalog.yaml", 7 * 7 + 5, 9)
    assert "warning" not in capsys.readouterr().err


def test_a_finding_inside_a_cached_entry_keeps_its_line_and_column(catalog):
    yaml_catalog = catalog.parent / "cat" / "catalog.yaml"
    text = yaml_catalog.read_text("utf-8")
    yaml_catalog.write_text(text.replace("  tags: [fear]", "  tags: {no: list}", 1), "utf-8")
    cache = ProbeCache(catalog.parent / "cache")
    cold = [str(f) for f in validate(catalog, cache).findings]
    assert any("catalog.yaml:" in finding for finding in cold), cold
    assert [str(f) for f in validate(catalog, cache).findings] == cold  # warm: the same


def test_a_damaged_cache_file_is_parsed_again_with_a_warning(catalog, capsys):
    cold = _facts(_load(catalog))
    for file in _cache_files(catalog):
        raw = bytearray(file.read_bytes())
        at = raw.index(b"soldier")
        raw[at : at + 7] = b"SOLDIER"  # still JSON: only the checksum can tell
        file.write_bytes(bytes(raw))
    assert _facts(_load(catalog)) == cold
    assert capsys.readouterr().err.count("warning: the catalog cache") == 2
    assert _facts(_load(catalog)) == cold  # rewritten: no warning the next time
    assert "warning" not in capsys.readouterr().err
    _cache_files(catalog)[0].write_bytes(b"{truncated")
    assert _facts(_load(catalog)) == cold
    assert "is damaged" in capsys.readouterr().err


def test_a_changed_catalog_is_read_again(catalog):
    _load(catalog)
    yaml_catalog = catalog.parent / "cat" / "catalog.yaml"
    before = yaml_catalog.stat()
    text = yaml_catalog.read_text("utf-8").replace("tags: [confidence]", "tags: [confidEnce]", 1)
    yaml_catalog.write_text(text, "utf-8")  # the same size
    os.utime(yaml_catalog, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
    project = _load(catalog)
    assert project.timeline.intercepts[Entry(0).id].tags == ["confidEnce"]
    csv_catalog = catalog.parent / "cat" / "calls.csv"
    with csv_catalog.open("a", encoding="utf-8") as handle:
        handle.write("call-new,calls/call-00039.wav,2022-05-01,soldier,fear,,\n")
    assert "call-new" in _load(catalog).timeline.intercepts


def test_a_duplicate_id_in_a_cached_csv_names_both_rows(catalog):
    csv_catalog = catalog.parent / "cat" / "calls.csv"
    with csv_catalog.open("a", encoding="utf-8") as handle:
        handle.write(f"{Entry(N - 1).id},calls/call-00039.wav,2022-05-01,soldier,fear,,\n")
    cache = ProbeCache(catalog.parent / "cache")
    for _ in range(2):  # cold, then from the cache
        with pytest.raises(TimelineError) as caught:
            load_project(catalog, cache=cache)
        message = next(f.message for f in caught.value.findings if "duplicate" in f.message)
        assert "calls.csv:21:1 (row 20)" in message and "calls.csv:22:1 (row 21)" in message


def test_a_changed_transcript_and_new_word_times_are_read_again(catalog):
    cache = ProbeCache(catalog.parent / "cache")
    assert query_catalog(catalog, Query(text="сирена"), cache=cache) == []
    transcript = catalog.parent / "cat" / "calls" / f"{Entry(5).id}.ru.srt"
    transcript.write_text(srt([(0, 1.4, "Сирена"), (1.5, 3.0, "и домой")]), "utf-8")
    rows = query_catalog(catalog, Query(text="сирена"), cache=cache)
    assert [row.id for row in rows] == [Entry(5).id]
    words = {"words": [{"word": "Сирена", "start": 0.2, "end": 0.9}]}
    transcript.with_suffix(".words.json").write_text(json.dumps(words), "utf-8")
    project = _load(catalog)
    [first, _] = project.cues(project.timeline.intercepts[Entry(5).id], "original")
    assert [w.text for w in first.words] == ["Сирена"]


def test_texts_fold_case_and_accents_as_before(catalog):
    project = _load(catalog)
    catalog_ = Catalog(project)
    ids = catalog_.search(Query(text="ПОТЕРИ"), order="id")
    assert ids == expected(N, lambda e: e.recording == 2)
    assert catalog_.search(Query(text="Пётр"), order="id") == catalog_.search(
        Query(text="петр"), order="id"
    )


def test_a_plain_table_aligns_wide_characters():
    table = plain_table(("id", "words"), [("a", "日本 x"), ("long-id", "Пётр")]).splitlines()
    assert table == ["id       words", "-------  ------", "a        日本 x", "long-id  Пётр"]


def test_the_catalog_into_a_pipe_is_a_plain_table(catalog):
    result = media.run_cli("catalog", catalog, "--text", "потери")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "duration", "recorded", "speakers", "first", "words", "used"]
    assert set(lines[1]) <= {"-", " "} and "│" not in result.stdout
    assert [line.split()[0] for line in lines[2:-1]] == sorted(
        expected(N, lambda e: e.recording == 2), key=lambda i: (Entry(int(i[5:])).recorded, i)
    )
    assert lines[-1] == f"{len(lines) - 3} intercept(s)"
