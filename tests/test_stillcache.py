"""Stills decoded and scaled once, kept between renders (picture/stillcache.py): the
frames drawn from a cached still are the frames drawn from the file, a damaged entry is
made again with a warning, a changed file is never served from the cache."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import docedit
from docedit.picture import stillcache
from docedit.picture.stillcache import StillCache
from tests import media

SIZE = (320, 180)
PREVIEW = (640, 360)  # a preview is 640 px wide


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("DOCEDIT_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def zoom(tmp_path: Path) -> Path:
    """One textured JPEG, larger than the frame, slowly pushed in on: every frame differs."""
    media.textured(tmp_path / "town.jpg", (1280, 720))
    media.write_wav(tmp_path / "call.wav", media.tone(2.0, 440, 0.3))
    return media.timeline(
        tmp_path / "t.yaml",
        {
            "docedit": 1,
            "settings": {"size": list(SIZE), "fps": 12},
            "intercepts": {"call": {"file": "call.wav"}},
            "scenes": {
                "s": {
                    "pictures": [{"image": "town.jpg", "hold": "2s", "motion": "zoom-in"}],
                    "audio": [{"intercept": "call"}],
                }
            },
        },
    )


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "stills").glob("*.rgba"))


def _render(timeline: Path, out: Path, cache: Path, keep: bool = True) -> np.ndarray:
    """Render the preview and decode every frame; the picture segments are dropped each
    time, so the frames are drawn again (from the still cache, when it has them)."""
    shutil.rmtree(cache / "segments", ignore_errors=True)
    docedit.render(timeline, out, profile="preview", cache=keep)
    return media.all_frames(out, PREVIEW)


def test_frames_from_a_cached_still_are_the_frames_from_the_file(
    zoom: Path, cache: Path, tmp_path: Path
) -> None:
    uncached = _render(zoom, tmp_path / "none.mp4", cache, keep=False)
    assert _entries(cache) == []  # --no-cache keeps no stills either
    first = _render(zoom, tmp_path / "one.mp4", cache)
    (entry,) = _entries(cache)
    before = entry.stat().st_mtime_ns
    second = _render(zoom, tmp_path / "two.mp4", cache)
    assert len(first) == len(second) == 24
    assert np.array_equal(first, uncached) and np.array_equal(second, first)
    assert not np.array_equal(first[0], first[-1])  # the move shows: frames differ
    assert _entries(cache) == [entry] and entry.stat().st_mtime_ns >= before


def test_a_damaged_entry_is_decoded_again_with_a_warning(
    zoom: Path, cache: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    first = _render(zoom, tmp_path / "one.mp4", cache)
    (entry,) = _entries(cache)
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one pixel byte flipped: the size is still right
    entry.write_bytes(bytes(data))
    capfd.readouterr()
    second = _render(zoom, tmp_path / "two.mp4", cache)
    err = capfd.readouterr().err
    assert err.startswith("warning: ") and entry.name in err and "decoding it again" in err
    assert np.array_equal(second, first)
    assert StillCache(cache / "stills").get(entry.stem) is not None  # whole again


def test_a_still_changed_on_disk_is_never_served_from_the_cache(
    zoom: Path, cache: Path, tmp_path: Path
) -> None:
    first = _render(zoom, tmp_path / "one.mp4", cache)
    still = tmp_path / "town.jpg"
    media.still(still, (0, 200, 0), (1280, 720))
    os.utime(still, ns=(still.stat().st_atime_ns, still.stat().st_mtime_ns + 10**9))
    second = _render(zoom, tmp_path / "two.mp4", cache)
    r, g, b = second[0].reshape(-1, 3).mean(axis=0)
    assert g > 150 and r < 40 and b < 40, (r, g, b)
    assert not np.array_equal(second[0], first[0])
    assert len(_entries(cache)) == 2


def test_entries_round_trip_and_the_folder_stays_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stills = StillCache(tmp_path / "stills")
    image = np.random.default_rng(1).integers(0, 255, (90, 160, 4), dtype=np.uint8)
    stills.put("a", image)
    got = stills.get("a")
    assert got is not None and np.array_equal(got, image)
    assert stills.get("missing") is None
    stills.put("huge", np.zeros((1200, 1200, 4), np.uint8))  # over MAX_ENTRY: not kept
    assert stills.get("huge") is None
    monkeypatch.setattr(stillcache, "KEEP_BYTES", 2 * (image.nbytes + 64))
    for key in "bcd":
        stills.put(key, image)
    os.utime(tmp_path / "stills" / "a.rgba", ns=(0, 0))  # the least recently used
    stills.evict()
    kept = sorted(p.stem for p in (tmp_path / "stills").glob("*.rgba"))
    assert len(kept) == 2 and "a" not in kept
