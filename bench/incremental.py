"""`--only incremental`: the reference cut's media in four scenes, rendered cold, again
unchanged, again with one scene's first picture replaced, and exported through a
2-worker Dask LocalCluster (python -m bench --only incremental).

The preview profile is used (the 1080p final takes minutes a run): the targets are
ratios of one render to another. The cluster row is timed from the client's side: the
workers' CPU and memory are their own processes', not in the row.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import yaml

from bench.common import WORK, docedit
from bench.measure import Result, measure
from bench.reference import STEP, make_media, reference_timeline

SCENES = 4


def scene_timeline(stills: int) -> tuple[Path, float]:
    """(the cut in SCENES scenes, its seconds); part-2's first picture is changed.jpg."""
    data = yaml.safe_load(reference_timeline(WORK, stills).read_text())
    pictures = data["scenes"]["reference"]["pictures"]
    audio = data["scenes"]["reference"]["audio"]
    per = stills // SCENES
    lengths = make_media(WORK)  # each call's duration, by file name
    scenes = {}
    for k in range(SCENES):
        begin, end = k * per * STEP, (k + 1) * per * STEP
        scenes[f"part-{k + 1}"] = {
            "pictures": pictures[k * per : (k + 1) * per],
            "transition": "0.5s",
            "audio": [
                {**a, "at": round(a["at"] - begin, 3)}
                for a in audio
                if "intercept" in a
                and begin <= a["at"]
                and a["at"] + lengths[a["intercept"] + ".wav"] < end - 0.5
            ],
            "length": f"{per * STEP}s",
        }
    first = scenes["part-2"]["pictures"][0]
    shutil.copyfile(WORK / first["image"], WORK / "changed.jpg")
    scenes["part-2"]["pictures"][0] = {**first, "image": "changed.jpg"}
    data["scenes"] = scenes
    cut = WORK / "incremental.yaml"
    cut.write_text(yaml.safe_dump(data, sort_keys=False))
    return cut, SCENES * per * STEP


def change_one_scene() -> None:
    """Another picture in the place of part-2's first: only part-2 should be drawn again."""
    shutil.copyfile(WORK / "still-01.jpg", WORK / "changed.jpg")


def section_incremental(results: dict, stills: int) -> None:
    print("incremental: cold, unchanged, one scene changed, a 2-worker LocalCluster", flush=True)
    cut, seconds = scene_timeline(stills)
    cache = WORK / "cache-incremental"
    env = {"DOCEDIT_CACHE_DIR": str(cache)}

    def cold() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def render(timeline: Path, name: str, before: object = None) -> list:
        out = WORK / f"incremental-{name}.mp4"
        return [docedit("render", timeline, "-o", out, "--profile", "preview", "-q"), env, before]

    rows = []
    for name, timeline, before in (
        ("cold render (empty cache)", cut, cold),
        ("unchanged re-render", cut, None),
        ("one scene changed (part-2's first picture)", cut, change_one_scene),
    ):
        argv, run_env, hook = render(timeline, name.split()[0], before)
        rows.append(measure(name, argv, 1, seconds, run_env, hook))  # type: ignore[arg-type]
    rows += _cluster_rows(cut, seconds, env)
    results["incremental"] = rows


def section_cluster(results: dict, stills: int) -> None:
    """The same 4-scene cut at the final profile (1080p, where encoding dominates): one
    process against `render --scheduler` on a 2-worker LocalCluster, no cache."""
    print("cluster: the final profile, one process against a 2-worker LocalCluster", flush=True)
    cut, seconds = scene_timeline(stills)
    env = {"DOCEDIT_CACHE_DIR": str(WORK / "cache-cluster")}
    results["cluster"] = _cluster_rows(cut, seconds, env, "final", export=False)


def _cluster_rows(
    cut: Path, seconds: float, env: dict, profile: str = "preview", export: bool = True
) -> list[object]:
    """One process against a 2-worker LocalCluster, for a render with no cache: the
    cluster draws and encodes the segments (`render --scheduler`), the mix stays here.
    Also the export of the scenes through the cluster (each scene its own mix)."""
    import dask
    from distributed import LocalCluster

    single = docedit(
        "render", cut, "-o", WORK / "incremental-single.mp4", "--profile", profile,
        "--no-cache", "-q",
    )  # fmt: skip
    rows = [measure("render, one process (--no-cache)", single, 1, seconds, env)]
    # workers may start the sound process of each scene (not daemonic)
    with (
        dask.config.set({"distributed.worker.daemon": False}),
        LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=":0"
        ) as cluster,
    ):
        address = cluster.scheduler_address
        render = docedit(
            "render", cut, "-o", WORK / "incremental-dask.mp4", "--profile", profile,
            "--no-cache", "--scheduler", address, "-q",
        )  # fmt: skip
        row = measure("render through a 2-worker LocalCluster", render, 1, seconds, env)
        rows.append(with_workers(row, address))
        if not export:
            return rows
        exported = docedit(
            "export", cut, "-d", WORK / "incremental-export", "--profile", "preview",
            "--no-cache", "--scheduler", address, "-q",
        )  # fmt: skip
        row = measure("export through a 2-worker Dask LocalCluster", exported, 1, seconds, env)
        rows.append(with_workers(row, address))
    return rows


def _peak_rss_mb() -> float:
    """On a worker: its own peak RSS or its largest finished child's (the encoders)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # KiB on Linux


def with_workers(row: Result, address: str) -> Result:
    """The row's peak RSS is the largest process of the run: the client, or any worker
    (or a worker's encoder), which `measure` cannot see from here."""
    from distributed import Client

    with Client(address) as client:
        peaks = client.run(_peak_rss_mb)
    peak = max(peaks.values(), default=0.0)
    print(f"    workers' peak RSS: {peak:.0f} MB", flush=True)
    return replace(row, rss_mb=max(row.rss_mb, peak))
