"""Finished sound kept between renders: the AAC and its loudness report.

An editor renders the same cut again and again while moving pictures; the sound (mix,
loudness, AAC: the longest part of a preview) is then the same each time. It is kept,
keyed by everything that makes it: every sound of the plan, the loudness settings, the
size and modification time of each source, the encoder settings and docedit's version.
A cache that cannot be read or written only makes a render slower, never wrong; an
entry whose sound does not match the digest stored with it is not used.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import asdict
from pathlib import Path

from docedit.core.atomic import atomic_output
from docedit.core.cachefiles import evict_oldest, file_sha256, recipe_key
from docedit.core.version import __version__
from docedit.jobs.progress import warn
from docedit.media.probe import cache_root
from docedit.output.encode import Profile
from docedit.plan import Plan
from docedit.plan.items import as_heard
from docedit.sound.report import LoudnessReport, MixReport

KEEP_BYTES = 1 << 30  # oldest entries go beyond this


def sound_key(plan: Plan, profile: Profile) -> str:
    """A digest of everything the mixed and encoded sound depends on."""
    sources = {}
    for sound in plan.sounds:
        stat = os.stat(sound.source)
        sources[str(sound.source)] = (stat.st_size, stat.st_mtime_ns)
    recipe = (
        __version__,
        plan.clock.rate,
        plan.samples,
        plan.loudness,
        plan.true_peak,
        plan.duck_attack,
        plan.duck_release,
        [(scene.id, scene.start_sample, scene.samples) for scene in plan.scenes],
        [repr(as_heard(sound)) for sound in plan.sounds],
        sorted(sources.items()),
        profile.audio_bitrate,
        profile.preview,
    )
    return recipe_key(recipe)


class SoundCache:
    """`<cache>/sound/<key>.m4a` beside `<key>.json` (the mix report)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or cache_root() / "sound"

    def get(self, key: str) -> tuple[Path, MixReport] | None:
        audio, report = self.folder / f"{key}.m4a", self.folder / f"{key}.json"
        if not audio.exists() and not report.exists():
            return None  # never made: nothing to say
        try:
            data = json.loads(report.read_text("utf-8"))
            mixed = MixReport(
                data["rate"],
                data["samples"],
                LoudnessReport(**data["report"]),
                data["scene_loudness"],
            )
            whole = data.get("sha256") == file_sha256(audio)  # not cut short or overwritten
        except (OSError, ValueError, KeyError, TypeError):
            whole = False
        if not whole:
            warn(f"cached sound {audio.name} is truncated or half-written; mixing it again")
            for path in (audio, report):
                with contextlib.suppress(OSError):
                    path.unlink()
            return None
        with contextlib.suppress(OSError):
            os.utime(audio)  # recently used: evicted last
        return audio, mixed

    def put(self, key: str, audio: Path, mixed: MixReport) -> None:
        with contextlib.suppress(OSError):
            with atomic_output(self.folder / f"{key}.m4a", ".m4a") as temp:
                shutil.copyfile(audio, temp)
            with atomic_output(self.folder / f"{key}.json", ".json") as temp:
                facts = {**asdict(mixed), "sha256": file_sha256(audio)}
                temp.write_text(json.dumps(facts), "utf-8")
            self._evict()

    def _evict(self) -> None:
        evict_oldest(self.folder.glob("*.m4a"), KEEP_BYTES, _remove_entry)


def _remove_entry(audio: Path) -> None:
    """An entry's sound and its report."""
    audio.unlink(missing_ok=True)
    audio.with_suffix(".json").unlink(missing_ok=True)
