"""A merged catalog held compactly (timeline/entries.py): its `Intercept` models are made
when asked, from the parsed-catalog cache when warm, and behave as the models that
checking the whole timeline at once made (values, findings and their order, the partial
timeline, pickling)."""

from __future__ import annotations

import copy
import pickle

import pytest

from bench.catalog_scale import Entry, write_catalog
from docedit.jobs.validate import load_project, validate
from docedit.media.probe import ProbeCache
from docedit.timeline.entries import Entries, Intercepts
from docedit.timeline.includes import include_catalogs
from docedit.timeline.load import load_timeline
from docedit.timeline.structure import structure

N = 30


@pytest.fixture
def catalog(tmp_path):
    return write_catalog(tmp_path, N)


def _project(catalog):
    return load_project(catalog, cache=ProbeCache(catalog.parent / "cache"))


def test_the_models_are_made_when_asked_and_are_the_same_cold_and_warm(catalog):
    cold = _project(catalog).timeline.intercepts
    warm = _project(catalog).timeline.intercepts
    assert isinstance(warm, Intercepts) and isinstance(cold, Intercepts)
    assert list(warm) == [Entry(i).id for i in range(N)]
    assert warm == cold and len(warm) == N
    assert warm[Entry(3).id].tags == Entry(3).tags
    assert Entry(3).id in warm and "call-nope" not in warm
    with pytest.raises(KeyError):
        warm["call-nope"]
    assert len(warm._made) <= Intercepts.RECENT  # only the most recently asked are held


def test_a_merged_catalog_pickles_and_copies_as_a_plain_dict(catalog):
    intercepts = _project(catalog).timeline.intercepts
    for copied in (pickle.loads(pickle.dumps(intercepts)), copy.deepcopy(intercepts)):
        assert type(copied) is dict and copied == dict(intercepts.items())


def _findings(catalog, whole: bool):
    """The structure's findings, of the merged catalog or of the same entries checked
    with the whole timeline at once (as a plain mapping: every model made)."""
    loaded = load_timeline(catalog)
    include_catalogs(loaded, catalog.parent / "cache")
    entries = loaded.data["intercepts"]
    assert isinstance(entries, Entries)
    if whole:
        loaded.data["intercepts"] = dict(entries.items())
    structured = structure(loaded)
    return structured, [str(f) for f in structured.findings]


@pytest.mark.parametrize("warm", [False, True])
def test_findings_are_those_of_checking_the_whole_timeline_in_the_same_order(catalog, warm):
    yaml_catalog = catalog.parent / "cat" / "catalog.yaml"
    text = yaml_catalog.read_text("utf-8")
    text = text.replace("  tags: [fear]", "  tags: {no: list}", 1)
    text = text.replace(f"  recorded: {Entry(2).recorded}", "  recorded: someday", 1)
    yaml_catalog.write_text(text, "utf-8")
    catalog.write_text(
        catalog.read_text("utf-8").replace("settings: {loudness: -30}", "settings: {fps: 0}")
        + "  empty: 3\n"
    )
    if warm:
        _findings(catalog, whole=False)  # the catalogs parsed and kept
    merged, found = _findings(catalog, whole=False)
    whole, expected = _findings(catalog, whole=True)
    assert found == expected and len(found) >= 4
    assert merged.timeline is None and merged.partial is not None
    assert whole.partial is not None
    assert dict(merged.partial.intercepts.items()) == whole.partial.intercepts
    assert Entry(2).id not in merged.partial.intercepts


def test_validation_of_a_cached_catalog_reads_no_entry_it_does_not_need(catalog):
    cache = ProbeCache(catalog.parent / "cache")
    assert validate(catalog, cache).ok()
    loaded = load_timeline(catalog)
    include_catalogs(loaded, catalog.parent / "cache")
    entries = loaded.data["intercepts"]
    # every line holds its model: none is validated from its values again
    assert list(entries.unchecked()) == []
    assert [str(f) for f in validate(catalog, cache).findings] == []
