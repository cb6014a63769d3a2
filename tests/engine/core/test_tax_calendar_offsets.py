"""TaxCalendar's offsets, made with datetime.fromtimestamp, are the zone database's offsets as
astimezone gives them, before 1970, after 2038 and at the ends of the years datetime holds; and a
day filled from its two ends gives every hour's date when a change falls inside it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.core.dates import TaxCalendar
from engine.core.units import EpochMicros

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOUR = 3_600_000_000


def _hour_of(year: int, month: int = 1, day: int = 1) -> int:
    return int((datetime(year, month, day, tzinfo=UTC) - EPOCH).total_seconds()) // 3600


@pytest.mark.parametrize("zone_name", ["America/New_York", "Pacific/Apia", "Asia/Kolkata", "UTC"])
@pytest.mark.parametrize("year", [1, 1900, 1969, 1970, 2038, 2100, 9999])
def test_an_offset_is_the_zone_databases(zone_name: str, year: int) -> None:
    zone = ZoneInfo(zone_name)
    calendar = TaxCalendar(zone)
    first = _hour_of(year) + (24 if year == 1 else 0)  # (year 1 begins at UTC midnight: none before)
    for hour in range(first, first + 24 * 40, 7):
        expected = (EPOCH + timedelta(hours=hour)).astimezone(zone).utcoffset()
        assert expected is not None
        assert calendar._offset_at(hour) == int(expected.total_seconds()) * 1_000_000


def test_every_hour_of_a_day_with_a_change_gets_its_own_date() -> None:
    zone = ZoneInfo("America/New_York")
    start = _hour_of(2024, 3, 10)  # 07:00 UTC: the clocks go forward
    epoch_micros = [(start + h) * HOUR + 1 for h in range(24)]
    for asked_first in range(24):
        calendar = TaxCalendar(zone)
        order = epoch_micros[asked_first:] + epoch_micros[:asked_first]
        for micros in order:
            want = (EPOCH + timedelta(microseconds=micros)).astimezone(zone).date().toordinal()
            assert calendar.day(EpochMicros(micros)) == want
