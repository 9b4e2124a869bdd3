"""The cut for the finishing suite: OpenTimelineIO, FCPXML, FCP 7 XML or CMX 3600 EDL.

`to_timeline` (build.py) turns a plan into an OTIO timeline, purely. `export` gives it
to the adapter the file's suffix names, reads the text back with the same adapter,
compares what came back with what was given (pictures, sounds, markers, length, to
the frame) and only then writes the file, atomically. opentimelineio and its adapters
are the optional extra `docedit[otio]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from docedit.core.atomic import atomic_output
from docedit.core.errors import OutputError, first_line

EXTRA = "install it with: pip install 'docedit[otio]'"
PACKAGES = {  # OTIO adapter -> the package that provides it
    "otio_json": "opentimelineio",
    "fcp_xml": "otio-fcp-adapter",
    "fcpx_xml": "otio-fcpx-xml-adapter",
    "cmx_3600": "otio-cmx3600-adapter",
}


def require_otio() -> None:
    """OutputError naming the extra when opentimelineio or an adapter is missing."""
    try:
        import opentimelineio  # noqa: F401
    except ImportError:
        raise OutputError(f"the hand-off formats need opentimelineio; {EXTRA}") from None


@dataclass(frozen=True)
class Exported:
    path: Path
    label: str
    pictures: int
    sounds: int
    markers: int
    frames: int
    dropped: list[str]


def export(timeline: Any, out: Path, fps: Fraction) -> Exported:
    """Write `timeline` in the format of `out`'s suffix, verified by reading it back."""
    require_otio()
    import opentimelineio as otio

    from docedit.output.interchange.formats import check_rate, format_for, prepare
    from docedit.output.interchange.verify import check_rationals, compare, summarise

    fmt = format_for(out.suffix)
    if fmt.adapter not in otio.adapters.available_adapter_names():
        raise OutputError(f"no {fmt.label} adapter ({PACKAGES[fmt.adapter]}); {EXTRA}")
    check_rate(fmt, fps)
    given, dropped = prepare(timeline, fmt, fps)
    rate = float(fps)
    try:
        text = otio.adapters.write_to_string(given, fmt.adapter)
    except Exception as err:  # an adapter's own failure, whatever its type
        raise OutputError(
            f"the {fmt.adapter} adapter cannot write this cut: {first_line(err)}"
        ) from None
    extra = {"rate": rate} if fmt.adapter == "cmx_3600" else {}
    try:
        back = otio.adapters.read_from_string(text, fmt.adapter, **extra)
    except Exception as err:
        raise OutputError(
            f"the {fmt.adapter} adapter cannot read back what it wrote: {first_line(err)}"
        ) from None
    expected = summarise(given, rate, fmt)
    compare(expected, summarise(back, rate, fmt), fmt)
    if fmt.truncating_reader:
        check_rationals(text, fps, fmt)
    with atomic_output(out, out.suffix) as temp:
        temp.write_text(text, "utf-8")
    return Exported(
        out,
        fmt.label,
        len(expected.pictures),
        sum(expected.sounds.values()),
        len(expected.markers),
        expected.frames,
        dropped,
    )
