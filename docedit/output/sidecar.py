"""Subtitle sidecars: SRT and WebVTT (pysubs2), TTML/IMSC and ASS.

`write_subtitles` picks the writer by the file's extension and writes atomically. The
cues given are the cut's (plan/cues.py), already masked by the redactions, with times
on the frame grid, so a sidecar agrees frame for frame with the burned subtitles.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

import pysubs2

from docedit.core.atomic import atomic_output
from docedit.core.errors import SubtitleError
from docedit.core.timecode import format_clock
from docedit.plan.cues import Cue
from docedit.plan.items import Plan

SUFFIXES = (".srt", ".vtt", ".ttml", ".ass")
TT = "http://www.w3.org/ns/ttml"
TTP = "http://www.w3.org/ns/ttml#parameter"
TTS = "http://www.w3.org/ns/ttml#styling"
IMSC_TEXT = "http://www.w3.org/ns/ttml/profile/imsc1/text"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


def write_subtitles(cues: Sequence[Cue], plan: Plan, out: Path) -> Path:
    """Write the cues as SRT, WebVTT, TTML/IMSC or ASS, by `out`'s extension, atomically."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix == ".ttml":
        return _write(out, ttml(cues, plan))
    if suffix == ".ass":
        return _write(out, ass(cues, plan))
    if suffix in (".srt", ".vtt"):  # times on the frame grid, as every format's
        return _write(out, _events(cues, plan).to_string(suffix[1:]))
    raise SubtitleError(f"{out}: subtitle output must end in {', '.join(SUFFIXES)}")


def _write(out: Path, text: str) -> Path:
    with atomic_output(out, out.suffix) as temp:
        temp.write_text(text, "utf-8")
    return out


def ttml(cues: Sequence[Cue], plan: Plan) -> str:
    """An IMSC 1 text-profile document: each cue a `<p>` with its own begin and end."""
    ET.register_namespace("", TT)
    ET.register_namespace("ttp", TTP)
    ET.register_namespace("tts", TTS)
    fps = plan.clock.fps
    root = ET.Element(f"{{{TT}}}tt", {XML_LANG: "", f"{{{TTP}}}timeBase": "media"})
    root.set(f"{{{TTP}}}frameRate", str(fps.numerator // fps.denominator))
    if fps.denominator != 1:
        root.set(f"{{{TTP}}}frameRateMultiplier", f"{fps.numerator} {fps.denominator}")
    root.set(f"{{{TTP}}}contentProfiles", IMSC_TEXT)
    head = ET.SubElement(root, f"{{{TT}}}head")
    styling = ET.SubElement(head, f"{{{TT}}}styling")
    ET.SubElement(styling, f"{{{TT}}}style", {XML_ID: "s1", f"{{{TTS}}}textAlign": "center"})
    layout = ET.SubElement(head, f"{{{TT}}}layout")
    region = {
        XML_ID: "bottom",
        f"{{{TTS}}}origin": "10% 75%",
        f"{{{TTS}}}extent": "80% 20%",
        f"{{{TTS}}}displayAlign": "after",
    }
    ET.SubElement(layout, f"{{{TT}}}region", region)
    body = ET.SubElement(root, f"{{{TT}}}body", {"region": "bottom", "style": "s1"})
    div = ET.SubElement(body, f"{{{TT}}}div")
    for number, cue in enumerate(cues, 1):
        begin = format_clock(plan.clock.frame_time(cue.start))  # TTML clock time, as SRT
        end = format_clock(plan.clock.frame_time(cue.end))
        p = ET.SubElement(div, f"{{{TT}}}p", {XML_ID: f"c{number}", "begin": begin, "end": end})
        rows = cue.text.split("\n")
        p.text = rows[0]
        for row in rows[1:]:
            ET.SubElement(p, f"{{{TT}}}br").tail = row
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def ass(cues: Sequence[Cue], plan: Plan) -> str:
    """Advanced SubStation Alpha at the cut's frame size (bottom-centred, outlined)."""
    subs = _events(cues, plan)
    width, height = plan.size
    subs.info["PlayResX"], subs.info["PlayResY"] = str(width), str(height)
    style = subs.styles["Default"]
    style.fontsize = round(height * 0.05)
    style.marginv = round(height * 0.06)
    return subs.to_string("ass")


def _events(cues: Sequence[Cue], plan: Plan) -> pysubs2.SSAFile:
    """The cues as pysubs2 events, their times on the cut's frame grid to the ms."""
    subs = pysubs2.SSAFile()
    for cue in cues:
        subs.append(
            pysubs2.SSAEvent(
                start=round(plan.clock.frame_time(cue.start) * 1000),
                end=round(plan.clock.frame_time(cue.end) * 1000),
                text=cue.text.replace("\n", r"\N"),
            )
        )
    return subs
