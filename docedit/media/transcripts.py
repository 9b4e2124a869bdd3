"""Transcripts and translations read from SRT or WebVTT files (pysubs2), bounded in size,
with word times where the transcript carries them, and cached on disk.

Word times come from either of two places (both optional; cue times are used otherwise):
- WebVTT inline timestamps inside a cue: `Мы <00:00:01.500>тут <00:00:02.000>быстро`;
  the words before the first stamp start with the cue, each stamp starts the words after
  it, and a stretch ends where the next one starts (the last at the cue's end);
- a word-timed JSON beside the transcript, `call.ru.words.json` for `call.ru.srt`:
  `{"words": [{"word": "Мы", "start": 1.0, "end": 1.3}, ...]}`, or whisper's own
  `{"segments": [{"words": [...]}]}`, times in seconds; a word belongs to the cue it
  starts in. When present it wins over inline stamps.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

from docedit.core.errors import SubtitleError
from docedit.media.info import SourceCue, Word
from docedit.media.store import Store

MAX_SUBTITLE_BYTES = 5 * 1024 * 1024
CACHE_VERSION = 2  # 2: SQLite (store.py), an entry at a time
_INLINE = re.compile(r"<((?:\d+:)?\d{2}:\d{2}\.\d{3})>")
_TAG = re.compile(r"</?[^>]*>")


WORDS_SUFFIX = ".words.json"


def words_file(path: Path) -> Path:
    """Where a transcript's word times may be: `call.ru.srt` -> `call.ru.words.json`."""
    return path.with_suffix(WORDS_SUFFIX)


def _words_name(path: str) -> str:
    """`words_file` on a string: a catalog asks for thousands, and Paths cost."""
    root, ext = os.path.splitext(path)
    return (root if ext != "." else path) + WORDS_SUFFIX


def read_cues(path: Path) -> list[SourceCue]:
    """Parse an SRT or WebVTT file with pysubs2; SubtitleError says what is wrong."""
    import pysubs2  # here: a render whose transcripts are in the cache never needs it

    try:
        size = os.path.getsize(path)
    except OSError as err:
        raise SubtitleError(f"cannot read it: {err.strerror}") from None
    if size > MAX_SUBTITLE_BYTES:
        raise SubtitleError(f"subtitle file is over {MAX_SUBTITLE_BYTES // 2**20} MiB")
    try:
        with open(path, encoding="utf-8") as handle:
            raw = handle.read()
        stamped = _inline_words(raw) if _INLINE.search(raw) else None
        # pysubs2 takes a line with inline stamps for a timing line: give it them unstamped
        text = _INLINE.sub("", raw) if stamped is not None else raw
        subs = pysubs2.SSAFile.from_string(text, format_=_format(path, text))
    except (pysubs2.exceptions.Pysubs2Error, UnicodeDecodeError, ValueError) as err:
        raise SubtitleError(f"not a subtitle file pysubs2 can read ({err})") from None
    lines = timing_lines(raw, len(subs))
    inline = stamped if stamped is not None and len(stamped) == len(subs) else [()] * len(subs)
    cues = [
        SourceCue(Fraction(e.start, 1000), Fraction(e.end, 1000), e.plaintext.strip(), line, w)
        for e, line, w in zip(subs, lines, inline, strict=True)
        if not e.is_comment and e.end > e.start and e.plaintext.strip()
    ]
    cues.sort(key=lambda c: (c.start, c.end))
    timed = _json_words(words_file(path))
    return _placed(cues, timed) if timed is not None else cues


def _format(path: Path, text: str) -> str | None:
    if path.suffix.lower() == ".vtt" or text.lstrip("\ufeff").startswith("WEBVTT"):
        return "vtt"
    return "srt" if path.suffix.lower() == ".srt" else None


def _inline_words(raw: str) -> list[tuple[Word, ...]]:
    """Each cue's timed words, in file order, from its inline timestamps."""
    found: list[tuple[Word, ...]] = []
    for block in re.split(r"\n\s*\n", raw.replace("\r\n", "\n")):
        lines = block.strip("\n").split("\n")
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue
        start, end = (_seconds(t.split()[0]) for t in lines[timing].split("-->"))
        found.append(tuple(_stretches(" ".join(lines[timing + 1 :]), start, end)))
    return found


def _stretches(payload: str, start: Fraction, end: Fraction) -> Iterator[Word]:
    parts = _INLINE.split(payload)  # text, stamp, text, stamp, text ...
    times = [start, *(_seconds(stamp) for stamp in parts[1::2]), end]
    for index, text in enumerate(parts[0::2]):
        for token in _TAG.sub("", text).split():
            yield Word(times[index], max(times[index + 1], times[index]), token)


