"""Validation: every mistake found at once, at its line, with a message that says the fix."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from docedit.core.errors import Severity
from docedit.jobs.validate import validate
from tests import media
from tests.conftest import ROOT, SAMPLE

CORPUS = ROOT / "tests" / "corpus"
BROKEN = sorted(CORPUS.glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+):(\d+): (error|warning): (.*)$")


def expected(path: Path) -> set[tuple[int, int, str, str]]:
    found = set()
    for line in path.read_text("utf-8").splitlines():
        if match := EXPECT.match(line):
            message = match[4].replace("{base}", str(path.parent))
            found.add((int(match[1]), int(match[2]), match[3], message))
    return found


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_corpus_gets_exactly_the_expected_findings(path):
    want = expected(path)
    assert want, f"{path.name} declares no `# expect:` lines"
    report = validate(path)
    got = {(f.line, f.column, str(f.severity), f.message) for f in report.findings}
    assert got == want
    assert all(f.path == path for f in report.findings)


def test_ten_distinct_mistakes_in_one_run():
    report = validate(CORPUS / "ten-mistakes.yaml")
    assert len(report.errors) == 10
    assert len({f.line for f in report.errors}) == 10
    assert report.project is None


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_cli_prints_clean_messages_never_a_traceback(path, tmp_path):
    result = media.run_cli("validate", path, cwd=tmp_path)
    has_errors = any(kind == "error" for _, _, kind, _ in expected(path))
    assert result.returncode == (1 if has_errors else 0)
    assert "Traceback" not in result.stderr
    for line in result.stderr.splitlines()[:-1]:
        assert re.match(rf"^{re.escape(str(path))}:\d+:\d+: (error|warning): ", line), line
    assert list(tmp_path.iterdir()) == []  # validation writes nothing


def test_strict_turns_warnings_into_failure():
    path = CORPUS / "warnings.yaml"
    ok = media.run_cli("validate", path)
    strict = media.run_cli("validate", "--strict", path)
    assert (ok.returncode, strict.returncode) == (0, 1)


def test_json_format_for_scripts():
    import json

    path = CORPUS / "ten-mistakes.yaml"
    result = media.run_cli("validate", "--format", "json", path)
    findings = json.loads(result.stdout)
    assert result.returncode == 1
    assert isinstance(findings, list) and len(findings) == 10
    assert {"path", "line", "column", "severity", "message"} <= set(findings[0])


def test_sample_timeline_is_valid_and_summarised():
    result = media.run_cli("validate", SAMPLE)
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"ok: 3 scenes, 6 intercepts, 15 stills, 2 cuts; full cut 00:01:3\d\.\d{3}", result.stdout
    )


def test_alias_bomb_is_refused_fast(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("docedit: 1\n" + "\n".join(lines) + "\nscenes: {one: {title: x}}\n")
    started = time.perf_counter()
    report = validate(path)
    assert time.perf_counter() - started < 1.0
    assert [f.message for f in report.errors] == [
        "timeline expands to too many values (an alias bomb or runaway nesting); "
        "write the values out or split the file"
    ]


def test_huge_timeline_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)
    started = time.perf_counter()
    report = validate(path)
    assert time.perf_counter() - started < 1.0
    assert report.errors[0].message.startswith("timeline is 100.0 MiB; the limit is 8 MiB")


def test_unsafe_yaml_tags_are_not_executed(tmp_path):
    path = tmp_path / "unsafe.yaml"
    path.write_text("docedit: 1\nscenes: !!python/object/apply:os.system ['echo pwned']\n")
    report = validate(path)
    assert report.errors[0].message == (
        "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed: "
        "use plain values"
    )


def test_unquoted_smpte_is_not_read_as_a_base_60_number(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("docedit: 1\nscenes:\n  a: {title: x, title_hold: 10:00:00:00, length: 1:30}\n")
    report = validate(path)
    scene = report.project.timeline.scenes["a"]
    assert scene.title_hold.smpte == (10, 0, 0, 0)
    assert scene.length.to_seconds(25) == 90


def test_a_dash_named_file_is_probed_not_taken_for_an_option(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "docedit: 1\nscenes:\n  a:\n    pictures:\n"
        f"      - video: {ROOT / 'tests/data/-video-with-dash-.mp4'}\n        out: 2s\n"
    )
    report = validate(path)
    assert report.ok(), [str(f) for f in report.findings]


def test_warnings_are_warnings():
    report = validate(CORPUS / "warnings.yaml")
    assert report.findings and all(f.severity is Severity.WARNING for f in report.findings)
    assert report.ok() and not report.ok(strict=True)


def test_an_image_over_pillows_bomb_limit_is_a_clear_error(tmp_path, monkeypatch):
    from PIL import Image

    Image.new("RGB", (320, 180), (9, 9, 9)).save(tmp_path / "big.png")
    path = tmp_path / "t.yaml"
    path.write_text("docedit: 1\nscenes:\n  a:\n    pictures:\n      - image: big.png\n")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 20_000)  # stands in for ~179 megapixels
    report = validate(path)
    assert [(f.line, f.message) for f in report.errors] == [
        (5, "big.png: image is larger than 20,000 pixels (a decompression bomb guard): "
            "scale it down before using it")
    ]  # fmt: skip
