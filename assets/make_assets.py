"""Make the sample media for timelines/intercepted.yaml (run once; results are committed).

Needs Debian's espeak-ng for the Russian voices; everything else is numpy, scipy and
Pillow. docedit itself never runs this: it only reads the files it wrote.

    python assets/make_assets.py
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from scipy import signal

HERE = Path(__file__).resolve().parent
PHONE_RATE = 8000
BED_RATE = 48000
STILL_SIZE = (1600, 900)

VOICES = {
    "soldier": ["-v", "ru", "-p", "38", "-s", "150"],
    "mother": ["-v", "ru+f2", "-p", "62", "-s", "138"],
    "father": ["-v", "ru", "-p", "22", "-s", "128"],
    "wife": ["-v", "ru+f4", "-p", "55", "-s", "150"],
}

# (id, recorded, speakers, tags, lines); a line is (speaker, Russian, English, redacted?)
CALLS = [
    (
        "call-01",
        "2022-02-26",
        ["soldier", "mother"],
        ["confidence"],
        [
            (
                "soldier",
                "Мама, привет. Всё хорошо, не волнуйся.",
                "Mum, hi. Everything's fine, don't worry.",
            ),
            (
                "mother",
                "Сынок, где ты? По телевизору говорят разное.",
                "Son, where are you? The TV says all sorts.",
            ),
            (
                "soldier",
                "Мы тут быстро. Неделя, и домой.",
                "We'll be quick here. A week, and home.",
            ),
            ("mother", "Береги себя, слышишь?", "Take care of yourself, you hear?"),
            ("soldier", "Конечно. Всё под контролем.", "Of course. Everything's under control."),
        ],
    ),
    (
        "call-02",
        "2022-03-01",
        ["soldier", "father"],
        ["confidence"],
        [
            ("soldier", "Папа, мы уже под Харьковом.", "Dad, we're outside Kharkiv already."),
            ("father", "Ну и как там?", "So how is it there?"),
            (
                "soldier",
                "Тихо пока. Говорят, нас встретят с цветами.",
                "Quiet so far. They say we'll be met with flowers.",
            ),
            ("father", "Ну, дай бог. Звони.", "Well, God willing. Call."),
        ],
    ),
    (
        "call-03",
        "2022-03-09",
        ["soldier", "mother"],
        ["doubt"],
        [
            (
                "soldier",
                "Мама, тут всё не так, как нам говорили.",
                "Mum, it's nothing like they told us.",
            ),
            ("mother", "Что не так?", "What's wrong?"),
            (
                "soldier",
                "Никто нас не ждал. Они нас ненавидят.",
                "Nobody was waiting for us. They hate us.",
            ),
            ("mother", "Ты кушаешь там хоть?", "Are you at least eating there?"),
            ("soldier", "Сухпаёк кончился три дня назад.", "The rations ran out three days ago."),
        ],
    ),
    (
        "call-04",
        "2022-03-14",
        ["soldier", "wife"],
        ["doubt"],
        [
            ("wife", "Ты когда вернёшься?", "When are you coming back?"),
            ("soldier", "Не знаю. Нам ничего не говорят.", "I don't know. They tell us nothing."),
            ("wife", "Ты же обещал. Неделя.", "You promised. A week."),
            ("soldier", "Я знаю. Я знаю.", "I know. I know."),
        ],
    ),
    (
        "call-05",
        "2022-03-22",
        ["soldier", "mother"],
        ["fear"],
        [
            ("soldier", "Мама, нашу колонну разбили.", "Mum, our column was destroyed."),
            ("mother", "Господи. Ты цел?", "Lord. Are you hurt?"),
            (
                "soldier",
                "Нас было тридцать. Осталось восемь.",
                "There were thirty of us. Eight are left.",
            ),
            ("soldier", "Командир Петров нас бросил.", "Commander Petrov abandoned us.", True),
            ("mother", "Только не молчи, звони мне.", "Just don't go quiet, call me."),
        ],
    ),
    (
        "call-06",
        "2022-03-30",
        ["soldier", "mother"],
        ["fear"],
        [
            ("soldier", "Мама, я хочу домой.", "Mum, I want to go home."),
            ("mother", "Сынок, что случилось?", "Son, what happened?"),
            (
                "soldier",
                "Здесь нельзя жить. Здесь только смерть.",
                "No one can live here. There is only death here.",
            ),
            ("mother", "Не говори так. Ты вернёшься.", "Don't say that. You will come back."),
            ("soldier", "Прости меня, мама.", "Forgive me, Mum."),
        ],
    ),
]


def speak(text: str, voice: str, workdir: Path) -> tuple[np.ndarray, int]:
    out = workdir / "line.wav"
    subprocess.run(["espeak-ng", *VOICES[voice], "-w", str(out), text], check=True)
    with wave.open(str(out)) as handle:
        rate = handle.getframerate()
        samples = np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16)
    return samples.astype(np.float64) / 32768.0, rate


def phone_line(audio: np.ndarray, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Band-limit to 300-3400 Hz, squash a little, add line hiss, resample to 8 kHz."""
    audio = signal.resample_poly(audio, PHONE_RATE, rate)
    sos = signal.butter(4, [300, 3400], btype="bandpass", fs=PHONE_RATE, output="sos")
    audio = signal.sosfilt(sos, audio)
    audio = np.tanh(2.5 * audio) / np.tanh(2.5)
    hiss = signal.sosfilt(sos, rng.normal(0, 0.004, audio.size))
    hum = 0.003 * np.sin(2 * np.pi * 50 * np.arange(audio.size) / PHONE_RATE)
    audio = audio + hiss + hum
    return 0.5 * audio / max(1e-9, np.max(np.abs(audio)))


