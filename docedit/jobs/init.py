"""`docedit init DIR`: a new project that validates and renders as created.

The text files come from the starter template (package data in jobs/starter/); the
media are made here with numpy, Pillow and `wave`, a few kilobytes each, so that a wheel
carries no binaries and the placeholders are obviously placeholders. The project is
built in a hidden folder beside DIR and renamed into place: it appears whole or not at all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import wave
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from docedit.core.errors import OutputError
from docedit.timeline.format import json_schema

CALL_RATE = 16000  # a phone line's band is all a placeholder call needs
BED_RATE = 16000
SCHEMA = "schema/timeline.schema.json"


@dataclass(frozen=True)
class InitResult:
    folder: Path
    timeline: Path
    files: list[Path]


def init_project(folder: Path, title: str | None = None) -> InitResult:
    """Make a starter project in `folder` (new, or an empty folder)."""
    folder = Path(os.path.abspath(folder))
    _require_empty(folder)
    name = _slug(folder.name)
    title = title or folder.name
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.init-", dir=folder.parent))
    try:
        _fill(work, name, title)
        os.rename(work, folder)  # onto a missing or empty folder: atomic on POSIX
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    files = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    return InitResult(folder, folder / "timelines" / f"{name}.yaml", files)


def _require_empty(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file; give a new or empty folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise OutputError(f"{folder}: not empty; docedit init makes a project in a new folder")


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "film"


def _fill(root: Path, name: str, title: str) -> None:
    for sub in ("timelines", "assets/intercepts", "assets/images", "assets/ambience", "schema"):
        (root / sub).mkdir(parents=True)
    starter = resources.files("docedit.jobs") / "starter"
    fields = {"{name}": name, "{title}": title.replace('"', "'")}
    for source, target in (
        ("timeline.yaml", f"timelines/{name}.yaml"),
        ("README.md", "README.md"),
        ("gitignore", ".gitignore"),
    ):
        text = (starter / source).read_text("utf-8")
        for key, value in fields.items():
            text = text.replace(key, value)
        (root / target).write_text(text, "utf-8")
    _write_json(root / SCHEMA, json_schema())
    vscode = {"yaml.schemas": {f"./{SCHEMA}": "timelines/*.yaml"}}
    (root / ".vscode").mkdir()
    _write_json(root / ".vscode" / "settings.json", vscode)
    _stills(root / "assets" / "images")
    _call(root / "assets" / "intercepts")
    _bed(root / "assets" / "ambience" / "room.wav")


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")


def _stills(folder: Path) -> None:
    """Two 960x540 gradients with a shape, different enough to see a crossfade."""
    y, x = np.mgrid[0:540, 0:960].astype(np.float32)
    for index, (tint, shape) in enumerate((((40, 70, 110), "sun"), ((110, 60, 40), "bar")), 1):
        glow = (1 - y / 540)[..., None] * np.array(tint, np.float32) + (x / 960)[..., None] * 60
        image = Image.fromarray(np.clip(glow, 0, 255).astype(np.uint8))
        draw = ImageDraw.Draw(image)
        if shape == "sun":
            draw.ellipse((600, 120, 760, 280), fill=(230, 200, 120))
        else:
            draw.rectangle((0, 380, 960, 540), fill=(30, 25, 25))
        image.save(folder / f"still-{index:02d}.png", optimize=True)


def _call(folder: Path) -> None:
    """A 4 s 'call': two voices of tone bursts (each a speaker), and its two transcripts."""
    rng = np.random.default_rng(1)
    t = np.arange(4 * CALL_RATE) / CALL_RATE
    voice = np.zeros_like(t)
    for start, end, pitch in ((0.2, 1.6, 180.0), (2.0, 3.6, 240.0)):
        on = (t >= start) & (t < end)
        syllables = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t[on]) ** 2  # a speaking rhythm
        voice[on] = syllables * sum(np.sin(2 * np.pi * pitch * k * t[on]) / k for k in (1, 2, 3))
    line = 0.3 * voice + 0.01 * rng.standard_normal(t.size)  # a little line hiss
    _write_wav(folder / "call-01.wav", line, CALL_RATE)
    cues = [
        ("00:00:00,200", "00:00:01,600", "Hallo? Hörst du mich?", "Hello? Can you hear me?"),
        ("00:00:02,000", "00:00:03,600", "Ja, ich höre dich gut.", "Yes, I can hear you well."),
    ]
    for suffix, column in (("orig", 2), ("en", 3)):
        blocks = [f"{i}\n{c[0]} --> {c[1]}\n{c[column]}\n" for i, c in enumerate(cues, 1)]
        (folder / f"call-01.{suffix}.srt").write_text("\n".join(blocks), "utf-8")


def _bed(path: Path) -> None:
    """3 s of soft low noise (a room), made to loop."""
    rng = np.random.default_rng(2)
    noise = np.cumsum(rng.standard_normal(3 * BED_RATE))  # brown noise: a low rumble
    noise -= np.convolve(noise, np.ones(400) / 400, mode="same")  # without its drift
    _write_wav(path, 0.5 * noise / np.max(np.abs(noise)), BED_RATE)


def _write_wav(path: Path, signal: np.ndarray, rate: int) -> None:
    pcm = (np.clip(signal, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
