"""The reference cut as one hand-written ffmpeg command (a contender): per-still
zoompan, a chain of xfade dissolves, the bed ducked by `volume` while calls play (their
times are known, so no sidechain is needed), and amix for the sound."""

from __future__ import annotations

from pathlib import Path

from bench.reference import STEP, aac_coder, duck_spans, picture, reference_calls


def ffmpeg_command(ffmpeg: str, folder: Path, stills: int, out: Path, profile: str) -> list[str]:
    preview = profile == "preview"
    (w, h), fps = picture(profile)
    length = stills * STEP
    frames = round(5 * fps)
    inputs: list[str] = []
    graph: list[str] = []
    for i in range(stills):
        inputs += ["-i", str(folder / f"still-{i + 1:02d}.jpg")]
        graph.append(
            f"[{i}:v]scale={w}:{h},zoompan=z='1+0.1*on/{frames}':x='iw/2-(iw/zoom/2)'"
            f":y='ih/2-(ih/zoom/2)':d={frames}:s={w}x{h}:fps={fps},setsar=1,format=yuv420p[v{i}]"
        )
    last = "v0"
    for i in range(1, stills):
        graph.append(f"[{last}][v{i}]xfade=transition=fade:duration=0.5:offset={i * STEP}[x{i}]")
        last = f"x{i}"
    calls = reference_calls(folder, length)
    labels = []
    for k, (name, at) in enumerate(calls):
        inputs += ["-i", str(folder / name)]
        index = stills + k
        delay = round(at * 1000)
        graph.append(
            f"[{index}:a]aresample=48000,aformat=channel_layouts=stereo,"
            f"adelay={delay}|{delay}[c{k}]"
        )
        labels.append(f"[c{k}]")
    inputs += ["-stream_loop", "-1", "-i", str(folder / "bed.wav")]
    during_calls = "+".join(f"between(t,{a:g},{b:g})" for a, b in duck_spans(folder, length))
    graph.append(
        f"[{stills + len(calls)}:a]volume=-18dB,volume=-10dB:enable='{during_calls}',"
        "aformat=channel_layouts=stereo[bed]"
    )
    graph.append(f"[bed]{''.join(labels)}amix=inputs={len(labels) + 1}:normalize=0[a]")
    return [
        ffmpeg, "-y", "-v", "error", *inputs,
        "-filter_complex", ";".join(graph),
        "-map", f"[{last}]", "-map", "[a]", "-t", f"{length}",
        "-c:v", "libx264", "-preset", "ultrafast" if preview else "medium", "-crf", "20",
        "-c:a", "aac", *aac_coder(profile),
        "-b:a", "192k", "-ar", "48000", str(out),
    ]  # fmt: skip
