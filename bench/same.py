"""`--only same`: the sample renders and mixes to the same output with another revision's
docedit (by default the last commit before the move into layers) as with this tree's.

The other revision is checked out with `git worktree add --detach` in a temporary folder
(removed at the end); each docedit runs in its own process with its own code on
PYTHONPATH, the same venv python, the same timeline and media, and an empty cache folder
(and `--no-cache`), so both really mix. Both outputs are decoded with plain ffmpeg
(tests/media.py) and compared: every sample of the full-rate mix, the preview's frame
count, every decoded preview frame, and the preview's decoded sound.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from bench.common import ROOT, SAMPLE, git, tree_state
from docedit.media.ffmpeg import ffmpeg_exe
from tests import media

REFERENCE = "ba8db96"  # the last commit before the restructure into layers


def section_same(results: dict, ref: str) -> None:
    print(f"same: the sample by {ref}'s docedit and by this tree's", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-same-") as tmp:
        folder = Path(tmp)
        tree = folder / "tree"
        git("worktree", "add", "--detach", str(tree), ref)
        try:
            ref_out = _make(tree, folder / "ref")
        finally:
            git("worktree", "remove", "--force", str(tree))
        now_out = _make(ROOT, folder / "now")
        results["same"] = {
            "ref": git("rev-parse", "--short", ref),
            "ref_date": git("log", "-1", "--format=%cd", "--date=short", ref),
            "tree": tree_state(),
            "timeline": str(SAMPLE.relative_to(ROOT)),
            "mix": _compare_wavs(ref_out / "mix.wav", now_out / "mix.wav"),
            "preview": _compare_videos(ref_out / "preview.mp4", now_out / "preview.mp4"),
        }
    print(f"  {verdict(results['same'])}", flush=True)


def _make(code: Path, out: Path) -> Path:
    """The sample's preview render and full-rate mix, by the docedit found in `code`."""
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": str(code), "DOCEDIT_CACHE_DIR": str(out / "cache")}

    def run(*args: object) -> str:
        done = subprocess.run(
            [sys.executable, *map(str, args)], cwd=code, env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"docedit in {code} failed: {done.stderr.strip()[-500:]}")
        return done.stdout.strip()

    found = Path(run("-c", "import docedit; print(docedit.__file__)"))
    if not found.is_relative_to(code):  # PYTHONPATH must win over the editable install
        raise RuntimeError(f"{code}: python imported docedit from {found}")
    run("-m", "docedit", "render", SAMPLE, "-o", out / "preview.mp4",
        "--profile", "preview", "--no-cache", "-q")  # fmt: skip
    run("-m", "docedit", "mix", SAMPLE, "-o", out / "mix.wav", "-q")
    return out


def _compare_wavs(ref: Path, now: Path) -> dict[str, object]:
    """Every sample of the two mixes: their formats, bytes, and largest difference."""
    formats = []
    for path in (ref, now):
        with wave.open(str(path)) as handle:
            formats.append(
                f"{handle.getnframes()} samples x {handle.getnchannels()} channels, "
                f"{handle.getframerate()} Hz, {8 * handle.getsampwidth()}-bit"
            )
    (a, _, width), (b, _, _) = media.read_wav(ref), media.read_wav(now)
    n = min(len(a), len(b))
    diff = float(np.abs(a[:n] - b[:n]).max()) if n and a.shape[1:] == b.shape[1:] else None
    return {
        "ref": formats[0],
        "now": formats[1],
        "bit_identical": ref.read_bytes() == now.read_bytes(),
        "max_abs_diff": diff,
        "max_abs_diff_lsb": None if diff is None else round(diff * 2 ** (8 * width - 1)),
    }


def _compare_videos(ref: Path, now: Path) -> dict[str, object]:
    """Frame counts, every decoded frame, and the decoded sound of the two previews."""
    a, b = media.streams(ref), media.streams(now)
    size = (int(a["width"]), int(a["height"]))
    compared = identical = worst = 0
    first_different = None
    if (a["width"], a["height"]) == (b["width"], b["height"]):
        # zip stops at the shorter: the frame counts are compared on their own
        for index, (x, y) in enumerate(zip(_frames(ref, size), _frames(now, size), strict=False)):
            step = int(np.abs(x.astype(np.int16) - y.astype(np.int16)).max())
            compared += 1
            identical += step == 0
            worst = max(worst, step)
            if step and first_different is None:
                first_different = index
    sound_a, sound_b = media.decode_audio(ref), media.decode_audio(now)
    n = min(len(sound_a), len(sound_b))
    return {
        "picture": f"{a['video_codec']} {a['width']}x{a['height']} {a['fps']:g} fps",
        "ref_frames": a["frames"],
        "now_frames": b["frames"],
        "frames_compared": compared,
        "frames_identical": identical,
        "max_pixel_diff": worst,
        "first_different_frame": first_different,
        "sound_samples": [len(sound_a), len(sound_b)],
        "sound_max_abs_diff": float(np.abs(sound_a[:n] - sound_b[:n]).max()) if n else None,
        "file_bytes_identical": ref.read_bytes() == now.read_bytes(),
    }


