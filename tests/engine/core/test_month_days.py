"""engine.core.dates._month_days (the anniversary rule's days in a month) is calendar.monthrange's
count, for every month of every year a date can hold."""

from __future__ import annotations

import calendar
from datetime import date

from engine.core.dates import _month_days, anniversary
from engine.core.units import DayOrdinal


def test_every_month_of_every_year() -> None:
    for year in range(1, 10_000):
        for month in range(1, 13):
            assert _month_days(year, month) == calendar.monthrange(year, month)[1], (year, month)


def test_the_anniversary_rule_at_month_ends() -> None:
    def after(y: int, m: int, d: int) -> date:
        return date.fromordinal(anniversary(DayOrdinal(date(y, m, d).toordinal())))

    assert after(2024, 2, 29) == date(2025, 2, 28)
    assert after(2023, 2, 28) == date(2024, 2, 29)
    assert after(2023, 12, 31) == date(2024, 12, 31)
    assert after(2023, 4, 30) == date(2024, 4, 30)
    assert after(2023, 1, 15) == date(2024, 1, 15)
