"""TaxCalendar.day fills a whole UTC day of offsets from one miss (the matcher asks once per leg,
and legs are sparser than hours): every hour of three years, in time and in shuffled order, in
zones with DST, half-hour DST, no DST and a skipped day, gives the date the zone database gives."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.core.dates import TaxCalendar
from engine.core.units import EpochMicros

ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",  # DST of half an hour
    "Asia/Kolkata",  # no DST, a half-hour offset
    "Pacific/Apia",  # skipped 2011-12-30 (from UTC-10 to UTC+14)
    "America/Sao_Paulo",  # DST until 2019
]
HOUR = 3_600_000_000


@pytest.mark.parametrize("zone_name", ZONES)
@pytest.mark.parametrize("shuffled", [False, True])
def test_every_hour_gets_the_zone_databases_date(zone_name: str, shuffled: bool) -> None:
    zone = ZoneInfo(zone_name)
    start = int(datetime(2011, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
    moments = [start + hour * HOUR + minute for hour in range(3 * 366 * 24) for minute in (0, HOUR - 1)]
    if shuffled:
        random.Random(7).shuffle(moments)
    calendar = TaxCalendar(zone)
    day = calendar.day_function()
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    wrong = [
        m
        for m in moments
        if day(EpochMicros(m)) != (epoch + timedelta(microseconds=m)).astimezone(zone).date().toordinal()
    ]
    assert wrong == []
