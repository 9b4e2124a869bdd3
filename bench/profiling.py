"""Where a preview render's time goes, by pyinstrument."""

from __future__ import annotations

import os
import subprocess
import sys

from bench.common import CACHE_ENV, WORK, forget_sounds
from bench.reference import reference_timeline


def profile_preview(stills: int) -> str:
    """Where a preview render's time goes, by pyinstrument: the render's own process,
    then the same mix as its sound process makes (`docedit mix`, which pyinstrument can
    follow; in a render it runs in a forked child, feeding the AAC encoder)."""
    reference = reference_timeline(WORK, stills)
    forget_sounds()
    render = _pyinstrument(
        "render", reference, "-o", WORK / "profile.mp4", "--profile", "preview", "-q"
    )
    sound = _pyinstrument("mix", reference, "-o", WORK / "profile.wav", "-q")
    return f"{render}\n\n--- docedit mix reference.yaml ---\n{sound}"


def _pyinstrument(*args: object) -> str:
    out = WORK / "profile.txt"
    command = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o", out]
    env = {**os.environ, **CACHE_ENV}
    done = subprocess.run(
        [*map(str, command), "-m", "docedit", *map(str, args)],
        env=env,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0 or not out.exists():
        return "(profiling failed: is pyinstrument installed? pip install pyinstrument)"
    lines = [line.rstrip() for line in out.read_text().splitlines() if line.strip()]
    out.unlink()
    return "\n".join(lines[:60])
