from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SAMPLE = ROOT / "timelines" / "intercepted.yaml"


@pytest.fixture(autouse=True, scope="session")
def _session_environment(tmp_path_factory: pytest.TempPathFactory):
    """The same for module- and session-scoped fixtures, which run before any test's own:
    caches in the session's temp folder, and no confinement from a CI=true environment
    (tests make their timelines in temp folders; test_confinement.py turns it on)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DOCEDIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
        patch.delenv("CI", raising=False)
        patch.delenv("DOCEDIT_ROOT", raising=False)
        yield


@pytest.fixture(autouse=True)
def _probe_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Each test session probes into its own cache, never the user's."""
    monkeypatch.setenv("DOCEDIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    # Confinement is on under CI; tests make their timelines in temp folders, so each
    # test that means to confine says so (tests/test_confinement.py).
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("DOCEDIT_ROOT", raising=False)


# Properties are about correctness, not speed: no per-example deadline on a loaded CI box.
settings.register_profile("docedit", deadline=None)
settings.load_profile("docedit")
