"""What every bench section shares: where things are, and how docedit is started."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
SAMPLE = ROOT / "timelines" / "intercepted.yaml"
DOCS = ROOT / "docs"
CACHED = "docedit again, the sound unchanged (taken from its cache)"
FLOOR = "encoder floor: x264 encoding docedit's own frames, read raw (I420) from disk"
SOUND_FLOOR = "sound encoder alone: AAC encoding docedit's mix, read from a WAV"
CACHE_ENV = {"DOCEDIT_CACHE_DIR": str(WORK / "cache")}  # docedit's probe and sound caches


def docedit(*args: object) -> list[str]:
    return [sys.executable, "-m", "docedit", *map(str, args)]


EMPTY = "docedit, every cache emptied first (stills decoded, media probed again)"


def forget_everything() -> None:
    """docedit's cache folder removed whole: the probe cache and the decoded stills too."""
    shutil.rmtree(WORK / "cache", ignore_errors=True)


def forget_sounds() -> None:
    """docedit's rows are cold renders: its sound cache, and the picture segments a render
    keeps in the same cache folder since the segment cache came (without this, every run
    after a section's first drew no frames), are emptied before each run. The probe
    cache and the decoded stills stay, as they do for an editor between renders (a
    row with every cache emptied, `EMPTY`, shows what they save)."""
    shutil.rmtree(WORK / "cache" / "sound", ignore_errors=True)
    shutil.rmtree(WORK / "cache" / "segments", ignore_errors=True)


def now() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def tree_state() -> str:
    """This tree's commit, and whether docedit/ has changes not yet committed (then those
    were measured too)."""
    dirty = git("status", "--porcelain", "--", "docedit")
    head = git("rev-parse", "--short", "HEAD")
    return f"{head} with uncommitted changes in docedit/" if dirty else head
