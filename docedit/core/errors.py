"""Problems found in a timeline, each pointing at a file, line and column.

Every stage (load, model, validate, render) reports user mistakes as Findings, so the
CLI prints them the same way and never shows a traceback for bad input.
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


class TimelineError(Exception):
    """Raised when a timeline cannot be used; carries every finding, not just the first."""

    def __init__(self, findings: Iterable[Finding]) -> None:
        self.findings = sorted(findings, key=lambda f: (str(f.path), f.line, f.column))
        super().__init__("\n".join(str(f) for f in self.findings))


class MediaError(Exception):
    """A media file that cannot be read or decoded; the message names the file."""
