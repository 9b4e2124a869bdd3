"""The reference cut as a competent moviepy 2 + pydub user would write it (a contender).

python -m bench.naive_moviepy FOLDER STILLS OUT.mp4 final|preview
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import imageio_ffmpeg

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from pydub import AudioSegment
from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, vfx

from bench.reference import STEP, aac_coder, duck_spans, picture, reference_calls


def main(folder: Path, stills: int, out: Path, profile: str) -> None:
    AudioSegment.converter = imageio_ffmpeg.get_ffmpeg_exe()
    preview = profile == "preview"
    size, fps = picture(profile)
    length = stills * STEP
    clips = []
    for i in range(stills):
        hold = 5.0
        clip = ImageClip(str(folder / f"still-{i + 1:02d}.jpg")).resized(new_size=size)
        clip = clip.with_duration(hold).resized(lambda t, h=hold: 1 + 0.1 * t / h)
        clip = clip.with_position("center").with_start(max(0.0, i * STEP - 0.25))
        if i:
            clip = clip.with_effects([vfx.CrossFadeIn(0.5)])
        clips.append(clip)
    video = CompositeVideoClip(clips, size=size).with_duration(length)

    bed = AudioSegment.from_file(folder / "bed.wav") - 18
    mix = (bed * (int(length * 1000) // len(bed) + 1))[: int(length * 1000)]
    for a, b in duck_spans(folder, length):  # the bed 10 dB down while a call plays
        start, end = int(a * 1000), int(b * 1000)
        mix = mix[:start] + (mix[start:end] - 10) + mix[end:]
    for name, at in reference_calls(folder, length):
        call = AudioSegment.from_file(folder / name).set_frame_rate(48000).set_channels(2)
        mix = mix.overlay(call, position=int(at * 1000))
    wav, m4a = out.with_suffix(".wav"), out.with_suffix(".m4a")
    mix.export(wav, format="wav")
    # The AAC is written first, with the same encoder options as every contender
    # (moviepy's write_videofile passes none to its audio encoder), then muxed as is.
    AudioFileClip(str(wav), fps=48000).write_audiofile(
        str(m4a),
        fps=48000,
        codec="aac",
        bitrate="192k",
        ffmpeg_params=aac_coder(profile) or None,
        logger=None,
    )
    video.write_videofile(
        str(out),
        fps=fps,
        codec="libx264",
        preset="ultrafast" if preview else "medium",
        ffmpeg_params=["-crf", "20"],
        audio=str(m4a),
        audio_codec="copy",
        logger=None,
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
