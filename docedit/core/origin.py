"""Where a planned item came from: its node in the timeline, by path and by line.

Every item of the plan (shot, title, caption, sound, bed, cue, redaction) carries one,
so messages, subtitles, reports, exports and manifests can name the YAML that made it
without looking anything up by position.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

Location = tuple[str | int, ...]


def dotted(loc: Location) -> str:
    """`scenes.doubt.audio[2]`: a path an editor can find in the file."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass(frozen=True, slots=True)
class Origin:
    """A node of the timeline: its location (keys and list indices), file, line, column."""

    loc: Location
    file: Path | None = None
    line: int = 0  # 1-based; 0 when the timeline was not read from a file
    column: int = 0

    @property
    def path(self) -> str:
        return dotted(self.loc)

    @property
    def scene(self) -> str | None:
        """The scene the node belongs to, if it is inside `scenes:`."""
        if len(self.loc) >= 2 and self.loc[0] == "scenes":
            return str(self.loc[1])
        return None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: " if self.file and self.line else ""
        return f"{where}{self.path}"