def write_wav(path: Path, audio: np.ndarray, rate: int) -> None:
    pcm = np.clip(np.round(audio * 32767), -32768, 32767).astype("<i2")
    channels = 1 if pcm.ndim == 1 else pcm.shape[1]
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())


def srt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def two_lines(text: str, width: int = 42) -> str:
    """A line longer than the subtitle rules allow (42 characters), broken at the space
    nearest its middle, so the sidecars pass `docedit subtitles --check`."""
    if len(text) <= width or " " not in text:
        return text
    spaces = [i for i, char in enumerate(text) if char == " "]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return f"{text[:cut]}\n{text[cut + 1 :]}"


def make_calls(out: Path, rng: np.random.Generator) -> dict[str, list[tuple[float, float]]]:
    """One WAV, one Russian SRT and one English SRT per call; returns redacted spans."""
    out.mkdir(parents=True, exist_ok=True)
    redactions: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for call_id, _, _, _, lines in CALLS:
            pieces, cues, t = [], [], 0.6
            pieces.append(np.zeros(int(0.6 * 22050)))
            for line in lines:
                speaker, ru, en = line[:3]
                voice, rate = speak(ru, speaker, Path(tmp))
                voice = voice * (1.0 if speaker == "soldier" else 0.7)  # far end is quieter
                start, end = t, t + voice.size / rate
                cues.append((start, end, ru, en, speaker))
                if len(line) > 3 and line[3]:
                    redactions.setdefault(call_id, []).append((start, end))
                pause = float(rng.uniform(0.35, 0.8))
                pieces += [voice, np.zeros(int(pause * rate))]
                t = end + pause
            audio = phone_line(np.concatenate(pieces), 22050, rng)
            write_wav(out / f"{call_id}.wav", audio, PHONE_RATE)
            for suffix, column in (("ru", 2), ("en", 3)):
                blocks = [
                    f"{i}\n{srt_time(c[0])} --> {srt_time(c[1])}\n{two_lines(c[column])}\n"
                    for i, c in enumerate(cues, 1)
                ]
                (out / f"{call_id}.{suffix}.srt").write_text("\n".join(blocks), "utf-8")
    return redactions


