"""Scenes as units of work: `docedit export`, incremental render, the segment cache, Dask.

Everything here renders real media and checks it with a decoder; the sample timeline
is used only where the issue asks for it (the export with --jobs 2)."""

from __future__ import annotations

import hashlib
import json
import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import docedit
from docedit.jobs import segments
from docedit.plan import make_plan
from tests import media
from tests.conftest import SAMPLE

SIZE = (160, 90)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def three(tmp_path: Path) -> Path:
    """Three scenes of coloured stills under tones; b dips from black, c crossfades in."""
    for name, colour in {
        "red": (220, 30, 30),
        "green": (30, 200, 30),
        "blue": (30, 30, 220),
    }.items():
        media.still(tmp_path / f"{name}.png", colour)
    media.still(tmp_path / "grey.png", (128, 128, 128))
    for name, hz in {"a": 330, "b": 440, "c": 550}.items():
        media.write_wav(tmp_path / f"{name}.wav", media.tone(1.5, hz, 0.4))

    def scene(pictures: list[str], call: str, **extra: object) -> dict:
        shown = [{"image": f"{p}.png", "hold": "1.2s"} for p in pictures]
        return {"pictures": shown, "transition": "0.2s", "audio": [{"intercept": call}], **extra}

    return media.timeline(
        tmp_path / "t.yaml",
        {
            "docedit": 1,
            "settings": {"size": list(SIZE), "fps": 25},
            "intercepts": {k: {"file": f"{k}.wav"} for k in "abc"},
            "scenes": {
                "a": scene(["red", "grey"], "a"),
                "b": scene(["green"], "b", scene_transition="dip-to-black"),
                "c": scene(["blue", "grey"], "c", scene_transition="crossfade"),
            },
        },
    )


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of this test's own, and segments of about a second (long scenes split)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("DOCEDIT_CACHE_DIR", str(folder))
    monkeypatch.setattr(segments, "SEGMENT_SECONDS", 1)
    monkeypatch.setattr(segments, "PREVIEW_SEGMENT_SECONDS", 1)
    return folder / "segments"


def _render(timeline: Path, out: Path, cache: bool = True) -> docedit.RenderResult:
    return docedit.render(timeline, out, profile="preview", cache=cache)


def test_segments_never_start_inside_a_transition(three: Path, cache: Path) -> None:
    plan = make_plan(docedit.load(three))
    spans = segments.transitions(plan)
    assert spans, "the fixture has dissolves, a dip and a scene crossfade"
    points = segments.cut_points(plan, 1)
    assert points[0] == 0 and len(points) > len(plan.scenes)  # long scenes are in pieces
    assert not [p for p in points if any(a < p < b for a, b in spans)]


def test_a_second_render_encodes_no_picture_and_one_changed_scene_only_its_own(
    three: Path, cache: Path, tmp_path: Path
) -> None:
    cold = _render(three, tmp_path / "cold.mp4")
    assert cold.segments is not None and not cold.segments.reused
    assert cold.segments.rebuilt_scenes == ["a", "b", "c"]

    again = _render(three, tmp_path / "again.mp4")
    assert again.segments is not None
    assert again.segments.encoded == () and len(again.segments.reused) == len(cold.segments.encoded)
    assert again.sound_cached

    media.still(tmp_path / "green.png", (250, 250, 0))  # scene b's only picture changes
    changed = _render(three, tmp_path / "changed.mp4")
    assert changed.segments is not None
    # rebuilt: exactly the segments that show b's picture (the one holding the crossfade
    # from b into c shows both scenes); none of a's or c's own
    green = [
        shot
        for shot in make_plan(docedit.load(three)).shots
        if shot.source == tmp_path / "green.png"
    ]
    showing = {
        s.index
        for s in cold.segments.encoded
        if any(g.start < s.plan_end and g.end > s.plan_first for g in green)
    }
    assert {s.index for s in changed.segments.encoded} == showing
    assert "b" in changed.segments.rebuilt_scenes and len(showing) < len(cold.segments.encoded) // 2

    fresh = _render(three, tmp_path / "fresh.mp4", cache=False)
    assert fresh.segments is None
    got, want = media.streams(tmp_path / "changed.mp4"), media.streams(tmp_path / "fresh.mp4")
    assert got["frames"] == want["frames"] == changed.frames
    assert got["duration"] == want["duration"]
    _same_sound_at_joins(tmp_path / "changed.mp4", tmp_path / "fresh.mp4", changed)
    # the picture at every join is the picture of the one-piece encode (x264 noise aside)
    for segment in changed.segments.encoded + changed.segments.reused:
        ours = media.frame_at(tmp_path / "changed.mp4", segment.first, changed.size)
        theirs = media.frame_at(tmp_path / "fresh.mp4", segment.first, changed.size)
        assert np.abs(ours.astype(int) - theirs.astype(int)).mean() < 4