def _frames(path: Path, size: tuple[int, int]) -> Iterator[np.ndarray]:
    """Every frame, decoded by plain ffmpeg to RGB, one at a time (a whole preview would
    take most of a gigabyte)."""
    command = [ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(path),
               "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]  # fmt: skip
    frame_bytes = size[0] * size[1] * 3
    with subprocess.Popen(command, stdout=subprocess.PIPE) as decoder:
        assert decoder.stdout is not None
        while chunk := decoder.stdout.read(frame_bytes):
            if len(chunk) < frame_bytes:
                break
            yield np.frombuffer(chunk, dtype=np.uint8).reshape(size[1], size[0], 3)
        decoder.stdout.close()


def same_everywhere(facts: dict) -> bool:
    mix, preview = facts["mix"], facts["preview"]
    return bool(
        mix["bit_identical"]
        and preview["ref_frames"] == preview["now_frames"]
        and preview["frames_compared"] == preview["now_frames"]
        and preview["frames_identical"] == preview["frames_compared"]
        and preview["sound_max_abs_diff"] == 0
        and preview["sound_samples"][0] == preview["sound_samples"][1]
    )


def verdict(facts: dict) -> str:
    if same_everywhere(facts):
        return "the same: every mix sample bit-identical, every preview frame identical"
    return "NOT the same: see the table"


def report(facts: dict, measured: list[str]) -> list[str]:
    mix, preview = facts["mix"], facts["preview"]
    lsb = mix["max_abs_diff_lsb"]
    mix_diff = "n/a" if lsb is None else f"{mix['max_abs_diff']:.3g} ({lsb} LSB)"
    sound_diff = preview["sound_max_abs_diff"]
    return [
        "## Same output before and after the restructure",
        "",
        *measured,
        f"The sample (`{facts['timeline']}`) made by docedit at {facts['ref']} (committed",
        f"{facts['ref_date']}) and by this tree ({facts['tree']}),",
        "each run from its own checkout with its code on PYTHONPATH, an empty cache folder and",
        "`--no-cache`, both reading the same timeline and media (`python -m bench --only",
        f"same --ref REV`; the default REV, {REFERENCE}, is the last commit before the move",
        "into layers).",
        "Full-rate mix: `docedit mix -o mix.wav`, compared sample by sample. Frames: the",
        "`--profile preview` render, every frame decoded by plain ffmpeg and compared pixel",
        "by pixel; its AAC sound decoded and compared too.",
        "",
        f"| what | {facts['ref']} | this tree | difference |",
        "|---|---|---|---|",
        f"| mix (WAV) | {mix['ref']} | {mix['now']} | "
        f"{'bit-identical' if mix['bit_identical'] else 'differs'}, max {mix_diff} |",
        f"| preview frames ({preview['picture']}) | {preview['ref_frames']} | "
        f"{preview['now_frames']} | {preview['frames_identical']} of "
        f"{preview['frames_compared']} decoded frames identical, max pixel difference "
        f"{preview['max_pixel_diff']} |",
        f"| preview sound (decoded AAC) | {preview['sound_samples'][0]} samples | "
        f"{preview['sound_samples'][1]} samples | max "
        f"{'n/a' if sound_diff is None else f'{sound_diff:.3g}'} |",
        "",
        f"**{verdict(facts)}**"
        + (" (the MP4 files are byte for byte the same too)." if preview["file_bytes_identical"]
           else "."),
        "",
        *KNOWN,
        "",
    ]  # fmt: skip


# Output changes made on purpose since the restructure: what a difference in the table
# above may be, and how each was checked to be nothing else.
KNOWN = [
    "Changes of output made on purpose since the restructure, so a difference against an",
    "earlier REV may be one of these:",
    "",
    "- 9fea14a: a plain PCM WAV's duration is read exactly from its header (17.740375 s)",
    "  instead of ffmpeg's two decimals (17.74 s), which moves the end of each call and",
    "  what is placed after it by under 10 ms: the mix and the burned subtitles change.",
    "- 65480cd: a preview's x264 runs on one thread, which encodes the same frames to other",
    "  bits (and the same bits on every machine: x264's own thread count followed the",
    "  cores). With x264's threads as before, the sample's preview is byte for byte the",
    "  one made at 28ca029, and the mix is bit-identical to it (`--ref 28ca029`).",
    "- 1f14584: a PCM WAV is read from its data chunk, not through pydub: the same samples",
    "  for 8- and 16-bit files, but a negative 24-bit sample is no longer one step high",
    "  and float WAVs keep their floats (pydub rounded them to 16 bits).",
    "- 003d9ab: K-weighting filters in float64 (media/dsp.py) instead of float32, which",
    "  moves the loudness gain by millionths of a dB: the mix differs from afbd20c's by at",
    "  most 5 steps of 24 bits (-125 dBFS); the picture is unchanged.",
    "- 25620cb, 1185197: a preview's long scenes are cut in an even number of pieces of up",
    "  to 30 s (not 20 s): its IDR frames fall elsewhere, so its bits change; two lanes",
    "  (87ab96b) alone encode the same bytes as one.",
]
