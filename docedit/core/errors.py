"""Every error a user can cause, under one base class, and located findings.

`DoceditError` is what the CLI turns into a one-line message (exit 1). Anything else
that escapes a command is a bug in docedit: the CLI says "internal error", keeps the
traceback and exits 70. So a stage raises a subclass of `DoceditError` for bad input,
bad media or a bad output path, and lets everything else propagate.

Findings are problems in a timeline, each pointing at a file, line and column, so the
CLI prints them the same way at every stage and never shows a traceback for bad input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: where (1-based line and column) and what to do about it."""

    path: Path
    line: int
    column: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["path"] = str(self.path)
        data["severity"] = str(self.severity)
        return data


class DoceditError(Exception):
    """Base of every error a user's input, media or paths can cause."""


class TimelineError(DoceditError):
    """A timeline that cannot be used; carries every finding, not just the first."""

    def __init__(self, findings: Iterable[Finding]) -> None:
        self.findings = sorted(findings, key=lambda f: (str(f.path), f.line, f.column))
        super().__init__("\n".join(str(f) for f in self.findings))


class TimeFormatError(DoceditError, ValueError):
    """A value that is not a time, a rate or a gain; the message says what is accepted.
    (A ValueError too, as pydantic validators expect.)"""


class MediaError(DoceditError):
    """A media file that cannot be read or decoded; the message names the file."""


class SubtitleError(DoceditError):
    """A transcript or translation file that cannot be read, or a sidecar name refused."""


class PlanError(DoceditError):
    """A selection that cannot be planned (an unknown cut or scene)."""


class OutputError(DoceditError):
    """An output path that would destroy an input or cannot be written."""


class EncodeError(DoceditError):
    """The bundled ffmpeg refused to encode or mux; the message has its last words."""


def first_line(text: object, default: str = "") -> str:
    """The first non-empty line of a message (tools print pages; users want one line)."""
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return default


def last_line(text: object, default: str = "") -> str:
    """The last non-empty line: where ffmpeg puts the reason it stopped."""
    return first_line("\n".join(reversed(str(text).splitlines())), default)
