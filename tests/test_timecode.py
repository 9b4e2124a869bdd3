"""Time, rate and gain values: every form of the contract, and no drift on snapping."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docedit.core.timecode import (
    Time,
    TimeFormatError,
    format_gain,
    format_seconds,
    format_smpte,
    parse_fps,
    parse_gain,
    parse_time,
    round_half_up,
    smpte_to_frame,
)
from docedit.core.units import Clock

NTSC = Fraction(30000, 1001)
FILM = Fraction(24000, 1001)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (4, Fraction(4)),
        (2.5, Fraction(5, 2)),
        ("4s", Fraction(4)),
        ("250ms", Fraction(1, 4)),
        ("01:02.5", Fraction(125, 2)),
        ("00:01:02.500", Fraction(125, 2)),
        ("1:00:00", Fraction(3600)),
        (" 0.1s ", Fraction(1, 10)),
    ],
)
def test_every_seconds_form(text, seconds):
    assert parse_time(text).to_seconds(Fraction(25)) == seconds


def test_frames_and_smpte_depend_on_the_rate():
    assert parse_time("12f").to_seconds(Fraction(25)) == Fraction(12, 25)
    assert parse_time("00:01:02:12").to_seconds(Fraction(25)) == Fraction(62 * 25 + 12, 25)
    # SMPTE at 29.97 counts 30 frames per timecode second (non-drop), like every NLE.
    assert Clock(NTSC, 48000).time_frames(parse_time("00:01:00:00")) == 1800
    assert parse_time("00:01:00:00").to_seconds(NTSC) == Fraction(1800 * 1001, 30000)
    # Drop-frame (;) skips frame numbers 0 and 1 at each minute except every tenth.
    assert Clock(NTSC, 48000).time_frames(parse_time("00:01:00;02")) == 1800
    assert Clock(NTSC, 48000).time_frames(parse_time("00:10:00;00")) == 17982


@pytest.mark.parametrize(
    "bad", ["2x", "4 sec", "-1s", "1.5f", "00:61:00", "", None, True, [1], "nan"]
)
def test_bad_times_say_what_is_accepted(bad):
    with pytest.raises(TimeFormatError) as caught:
        parse_time(bad)
    assert "time" in str(caught.value) or "frame" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "rate"), [(25, 25), ("23.976", FILM), (29.97, NTSC), ("30000/1001", NTSC)]
)
def test_rates(text, rate):
    assert parse_fps(text) == rate


@pytest.mark.parametrize("bad", [0, -25, 1000, "fast", True])
def test_bad_rates(bad):
    with pytest.raises(TimeFormatError):
        parse_fps(bad)


@pytest.mark.parametrize(
    ("text", "db"),
    [
        (-6, -6.0),
        ("-6dB", -6.0),
        ("+3 dB", 3.0),
        ("-inf", -math.inf),
        (-math.inf, -math.inf),
        ("0db", 0.0),
    ],
)
def test_gains(text, db):
    assert parse_gain(text) == db


@pytest.mark.parametrize("bad", ["-6 decibels", "loud", "inf", None, float("nan")])
def test_bad_gains(bad):
    with pytest.raises(TimeFormatError):
        parse_gain(bad)


@given(st.fractions(min_value=0, max_value=100_000, max_denominator=1000))
def test_seconds_round_trip_through_text(seconds):
    text = format_seconds(seconds)
    back = parse_time(text).to_seconds(Fraction(25))
    assert abs(back - seconds) <= Fraction(1, 2_000_000)


@given(
    st.integers(min_value=0, max_value=99 * 3600 * 24),
    st.sampled_from([Fraction(25), NTSC, FILM, Fraction(24)]),
)
def test_smpte_round_trip(frame, fps):
    text = format_smpte(frame, fps)
    assert Clock(fps, 48000).time_frames(parse_time(text)) == frame


@given(
    st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=200),
    st.sampled_from([Fraction(25), NTSC, FILM]),
)
def test_snapping_absolute_times_never_drifts(millis, fps):
    """Snapping each absolute time once stays within half a frame of the exact time,
    however many events precede it; adding up snapped lengths would not."""
    exact = Fraction(0)
    for ms in millis:
        exact += Fraction(ms, 1000)
        frame = Clock(fps, 48000).time_frames(Time(seconds=exact))
        assert abs(Fraction(frame) / fps - exact) <= 1 / (2 * fps)
        sample = Clock(fps, 48000).time_samples(Time(seconds=exact))
        assert abs(Fraction(sample, 48000) - exact) <= Fraction(1, 96000)


@given(st.floats(min_value=-200, max_value=60, allow_nan=False))
def test_gain_round_trip(db):
    assert parse_gain(format_gain(db)) == pytest.approx(db, abs=1e-3)


def test_round_half_up_is_a_grid_snap_not_bankers():
    assert round_half_up(Fraction(1, 2)) == 1
    assert round_half_up(Fraction(5, 2)) == 3
    assert smpte_to_frame((0, 0, 1, 0), Fraction(25), False) == 25
