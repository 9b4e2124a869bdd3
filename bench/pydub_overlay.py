"""The long mix as plain sequential pydub overlays (the baseline for docedit's mixer).

python -m bench.pydub_overlay TIMELINE.yaml OUT.wav
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import imageio_ffmpeg
import yaml

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from pydub import AudioSegment


def seconds(value: object) -> float:
    return float(str(value).removesuffix("s"))


def main(timeline_path: Path, out: Path) -> None:
    AudioSegment.converter = imageio_ffmpeg.get_ffmpeg_exe()
    folder = timeline_path.parent
    timeline = yaml.safe_load(timeline_path.read_text())
    lengths = [seconds(scene["length"]) for scene in timeline["scenes"].values()]
    mix = AudioSegment.silent(duration=int(sum(lengths) * 1000), frame_rate=48000).set_channels(2)
    sources: dict[str, AudioSegment] = {}

    def load(name: str) -> AudioSegment:
        if name not in sources:
            sources[name] = (
                AudioSegment.from_file(folder / name).set_frame_rate(48000).set_channels(2)
            )
        return sources[name]

    start = 0.0
    for scene, length in zip(timeline["scenes"].values(), lengths, strict=True):
        for event in scene["audio"]:
            if "bed" in event:
                bed = load(event["bed"]) + event["gain"]
                looped = bed * (int(length * 1000) // len(bed) + 1)
                mix = mix.overlay(looped[: int(length * 1000)], position=int(start * 1000))
            else:
                call = load(timeline["intercepts"][event["intercept"]]["file"])
                call = call[: int(seconds(event.get("out", len(call) / 1000)) * 1000)]
                mix = mix.overlay(call, position=int((start + seconds(event["at"])) * 1000))
        start += length
    mix.export(out, format="wav")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
