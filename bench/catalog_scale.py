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


# the bench section: `python -m bench --only catalog` -----------------------------------

SIZES = (500, 5000)  # the larger is the issue's; the smaller shows memory is flat
TEXT = "потери"  # matches a quarter of the entries (recording 2's transcript)
TARGETS = {"cold": 60.0, "warm": 3.0, "text": 1.0}


def section_catalog(results: dict) -> None:
    """Cold and warm validation and a warm `catalog --text` of catalogs whose entries
    each have their own WAV and SRT files (the realistic case: every file probed and
    parsed once, cold), and of one whose entries share four recordings."""
    import os
    import tempfile

    from bench.common import docedit, tree_state
    from bench.measure import measure

    print(f"catalog: validation and --text of catalogs of {SIZES} intercepts", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as tmp:
        for n, distinct in [*((n, True) for n in SIZES), (SIZES[-1], False)]:
            folder = Path(tmp) / f"{n}-{'own' if distinct else 'shared'}"
            folder.mkdir()
            timeline = write_catalog(folder, n, distinct=distinct)
            cache = folder / "cache"
            env = {"DOCEDIT_CACHE_DIR": str(cache)}
            kind = "own WAV+SRT files each" if distinct else "4 shared recordings"
            what = f"{n:,} intercepts, {kind}"

            def cold(cache: Path = cache) -> None:
                shutil.rmtree(cache, ignore_errors=True)

            validate = docedit("validate", timeline)
            for name, argv, runs, before in (
                ("validate, cold caches", validate, 1, cold),
                ("validate, warm", validate, 3, None),
                (
                    f"catalog --text {TEXT}, warm",
                    docedit("catalog", timeline, "--text", TEXT),
                    3,
                    None,
                ),
            ):
                result = measure(f"{what}: {name}", argv, runs, env=env, before_each=before)
                rows.append({**result.to_json(), "intercepts": n, "distinct": distinct})
        results["catalog"] = {"tree": tree_state(), "cores": os.cpu_count(), "rows": rows}


def report(facts: dict, measured: list[str]) -> list[str]:
    lines = [
        "## A catalog of thousands of intercepts (issue 17)",
        "",
        *measured,
        "`python -m bench --only catalog`: a generated catalog (bench/catalog_scale.py), half",
        "YAML and half CSV through `include:`, one scene playing a `select:` of three calls.",
        "Cold: the cache folder emptied first (every WAV probed, every SRT and included",
        "catalog parsed; a consistent PCM WAV is read from its header in Python, anything",
        "else by ffmpeg). Warm: the probe, transcript and parsed-catalog caches kept. A run",
        "keeps next to nothing per entry: an included catalog's entries stay in its cache",
        "file (the offset of each line is held) and become models when asked, the",
        "recordings that probed cleanly are asked of the probe cache again, transcripts",
        "are read from theirs (a chunk at a time, for binding, a search and the subtitle",
        "rules), and only the most recently asked models, facts and cues are held.",
        "`catalog --text` loads the timeline (its catalogs from the cache when warm) and",
        "reads every transcript, but probes only the calls it shows or a scene plays; its",
        "output goes to a pipe, so it prints the plain table (no rich layout).",
        "Targets for 5,000 intercepts on two cores: cold under 60 s, warm under 3 s,",
        "`catalog --text` under 1 s warm. Peak RSS is the largest process's. The CPU column",
        "is the steadier figure: other jobs shared this machine during some runs.",
        f"Docedit as in {facts.get('tree', 'this tree')}, {facts.get('cores')} cores.",
        "",
        "| what | runs | wall (median) | CPU | peak RSS |",
        "|---|---|---|---|---|",
    ]
    for row in facts["rows"]:
        lines.append(
            f"| {row['name']} | {row['runs']} | {row['wall']:.1f} s | {row['cpu']:.1f} s | "
            f"{row['rss_mb']:.0f} MB |"
        )
    return [*lines, "", *per_entry(facts["rows"]), ""]


def per_entry(rows: list[dict]) -> list[str]:
    """Peak RSS per extra entry, smallest to largest catalog of own files, for each warm
    command (the issue asks for memory flat in the catalog size)."""
    small, large = SIZES[0], SIZES[-1]
    found = []
    for command in ("validate, warm", f"catalog --text {TEXT}, warm"):
        rss = {
            row["intercepts"]: row["rss_mb"]
            for row in rows
            if row["distinct"] and row["name"].endswith(f": {command}")
        }
        if small in rss and large in rss:
            extra = (rss[large] - rss[small]) * 2**20 / (large - small)
            found.append(
                f"{command}: {rss[small]:.0f} -> {rss[large]:.0f} MB peak RSS from {small:,} to "
                f"{large:,} intercepts, {extra / 1024:.1f} KB per extra entry"
            )
    return ["Memory per entry (own files each):", "", *(f"- {line}" for line in found)]
