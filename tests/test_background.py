"""core/background.py: a render's side work (hashing its sources for the manifest) runs
in a daemon thread; its result, or its error, reaches the caller."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from docedit.core.background import Background
from docedit.core.cachefiles import file_sha256 as sha256


def test_the_result_and_the_thread(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"x" * 100_000)
    seen: list[threading.Thread] = []

    def work(p: Path) -> str:
        seen.append(threading.current_thread())
        return sha256(p)

    job = Background(work, path)
    assert job.result() == hashlib.sha256(path.read_bytes()).hexdigest()
    assert seen[0] is not threading.main_thread() and seen[0].daemon


def test_an_error_in_the_thread_is_raised_by_result(tmp_path: Path) -> None:
    job = Background(sha256, tmp_path / "missing.bin")
    with pytest.raises(FileNotFoundError):
        job.result()
