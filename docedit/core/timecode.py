"""Times, frame rates and gains as an editor writes them, and their snapping to grids.

Every time is kept as an exact rational number of seconds (or a frame count that
needs the project rate) until the plan snaps it, once, to the frame or sample grid.
Absolute positions are always computed from absolute rational times, never by adding
up rounded values, so a cut of any length has no drift.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from docedit.core.errors import TimeFormatError

# Rates an editor writes as decimals mean the NTSC rationals.
_NTSC = {
    "23.976": Fraction(24000, 1001),
    "23.98": Fraction(24000, 1001),
    "29.97": Fraction(30000, 1001),
    "47.952": Fraction(48000, 1001),
    "59.94": Fraction(60000, 1001),
}
MAX_FPS = 240


def parse_fps(value: object) -> Fraction:
    """`25`, `23.976`, `29.97`, `"30000/1001"` -> an exact rate in frames per second."""
    if isinstance(value, bool):
        raise TimeFormatError("fps must be a number such as 25, 23.976 or 29.97")
    text = str(value).strip()
    if text in _NTSC:
        return _NTSC[text]
    try:
        rate = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise TimeFormatError(
            f"fps {text!r} is not a number: write 24, 25, 30, 23.976 or 29.97"
        ) from None
    if not 0 < rate <= MAX_FPS:
        raise TimeFormatError(f"fps {text} is out of range: use a rate above 0 and up to {MAX_FPS}")
    return rate


def format_fps(rate: Fraction) -> str:
    """The shortest way to write a rate back: 25, or 29.97 for 30000/1001."""
    for text, ntsc in _NTSC.items():
        if rate == ntsc:
            return text
    return str(rate.numerator) if rate.denominator == 1 else f"{float(rate):g}"


def nominal_fps(rate: Fraction) -> int:
    """Frames per timecode second: 30 for 29.97, 24 for 23.976 (SMPTE counting)."""
    return max(1, round(rate))


_UNIT = re.compile(r"^(?P<num>[+-]?(\d+(\.\d*)?|\.\d+))\s*(?P<unit>s|ms|f)$")
_CLOCK = re.compile(r"^(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{1,2}(\.\d+)?)$")
_SMPTE = re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d{2}):(?P<s>\d{2})(?P<sep>[:;])(?P<f>\d{2})$")

TIME_FORMS = (
    'a number of seconds (4, 2.5), or "4s", "250ms", "12f", "01:02.5", '
    '"00:01:02.500" or SMPTE "00:01:02:12"'
)


@dataclass(frozen=True, slots=True)
class Time:
    """A time as written in a timeline: exact seconds plus frames at the project rate.

    `frames` is non-zero only for "12f" and SMPTE forms; `drop` marks drop-frame
    SMPTE (`;` before the frames), which counts frames at the nominal rate.
    """

    seconds: Fraction = Fraction(0)
    frames: int = 0
    smpte: tuple[int, int, int, int] | None = None
    drop: bool = False
    text: str = "0"

    def to_seconds(self, fps: Fraction) -> Fraction:
        """Exact seconds at the given project rate."""
        if self.smpte is not None:
            return Fraction(smpte_to_frame(self.smpte, fps, self.drop)) / fps
        return self.seconds + Fraction(self.frames) / fps

    def __str__(self) -> str:
        return self.text

    @classmethod
    def from_seconds(cls, seconds: Fraction | int | float | str) -> Time:
        exact = Fraction(str(seconds)) if isinstance(seconds, float) else Fraction(seconds)
        return cls(seconds=exact, text=format_seconds(exact))


def round_half_up(value: Fraction) -> int:
    """Round a rational exactly; Python's round() is banker's rounding, not a grid snap."""
    return math.floor(value + Fraction(1, 2))


def smpte_to_frame(hmsf: tuple[int, int, int, int], fps: Fraction, drop: bool) -> int:
    """Frame number of a SMPTE timecode counted at the nominal rate (NTSC rules for drop)."""
    h, m, s, f = hmsf
    base = nominal_fps(fps)
    frame = ((h * 60 + m) * 60 + s) * base + f
    if drop:
        dropped = 2 * (base // 30)  # 2 frames at 29.97, 4 at 59.94
        minutes = h * 60 + m
        frame -= dropped * (minutes - minutes // 10)
    return frame


def parse_time(value: object) -> Time:
    """Parse every time form of the format; negative times are refused here."""
    if isinstance(value, bool) or value is None:
        raise TimeFormatError(f"expected a time: write {TIME_FORMS}")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise TimeFormatError(f"time {value} is not finite: {TIME_FORMS}")
        seconds = Fraction(str(value)) if isinstance(value, float) else Fraction(value)
        return _non_negative(Time(seconds=seconds, text=format_seconds(seconds)), str(value))
    if not isinstance(value, str):
        raise TimeFormatError(f"expected a time, got a {type(value).__name__}: write {TIME_FORMS}")
    text = value.strip()
    if match := _UNIT.match(text):
        number = _decimal(match["num"])
        unit = match["unit"]
        if unit == "f":
            if number != int(number):
                raise TimeFormatError(f"{text!r}: a frame count must be a whole number")
            return _non_negative(Time(frames=int(number), text=text), text)
        seconds = Fraction(number) / (1000 if unit == "ms" else 1)
        return _non_negative(Time(seconds=seconds, text=text), text)
    if match := _SMPTE.match(text):
        h, m, s, f = (int(match[k]) for k in ("h", "m", "s", "f"))
        if m >= 60 or s >= 60:
            raise TimeFormatError(f"{text!r} is not a time: minutes and seconds must be below 60")
        return Time(smpte=(h, m, s, f), drop=match["sep"] == ";", text=text)
    if match := _CLOCK.match(text):
        h = int(match["h"] or 0)
        m = int(match["m"])
        seconds = Fraction(_decimal(match["s"]))
        if m >= 60 or seconds >= 60:
            raise TimeFormatError(f"{text!r} is not a time: minutes and seconds must be below 60")
        return Time(seconds=(h * 60 + m) * 60 + seconds, text=text)
    raise TimeFormatError(f"{text!r} is not a time: write {TIME_FORMS}")


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regexes only pass numbers
        raise TimeFormatError(f"{text!r} is not a number") from None


def _non_negative(time: Time, text: str) -> Time:
    if time.seconds < 0 or time.frames < 0:
        raise TimeFormatError(f"time {text} is negative: times count from 0")
    return time


def format_seconds(seconds: Fraction) -> str:
    """Seconds as a short decimal string with a unit: 2.5 -> "2.5s"."""
    if seconds.denominator == 1:
        return f"{seconds.numerator}s"
    return f"{float(seconds):.6f}".rstrip("0").rstrip(".") + "s"


def format_clock(seconds: float | Fraction) -> str:
    """hh:mm:ss.fff for messages, reports and subtitle files (a Fraction rounds exactly:
    a cue at 500.5 ms, frame 15 at 29.97 fps, is 00:00:00.500, as SRT writers round)."""
    millis = round(seconds * 1000)
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def format_smpte(frame: int, fps: Fraction) -> str:
    """Non-drop SMPTE timecode of a frame number, counted at the nominal rate."""
    base = nominal_fps(fps)
    total_seconds, f = divmod(frame, base)
    h, rest = divmod(total_seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}:{f:02d}"


_GAIN = re.compile(r"^(?P<num>[+-]?(\d+(\.\d*)?|\.\d+|inf))\s*(dB)?$", re.IGNORECASE)
GAIN_FORMS = 'a number of dB (-6), a string "-6dB", or -inf for silence'


def parse_gain(value: object) -> float:
    """Gain in dB; `-inf` (YAML `-.inf` too) is silence. `+inf` is refused."""
    if isinstance(value, bool) or value is None:
        raise TimeFormatError(f"expected a gain: {GAIN_FORMS}")
    if isinstance(value, int | float):
        db = float(value)
    elif isinstance(value, str) and (match := _GAIN.match(value.strip())):
        db = float(match["num"])
    else:
        raise TimeFormatError(f"{value!r} is not a gain: write {GAIN_FORMS}")
    if math.isnan(db) or db == math.inf:
        raise TimeFormatError(f"gain {value!r} is not usable: write {GAIN_FORMS}")
    return db


def format_gain(db: float) -> str:
    return "-inf" if db == -math.inf else f"{round(db, 3):g}dB"


def db_to_amplitude(db: float) -> float:
    return 0.0 if db == -math.inf else 10.0 ** (db / 20.0)
