"""What a media file really is: streams, durations, sizes, and whether it decodes.

Probing runs the bundled ffmpeg (there is no ffprobe) and Pillow for stills. Results
are cached on disk per (absolute path, size, mtime), so validating again is fast.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from docedit.core.errors import first_line, last_line
from docedit.media.ffmpeg import media_arg, run_ffmpeg

# The facts live in a pure module; re-exported here so `from probe import MediaInfo` works.
from docedit.media.info import AudioStream, MediaInfo, VideoStream
from docedit.media.store import Store
from docedit.media.wav import probe_wav

__all__ = [
    "AudioStream",
    "MediaInfo",
    "ProbeCache",
    "VideoStream",
    "cache_root",
    "probe_av",
    "probe_image",
]

CACHE_VERSION = 4  # 3: PCM WAVs read exactly from their header; 4: SQLite (store.py)
PROBE_TIMEOUT_S = 120.0


_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_STREAM = re.compile(r"Stream #\d+:\d+[^:]*: (?P<kind>Audio|Video): (?P<rest>.*)")
_RATE = re.compile(r"(\d+) Hz")
_SIZE = re.compile(r"\b(\d{1,5})x(\d{1,5})\b")
_FPS = re.compile(r"([\d.]+) (?:fps|tbr)")
_OUT_TIME = re.compile(r"out_time_us=(\d+)")
_FFMPEG_PREFIX = re.compile(r"^\[[^\]]*@ 0x[0-9a-f]+\]\s*", re.MULTILINE)  # "[mp3 @ 0x55..] "


def _channels(text: str) -> int:
    if "mono" in text:
        return 1
    if match := re.search(r"(\d+) channels", text):
        return int(match[1])
    return 2


def probe_av(path: Path) -> MediaInfo:
    """Streams and duration from `ffmpeg -i`, then a real decode of the audio; a
    consistent PCM WAV from its header alone (it cannot fail to decode)."""
    if (wav := probe_wav(path)) is not None:
        return wav
    result = run_ffmpeg(["-i", media_arg(path)], timeout=PROBE_TIMEOUT_S)
    text = result.stderr.decode("utf-8", "replace")
    if "Invalid data found" in text or "could not find codec parameters" in text.lower():
        return MediaInfo(str(path), error="not a media file ffmpeg can read")
    if "Stream #" not in text:
        reason = last_line(text, "unreadable")
        return MediaInfo(str(path), error=f"ffmpeg cannot read it ({reason})")
    duration = None
    if match := _DURATION.search(text):
        h, m, s = match.groups()
        duration = int(h) * 3600 + int(m) * 60 + float(s)
    audio = video = None
    for match in _STREAM.finditer(text):
        rest = match["rest"]
        codec = rest.split(",")[0].split()[0]
        if match["kind"] == "Audio" and audio is None:
            rate = _RATE.search(rest)
            audio = AudioStream(codec, int(rate[1]) if rate else 0, _channels(rest))
        elif match["kind"] == "Video" and video is None and "attached pic" not in rest:
            size = _SIZE.search(rest)
            fps = _FPS.search(rest)
            video = VideoStream(
                codec,
                int(size[1]) if size else 0,
                int(size[2]) if size else 0,
                float(fps[1]) if fps else 0.0,
            )
    info = MediaInfo(str(path), duration=duration, audio=audio, video=video)
    return _decode_check(path, info)


def _decode_check(path: Path, info: MediaInfo) -> MediaInfo:
    """Decode the audio fully (and the video when the header has no duration)."""
    checks = []
    if info.audio is not None:
        checks.append(("a", "audio"))
    if info.video is not None and info.duration is None:
        checks.append(("v", "video"))
    duration = info.duration
    for selector, name in checks:
        result = run_ffmpeg(
            [
                *("-v", "error", "-i", media_arg(path), "-map", f"0:{selector}:0"),
                *("-f", "null", "-progress", "pipe:1", "-"),
            ],
            timeout=PROBE_TIMEOUT_S,
        )
        errors = _FFMPEG_PREFIX.sub("", result.stderr.decode("utf-8", "replace")).strip()
        times = _OUT_TIME.findall(result.stdout.decode("ascii", "replace"))
        if result.returncode != 0 or (errors and not times):
            first = first_line(errors, f"exit {result.returncode}")
            return MediaInfo(str(path), error=f"its {name} does not decode ({first})")
        if errors:
            return MediaInfo(str(path), error=f"its {name} is damaged ({first_line(errors)})")
        if duration is None and times:
            duration = int(times[-1]) / 1e6
    return MediaInfo(str(path), duration=duration, audio=info.audio, video=info.video)


def probe_image(path: Path) -> MediaInfo:
    """Open and fully decode a still with Pillow, keeping its decompression-bomb guard."""
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.load()
                oriented = ImageOps.exif_transpose(image) or image
                return MediaInfo(str(path), image_size=oriented.size, image_mode=image.mode)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return MediaInfo(
            str(path),
            error=f"image is larger than {Image.MAX_IMAGE_PIXELS:,} pixels (a decompression "
            "bomb guard): scale it down before using it",
        )
    except (OSError, SyntaxError, ValueError) as err:
        return MediaInfo(str(path), error=f"not an image Pillow can decode ({err})")


def cache_root() -> Path:
    """Where docedit keeps what it can make again: $DOCEDIT_CACHE_DIR, else the XDG cache."""
    return Path(
        os.environ.get("DOCEDIT_CACHE_DIR")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "docedit"
    )


class ProbeCache:
    """Probe results on disk, keyed by absolute path, size and modification time; looked
    up one file at a time (store.py), so a large cache is never held whole."""

    def __init__(self, directory: Path | None = None) -> None:
        self.file = (directory or cache_root()) / f"probe-v{CACHE_VERSION}.sqlite"
        self._store = Store(self.file, ("probe-v1.json", "probe-v2.json", "probe-v3.json"))

    def kept(self) -> list[str]:
        """The `kind:path` keys kept (for tests)."""
        return self._store.kept()

    def get(self, path: Path, kind: str) -> MediaInfo:
        """Cached facts for `path` used as `kind` ('image' or 'av')."""
        return self.get_stamped(path, kind)[0]

    def get_stamped(self, path: Path, kind: str) -> tuple[MediaInfo, tuple[int, int] | None]:
        """`get`, with the file's (size, mtime) as seen before it was probed (None when it
        cannot be read): the stat the cache is keyed by, not taken twice."""
        absolute = os.path.abspath(path)
        try:
            stat = os.stat(absolute)
        except OSError as err:
            return MediaInfo(absolute, error=f"cannot read it: {err.strerror}"), None
        seen = (stat.st_size, stat.st_mtime_ns)
        if not os.access(absolute, os.R_OK):
            return MediaInfo(absolute, error="cannot read it: permission denied"), seen
        key = f"{kind}:{absolute}"
        stamp = list(seen)
        entry = self._store.get(key, stamp)
        if entry is not None:
            try:
                return MediaInfo.from_json(entry), seen
            except (KeyError, TypeError, ValueError, IndexError):
                pass  # a damaged entry: probe again
        info = probe_image(Path(absolute)) if kind == "image" else probe_av(Path(absolute))
        self._store.put(key, stamp, asdict(info))
        return info, seen

    def prefetch(self, uses: Iterable[tuple[Path, str]]) -> None:
        """Read the entries of these (path, kind) ahead, in a few queries (store.py)."""
        self._store.prefetch(f"{kind}:{os.path.abspath(path)}" for path, kind in uses)

    def save(self) -> bool:
        """Write what was probed; a cache that cannot be written is only slower (False)."""
        return self._store.save()

    def cached(self, path: Path, kind: str) -> tuple[MediaInfo | None, tuple[int, int] | None]:
        """The facts kept for `path` as `kind` and the (size, mtime) they are for, as a
        run that probed it kept them (the file is not looked at); Nones when there are
        none."""
        kept = self._store.stored(f"{kind}:{os.path.abspath(path)}")
        if kept is None:
            return None, None
        stamp, entry = kept
        try:
            size, mtime = json.loads(stamp)
            return MediaInfo.from_json(entry), (int(size), int(mtime))
        except (KeyError, TypeError, ValueError, IndexError):
            return None, None
