"""The reference media and timelines, generated (so a fresh clone can reproduce them).

- 40 JPEG stills, 1920x1080, quality 90, with texture and grain so they compress like
  photographs; 8 speech-like calls, 11-24 s, 8 kHz mono, phone band; a 180 s 48 kHz
  stereo bed. The reference cut: each still 4.5 s apart with 0.5 s dissolves (so each
  is on screen ~5 s), zoom 1.0 -> 1.1 centred; calls one after another from 3 s with
  5 s gaps; the bed at -18 dB ducked 10 dB.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import yaml
from PIL import Image
from scipy import signal

STILLS = 40
CALLS = 8
STEP = 4.5
BED_SECONDS = 180


def write_wav(path: Path, audio: np.ndarray, rate: int) -> None:
    pcm = np.clip(np.round(audio * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1 if pcm.ndim == 1 else pcm.shape[1])
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())


def still(path: Path, seed: int, size=(1920, 1080)) -> None:
    rng = np.random.default_rng(seed)
    w, h = size
    base = rng.integers(30, 220, (h // 60, w // 60, 3)).astype(np.uint8)
    image = np.asarray(Image.fromarray(base).resize(size, Image.BICUBIC)).astype(np.float32)
    detail = rng.integers(0, 255, (h // 6, w // 6)).astype(np.uint8)
    texture = np.asarray(Image.fromarray(detail).resize(size, Image.BILINEAR)).astype(np.float32)
    image += (texture[..., None] - 128) * 0.25 + rng.normal(0, 6, (h, w, 1))
    Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).save(path, quality=90)


def speechlike(seconds: float, seed: int, rate: int = 8000) -> np.ndarray:
    """Voiced syllables (a glottal buzz through moving formants) and pauses, phone-band."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    pitch = 110 + 30 * np.sin(2 * np.pi * 0.3 * t + seed)
    buzz = signal.sawtooth(2 * np.pi * np.cumsum(pitch) / rate)
    syllables = (np.sin(2 * np.pi * 4 * t + rng.uniform(0, 6)) > -0.2).astype(float)
    pauses = np.repeat(rng.random(int(seconds) + 1) > 0.2, rate)[:n]
    voice = np.zeros(n)
    for formant in (500, 1500, 2500):
        sos = signal.butter(2, [formant * 0.8, formant * 1.2], "bandpass", fs=rate, output="sos")
        voice += signal.sosfilt(sos, buzz)
    voice *= signal.sosfilt(signal.butter(1, 30, fs=rate, output="sos"), syllables * pauses)
    band = signal.butter(4, [300, 3400], "bandpass", fs=rate, output="sos")
    voice = signal.sosfilt(band, voice) + rng.normal(0, 0.003, n)
    return 0.5 * voice / np.abs(voice).max()


def bed(seconds: float, rate: int = 48000) -> np.ndarray:
    rng = np.random.default_rng(99)
    noise = np.cumsum(rng.normal(0, 1, (int(seconds * rate), 2)), axis=0)
    noise = signal.sosfilt(
        signal.butter(2, [60, 2000], "bandpass", fs=rate, output="sos"), noise, axis=0
    )
    return 0.4 * noise / np.abs(noise).max()


def make_media(folder: Path) -> dict[str, float]:
    """Write the media once (skipped when present); returns call durations."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(STILLS):
        path = folder / f"still-{i + 1:02d}.jpg"
        if not path.exists():
            still(path, i)
    durations = {}
    for i in range(CALLS):
        seconds = 11 + (13 * i) // (CALLS - 1)  # 11 s to 24 s
        path = folder / f"call-{i + 1}.wav"
        if not path.exists():
            write_wav(path, speechlike(seconds, i), 8000)
        durations[path.name] = float(seconds)
    if not (folder / "bed.wav").exists():
        write_wav(folder / "bed.wav", bed(BED_SECONDS), 48000)
    return durations


def picture(profile: str) -> tuple[tuple[int, int], int]:
    """(frame size, frames per second) of the cut in each profile: the timeline's own for
    the final, docedit's preview shape (640 wide, at most 12 fps) for the preview."""
    return ((640, 360), 12) if profile == "preview" else ((1920, 1080), 25)


def aac_coder(profile: str) -> list[str]:
    """ffmpeg's AAC coder options, the same for every contender: in preview, docedit's own
    (the fast coder without the mid/side search, Profile.audio_codec)."""
    return ["-aac_coder", "fast", "-aac_ms", "0"] if profile == "preview" else []


