"""Faults during a render: a full disk, a read-only folder, a source cut short, SIGKILL,
two renders at once, a dead sound worker. Each leaves the previous output as it was, no
temporary file beside it, and says what went wrong in one line.

The full disk and the read-only folder are real: a small tmpfs (ENOSPC), or a read-only
bind mount, made inside a private mount namespace (`unshare --mount --map-root-user`,
so no mount outlives the test and no root is needed where user namespaces are allowed).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from docedit.core.atomic import atomic_output, lock_path, partials, sweep_stale_folders
from docedit.core.errors import EncodeError, MediaError
from docedit.jobs.render import render
from docedit.jobs.soundcache import SoundCache
from docedit.jobs.soundjob import SoundJob
from docedit.jobs.validate import load_project
from docedit.picture.frames import FrameRenderer
from tests import media

pytestmark = pytest.mark.e2e
SIZE = (160, 90)


def small_timeline(folder: Path, seconds: float = 2.0, scenes: int = 1) -> Path:
    """`scenes` scenes of `seconds` each: a still under a call and a looped bed."""
    folder.mkdir(parents=True, exist_ok=True)
    media.still(folder / "red.png", (200, 40, 40), SIZE)
    media.write_wav(folder / "call.wav", media.tone(1.0, 440, 0.5))
    media.write_wav(folder / "bed.wav", media.noise(1.0, 0.05))
    scene = {
        "pictures": [{"image": "red.png", "hold": f"{seconds}s"}],
        "audio": [{"intercept": "call", "at": "0.2s"}, {"bed": "bed.wav", "loop": True}],
    }
    data = {
        "docedit": 1,
        "settings": {"size": list(SIZE), "fps": 25},
        "intercepts": {"call": {"file": "call.wav"}},
        "scenes": {f"s{i}": scene for i in range(1, scenes + 1)},
        "cuts": {"first": ["s1"]},
    }
    return media.timeline(folder / "t.yaml", data)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def in_namespace(script: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`sh -c script` in a private mount namespace (its mounts vanish with it)."""
    command = ["unshare", "--mount", "--map-root-user", "sh", "-euc", script]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def docedit_command(*args: object) -> str:
    words = [sys.executable, "-m", "docedit", *map(str, args)]
    return " ".join(f"'{word}'" for word in words)


def test_a_full_disk_is_one_clear_line_and_the_previous_output_stays(tmp_path):
    path = small_timeline(tmp_path / "project")
    out_dir = tmp_path / "out"
    out = out_dir / "cut.mp4"
    assert media.run_cli("render", path, "-o", out, "-q", "--profile", "preview").returncode == 0
    previous = tmp_path / "previous.mp4"
    previous.write_bytes(out.read_bytes())
    # The output folder (and TMPDIR, where the picture is encoded) on a 1 MiB disk that
    # holds the previous output and little else: the render runs out of room mid-way.
    script = f"""
        mount -t tmpfs -o size=1m tmpfs '{out_dir}'
        cp '{previous}' '{out}'
        mkdir '{out_dir}/tmp'
        head -c $((1024 * 1024 - $(stat -c %s '{out}') - 48 * 1024)) /dev/zero \
            > '{out_dir}/filler' || true
        status=0
        TMPDIR='{out_dir}/tmp' {docedit_command("render", path, "-o", out, "-q", "--no-cache")} \
            || status=$?
        echo "status=$status"
        ls -A '{out_dir}' '{out_dir}/tmp'
        sha256sum '{out}'
    """
    result = in_namespace(script)
    assert "status=1\n" in result.stdout, result.stdout + result.stderr
    assert "No space left on device" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    listing = result.stdout.split("status=1\n", 1)[1]
    assert digest(previous) in listing  # the previous output, byte for byte
    names = {line for line in listing.splitlines()[:-1] if line and not line.endswith(":")}
    assert names == {"cut.mp4", "filler", "tmp"}  # no partial, no lock, nothing in TMPDIR


def test_a_read_only_output_folder_fails_before_any_work(tmp_path):
    path = small_timeline(tmp_path / "project")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    script = f"""
        mount --bind '{out_dir}' '{out_dir}'
        mount -o remount,bind,ro '{out_dir}'
        {docedit_command("render", path, "-o", out_dir / "cut.mp4")}
    """
    result = in_namespace(script)
    assert result.returncode == 1, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(
        f"error: {out_dir}: Read-only file system: the folder cannot be written; "
        "nothing was rendered"
    )
    assert "picture:" not in result.stderr  # refused before a single frame
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize("fault", ["truncated", "deleted"])
def test_a_source_cut_short_or_deleted_mid_render_is_named(tmp_path, monkeypatch, fault):
    path = small_timeline(tmp_path / "project")
    project = load_project(path)
    bed = tmp_path / "project" / "bed.wav"
    frame = FrameRenderer.frame

    def frame_then_fault(self, index):  # a real change on disk, at a known moment
        if index == 10 and bed.exists():
            if fault == "deleted":
                bed.unlink()
            else:
                bed.write_bytes(bed.read_bytes()[:100])
        return frame(self, index)

    monkeypatch.setattr(FrameRenderer, "frame", frame_then_fault)
    out = tmp_path / "out" / "cut.mp4"
    with pytest.raises(MediaError, match=f"^{bed}: (gone|changed on disk) since it was validated"):
        render(project, out, profile="preview")
    assert list(out.parent.iterdir()) == []


