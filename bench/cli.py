"""The bench's command line: which sections run, and the report written after each.

python -m bench [--quick] [--only validate,mix,render,compare,preview,loop,...] [--runs N]
                [--final-runs N] [--ref REV]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from importlib import metadata
from pathlib import Path

from bench import catalog_scale, catalog_size, incremental, long, loop, same
from bench.common import DOCS, WORK, now
from bench.compare import section_compare
from bench.measure import Result
from bench.profiling import profile_preview
from bench.reference import make_media
from bench.report import report
from bench.sections import section_mix, section_render, section_validate
from docedit.media.ffmpeg import ffmpeg_exe

TIMED = ("validate", "mix", "render", "compare", "loop")  # these re-profile the preview
# the checks (same output as --ref, payload size) and the incremental render, run alone
SECTIONS = (*TIMED, "preview", "same", "payload", "incremental", "cluster", "long", "catalog")
# `make bench` (no --only): every figure an issue asks it to report (about 75 minutes on
# two cores); `preview` is part of `compare`.
DEFAULT = tuple(name for name in SECTIONS if name != "preview")
# Results that are facts, not rows of timings, and the section that makes each.
FACTS = {
    "outputs": "compare",
    "same": "same",
    "payload": "payload",
    "long": "long",
    "catalog": "catalog",
    "loop": "loop",
}
NOT_PROFILED = "(profiled when the run ends)"


def machine() -> dict[str, object]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        memory_gb = round(int(memory) / 2**20, 1)
    except OSError:
        memory_gb = None
    ffmpeg_version = os.popen(f"'{ffmpeg_exe()}' -version").readline().strip()
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "ffmpeg": ffmpeg_version,
        "moviepy": metadata.version("moviepy"),
        "numpy": metadata.version("numpy"),
        "date": now(),
    }


def earlier_sections(path: Path, rerun: set[str]) -> tuple[dict, dict[str, str], str | None]:
    """Sections kept from the last run when only some are run again (`--only`), when
    each was measured, and the last profile. Each section holds its own baselines, so
    its ratios still come from a single run."""
    try:
        data = json.loads(path.read_text())
        saved = data["results"]
    except (OSError, ValueError, KeyError):
        return {}, {}, None
    dates = data.get("measured", {})

    def rows(items: list[dict]) -> list[Result]:
        return [Result(**{k: v for k, v in item.items() if k != "realtime"}) for item in items]

    kept, when = {}, {}
    for key, value in saved.items():
        if key in FACTS:  # decoded or counted facts, kept as they are
            if FACTS[key] not in rerun:
                kept[key] = value
                if key != "outputs":  # the outputs are dated by the compare section
                    when[key] = dates.get(key, "in an earlier run")
        elif key not in rerun:
            kept[key] = (
                {p: rows(v) for p, v in value.items()} if isinstance(value, dict) else rows(value)
            )
            when[key] = dates.get(key, "in an earlier run")
    if "compare:preview" in dates and not rerun & {"compare", "preview"}:
        when["compare:preview"] = dates["compare:preview"]  # `--only preview`'s own date
    return kept, when, data.get("profile")


def saved_machine(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())["machine"]
    except (OSError, ValueError, KeyError):
        return None


def compile_bytecode() -> None:
    """docedit's bytecode compiled, as in an installed copy (pip compiles a wheel's at
    install), before anything is timed. Where PYTHONDONTWRITEBYTECODE is set (as on these
    machines), Python never saves what it compiles, so an editable install compiled every
    module changed since its last compile again in every run: a tenth of a second of a
    render's start measured as docedit's own time, and more the more had been edited."""
    import compileall

    import docedit

    for package in (Path(docedit.__file__).parent, Path(__file__).parent):
        compileall.compile_dir(package, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="short cuts, for trying the bench")
    parser.add_argument(
        "--only",
        default=",".join(DEFAULT),
        help="sections, comma-separated (default: all but preview): validate, mix, render, "
        "compare, loop, preview (compare's preview alone), same (the sample's output against "
        "--ref's), payload (what the sound process is sent), incremental, cluster, long, catalog",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of the shorter measurements")
    parser.add_argument(
        "--final-runs", type=int, default=2, help="rounds of the 1080p finals (6-12 min each)"
    )
    parser.add_argument(
        "--ref", default=same.REFERENCE, help="the revision `same` compares the current tree with"
    )
    args = parser.parse_args()
    sections = set(args.only.split(","))
    stills = 8 if args.quick else 40
    minutes = 6 if args.quick else 60
    unknown = sections - set(SECTIONS)
    if unknown:
        parser.error(f"no section {', '.join(sorted(unknown))}; there are {', '.join(SECTIONS)}")
    WORK.mkdir(parents=True, exist_ok=True)
    make_media(WORK)
    compile_bytecode()
    results: dict = {}
    measured: dict[str, str] = {}
    suffix = "-quick" if args.quick else ""
    runners = {
        "validate": lambda: section_validate(results, args.runs),
        "mix": lambda: section_mix(results, 1 if not args.quick else args.runs, minutes),
        "render": lambda: section_render(results, args.runs),
        "compare": lambda: section_compare(results, args.runs, args.final_runs, stills),
        "preview": lambda: section_compare(results, args.runs, 0, stills, ("preview",)),
        "same": lambda: same.section_same(results, args.ref),
        "payload": lambda: catalog_size.section_payload(results),
        "incremental": lambda: incremental.section_incremental(results, stills),
        "cluster": lambda: incremental.section_cluster(results, stills),
        "long": lambda: long.section_long(results),
        "catalog": lambda: catalog_scale.section_catalog(results),
        "loop": lambda: loop.section_loop(results),
    }
    # The profile is made again when a timed section runs (or none is saved); the checks
    # alone (same, payload) keep the last one.
    _, _, profiled = earlier_sections(DOCS / f"benchmarks{suffix}.json", sections)
    if sections & set(TIMED) or profiled == NOT_PROFILED:
        profiled = None
    for name, run in runners.items():
        if name in sections:
            run()
            measured["compare:preview" if name == "preview" else name] = now()
            save(results, measured, sections, args.quick, suffix, profiled or NOT_PROFILED)
    save(results, measured, sections, args.quick, suffix, profiled or profile_preview(stills))


def save(
    results: dict,
    measured: dict[str, str],
    sections: set[str],
    quick: bool,
    suffix: str,
    profile_text: str,
) -> None:
    """Write the report after every section, so a long run that is stopped keeps what
    it measured."""
    path = DOCS / f"benchmarks{suffix}.json"
    kept, kept_dates, _ = earlier_sections(path, sections)
    merged = {**kept, **results}
    if "preview" in sections and "compare" not in sections:  # the final rows stay
        for key in ("compare", "outputs"):
            merged[key] = {**kept.get(key, {}), **results.get(key, {})}
    dates = {**kept_dates, **measured}
    # The checks alone (same, payload) time nothing: the machine named stays the one the
    # kept timings were measured on.
    info = machine() if sections & set(TIMED) else saved_machine(path) or machine()
    text = report(merged, dates, info, quick, profile_text)
    (DOCS / f"benchmarks{suffix}.md").write_text(text)
    data = {
        "machine": info,
        "quick": quick,
        "measured": dates,
        "results": {
            key: (
                value
                if key in FACTS
                else {p: [r.to_json() for r in rows] for p, rows in value.items()}
                if isinstance(value, dict)
                else [r.to_json() for r in value]
            )
            for key, value in merged.items()
        },
        "profile": profile_text,
    }
    (DOCS / f"benchmarks{suffix}.json").write_text(json.dumps(data, indent=2, default=str))
    print(f"saved docs/benchmarks{suffix}.md", flush=True)
