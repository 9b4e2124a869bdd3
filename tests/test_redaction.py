"""Redaction cannot leak: no word of a redacted cue, and no named word, in anything written.

The issue's case is a cue `Commander Petrov abandoned us.` (0-3 s) with only the name's
span (1.0-1.6 s) redacted. It used to be split into three cues, two of them showing the
name. Every check here reads what docedit really wrote: sidecars parsed by other
libraries, the cue list the renderer burns, rendered frames decoded by ffmpeg, and every
byte of a folder of outputs made through the command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import srt
import webvtt

from docedit.core.words import fold, holds, mask, word_pattern
from docedit.jobs.render import burned_cues, render, subtitles
from docedit.jobs.validate import load_project, validate
from docedit.plan import make_plan
from docedit.timeline.format import json_schema
from tests import media

SIZE = (320, 180)
SPAN = ["00:01.0", "00:01.6"]  # the name, inside the first cue (0-3 s)
NAMES = ("petrov", "петров", "ПЕТРОВ", "Petrov")


def srt_text(*cues: tuple[str, str, str]) -> str:
    blocks = [f"{i}\n{a} --> {b}\n{text}\n" for i, (a, b, text) in enumerate(cues, 1)]
    return "\n".join(blocks)


EN = srt_text(
    ("00:00:00,000", "00:00:03,000", "Commander Petrov abandoned us."),
    ("00:00:03,200", "00:00:04,000", "We waited."),
)
RU = srt_text(
    ("00:00:00,000", "00:00:03,000", "Командир Петров нас бросил."),
    ("00:00:03,200", "00:00:04,000", "Мы ждали."),
)


def timeline(
    tmp: Path, redact: list, *, en: str = EN, ru: str = RU, settings: dict | None = None
) -> Path:
    """One still under a 4 s call; subtitles burned in both languages."""
    (tmp / "call.en.srt").write_text(en, "utf-8")
    (tmp / "call.ru.srt").write_text(ru, "utf-8")
    media.write_wav(tmp / "call.wav", media.noise(4, 0.1))
    media.still(tmp / "grey.png", (90, 90, 90), SIZE)
    return media.timeline(
        tmp / "t.yaml",
        {
            "docedit": 1,
            "settings": {
                "size": list(SIZE),
                "fps": 25,
                "subtitle_lang": "both",
                **(settings or {}),
            },
            "intercepts": {
                "call": {
                    "file": "call.wav",
                    "transcript": "call.ru.srt",
                    "translation": "call.en.srt",
                    "redact": redact,
                }
            },
            "scenes": {
                "call": {
                    "pictures": [{"image": "grey.png", "hold": "4s"}],
                    "audio": [{"intercept": "call"}],
                }
            },
        },
    )


def sidecar(path: Path, lang: str, suffix: str) -> list[tuple[float, float, str]]:
    """The sidecar docedit writes, read back by `srt` or `webvtt-py`."""
    out = path.parent / f"cut.{lang}{suffix}"
    subtitles(load_project(path), out, lang=lang)  # type: ignore[arg-type]
    if suffix == ".srt":
        cues = srt.parse(out.read_text("utf-8"))
        return [(c.start.total_seconds(), c.end.total_seconds(), c.content) for c in cues]
    return [(c.start_in_seconds, c.end_in_seconds, c.text) for c in webvtt.read(str(out))]


def burned(path: Path) -> tuple[list, list]:
    project = load_project(path)
    plan = make_plan(project)
    original, translation = burned_cues(project, plan)
    return (
        [(c.start, c.end, c.text) for c in original],
        [(c.start, c.end, c.text) for c in translation],
    )


def leaks(text: str) -> bool:
    return "petrov" in fold(text) or "петров" in fold(text)


# Words: matched without case or accents, whole words only ---------------------------------


def test_words_match_without_case_or_accents_and_only_whole():
    names = [word_pattern("Petrov"), word_pattern("Петров")]
    assert mask("PETROV, Pétrov and Pe\u0301trov's; Petrovich", names, "#") == (
        "#, # and #'s; Petrovich"
    )
    assert mask("Командир ПЕТРОВ. Пётр Петрова, петров", names, "#") == (
        "Командир #. Пётр Петрова, #"
    )
    assert holds("Иван  Петров", "иван петров") and not holds("Petrova", "Petrov")
    # Whole words: an inflected form is another word (a residual risk the docs state).
    assert not holds("Люди Петрова", "Петров")
    # A phrase is masked whole, not as two marks.
    phrase = [word_pattern("Ivan Petrov"), word_pattern("Petrov")]
    assert mask("Ivan Petrov and Petrov", phrase, "#") == "# and #"


# The case -------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".srt", ".vtt"])
def test_a_span_masks_the_whole_cue_for_its_whole_time(tmp_path, suffix):
    path = timeline(tmp_path, [SPAN])
    for lang in ("translation", "original"):
        cues = sidecar(path, lang, suffix)
        assert cues[0] == (0.0, 3.0, "[redacted]")  # one cue, not split
        assert len(cues) == 2 and not any(leaks(text) for _, _, text in cues)
    original, translation = burned(path)
    assert original[0] == translation[0] == (0, 75, "[redacted]")
    assert translation[1][2] == "We waited." and original[1][2] == "Мы ждали."


@pytest.mark.parametrize("suffix", [".srt", ".vtt"])
def test_named_words_mask_only_those_words(tmp_path, suffix):
    item = {"from": SPAN[0], "to": SPAN[1], "words": "Petrov", "note": "the commander"}
    path = timeline(tmp_path, [item])
    assert sidecar(path, "translation", suffix)[0] == (
        0.0,
        3.0,
        "Commander [redacted] abandoned us.",
    )
    # A plain string names the words in both languages; the Russian cue does not hold
    # "Petrov", so it is masked whole, as by default.
    assert sidecar(path, "original", suffix)[0] == (0.0, 3.0, "[redacted]")
    original, translation = burned(path)
    assert translation[0] == (0, 75, "Commander [redacted] abandoned us.")
    assert original[0] == (0, 75, "[redacted]")
    assert load_project(path).timeline.intercepts["call"].redact[0].note == "the commander"


def test_words_per_language_and_everywhere_in_the_intercept(tmp_path):
    """Named words are masked in every cue of the intercept, not only the overlapped one."""
    en = EN.replace("We waited.", "PETROV never came.")
    ru = RU.replace("Мы ждали.", "Пётр петров не пришёл.")
    item = {"from": 1, "to": 1.6, "words": {"original": "Петров", "translation": "Petrov"}}
    path = timeline(tmp_path, [item], en=en, ru=ru, settings={"redaction_mark": "█"})
    original, translation = burned(path)
    assert [text for *_, text in translation] == ["Commander █ abandoned us.", "█ never came."]
    assert [text for *_, text in original] == ["Командир █ нас бросил.", "Пётр █ не пришёл."]


def test_titles_and_captions_mask_named_words(tmp_path):
    path = timeline(tmp_path, [{"from": 1, "to": 1.6, "words": "Petrov"}])
    data = media_yaml(path)
    data["scenes"]["call"]["title"] = "Petrov's last call"
    data["scenes"]["call"]["pictures"][0]["caption"] = "Sector of Cdr. PETROV, 2022"
    media.timeline(path, data)
    shots = make_plan(load_project(path)).shots
    assert [(s.text, s.caption) for s in shots] == [
        ("[redacted]'s last call", None),
        (None, "Sector of Cdr. [redacted], 2022"),
    ]


def media_yaml(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text("utf-8"))


@pytest.mark.e2e
def test_burned_frames_show_the_mask_not_the_name(tmp_path):
    """A redacted render burns exactly what a render of the masked text burns (the same
    pixels), and not what the unredacted text burns."""
    outs = {}
    masked_en = EN.replace("Petrov", "[redacted]")
    for name, redact, en in (
        ("words", [{"from": SPAN[0], "to": SPAN[1], "words": "Petrov"}], EN),
        ("masked-text", [], masked_en),
        ("plain", [], EN),
    ):
        folder = tmp_path / name
        folder.mkdir()
        path = timeline(folder, redact, en=en, settings={"subtitle_lang": "translation"})
        outs[name] = folder / "out.mp4"
        render(load_project(path), outs[name])
    for frame in (10, 30, 60):  # before, inside and after the span: the cue is 0-75
        words, masked, plain = (media.frame_at(outs[n], frame, SIZE).astype(int) for n in outs)
        assert np.abs(words - masked).max() <= 2
        assert np.abs(words - plain).max() > 60


# A misspelt name is a leak: one error at the redaction's line ------------------------------


def test_a_misspelt_name_is_one_error_at_its_line(tmp_path):
    path = timeline(tmp_path, [SPAN, {"from": SPAN[0], "to": SPAN[1], "words": "Petorv"}])
    report = validate(path)
    assert len(report.errors) == 1
    (error,) = report.errors
    line = next(
        n for n, text in enumerate(path.read_text("utf-8").splitlines(), 1) if "Petorv" in text
    )
    assert error.line == line - 2  # `- from:` opens the item, two lines above `words:`
    assert "misspelt" in error.message
    assert not leaks(error.message) and "petorv" not in error.message.lower()
    assert "Commander" not in error.message and "Командир" not in error.message


def test_words_found_in_one_language_are_enough(tmp_path):
    path = timeline(tmp_path, [{"from": 1, "to": 1.6, "words": {"original": "Петров"}}])
    assert validate(path).errors == []
    # Outside the span the words are not looked for: a redaction over "We waited."
    far = timeline(tmp_path, [{"from": "3.3s", "to": "3.6s", "words": "Petrov"}])
    assert len(validate(far).errors) == 1


def test_schema_takes_both_forms(tmp_path):
    redact = json_schema()["$defs"]["Intercept"]["properties"]["redact"]["items"]["anyOf"]
    pair, mapping = redact
    assert pair["type"] == "array" and pair["minItems"] == pair["maxItems"] == 2
    assert mapping["$ref"] == "#/$defs/Redaction"
    fields = json_schema()["$defs"]["Redaction"]["properties"]
    assert set(fields) == {"from", "to", "words", "note"}
    assert "redaction_mark" in json_schema()["$defs"]["Settings"]["properties"]


# Every byte written ----------------------------------------------------------------------


@pytest.mark.e2e
def test_nothing_docedit_writes_holds_a_redacted_word(tmp_path):
    """Render, mix, sidecars in both languages and formats, validation in both formats and
    the schema, for a partial and a named redaction in both languages: no byte of any
    output, stdout or stderr holds the name, in either alphabet, in any case."""
    src = tmp_path / "src"
    src.mkdir()
    en = srt_text(
        ("00:00:00,000", "00:00:03,000", "Commander Petrov abandoned us."),
        ("00:00:03,200", "00:00:05,000", "Petrov's men went north."),
        ("00:00:05,200", "00:00:07,000", "Sergeant Volkov stayed."),
    )
    ru = srt_text(
        ("00:00:00,000", "00:00:03,000", "Командир Петров нас бросил."),
        ("00:00:03,200", "00:00:05,000", "Люди ушли на север, ПЕТРОВ с ними."),
        ("00:00:05,200", "00:00:07,000", "Сержант Волков остался."),
    )
    (src / "call.en.srt").write_text(en, "utf-8")
    (src / "call.ru.srt").write_text(ru, "utf-8")
    media.write_wav(src / "call.wav", media.noise(7, 0.1))
    media.still(src / "grey.png", (90, 90, 90), SIZE)
    path = media.timeline(
        src / "t.yaml",
        {
            "docedit": 1,
            "title": "Petrov",
            "settings": {"size": list(SIZE), "fps": 25, "subtitle_lang": "both"},
            "intercepts": {
                "call": {
                    "file": "call.wav",
                    "transcript": "call.ru.srt",
                    "translation": "call.en.srt",
                    "redact": [
                        {
                            "from": "1s",
                            "to": "1.6s",
                            "words": {"original": "Петров", "translation": "Petrov"},
                            "note": "the commander's name",
                        },
                        ["5.5s", "6.0s"],  # partial: the sergeant's cue goes whole
                    ],
                }
            },
            "scenes": {
                "call": {
                    "title": "Petrov",
                    "title_hold": "1s",
                    "pictures": [{"image": "grey.png", "hold": "7s", "caption": "ПЕТРОВ"}],
                    "audio": [{"intercept": "call"}],
                }
            },
        },
    )
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "DOCEDIT_CACHE_DIR": str(out / "cache")}
    commands = {
        "render": ["render", path, "-o", out / "cut.mp4", "--profile", "preview"],
        "mix": ["mix", path, "-o", out / "mix.wav"],
        "srt-en": ["subtitles", path, "-o", out / "en.srt", "--lang", "translation"],
        "vtt-en": ["subtitles", path, "-o", out / "en.vtt", "--lang", "translation"],
        "srt-ru": ["subtitles", path, "-o", out / "ru.srt", "--lang", "original"],
        "vtt-ru": ["subtitles", path, "-o", out / "ru.vtt", "--lang", "original"],
        "validate-json": ["validate", path, "--format", "json"],
        "validate": ["validate", path],
        "schema": ["schema"],
    }
    for name, args in commands.items():
        result = subprocess.run(
            [sys.executable, "-m", "docedit", *map(str, args)], capture_output=True, env=env
        )
        assert result.returncode == 0, (name, result.stderr.decode(errors="replace"))
        (out / f"{name}.stdout").write_bytes(result.stdout)
        (out / f"{name}.stderr").write_bytes(result.stderr)
    assert json.loads((out / "validate-json.stdout").read_bytes()) == []
    assert [c.text for c in webvtt.read(str(out / "ru.vtt"))] == [
        "Командир [redacted] нас бросил.",
        "Люди ушли на север, [redacted] с ними.",
        "[redacted]",
    ]
    assert [c.content for c in srt.parse((out / "en.srt").read_text("utf-8"))] == [
        "Commander [redacted] abandoned us.",
        "[redacted]'s men went north.",
        "[redacted]",
    ]
    written = sorted(p for p in out.rglob("*") if p.is_file())
    assert {"cut.mp4", "mix.wav", "en.srt", "ru.vtt", "validate.stdout"} <= {
        p.name for p in written
    }
    needles = [name.encode() for name in NAMES] + [n.encode("utf-8") for n in ("Петров",)]
    for file in written:
        raw = file.read_bytes()
        text = raw.decode("utf-8", errors="ignore")
        assert not leaks(text), file.name
        assert not any(needle.lower() in raw.lower() for needle in needles), file.name
        assert not any(needle in raw for needle in needles), file.name


def test_folding_a_whole_text_is_folding_each_character():
    """core.words.fold normalises the whole string at once (fast on long transcripts);
    `mask` maps matches back through fold_char: both must fold alike."""
    from docedit.core.words import fold, fold_char

    samples = ["Pétrov PETROV", "Пётр, ПЁТР и ёж", "ﬁancée Å Ω ǅ", "e\u0301\u0327 ṩ ß İ", "①②"]
    for text in samples:
        assert fold(text) == "".join(fold_char(c) for c in text)
    assert fold("Пётр") == "петр" and fold("PÉTROV") == "petrov"
