"""A large intercept catalog, written to disk: for `--only catalog` and tests/test_catalog_scale.py.

`write_catalog(folder, n)` writes a timeline whose `intercepts:` includes two catalogs,
the first half of the entries as YAML and the second half as CSV, with a few real short
recordings (WAV tones) and real SRT transcripts and translations. Every field is a
function of the entry's number, so a test can say which ids a query must return without
asking docedit (see `expected`). With `distinct=True` every entry has its own WAV and
SRT files (copies), as an archive of real calls would: the cold figures then probe and
parse one file per entry.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RECORDINGS = 4  # distinct recordings (and transcripts) the entries share
RATE = 8000
FIRST_DAY = dt.date(2022, 2, 1)
DAYS = 90
TAGS = ("confidence", "doubt", "fear")
SPEAKERS = ("mother", "father", "wife")
# The words of recording k's transcript (Russian) and translation; each has one word of
# its own, so a text query names exactly the entries that share a recording.
WORDS = (
    ("Мы тут быстро", "и домой", "We are quick here", "and then home"),
    ("Где Пётр?", "Не знаю", "Where is Pyotr?", "I do not know"),
    ("Связи нет", "Потери большие", "There is no signal", "The losses are heavy"),
    ("Мама, не плачь", "Я вернусь", "Mom, do not cry", "I will come back"),
)


@dataclass(frozen=True)
class Entry:
    """What entry number `i` is, by construction."""

    i: int

    @property
    def id(self) -> str:
        return f"call-{self.i:05d}"

    @property
    def recording(self) -> int:
        return self.i % RECORDINGS

    @property
    def recorded(self) -> dt.date:
        return FIRST_DAY + dt.timedelta(days=(self.i * 7) % DAYS)

    @property
    def speakers(self) -> list[str]:
        return ["soldier", SPEAKERS[self.i % len(SPEAKERS)]]

    @property
    def tags(self) -> list[str]:
        return [TAGS[(self.i // 5) % len(TAGS)]]


def expected(n: int, keep: object) -> list[str]:
    """The ids of entries 0..n-1 that `keep(entry)` accepts, by id."""
    return [e.id for e in map(Entry, range(n)) if keep(e)]  # type: ignore[operator]


def srt(cues: list[tuple[float, float, str]]) -> str:
    def stamp(seconds: float) -> str:
        ms = round(seconds * 1000)
        return f"00:{ms // 60000:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    return "".join(
        f"{k}\n{stamp(a)} --> {stamp(b)}\n{text}\n\n" for k, (a, b, text) in enumerate(cues, 1)
    )


def _recordings(calls: Path) -> list[tuple[Path, Path, Path]]:
    """RECORDINGS short WAVs (3 s tones), each with its transcript and translation
    (cues long and apart enough for the subtitle rules: no warning per entry)."""
    made = []
    for k, (ru1, ru2, en1, en2) in enumerate(WORDS):
        wav = calls / f"rec-{k}.wav"
        t = np.arange(3 * RATE) / RATE
        pcm = np.round(0.3 * np.sin(2 * np.pi * (300 + 100 * k) * t) * 32767).astype("<i2")
        with wave.open(str(wav), "wb") as handle:
            handle.setnchannels(1)
            handle.setsampwidth(2)
            handle.setframerate(RATE)
            handle.writeframes(pcm.tobytes())
        ru, en = calls / f"rec-{k}.ru.srt", calls / f"rec-{k}.en.srt"
        ru.write_text(srt([(0, 1.4, ru1), (1.5, 3.0, ru2)]), "utf-8")
        en.write_text(srt([(0, 1.4, en1), (1.5, 3.0, en2)]), "utf-8")
        made.append((wav, ru, en))
    return made


def _files(calls: Path, entry: Entry, shared: list[tuple[Path, Path, Path]], distinct: bool):
    """The entry's recording, transcript and translation: shared, or its own copies."""
    wav, ru, en = shared[entry.recording]
    if not distinct:
        return wav, ru, en
    own = []
    for path, suffix in ((wav, ".wav"), (ru, ".ru.srt"), (en, ".en.srt")):
        copy = calls / f"{entry.id}{suffix}"
        shutil.copyfile(path, copy)
        own.append(copy)
    return tuple(own)


def write_catalog(folder: Path, n: int, *, distinct: bool = False, scene: str = "") -> Path:
    """`folder/timeline.yaml` including `cat/catalog.yaml` (entries 0..n/2-1) and
    `cat/calls.csv` (the rest), paths relative to the catalogs' folder; `scene` is the
    YAML of its scenes (by default one scene selecting three `fear` calls)."""
    cat = folder / "cat"
    calls = cat / "calls"
    calls.mkdir(parents=True, exist_ok=True)
    shared = _recordings(calls)
    half = n // 2
    lines = []
    for entry in map(Entry, range(half)):
        wav, ru, en = _files(calls, entry, shared, distinct)
        lines += [
            f"{entry.id}:",
            f"  file: calls/{wav.name}",
            f"  recorded: {entry.recorded.isoformat()}",
            f"  speakers: [{', '.join(entry.speakers)}]",
            f"  tags: [{', '.join(entry.tags)}]",
            f"  transcript: calls/{ru.name}",
            f"  translation: calls/{en.name}",
        ]
    (cat / "catalog.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    with (cat / "calls.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "file", "recorded", "speakers", "tags", "transcript", "translation"])
        for entry in map(Entry, range(half, n)):
            wav, ru, en = _files(calls, entry, shared, distinct)
            writer.writerow(
                [
                    entry.id,
                    f"calls/{wav.name}",
                    entry.recorded.isoformat(),
                    ";".join(entry.speakers),
                    ";".join(entry.tags),
                    f"calls/{ru.name}",
                    f"calls/{en.name}",
                ]
            )
    scene = scene or (
        "  calls:\n    audio:\n"
        "      - select: {tags: [fear], from: 2022-03-01, order: recorded, limit: 3}\n"
        "        gap: 1s\n"
    )
    timeline = folder / "timeline.yaml"
    timeline.write_text(
        "docedit: 1\nsettings: {loudness: -30}\n"
        "intercepts:\n  - include: cat/catalog.yaml\n  - include: cat/calls.csv\n"
        f"scenes:\n{scene}",
        "utf-8",
    )
    return timeline
