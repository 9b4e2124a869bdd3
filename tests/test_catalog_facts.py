"""What binding keeps of a large catalog (timeline/facts.py, project.Transcripts): the
recordings that probed cleanly are asked of the probe cache again rather than held, the
transcripts are not held at all, and what a project answers is what it answered when
everything was held."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from bench.catalog_scale import Entry, write_catalog
from docedit.core.errors import MediaError
from docedit.jobs.render import check_unchanged
from docedit.jobs.validate import load_project
from docedit.media.info import MediaInfo
from docedit.media.probe import ProbeCache
from docedit.timeline.facts import Media

N = 24


@pytest.fixture
def catalog(tmp_path):
    return write_catalog(tmp_path, N, distinct=True)


def _project(catalog):
    return load_project(catalog, cache=ProbeCache(catalog.parent / "cache"))


def _recording(catalog, i: int) -> Path:
    return catalog.parent / "cat" / "calls" / f"{Entry(i).id}.wav"


def test_recordings_are_released_to_the_probe_cache_and_answer_as_probed(catalog):
    for project in (_project(catalog), _project(catalog)):  # cold, then warm
        media = project.media
        assert media._held == {}  # every catalog recording released
        recording = _recording(catalog, 5)
        assert recording in media and media[recording].duration == pytest.approx(3.0)
        assert media[recording] == ProbeCache(catalog.parent / "cache").get(recording, "av")
        paths = set(media)
        assert {_recording(catalog, i) for i in range(N)} <= paths
        assert set(project.stamps) == paths
        check_unchanged(project)  # every stamp as the file is


def test_a_recording_changed_after_validation_is_caught_before_a_render(catalog):
    project = _project(catalog)
    recording = _recording(catalog, 7)
    recording.write_bytes(recording.read_bytes() + b"\0\0")
    with pytest.raises(MediaError, match="changed on disk since it was validated"):
        check_unchanged(project)


def test_a_cache_that_cannot_be_written_keeps_everything_held(catalog, tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    project = load_project(catalog, cache=ProbeCache(not_a_folder))
    assert len(project.media._held) == N and _recording(catalog, 3) in project.media._held
    assert project.media == _project(catalog).media


def test_the_facts_pickle_as_plain_dicts(catalog):
    project = _project(catalog)
    media = pickle.loads(pickle.dumps(project.media))
    assert type(media) is dict and media == dict(project.media.items())
    assert len(media) == len(project.media)


def test_facts_held_and_looked_up():
    info = MediaInfo("/x.wav", duration=1.0)
    media = Media()
    media[Path("/x.wav")] = info
    media.release_to(
        lambda p: info if p == Path("/y.wav") else None, lambda: iter([Path("/y.wav")])
    )
    assert media[Path("/y.wav")] is info and Path("/y.wav") in media
    assert Path("/z.wav") not in media and media.get(Path("/z.wav")) is None
    assert list(media) == [Path("/x.wav"), Path("/y.wav")]
    media.release(Path("/x.wav"))
    assert Path("/x.wav") not in media


def test_transcripts_are_not_held_and_read_as_before(catalog):
    cold = _project(catalog)
    warm = _project(catalog)
    for project in (cold, warm):
        assert project.transcripts._paths == {}  # nothing kept per transcript
        assert len(project.transcripts._held) <= project.transcripts.RECENT
    intercept = warm.timeline.intercepts[Entry(2).id]
    assert [c.text for c in warm.cues(intercept, "original")] == [
        c.text for c in cold.cues(cold.timeline.intercepts[Entry(2).id], "original")
    ]
    assert warm.cue_texts(intercept, "translation") == [
        "There is no signal",
        "The losses are heavy",
    ]
    assert len(warm.transcripts) == 2 * N
