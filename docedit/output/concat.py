"""Encoded picture segments joined into one stream without re-encoding.

Each segment is its own encoder run, so each starts on an IDR frame and no frame refers
across a join (a closed GOP at every seam); with one profile the parameter sets are the
same in every segment, and ffmpeg's concat demuxer copies the packets one file after
another with the timestamps laid end to end. Only the picture is joined: the sound of a
cut is always one mix, so there is no AAC priming gap or click at a seam.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from docedit.core.atomic import atomic_output
from docedit.core.errors import EncodeError
from docedit.media.ffmpeg import media_arg, run_ffmpeg


def _quoted(path: Path) -> str:
    """A path as the concat demuxer's list reads it: single-quoted, quotes escaped."""
    return "'" + media_arg(path).replace("'", "'\\''") + "'"


def concat(parts: Sequence[Path], out: Path) -> Path:
    """Join `parts` (same codec, size and rate) into `out` by stream copy, atomically."""
    if not parts:
        raise EncodeError("nothing to join: no picture segments")
    with tempfile.TemporaryDirectory(prefix="docedit-concat-") as work:
        listing = Path(work) / "parts.txt"
        listing.write_text("".join(f"file {_quoted(part)}\n" for part in parts), "utf-8")
        with atomic_output(out, Path(out).suffix or ".mp4") as temp:
            result = run_ffmpeg(
                [
                    *("-v", "error", "-y", "-f", "concat", "-safe", "0"),
                    *("-i", media_arg(listing), "-map", "0:v:0", "-c", "copy"),
                    media_arg(temp),
                ]
            )
            if result.returncode != 0:
                error = result.stderr.decode(errors="replace").strip()
                raise EncodeError(f"joining the picture segments failed: {error}")
    return Path(out)