def test_two_lanes_encode_the_very_segments_one_lane_does(three: Path, cache: Path) -> None:
    """A preview's segments go two at a time (jobs/lanes.py): each is still one x264 on one
    thread fed the same frames, so every segment file is byte for byte the one-lane one."""
    from docedit.jobs.render import OutputFrames
    from docedit.output.encode import PROFILES

    project = docedit.load(three)
    plan, profile = make_plan(project), PROFILES["preview"]
    hashes = {}
    for count in (1, 2):
        frames = OutputFrames(project, plan, profile)
        lanes = frames.lanes(count)
        folder = cache.parent / f"lanes-{count}"
        folder.mkdir(parents=True)
        cues = (frames.renderer.original, frames.renderer.translation)
        try:
            stats = segments.encode_segments(
                plan, lanes, frames.count, frames.size, frames.fps, cues, profile,
                segments.SegmentCache(folder), folder / "picture.mp4",
            )  # fmt: skip
        finally:
            for lane in lanes:
                lane.close()
        assert len(stats.encoded) == len(stats.parts) >= 4
        hashes[count] = [_sha256(part) for part in stats.parts]
    assert hashes[1] == hashes[2]


def test_a_pipe_tells_what_its_reader_has_not_read() -> None:
    from docedit.media.ffmpeg import pipe_backlog

    read, write = os.pipe()
    with os.fdopen(read, "rb", buffering=0) as reader, os.fdopen(write, "wb") as writer:
        assert pipe_backlog(writer) == 0
        writer.write(b"x" * 5000)
        writer.flush()
        assert pipe_backlog(writer) == 5000
        assert len(reader.read(3000)) == 3000
        assert pipe_backlog(writer) == 2000
    assert pipe_backlog(None) == 0


class _Pipe:
    """What `hungriest` asks of a lane's encoder: how much it has yet to read."""

    def __init__(self, left: int) -> None:
        self.left = left

    def backlog(self) -> int:
        return self.left


def test_the_next_frame_goes_to_the_encoder_with_least_to_read() -> None:
    from docedit.jobs.lanes import _Lane, hungriest

    def lane(left: int, handed: int) -> _Lane:
        return _Lane(frames=lambda i: np.zeros(1), sink=_Pipe(left), handed=handed)  # type: ignore[arg-type]

    fed, starved = lane(700_000, 10), lane(0, 40)
    assert hungriest([fed, starved]) is starved
    # where a pipe cannot tell (0 for both), the lanes take turns
    first, second = lane(0, 11), lane(0, 10)
    assert hungriest([first, second]) is second