def _seconds(stamp: str) -> Fraction:
    parts = stamp.strip().replace(",", ".").split(":")
    seconds = Fraction(parts[-1])
    for unit, part in zip((60, 3600), reversed(parts[:-1]), strict=False):
        seconds += unit * int(part)
    return seconds


def _json_words(path: Path) -> list[Word] | None:
    """The words of a `.words.json`, or None when there is none."""
    if not path.is_file():
        return None
    try:
        if path.stat().st_size > MAX_SUBTITLE_BYTES:
            raise ValueError(f"over {MAX_SUBTITLE_BYTES // 2**20} MiB")
        data = json.loads(path.read_text("utf-8"))
        items = data.get("words") if isinstance(data, dict) else None
        if items is None and isinstance(data, dict):  # whisper: words inside segments
            items = [w for segment in data.get("segments", []) for w in segment.get("words", [])]
        if not isinstance(items, list):
            raise ValueError('expected {"words": [{"word", "start", "end"}, ...]}')
        return [_json_word(item) for item in items]
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError) as err:
        raise SubtitleError(f"{path.name}: not word times docedit can read ({err})") from None


def _json_word(item: Any) -> Word:
    start, end = Fraction(str(item["start"])), Fraction(str(item["end"]))
    if end < start:
        raise ValueError(f"word {item['word']!r} ends before it starts")
    return Word(start, end, str(item["word"]).strip())


def _placed(cues: list[SourceCue], words: list[Word]) -> list[SourceCue]:
    """Each cue with the timed words that start inside it."""
    return [
        SourceCue(
            cue.start,
            cue.end,
            cue.text,
            cue.line,
            tuple(w for w in words if cue.start <= w.start < cue.end and w.text),
        )
        for cue in cues
    ]


def timing_lines(text: str, count: int) -> list[int]:
    """The 1-based line of each cue's `-->` timing line in the file's `text` (as read, its
    line ends made `\n`), in file order as pysubs2 reads them, so findings can point into
    the file; all 0 if the two do not agree."""
    found = [number for number, line in enumerate(text.split("\n"), 1) if "-->" in line]
    return found if len(found) == count else [0] * count


