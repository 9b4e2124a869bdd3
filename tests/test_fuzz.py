"""Hostile input: whatever the YAML or the media, validation ends with located findings:
never a traceback, an internal error, a hang or a memory blow-up.

Two fuzzers (hypothesis): YAML documents built from the format's own words, and random
mutations of the sample timeline's text (lines dropped, doubled, swapped, cut, bytes
changed). Then media that lie: truncated MP3, WAV, JPEG and MP4, a WAV header claiming
2^31 samples, a 100000x100000 PNG header, a zero-byte file, a folder where a file is
expected, a symlink loop under a glob.
"""

from __future__ import annotations

import resource
import shutil
import signal
import struct
import zlib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docedit.core.errors import Severity
from docedit.jobs.validate import validate
from tests import media
from tests.conftest import ROOT, SAMPLE

EACH_INPUT_S = 20  # a hang guard (SIGALRM), far above what one input takes
MEMORY_GROWTH_KB = 512 * 1024  # peak RSS growth allowed over a whole fuzz run
FUZZ = settings(
    max_examples=120,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same inputs on every CI run: a failure can be run again
)

WORDS = [
    "docedit", "settings", "size", "fps", "sample_rate", "intercepts", "file", "transcript",
    "translation", "redact", "scenes", "pictures", "audio", "image", "glob", "video", "hold",
    "in", "out", "at", "intercept", "bed", "loop", "gain", "duck", "transition", "title",
    "cuts", "include", "select", "text", "after", "loudness", "subtitles", "from", "to",
]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["1s", "-1s", "00:00:01.5", "99:99:99", "1e309s", "∞", "nan", "../x.wav"]),
    st.sampled_from(["*", "**/*", "~/x", "/dev/zero", "/proc/self/mem", "a" * 5000]),
    st.text(max_size=30),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), inner, max_size=6),
    ),
    max_leaves=40,
)
DOCUMENTS = st.one_of(
    st.fixed_dictionaries({"docedit": st.sampled_from([1, 2, "1", None])}, optional={
        word: VALUES for word in ("settings", "intercepts", "scenes", "cuts")
    }),
    VALUES,
)  # fmt: skip


def _expire(_signum: int, _frame: object) -> None:
    raise TimeoutError(f"one input took over {EACH_INPUT_S}s")


def check_validates(path: Path) -> None:
    """Validate `path` within the hang guard; every outcome is a located finding."""
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.alarm(EACH_INPUT_S)
    try:
        report = validate(path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    for finding in report.findings:
        assert finding.line >= 1 and finding.column >= 1, finding
        assert finding.message and "Traceback" not in finding.message, finding
    if report.project is None:
        assert report.errors or not report.findings or report.path == path


def peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A timelines/ folder beside the sample's assets, as the sample expects."""
    root = tmp_path_factory.mktemp("fuzz")
    (root / "timelines").mkdir()
    (root / "assets").symlink_to(ROOT / "assets", target_is_directory=True)
    validate(SAMPLE)  # probe the sample's media once, into the session's cache
    return root / "timelines"


@FUZZ
@given(DOCUMENTS)
def test_generated_documents_give_only_located_findings(workdir, document):
    before = peak_rss_kb()
    path = workdir / "generated.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), "utf-8")
    check_validates(path)
    assert peak_rss_kb() - before < MEMORY_GROWTH_KB


MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["drop", "double", "swap", "cut", "byte", "indent"]),
        st.integers(0, 10**6),
        st.binary(min_size=1, max_size=3),
    ),
    min_size=1,
    max_size=4,
)


def mutate(text: bytes, steps: list[tuple[str, int, bytes]]) -> bytes:
    for kind, where, junk in steps:
        lines = text.split(b"\n")
        at = where % max(1, len(lines))
        if kind == "drop":
            del lines[at]
        elif kind == "double":
            lines.insert(at, lines[at])
        elif kind == "swap" and at + 1 < len(lines):
            lines[at], lines[at + 1] = lines[at + 1], lines[at]
        elif kind == "indent":
            lines[at] = b"  " + lines[at]
        text = b"\n".join(lines)
        if kind == "cut":
            text = text[: where % max(1, len(text))]
        elif kind == "byte" and text:
            spot = where % len(text)
            text = text[:spot] + junk + text[spot + 1 :]
    return text