def grain(image: Image.Image, rng: np.random.Generator, amount: float) -> Image.Image:
    pixels = np.asarray(image).astype(np.float32)
    noise = rng.normal(0, amount, pixels.shape[:2])[..., None]
    return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))


def sky(draw: ImageDraw.ImageDraw, top: tuple, bottom: tuple, height: int, width: int) -> None:
    for y in range(height):
        a = y / max(1, height - 1)
        colour = tuple(int(top[i] * (1 - a) + bottom[i] * a) for i in range(3))
        draw.line([(0, y), (width, y)], fill=colour)


def skyline(mood: str, seed: int) -> Image.Image:
    """Apartment blocks against the sky: lit at dusk, or broken and smoking."""
    rng = np.random.default_rng(seed)
    w, h = STILL_SIZE
    image = Image.new("RGB", STILL_SIZE)
    draw = ImageDraw.Draw(image)
    palettes = {
        "confidence": ((58, 72, 98), (196, 150, 110)),
        "fear": ((28, 24, 26), (120, 64, 40)),
    }
    sky(draw, *palettes[mood], h, w)
    ground = int(h * 0.82)
    x = -40
    while x < w:
        bw = int(rng.integers(110, 260))
        bh = int(rng.integers(int(h * 0.25), int(h * 0.62)))
        top = ground - bh
        shade = int(rng.integers(22, 48))
        body = [(x, ground), (x, top), (x + bw, top), (x + bw, ground)]
        if mood == "fear":  # broken roofs: a jagged top edge
            body = [(x, ground), (x, top + int(rng.integers(0, 60)))]
            for step in range(1, 7):
                body.append((x + bw * step // 7, top + int(rng.integers(0, bh // 2))))
            body += [(x + bw, top + int(rng.integers(0, 80))), (x + bw, ground)]
        draw.polygon(body, fill=(shade, shade - 4, shade - 2))
        for wy in range(top + 18, ground - 14, 26):
            for wx in range(x + 12, x + bw - 12, 22):
                lit = rng.random()
                if mood == "confidence" and lit < 0.35:
                    draw.rectangle([wx, wy, wx + 9, wy + 13], fill=(230, 190, 120))
                elif mood == "fear" and lit < 0.5:
                    draw.rectangle([wx, wy, wx + 9, wy + 13], fill=(8, 8, 8))
        x += bw + int(rng.integers(6, 30))
    draw.rectangle([0, ground, w, h], fill=(30, 28, 27))
    if mood == "fear":
        smoke = Image.fromarray((rng.random((h // 8, w // 8)) * 255).astype(np.uint8))
        smoke = smoke.resize(STILL_SIZE, Image.BICUBIC).filter(ImageFilter.GaussianBlur(24))
        mask = np.asarray(smoke).astype(np.float32) / 255.0
        ramp = np.linspace(0.6, 0.0, h)[:, None]
        mask = Image.fromarray((np.clip(mask * ramp * 1.6, 0, 1) * 170).astype(np.uint8))
        image = Image.composite(Image.new("RGB", STILL_SIZE, (88, 80, 76)), image, mask)
        draw = ImageDraw.Draw(image)
        for _ in range(40):  # embers
            ex, ey = int(rng.integers(0, w)), int(rng.integers(int(h * 0.4), ground))
            draw.ellipse([ex, ey, ex + 3, ey + 3], fill=(255, 140, 50))
    return grain(image.filter(ImageFilter.GaussianBlur(0.8)), rng, 7.0)


def street(seed: int) -> Image.Image:
    """An empty street in one-point perspective, in fog, with dark windows."""
    rng = np.random.default_rng(seed)
    w, h = STILL_SIZE
    image = Image.new("RGB", STILL_SIZE)
    draw = ImageDraw.Draw(image)
    sky(draw, (150, 152, 150), (110, 112, 110), h, w)
    vx, vy = w // 2 + int(rng.integers(-200, 200)), int(h * 0.45)
    draw.polygon([(0, h), (vx - 6, vy), (vx + 6, vy), (w, h)], fill=(62, 62, 60))
    for side in (-1, 1):
        edge = 0 if side < 0 else w
        for depth in range(9):
            near = 1 - depth / 9
            x0 = vx + side * (40 + int(near * abs(edge - vx)))
            x1 = vx + side * (40 + int((near - 0.11) * abs(edge - vx)))
            top0, top1 = vy - int(near * h * 0.5), vy - int((near - 0.11) * h * 0.5)
            shade = 40 + depth * 9
            draw.polygon(
                [
                    (x0, vy + int(near * h * 0.5)),
                    (x0, top0),
                    (x1, top1),
                    (x1, vy + int((near - 0.11) * h * 0.5)),
                ],
                fill=(shade, shade, shade + 3),
            )
            if rng.random() < 0.5:
                wx = (x0 + x1) // 2
                draw.rectangle([wx - 4, top0 + 30, wx + 4, top0 + 52], fill=(20, 20, 22))
    fog = Image.new("RGB", STILL_SIZE, (170, 170, 168))
    depth = np.clip(1 - np.abs(np.arange(w)[None, :] - vx) / (w * 0.6), 0, 1)
    depth = depth * np.clip(1 - np.abs(np.arange(h)[:, None] - vy) / (h * 0.7), 0, 1)
    image = Image.composite(fog, image, Image.fromarray((depth * 190).astype(np.uint8)))
    return grain(image.filter(ImageFilter.GaussianBlur(1.0)), rng, 8.0).convert("L").convert("RGB")


def make_stills(out: Path) -> None:
    for folder, make in (
        ("kharkiv", lambda i: skyline("confidence", 100 + i)),
        ("streets", lambda i: street(200 + i)),
        ("ruins", lambda i: skyline("fear", 300 + i)),
    ):
        target = out / folder
        target.mkdir(parents=True, exist_ok=True)
        for i in range(1, 6):
            make(i).save(target / f"{folder}-{i}.jpg", quality=80, optimize=True)


def make_bed(path: Path, seconds: float, rng: np.random.Generator) -> None:
    """Wind: brown-ish noise with slow gusts, mono, seamless at its loop point."""
    n = int(seconds * BED_RATE)
    noise = np.cumsum(rng.normal(0, 1, n))
    noise = signal.sosfilt(signal.butter(2, 40, "highpass", fs=BED_RATE, output="sos"), noise)
    noise = signal.sosfilt(signal.butter(2, 1800, "lowpass", fs=BED_RATE, output="sos"), noise)
    t = np.arange(n) / BED_RATE
    gusts = 0.6 + 0.4 * np.sin(2 * np.pi * t / seconds * 3) * np.sin(2 * np.pi * t / seconds * 2)
    audio = noise * gusts
    fade = int(1.0 * BED_RATE)  # fold the tail into the head so the loop has no seam
    ramp = np.linspace(0, 1, fade)
    audio[:fade] = audio[:fade] * ramp + audio[-fade:] * (1 - ramp)
    audio = audio[:-fade]
    write_wav(path, 0.5 * audio / np.max(np.abs(audio)), BED_RATE)


def main() -> None:
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is needed to make the voices: apt-get install espeak-ng")
    rng = np.random.default_rng(2022)
    redactions = make_calls(HERE / "intercepts", rng)
    make_stills(HERE / "images")
    (HERE / "ambience").mkdir(exist_ok=True)
    make_bed(HERE / "ambience" / "wind.wav", 21.0, rng)
    for call_id, spans in redactions.items():
        print(call_id, "redact:", [[f"{a:.2f}", f"{b:.2f}"] for a, b in spans])


if __name__ == "__main__":
    main()
