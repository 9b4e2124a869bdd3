"""Encoded picture segments joined into one stream without re-encoding.

Each segment is its own encoder run, so each starts on an IDR frame and no frame refers
across a join (a closed GOP at every seam); with one profile the parameter sets are the
same in every segment, and ffmpeg's concat demuxer copies the packets one file after
another with the timestamps laid end to end. Only the picture is joined: the sound of a
cut is always one mix, so there is no AAC priming gap or click at a seam. A render
joins its segments and muxes that mix in the same run: the picture is copied once, not
into a joined file first and then again into the output (66 MB twice for the 3-minute
reference preview, at the end of the render where nothing else runs).
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


def concat(parts: Sequence[Path], out: Path, sound: Path | None = None) -> Path:
    """Join `parts` (same codec, size and rate) into `out` by stream copy, atomically;
    with `sound`, its first audio stream goes in beside them and the index is moved to
    the front of the file (a player can start before it has read all of it).
    """
    if not parts:
        raise EncodeError("nothing to join: no picture segments")
    with tempfile.TemporaryDirectory(prefix="docedit-concat-") as work:
        listing = Path(work) / "parts.txt"
        listing.write_text("".join(f"file {_quoted(part)}\n" for part in parts), "utf-8")
        inputs = ["-f", "concat", "-safe", "0", "-i", media_arg(listing)]
        maps = ["-map", "0:v:0"]
        if sound is not None:
            inputs += ["-i", media_arg(sound)]
            maps += ["-map", "1:a:0", "-movflags", "+faststart"]
        with atomic_output(out, Path(out).suffix or ".mp4") as temp:
            command = ["-v", "error", "-y", *inputs, *maps, "-c", "copy", media_arg(temp)]
            result = run_ffmpeg(command)
            if result.returncode != 0:
                error = result.stderr.decode(errors="replace").strip()
                raise EncodeError(f"joining the picture segments failed: {error}")
    return Path(out)