class TranscriptCache:
    """Parsed cues on disk, keyed by absolute path, size and modification time (and
    those of its `.words.json`), like the probe cache: a catalog of thousands is parsed
    once, and looked up one transcript at a time (store.py): never held whole. A file
    that cannot be read is remembered with its reason.

    The cache holds transcript text, so a project that redacts anything (`keep=False`)
    neither reads nor writes it, and drops what an earlier run kept of its files: no
    copy of a redacted word is left in docedit's cache."""

    def __init__(self, directory: Path, keep: bool = True) -> None:
        self.file = directory / f"transcripts-v{CACHE_VERSION}.sqlite"
        self.keep = keep
        self._store = Store(self.file, ("transcripts-v1.json",))
        # folder -> the names of the `.words.json` in it, listed once (not every name: a
        # catalog's folder may hold thousands of recordings and transcripts)
        self._listed: dict[str, frozenset[str]] = {}
        self._times: dict[tuple[int, int], Fraction] = {}  # one Fraction per cue time

    def kept(self) -> list[str]:
        """The transcripts kept (for tests)."""
        return self._store.kept()

    def get(self, path: Path | str) -> list[SourceCue]:
        """The cues of `path`, from the cache when neither file changed; SubtitleError
        says why it cannot be read."""
        absolute = _absolute(path)
        if not self.keep:
            self._store.pop(absolute)
            return read_cues(Path(absolute))
        bound = self._bound(absolute)
        if bound is not None:
            try:
                return _loaded(bound, self._times)
            except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError):
                pass  # read it again below
        stamp = self._stamps(absolute)
        return self._cues(absolute, stamp, self._raw(absolute, stamp))

    def _bound(self, absolute: str) -> dict[str, Any] | None:
        """The cues entry of a transcript as binding read it (checked then, kept in the
        cache since: the file is not looked at again, as nothing else is held of it),
        None when there is none to serve (then the file is checked and read again)."""
        kept = self._store.stored(absolute)
        entry = kept[1] if kept is not None else None
        return entry if isinstance(entry, dict) and "cues" in entry else None

    def _cues(self, absolute: str, stamp: list[Any], raw: str | None) -> list[SourceCue]:
        """The cues from the cache entry `raw` when it is whole, else parsed (and kept)."""
        entry = self._store.parse(absolute, raw)
        if isinstance(entry, dict):
            try:
                return _loaded(entry, self._times)
            except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError):
                pass  # a damaged entry: parse again
        try:
            cues = read_cues(Path(absolute))
        except SubtitleError as err:
            self._put(absolute, stamp, {"error": str(err)})
            raise
        self._put(absolute, stamp, {"cues": [_dumped(cue) for cue in cues]})
        return cues

    def texts(self, path: Path | str) -> list[str]:
        """The text of each cue of `path`: what a text query reads, taken from its cache
        entry without making its cues (times and words) at all (read ahead with
        `prefetch`, a search's chunk at a time)."""
        absolute = _absolute(path)
        if self.keep:
            entry = self._bound(absolute)
            try:
                return [str(cue[4]) for cue in (entry or {})["cues"]]
            except (KeyError, TypeError, ValueError, IndexError):
                pass  # no entry to serve: the cues below say what is wrong, or read it
        return [cue.text for cue in self.get(Path(path))]

    def check(self, path: Path | str) -> list[SourceCue] | None:
        """What binding asks: SubtitleError when `path` cannot be read; None when its cues
        are cached (not decoded: they are brought back with `get` when asked), else the
        cues, parsed now and cached."""
        if not self.keep:
            return self.get(path)
        absolute = _absolute(path)
        stamp = self._stamps(absolute)
        raw = self._raw(absolute, stamp)
        if raw is not None and raw.startswith('{"cues": '):
            return None  # current: read from the cache again when asked
        return self._cues(absolute, stamp, raw)  # the entry already read, not asked again

    def prefetch(self, paths: Iterable[Path | str]) -> None:
        """Read the cache entries of `paths` ahead, in a few queries: binding then checks
        thousands of transcripts without a query each."""
        if self.keep:
            self._store.prefetch(_absolute(path) for path in paths)

    def _stamps(self, absolute: str) -> list[Any]:
        """What an entry is valid for: the transcript's stamp and its `.words.json`'s."""
        return [_stamp(absolute), self._words_stamp(absolute)]

    def _raw(self, absolute: str, stamp: list[Any]) -> str | None:
        return self._store.raw(absolute, stamp) if stamp[0] is not None else None

    def _words_stamp(self, transcript: str) -> list[int] | None:
        """The stamp of the transcript's `.words.json`, None when there is none: asked of
        the folder's listing (read once), not of the disk per file: a catalog's calls
        rarely have one, and thousands of failing stats cost."""
        name = _words_name(transcript)
        folder, base = os.path.split(name)
        if folder not in self._listed:
            try:
                names = os.listdir(folder)
                self._listed[folder] = frozenset(n for n in names if n.endswith(WORDS_SUFFIX))
            except OSError:
                self._listed[folder] = frozenset()
        return _stamp(name) if base in self._listed[folder] else None

    def _put(self, key: str, stamp: list[Any], entry: dict[str, Any]) -> None:
        if stamp[0] is not None:  # a file that is not there is never cached
            self._store.put(key, stamp, entry)

    def save(self) -> None:
        """Write what was parsed; a cache that cannot be written is only slower."""
        self._store.save()


def _absolute(path: Path | str) -> str:
    return str(path) if os.path.isabs(path) else os.path.abspath(path)


def _stamp(path: str) -> list[int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _time(value: Fraction) -> list[int]:
    return [value.numerator, value.denominator]


def _dumped(cue: SourceCue) -> list[Any]:
    words = [[*_time(w.start), *_time(w.end), w.text] for w in cue.words]
    return [*_time(cue.start), *_time(cue.end), cue.text, cue.line, words]


def _loaded(entry: dict[str, Any], times: dict[tuple[int, int], Fraction]) -> list[SourceCue]:
    """The cues of a cache entry; `times` shares one Fraction per distinct time across
    transcripts (cue times repeat: thousands of calls start at 0 and end within minutes),
    which is both faster than making each and lighter to keep."""
    if "error" in entry:
        raise SubtitleError(str(entry["error"]))

    def time(numerator: int, denominator: int) -> Fraction:
        made = times.get((numerator, denominator))
        if made is None:
            made = times[numerator, denominator] = Fraction(numerator, denominator)
        return made

    return [
        SourceCue(
            time(a, b),
            time(c, d),
            text,
            line,
            tuple(Word(time(p, q), time(r, s), w) for p, q, r, s, w in words),
        )
        for a, b, c, d, text, line, words in entry["cues"]
    ]