@settings(FUZZ, max_examples=60)  # each one probes and plans a 98 s timeline
@given(MUTATIONS)
def test_mutations_of_the_sample_give_only_located_findings(workdir, steps):
    before = peak_rss_kb()
    path = workdir / "mutated.yaml"
    path.write_bytes(mutate(SAMPLE.read_bytes(), steps))
    check_validates(path)
    assert peak_rss_kb() - before < MEMORY_GROWTH_KB


# media that lie -------------------------------------------------------------------------


def png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def wav_claiming(samples: int, real_bytes: bytes) -> bytes:
    """A 16-bit mono WAV whose header says `samples`, followed by far fewer."""
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, 48000, 96000, 2, 16)
    size = min(samples * 2, 0xFFFFFFFF)
    riff = min(size + 36, 0xFFFFFFFF)
    return (
        b"RIFF" + struct.pack("<I", riff) + b"WAVE" + b"fmt " + fmt
        + b"data" + struct.pack("<I", size) + real_bytes
    )  # fmt: skip


@pytest.fixture(scope="module")
def liars(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("liars")
    media.ffmpeg("-f", "lavfi", "-i", "sine=d=3", str(folder / "whole.mp3"))
    media.ffmpeg(
        "-f", "lavfi", "-i", "testsrc=d=2:s=160x90", "-f", "lavfi", "-i", "sine=d=2",
        "-shortest", str(folder / "whole.mp4"),
    )  # fmt: skip
    media.textured(folder / "whole.jpg", (160, 90))
    media.write_wav(folder / "whole.wav", media.tone(1.0))
    for name, keep in (("mp3", 300), ("mp4", 3000), ("jpg", 400), ("wav", 30)):
        whole = (folder / f"whole.{name}").read_bytes()
        (folder / f"cut.{name}").write_bytes(whole[:keep])
    (folder / "huge.wav").write_bytes(wav_claiming(2**31, b"\x00" * 9600))
    (folder / "bomb.png").write_bytes(png_header(100_000, 100_000))
    (folder / "empty.wav").write_bytes(b"")
    (folder / "folder.wav").mkdir()
    (folder / "loop").mkdir()
    (folder / "loop" / "again").symlink_to(folder / "loop", target_is_directory=True)
    shutil.copy(folder / "whole.jpg", folder / "loop" / "a.jpg")
    return folder


LIARS = """
docedit: 1
settings: {size: [160, 90], fps: 25}
intercepts:
  mp3: {file: cut.mp3}
  wav: {file: cut.wav}
  huge: {file: huge.wav}
  empty: {file: empty.wav}
scenes:
  one:
    pictures:
      - image: cut.jpg
      - video: cut.mp4
      - image: bomb.png
      - image: folder.wav
      - glob: loop/**/*.jpg
    audio:
      - intercept: huge
        out: "01:00:00"
      - bed: folder.wav
"""


def test_media_that_lie_are_each_a_located_error_quickly(liars):
    path = liars / "t.yaml"
    path.write_text(LIARS.lstrip(), "utf-8")
    # A timeout, not a timing: a hang here fails the test instead of the suite.
    result = media.run_cli("validate", path, "--format", "json", timeout=60)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    findings = yaml.safe_load(result.stdout)
    errors = {f["line"]: f["message"] for f in findings if f["severity"] == Severity.ERROR}
    expected = {
        4: "cut.mp3: not a media file ffmpeg can read",
        5: "cut.wav: not a media file ffmpeg can read",
        7: "empty.wav: not a media file ffmpeg can read",
        11: "cut.jpg: not an image Pillow can decode",
        12: "cut.mp4: not a media file ffmpeg can read",
        13: "bomb.png: image is larger than",
        14: "folder.wav:",
        18: "out (01:00:00) is past the end of the media (00:00:00.100)",
        19: "folder.wav:",
    }
    for line, start in expected.items():
        assert errors.get(line, "").startswith(start), (line, errors)
    assert set(errors) == set(expected), errors  # the looped glob matched a real still


def test_a_symlink_loop_under_a_glob_finds_each_file_once(liars):
    path = liars / "loop.yaml"
    path.write_text("docedit: 1\nscenes:\n  one:\n    pictures:\n      - glob: loop/**/*.jpg\n")
    report = validate(path)
    assert report.ok() and report.project is not None
    assert report.project.globs["loop/**/*.jpg"] == [liars / "loop" / "a.jpg"]
