"""Times on screen: in the tax zone, in words."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from engine.core.dates import TaxCalendar, parse_timestamp
from tui import format as fmt


def test_moment_is_in_the_engines_tax_zone_in_words():
    calendar = TaxCalendar(ZoneInfo("Europe/Berlin"))  # what Engine builds from tax.timezone
    at = parse_timestamp("2026-11-30T09:12:00Z")
    assert fmt.moment(at, calendar.zone) == "Nov 30 10:12"
    assert fmt.moment(at, calendar.zone, now=parse_timestamp("2027-02-01T00:00:00Z")) == "Nov 30 2026 10:12"
    summer = parse_timestamp("2026-07-01T09:12:00Z")  # daylight saving: two hours ahead
    assert fmt.moment(summer, calendar.zone) == "Jul 1 11:12"


def test_due_in_counts_down_in_words():
    assert fmt.due_in(23 * 3600) == "in 23h"
    assert fmt.due_in(25 * 60) == "in 25m"
    assert fmt.due_in(0) == "now"
    assert fmt.due_in(-5) == "now"
