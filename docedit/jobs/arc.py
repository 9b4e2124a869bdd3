"""The arc over time: calls per week, stacked by tag (or another field), the cut's marked.

`arc_data` counts the catalog's dated calls per ISO week (weeks start on Monday), under
each value of the field (a call with two tags counts once under each), and how many of
them some cut uses. `draw_arc` makes the picture a director reads the film's progression
from: one stacked bar per week, values coloured along a cool-to-hot ramp in the order
they first matter in time (confidence, then doubt, then fear), the calls in the cut
solid and the rest pale. matplotlib (the `chart` extra) draws it with the Agg backend;
the PNG (or PDF, SVG) is written atomically.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docedit.core.atomic import atomic_output
from docedit.core.errors import DoceditError, OutputError
from docedit.jobs.catalog import used_intercepts
from docedit.plan.query import Catalog, Query
from docedit.plan.redact import Redactor
from docedit.timeline.project import Project

FIELDS = ("tags", "speakers")
SUFFIXES = (".png", ".pdf", ".svg")
EXTRA = "install it with: pip install 'docedit[chart]'"
RAMP = ("#2f6db3", "#5aa1c9", "#e3b23c", "#d9622b", "#a3162f")  # calm blue to alarm red
NONE = "(none)"


@dataclass
class Arc:
    """Calls per week: `counts[week][value]` and `used[week][value]`, weeks in order."""

    by: str
    weeks: list[dt.date] = field(default_factory=list)  # the Monday of each week
    values: list[str] = field(default_factory=list)  # in the order they peak in time
    counts: dict[dt.date, Counter[str]] = field(default_factory=dict)
    used: dict[dt.date, Counter[str]] = field(default_factory=dict)
    calls: int = 0
    in_cut: int = 0
    undated: int = 0
    several: bool = False  # some call has several values (counted under each)


def arc_data(project: Project, query: Query, by: str = "tags") -> Arc:
    """The matching calls counted per week and value of `by`."""
    if by not in FIELDS:
        raise DoceditError(f"--by {by}: chart by one of {', '.join(FIELDS)}")
    used = used_intercepts(project)
    redactor = Redactor.of(project.timeline)  # a name masked anywhere is masked here too
    arc = Arc(by)
    intercepts = project.timeline.intercepts
    for intercept_id in Catalog(project).search(query, "recorded"):
        intercept = intercepts[intercept_id]
        if intercept.recorded is None:
            arc.undated += 1
            continue
        week = intercept.recorded - dt.timedelta(days=intercept.recorded.weekday())
        values = [redactor.text(v) for v in getattr(intercept, by)] or [NONE]
        arc.several |= len(values) > 1
        arc.counts.setdefault(week, Counter()).update(values)
        if intercept_id in used:
            arc.used.setdefault(week, Counter()).update(values)
            arc.in_cut += 1
        arc.calls += 1
    if arc.counts:
        first, last = min(arc.counts), max(arc.counts)
        weeks = (last - first).days // 7 + 1
        arc.weeks = [first + dt.timedelta(weeks=w) for w in range(weeks)]  # empty weeks too
    arc.values = _in_time_order(arc)
    return arc


def _in_time_order(arc: Arc) -> list[str]:
    """Values by the mean week of their calls: the arc's order (ties by name)."""
    total: Counter[str] = Counter()
    moment: Counter[str] = Counter()
    for index, week in enumerate(arc.weeks):
        for value, count in arc.counts.get(week, Counter()).items():
            total[value] += count
            moment[value] += index * count
    return sorted(total, key=lambda v: (moment[v] / total[v], v))


def draw_arc(arc: Arc, out: Path, title: str = "") -> None:
    """Draw `arc` to `out` (.png, .pdf or .svg), atomically."""
    if out.suffix.lower() not in SUFFIXES:
        raise OutputError(f"{out}: a chart is a {', '.join(SUFFIXES)} file")
    if not arc.weeks:
        raise DoceditError("no dated call matches: nothing to chart (give calls `recorded:`)")
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(11, 5.2), dpi=150, layout="constrained")
    try:
        _bars(axes, arc)
        _decorate(figure, axes, arc, title)
        with atomic_output(out, out.suffix) as temp:
            figure.savefig(temp, format=out.suffix.lower().lstrip("."))
    finally:
        plt.close(figure)


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise DoceditError(f"--chart needs matplotlib: {EXTRA}") from None
    matplotlib.use("Agg")  # files only: no display, no GUI toolkit
    import matplotlib.pyplot as plt

    return plt


