"""TaxCalendar.day_span: the stretch of times it gives around a trade maps, through day(), to the
date it gives — at both ends and inside, in zones with DST, half-hour DST, +05:45, a skipped
day — and it is not empty; the lot matcher relies on it instead of calling day() per leg."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core.dates import TaxCalendar, day_spans
from engine.core.units import EpochMicros

ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Apia"]
HOUR = 3_600_000_000
START = int(datetime(2011, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000


@pytest.mark.parametrize("zone_name", ZONES)
def test_each_span_holds_one_date(zone_name: str) -> None:
    calendar = TaxCalendar(ZoneInfo(zone_name))
    day = TaxCalendar(ZoneInfo(zone_name)).day_function()  # another calendar: no shared cache
    spans = day_spans(calendar.day_function())
    rng = random.Random(3)
    moment, checked = START, 0
    while moment < START + 2 * 366 * 24 * HOUR:
        date, start, end = spans(moment)
        assert start <= moment < end
        for probe in (start, end - 1, rng.randrange(start, end), moment):
            assert day(EpochMicros(probe)) == date, (zone_name, probe)
        assert day(EpochMicros(end)) != date or end - start < 24 * HOUR  # cut at the date or an hour run
        moment = end + rng.randrange(0, 3 * HOUR)  # the next trade: inside the next span or later
        checked += 1
    assert checked > 700


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ZONES), st.integers(0, 15 * 366 * 24 * HOUR), st.integers(0, 3 * HOUR))
def test_any_moment_in_any_order(zone_name: str, offset: int, step: int) -> None:
    calendar = TaxCalendar(ZoneInfo(zone_name))
    spans = day_spans(calendar.day_function())
    fresh = TaxCalendar(ZoneInfo(zone_name))
    for moment in (START + offset, START + offset + step, START + offset - step):
        date, start, end = spans(moment)
        assert start <= moment < end
        assert fresh.day(EpochMicros(start)) == fresh.day(EpochMicros(end - 1)) == date


def test_another_day_function_spans_one_microsecond() -> None:
    spans = day_spans(lambda micros: 5 + micros // 1000)
    assert spans(2_500) == (7, 2_500, 2_501)