def reference_calls(folder: Path, length: float) -> list[tuple[str, float]]:
    """(file, start) of each call: one after another from 3 s, 5 s apart, inside `length`."""
    durations = make_media(folder)
    placed, at = [], 3.0
    for name, seconds in durations.items():
        if at + seconds > length:
            break
        placed.append((name, at))
        at += seconds + 5
    return placed


def duck_spans(folder: Path, length: float) -> list[tuple[float, float]]:
    """(start, end) in seconds of each call: where every contender ducks the bed 10 dB."""
    durations = make_media(folder)
    return [(at, at + durations[name]) for name, at in reference_calls(folder, length)]


def reference_timeline(folder: Path, stills: int = STILLS) -> Path:
    """The reference cut as a docedit timeline: `stills` x 4.5 s (180 s for 40)."""
    durations = make_media(folder)
    length = stills * STEP
    size, fps = picture("final")
    audio: list[dict] = [
        {"intercept": name.removesuffix(".wav"), "at": round(at, 3)}
        for name, at in reference_calls(folder, length)
    ]
    audio.append({"bed": "bed.wav", "gain": "-18dB", "duck": "-10dB", "loop": True})
    timeline = {
        "docedit": 1,
        "title": "reference cut",
        "settings": {"size": list(size), "fps": fps, "subtitles": "none"},
        "intercepts": {n.removesuffix(".wav"): {"file": n} for n in durations},
        "scenes": {
            "reference": {
                "pictures": [
                    {"image": f"still-{i + 1:02d}.jpg", "hold": f"{STEP}s", "motion": "zoom-in"}
                    for i in range(stills)
                ],
                "transition": "0.5s",
                "audio": audio,
                "length": f"{length}s",
            }
        },
    }
    path = folder / f"reference-{stills}.yaml"
    path.write_text(yaml.safe_dump(timeline, sort_keys=False))
    return path


def long_mix_timeline(folder: Path, minutes: int = 60, calls: int = 400) -> Path:
    """An hour of ten scenes, 400 calls trimmed to 8 s each, 1 s apart, a looping bed."""
    durations = make_media(folder)
    names = [n.removesuffix(".wav") for n in durations]
    per_scene = calls // 10
    scene_seconds = minutes * 60 / 10
    scenes = {}
    for s in range(10):
        audio = [
            {"intercept": names[(s * per_scene + k) % len(names)], "at": round(0.5 + k * 9.0, 3),
             "out": "8s", "phone": k % 4 == 0}
            for k in range(per_scene)
        ]  # fmt: skip
        audio.append({"bed": "bed.wav", "gain": -18, "duck": -10, "loop": True})
        scenes[f"s{s:02d}"] = {"audio": audio, "length": f"{scene_seconds}s"}
    timeline = {
        "docedit": 1,
        "intercepts": {n: {"file": f"{n}.wav"} for n in names},
        "scenes": scenes,
    }
    path = folder / f"mix-{minutes}min.yaml"
    path.write_text(yaml.safe_dump(timeline, sort_keys=False))
    return path


def catalog_timeline(folder: Path, scenes: int = 300, intercepts: int = 2000) -> Path:
    """300 scenes and 2,000 intercepts over a few short files, for validation speed."""
    durations = make_media(folder)
    names = list(durations)
    per_scene = -(-intercepts // scenes)
    catalog = {
        f"call-{i:04d}": {"file": names[i % len(names)], "recorded": f"2022-03-{1 + i % 28:02d}",
                          "speakers": ["soldier", "mother"], "tags": ["doubt"]}
        for i in range(intercepts)
    }  # fmt: skip
    body = {}
    for s in range(scenes):
        events = []
        for k in range(per_scene):
            index = s * per_scene + k
            if index >= intercepts:
                break
            events.append({"intercept": f"call-{index:04d}", "at": k * 25, "out": "10s"})
        events.append({"bed": "bed.wav", "gain": -20, "duck": -10, "loop": True})
        body[f"scene-{s:03d}"] = {
            "title": f"Scene {s}",
            "pictures": [{"image": f"still-{1 + s % STILLS:02d}.jpg", "hold": "auto"}],
            "audio": events,
        }
    timeline = {"docedit": 1, "intercepts": catalog, "scenes": body,
                "cuts": {"all": list(body), "odd": list(body)[1::2]}}  # fmt: skip
    path = folder / "catalog.yaml"
    path.write_text(yaml.safe_dump(timeline, sort_keys=False))
    return path
