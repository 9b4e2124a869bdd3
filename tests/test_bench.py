"""The bench's own code: what `make bench` runs for an hour must not fail at the end of
it. The payload measurement runs for real on a small catalog (it once failed with a
TypeError after SoundJob changed), and the last saved results render into the report."""

from __future__ import annotations

import json

from bench import catalog_size
from bench.cli import DOCS, earlier_sections
from bench.report import report


def test_the_payload_measurement_runs_on_a_small_catalog() -> None:
    measured = catalog_size.measure(20)
    assert measured["intercepts"] == 20 and measured["media_entries"] == 20
    assert 0 < int(measured["bytes"]) < 10_000  # the plan of three calls, not the catalog


def test_the_saved_results_render_into_the_report() -> None:
    saved = json.loads((DOCS / "benchmarks.json").read_text())
    kept, dates, profile = earlier_sections(DOCS / "benchmarks.json", set())
    text = report(kept, dates, saved["machine"], saved["quick"], profile or "")
    for heading in ("## The reference cut, preview", "## The editor's loop", "## A catalog"):
        assert heading in text
    assert "docedit / one ffmpeg command" in text