def _encoders_running() -> list[int]:
    """This process's ffmpeg children still alive (not zombies)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            state, parent = stat.rsplit(")", 1)[1].split()[:2]
            if "ffmpeg" in stat.split(")")[0] and int(parent) == os.getpid() and state != "Z":
                found.append(int(entry))
    return found


def test_a_frame_failing_in_one_lane_stops_every_encoder(three: Path, cache: Path) -> None:
    from docedit.jobs.lanes import encode_in_lanes
    from docedit.jobs.render import OutputFrames
    from docedit.output.encode import PROFILES

    project = docedit.load(three)
    plan, profile = make_plan(project), PROFILES["preview"]
    frames = OutputFrames(project, plan, profile)
    queue = segments.plan_segments(plan, frames.count, frames.fps, 1)
    second = queue[1]

    def failing(index: int) -> np.ndarray:  # the second lane's segment, a few frames in
        if index == second.first + 3:
            raise ZeroDivisionError("a bug in a frame")
        return frames(index)

    folder = cache.parent / "failing"
    folder.mkdir(parents=True)
    done: list[int] = []
    with pytest.raises(ZeroDivisionError):
        encode_in_lanes(
            queue, [frames, failing], frames.size, frames.fps, profile,
            lambda segment: folder / f"{segment.index}.mp4",
            lambda segment, _file: done.append(segment.index),
        )  # fmt: skip
    frames.close()
    assert _encoders_running() == [] and done == []


def _same_sound_at_joins(ours: Path, theirs: Path, result: docedit.RenderResult) -> None:
    """No gap and no click: the decoded sound is sample for sample the one-piece render's,
    in a tenth of a second either side of every join."""
    a, b = media.decode_audio(ours), media.decode_audio(theirs)
    assert a.shape == b.shape
    assert result.segments is not None
    for segment in result.segments.encoded + result.segments.reused:
        at = round(Fraction(segment.first) / result.fps * media.RATE)
        window = slice(max(0, at - media.RATE // 10), at + media.RATE // 10)
        assert np.array_equal(a[window], b[window]), f"sound differs at the join at {at}"


def test_a_truncated_segment_is_encoded_again_with_a_warning(
    three: Path, cache: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    first = _render(three, tmp_path / "one.mp4")
    assert first.segments is not None
    victim = cache / f"{first.segments.encoded[1].key}.mp4"
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    capfd.readouterr()
    second = _render(three, tmp_path / "two.mp4")
    assert second.segments is not None
    assert [s.index for s in second.segments.encoded] == [1]
    warning = capfd.readouterr().err
    assert warning.startswith("warning: ") and victim.name in warning
    assert media.streams(tmp_path / "two.mp4")["frames"] == first.frames
    assert json.loads(victim.with_suffix(".json").read_text())["sha256"] == _sha256(victim)


def test_cache_info_and_clear(three: Path, cache: Path, tmp_path: Path) -> None:
    _render(three, tmp_path / "one.mp4")
    env = {**os.environ}
    info = media.run_cli("cache", "info", env=env)
    assert info.returncode == 0 and "segments:" in info.stdout, info.stderr
    cleared = media.run_cli("cache", "clear", env=env)
    assert cleared.returncode == 0 and "cleared" in cleared.stdout
    assert not cache.exists()


def test_export_names_a_failed_scene_and_keeps_the_others(three: Path, tmp_path: Path) -> None:
    (tmp_path / "out" / "b.mp4").mkdir(parents=True)  # b's file cannot be written
    result = docedit.export(three, tmp_path / "out", profile="preview", cache=False)
    assert not result.ok
    assert [scene for scene, _ in result.failed] == ["b"]
    assert "b.mp4: is a folder" in result.failed[0][1]
    assert result.manifest["failed"] == [{"id": "b", "error": result.failed[0][1]}]
    listed = [entry["file"] for entry in result.manifest["scenes"]]
    assert listed == ["a.mp4", "c.mp4"]
    files = sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_file())
    assert files == ["a.mp4", "c.mp4", "manifest.json"]


def test_export_of_the_sample_with_two_jobs(tmp_path: Path) -> None:
    out = tmp_path / "scenes"
    run = media.run_cli(
        "export",
        SAMPLE,
        "-d",
        out,
        "--jobs",
        2,
        "--profile",
        "preview",
        "--name",
        "{index:02d}-{scene}",
    )
    assert run.returncode == 0, run.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    project = docedit.load(SAMPLE)
    scenes = list(project.timeline.scenes)
    assert [s["id"] for s in manifest["scenes"]] == scenes
    assert [s["file"] for s in manifest["scenes"]] == [
        f"{i:02d}-{s}.mp4" for i, s in enumerate(scenes, 1)
    ]
    assert manifest["timeline_sha256"] == _sha256(SAMPLE)
    total = Fraction(0)
    for entry in manifest["scenes"]:
        path = out / entry["file"]
        facts = media.streams(path)
        assert facts["video_codec"] == "h264" and facts["audio_codec"] == "aac"
        assert facts["frames"] == entry["frames"]
        assert abs(facts["duration"] - entry["duration"]) < 0.05
        assert entry["sha256"] == _sha256(path)
        for source in entry["sources"]:
            assert source["sha256"] == _sha256(out / source["path"])
        total += Fraction(entry["frames"], 12)
    # each scene is rounded to whole frames at the preview's 12 fps on its own
    cut = make_plan(project).duration
    assert abs(total - cut) <= Fraction(len(scenes), 12)


def test_export_through_a_dask_local_cluster_matches_a_local_one(
    three: Path, tmp_path: Path
) -> None:
    import distributed  # the dask extra is in dev: a missing one fails, never skips

    local = docedit.export(three, tmp_path / "local", profile="preview")
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=":0",
    ) as cluster:
        remote = docedit.export(
            three, tmp_path / "dask", profile="preview", scheduler=cluster.scheduler_address
        )
    assert local.ok and remote.ok

    def facts(manifest: dict) -> list:
        return [
            (s["id"], s["duration"], s["frames"], [(x["path"], x["sha256"]) for x in s["sources"]])
            for s in manifest["scenes"]
        ]

    assert facts(remote.manifest) == facts(local.manifest)


def test_a_render_through_a_dask_local_cluster_is_the_local_render(
    three: Path, cache: Path, tmp_path: Path
) -> None:
    """`render --scheduler`: the picture's segments are drawn and encoded on two worker
    processes, the one mix is made here; the result is the local render's."""
    import distributed

    local = _render(three, tmp_path / "local.mp4")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=":0"
    ) as cluster:
        out = tmp_path / "dask.mp4"
        result = media.run_cli(
            "render", three, "--profile", "preview", "--no-cache", "-q", "-o", out,
            "--scheduler", cluster.scheduler_address,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "segments encoded, 0 from the cache" in result.stdout
    assert local.segments is not None
    got, want = media.streams(out), media.streams(tmp_path / "local.mp4")
    assert got["frames"] == want["frames"] == local.frames
    assert np.array_equal(media.decode_audio(out), media.decode_audio(tmp_path / "local.mp4"))
    for segment in local.segments.encoded:  # the same pictures (x264 noise aside: the
        ours = media.frame_at(out, segment.first, local.size)  # two cut segments apart)
        theirs = media.frame_at(tmp_path / "local.mp4", segment.first, local.size)
        assert np.abs(ours.astype(int) - theirs.astype(int)).mean() < 4
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".docedit-")]


