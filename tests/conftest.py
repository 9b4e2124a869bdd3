from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SAMPLE = ROOT / "timelines" / "intercepted.yaml"


@pytest.fixture(autouse=True)
def _probe_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Each test session probes into its own cache, never the user's."""
    monkeypatch.setenv("DOCEDIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