def colours(values: list[str]) -> dict[str, Any]:
    """Each value's colour along the ramp, in arc order."""
    from matplotlib.colors import LinearSegmentedColormap

    ramp = LinearSegmentedColormap.from_list("arc", RAMP)
    if len(values) == 1:
        return {values[0]: ramp(0.0)}
    return {value: ramp(i / (len(values) - 1)) for i, value in enumerate(values)}


def _bars(axes: Any, arc: Arc) -> None:
    palette = colours(arc.values)
    x = list(range(len(arc.weeks)))
    bottom = [0] * len(x)
    for value in arc.values:
        used = [arc.used.get(w, Counter())[value] for w in arc.weeks]
        rest = [
            arc.counts.get(w, Counter())[value] - u for w, u in zip(arc.weeks, used, strict=True)
        ]
        colour = palette[value]
        axes.bar(
            x,
            used,
            bottom=bottom,
            color=colour,
            edgecolor="white",
            linewidth=0.6,
            label=value,
            width=0.82,
        )
        bottom = [b + u for b, u in zip(bottom, used, strict=True)]
        axes.bar(
            x,
            rest,
            bottom=bottom,
            color=colour,
            alpha=0.28,
            edgecolor=colour,
            linewidth=0.6,
            hatch="///",
            width=0.82,
        )
        bottom = [b + r for b, r in zip(bottom, rest, strict=True)]
    if len(x) <= 20:  # name each week's strongest feeling, where one clearly leads
        for i, week in enumerate(arc.weeks):
            top = arc.counts.get(week, Counter()).most_common(2)
            if top and (len(top) == 1 or top[0][1] > top[1][1]):
                axes.text(
                    i,
                    bottom[i],
                    top[0][0],
                    ha="center",
                    va="bottom",
                    fontsize=9,
                    color=palette[top[0][0]],
                    fontweight="bold",
                )
    axes.set_ylim(0, max(bottom) * 1.15 + 0.5)


def _decorate(figure: Any, axes: Any, arc: Arc, title: str) -> None:
    from matplotlib.patches import Patch

    labels = [f"{w.day} {w:%b}" for w in arc.weeks]
    step = max(1, len(labels) // 16)  # at most ~16 dates under the bars
    axes.set_xticks(range(0, len(labels), step), labels[::step], rotation=0, fontsize=9)
    axes.set_xlabel("week of (Monday)")
    axes.set_ylabel("calls recorded")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.01)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    handles, _names = axes.get_legend_handles_labels()
    handles += [
        Patch(facecolor="#777777", label="in the cut"),
        Patch(facecolor="#777777", alpha=0.28, hatch="///", edgecolor="#777777", label="not used"),
    ]
    axes.legend(
        handles=handles,
        title=f"by {arc.by.rstrip('s')}",
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
    )
    head = f"{title}: " if title else ""
    figure.suptitle(
        f"{head}calls per week by {arc.by.rstrip('s')}",
        x=0.01,
        ha="left",
        fontsize=14,
        fontweight="bold",
    )
    arrow = " \u2192 ".join(arc.values)  # the values in the order they peak: the arc
    axes.set_title(
        f"{arrow}   (in order of their average week)", loc="left", fontsize=10, color="#444444"
    )
    notes = [f"{arc.calls} dated call(s), {arc.in_cut} in the cut"]
    if arc.undated:
        notes.append(f"{arc.undated} undated not shown")
    if arc.several:
        notes.append(f"a call with several {arc.by} counts under each")
    figure.text(0.01, 0.005, "; ".join(notes), fontsize=8, color="#555555", ha="left", va="bottom")