def _children(pid: int) -> list[int]:
    """The live child processes of `pid` (Linux /proc)."""
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        kids += [int(k) for k in text]
    return kids


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_a_worker_killed_mid_export_leaves_a_manifest_of_complete_files_only(
    three: Path, tmp_path: Path
) -> None:
    """SIGKILL one of the two scene processes while it draws: the scenes it and its
    pool could not finish are named as failed, the exit status is 1, and the manifest
    lists only files that are whole (their sha256 is the manifest's)."""
    import signal
    import subprocess
    import sys

    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "docedit", "export", str(three), "-d", str(out), "--jobs", "2",
         "--profile", "preview", "--no-cache"],
        stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "CI": ""},
    )  # fmt: skip
    assert proc.stderr is not None
    killed = None
    for line in proc.stderr:  # plain timestamped lines: not a terminal
        if "picture" in line:
            # the pool's scene processes (not multiprocessing's resource tracker)
            workers = [k for k in _children(proc.pid) if b"spawn_main" in _cmdline(k)]
            if workers:
                killed = workers[0]
                os.kill(killed, signal.SIGKILL)
                break
    rest = proc.communicate(timeout=120)
    assert killed is not None, "no scene process was seen drawing"
    assert proc.returncode == 1, rest
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["failed"], manifest
    for scene in manifest["scenes"]:
        assert _sha256(out / scene["file"]) == scene["sha256"]
    listed = {scene["id"] for scene in manifest["scenes"]}
    assert listed.isdisjoint({entry["id"] for entry in manifest["failed"]})


def test_a_cluster_worker_killed_mid_segment_is_reported_with_its_scenes(
    three: Path, tmp_path: Path
) -> None:
    """The Dask worker drawing the segments dies (SIGKILL while its encoder runs): the
    render fails in one line naming the scenes it was drawing, never hangs, and leaves
    no output."""
    import signal
    import subprocess
    import sys
    import time

    import dask
    import distributed

    out = tmp_path / "dask.mp4"
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        (worker,) = client.run(os.getpid).values()
        proc = subprocess.Popen(
            [sys.executable, "-m", "docedit", "render", str(three), "--profile", "preview",
             "--no-cache", "-q", "-o", str(out), "--scheduler", cluster.scheduler_address],
            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120  # a hang guard, not a timing
        while not _children(worker) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)  # until the worker has started an encoder
        assert _children(worker), "the worker never started encoding"
        os.kill(worker, signal.SIGKILL)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    (line,) = [text for text in err.splitlines() if text.startswith("error:")]
    assert "the cluster worker drawing scene(s) 'a', 'b', 'c'" in line, err
    assert not out.exists()


def test_a_line_added_to_the_timeline_makes_no_picture_or_sound_again(
    three: Path, cache: Path, tmp_path: Path
) -> None:
    """Caches are keyed by what plays, not by where the YAML says it: a comment added at
    the top moves every line down, and the render still encodes no segment and reuses
    the sound."""
    cold = _render(three, tmp_path / "cold.mp4")
    assert cold.segments is not None and cold.segments.encoded
    three.write_text("# a note for the editor\n" + three.read_text("utf-8"), "utf-8")
    again = _render(three, tmp_path / "again.mp4")
    assert again.segments is not None and again.segments.encoded == ()
    assert again.sound_cached