def test_a_source_changed_between_validation_and_render_is_refused(tmp_path):
    path = small_timeline(tmp_path / "project")
    project = load_project(path)
    call = tmp_path / "project" / "call.wav"
    media.write_wav(call, media.tone(0.5, 880, 0.5))  # shorter than the plan expects
    out = tmp_path / "out" / "cut.mp4"
    with pytest.raises(MediaError, match=f"^{call}: changed on disk since it was validated"):
        render(project, out, profile="preview")
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def killed_mid_write(out: Path) -> Path:
    """The partial file a process leaves when SIGKILL stops it inside an atomic write."""
    code = (
        "import os, signal, sys\nfrom pathlib import Path\n"
        "from docedit.core.atomic import atomic_output\n"
        f"with atomic_output(Path({str(out)!r}), '.mp4') as temp:\n"
        "    temp.write_bytes(b'half a film')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    (left,) = partials(out)
    assert left.name.startswith(f".{out.stem}.") and left.read_bytes() == b"half a film"
    return left


def test_after_sigkill_the_next_render_is_whole_sweeps_leftovers_and_skips_a_bad_cache(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("DOCEDIT_CACHE_DIR", str(tmp_path / "cache"))  # its own sound cache
    path = small_timeline(tmp_path / "project", seconds=6.0)
    out = tmp_path / "out" / "cut.mp4"
    first = media.run_cli("render", path, "-o", out, "-q", "--profile", "preview")
    assert first.returncode == 0, first.stderr
    out.unlink()
    (entry,) = SoundCache().folder.glob("*.m4a")
    entry.write_bytes(entry.read_bytes()[:2000])  # a damaged cache entry
    # A render killed mid-picture (SIGKILL: no cleanup runs at all) ...
    proc = subprocess.Popen(
        [sys.executable, "-m", "docedit", "render", str(path), "-o", str(out), "--profile",
         "preview", "--no-cache"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("picture:") and "(0/" not in line:
            break
    proc.kill()
    proc.wait(timeout=30)
    assert lock_path(out).exists()  # what it left beside the output
    left = killed_mid_write(out)  # ... and one killed inside its final write
    again = media.run_cli("render", path, "-o", out, "--profile", "preview", "-q")
    assert again.returncode == 0, again.stderr
    assert "(sound from the cache)" not in again.stdout  # the damaged entry is not used
    assert "warning: cached sound" in again.stderr and "mixing it again" in again.stderr
    assert not left.exists() and not lock_path(out).exists()
    assert sorted(p.name for p in out.parent.iterdir()) == ["cut.mp4", "cut.mp4.manifest.json"]
    info = media.streams(out)
    assert abs(float(info["duration"]) - 6.0) < 0.1
    audio = media.decode_audio(out)
    assert len(audio) >= 6.0 * media.RATE - 2048  # whole sound, not the damaged entry's 2 kB


def test_two_renders_of_one_output_at_once_never_mix(tmp_path):
    path = small_timeline(tmp_path / "project", seconds=4.0, scenes=2)
    out = tmp_path / "out" / "cut.mp4"
    command = [sys.executable, "-m", "docedit", "render", str(path), "-o", str(out), "-q"]
    pipes = {"stderr": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True}
    runs = [
        subprocess.Popen([*command, "--profile", "preview", *cut], **pipes)
        for cut in ([], ["--cut", "first"])
    ]
    results = [(run.wait(timeout=120), run.stderr.read()) for run in runs if run.stderr]
    for code, stderr in results:
        assert code == 0 or (code == 1 and "another docedit is writing it now" in stderr), stderr
    assert any(code == 0 for code, _ in results)
    seconds = float(media.streams(out)["duration"])
    assert min(abs(seconds - 8.0), abs(seconds - 4.0)) < 0.1
    manifest = (out.parent / "cut.mp4.manifest.json").read_text("utf-8")
    assert ("scenes.s2." in manifest) == (seconds > 6)  # the manifest is the output's own
    assert partials(out) == [] and not lock_path(out).exists()


def test_a_killed_sound_worker_is_reported_with_its_scene_never_a_hang(tmp_path):
    path = small_timeline(tmp_path / "project", seconds=30.0, scenes=3)
    project = load_project(path)
    job = SoundJob.spawn()

    def kill_after_the_first_block() -> None:
        deadline = time.monotonic() + 120  # a guard against a hang, not a timing
        while job.done.value < 1 and job.process.is_alive() and time.monotonic() < deadline:
            time.sleep(0.001)
        if job.process.pid:
            os.kill(job.process.pid, signal.SIGKILL)

    watcher = threading.Thread(target=kill_after_the_first_block)
    watcher.start()
    out = tmp_path / "out" / "cut.mp4"
    with pytest.raises(EncodeError) as raised:
        render(project, out, profile="preview", sound=job)
    watcher.join()
    message = str(raised.value)
    assert message.startswith("the sound process died (killed by signal 9) while mixing scene")
    assert "'s1' (at 21.8s" in message or "'s2' (at 43.7s" in message or "'s3'" in message
    assert list(out.parent.iterdir()) == []


def test_a_sound_worker_dead_from_the_start_is_a_clear_error(tmp_path):
    path = small_timeline(tmp_path / "project")
    project = load_project(path)
    job = SoundJob.spawn()
    os.kill(job.process.pid or 0, signal.SIGKILL)
    job.process.join()
    out = tmp_path / "out" / "cut.mp4"
    with pytest.raises(
        EncodeError, match=r"^the sound process died \(killed by signal 9\) while mixing scene 's1'"
    ):
        render(project, out, profile="preview", sound=job)
    assert list(out.parent.iterdir()) == []


def test_a_damaged_probe_cache_is_probed_again(tmp_path, capsys):
    path = small_timeline(tmp_path / "project")
    load_project(path)
    from docedit.media.probe import ProbeCache

    cache = ProbeCache()
    whole = cache.file.read_bytes()
    with contextlib.closing(sqlite3.connect(cache.file)) as db, db:  # checksums now wrong
        db.execute("UPDATE entries SET value = replace(value, '\"path\"', '\"pth\"')")
    assert load_project(path).timeline is not None  # the damaged entries are probed again
    assert "is damaged (checksum)" in capsys.readouterr().err
    with contextlib.closing(sqlite3.connect(cache.file)) as db, db:  # checksums right, junk
        db.execute("UPDATE entries SET value = '{\"pth\": 1}', crc = NULL")
    assert load_project(path).timeline is not None
    cache.file.write_bytes(whole[: len(whole) // 2])  # cut short, as by a full disk
    assert load_project(path).timeline is not None
    cache.file.write_bytes(b"not a database at all" * 100)
    assert load_project(path).timeline is not None
    assert "warning: the cache" in capsys.readouterr().err
    assert ProbeCache().kept()  # made again


def test_an_atomic_write_keeps_the_partials_of_a_live_writer(tmp_path):
    out = tmp_path / "cut.mp4"
    with atomic_output(out, ".mp4") as live:
        live.write_bytes(b"being written")
        with atomic_output(out, ".mp4") as other:
            other.write_bytes(b"whole")
        assert live.exists()  # our own pid: alive, not swept
    assert out.read_bytes() == b"being written"


def test_a_killed_review_leaves_no_folder_that_the_next_one_keeps(tmp_path):
    """`docedit review` builds its folder beside DIR as `.DIR.<pid>.<random>`: a dead
    process's is swept by the next review, a live writer's is kept."""
    dead = subprocess.Popen(["true"])
    dead.wait()  # a pid that no longer runs
    stale = tmp_path / f".review.{dead.pid}.x1"
    live = tmp_path / ".review.1.x2"  # pid 1 is always alive
    for folder in (stale, live):
        (folder / "index.html").parent.mkdir()
        (folder / "index.html").write_text("half a page")
    other = tmp_path / f".notes.{dead.pid}.x3"  # another output's: not ours to touch
    other.mkdir()
    assert sweep_stale_folders(tmp_path / "review") == [stale]
    assert not stale.exists() and live.exists() and other.exists()


def test_caches_of_an_older_format_are_removed_by_the_next_run(tmp_path):
    """probe-v3.json and transcripts-v1.json (one JSON file each, parsed whole) are read by
    no version since the SQLite caches: the next run that opens these removes them (an old
    transcript cache may hold the words of a project that now redacts)."""
    from docedit.media.probe import ProbeCache, cache_root

    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    old = [root / "probe-v3.json", root / "transcripts-v1.json", root / "probe-v2.json"]
    for file in old:
        file.write_text("{}")
    keep = root / "catalogs-v1"  # not one of the replaced files
    keep.mkdir(exist_ok=True)
    load_project(small_timeline(tmp_path / "project"))
    assert ProbeCache().kept() and not any(file.exists() for file in old)
    assert keep.is_dir()
