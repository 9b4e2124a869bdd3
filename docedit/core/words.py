"""Words in text, matched without case or accents: the primitive of redaction.

`Pétrov`, `PETROV` and `petrov` are the same word; so are `Пётр` and `ПЕТР`. Text is
folded one character at a time (NFKD, combining marks dropped, casefolded) so that a
match in the folded text maps back to the characters it came from. Pure text: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable


def fold_char(char: str) -> str:
    """One character without case or accents; a combining mark folds to nothing."""
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class _Unmarked(dict[int, int | None]):
    """A str.translate table that drops combining marks: each character's entry is
    made the first time it is met (so translate runs in C over a catalog's transcripts,
    not a Python loop per character)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_UNMARKED = _Unmarked()


def fold(text: str) -> str:
    """`Pétrov` and `PETROV` both fold to `petrov`; `Пётр` to `петр`. The same as folding
    each character (`fold_char`), in one normalisation of the whole string: NFKD only
    decomposes, and marks and case are dropped character by character either way."""
    return unicodedata.normalize("NFKD", text).translate(_UNMARKED).casefold()


def word_pattern(words: str) -> re.Pattern[str]:
    """Whole words, in order, any whitespace between them, over folded text."""
    tokens = [re.escape(token) for token in fold(words).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(tokens) + r"(?!\w)")


def holds(text: str, words: str) -> bool:
    """Whether `text` holds `words` (folded, whole words)."""
    return word_pattern(words).search(fold(text)) is not None


def mask(text: str, patterns: Iterable[re.Pattern[str]], mark: str) -> str:
    """`text` with every match of `patterns` (over its folded form) replaced by `mark`."""
    folded, source = _folded(text)
    spans = sorted(
        (source[m.start()], _past_marks(text, source[m.end() - 1] + 1))
        for pattern in patterns
        for m in pattern.finditer(folded)
        if m.end() > m.start()
    )
    out, cursor = [], 0
    for begin, end in spans:
        if end <= cursor:
            continue  # inside a span already masked
        if begin >= cursor:
            out.append(text[cursor:begin])
            out.append(mark)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def _folded(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index it came from."""
    chars: list[str] = []
    source: list[int] = []
    for index, char in enumerate(text):
        for folded in fold_char(char):
            chars.append(folded)
            source.append(index)
    return "".join(chars), source


def _past_marks(text: str, end: int) -> int:
    """Combining marks after a match belong to its last letter: mask them with it."""
    while end < len(text) and not fold_char(text[end]):
        end += 1
    return end
