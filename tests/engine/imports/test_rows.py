"""The helpers every importer shares: money as statements print it, numbers, times in zones."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from engine.core import fixedpoint as fp
from engine.imports.rows import CellError, parse_money, parse_number, parse_time


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("$1,234.56", "1234.56"),
        ("-$5.00", "-5"),
        ("$-5.00", "-5"),
        ("(5.00)", "-5"),
        ("($1,000.00)", "-1000"),
        ("€12", "12"),
        ("12.50 USD", "12.5"),
        ("-15.62", "-15.62"),
        ("$30702.2761900010362018", "30702.2761900010362018"),
    ],
)
def test_money_as_statements_print_it(text, value):
    assert parse_money(text) == fp.parse(value)


@pytest.mark.parametrize(
    "text", ["1,23", "$$5", "$", "five", "1,2345.00", "(", "--5", "()", "( )"]
)  # "()": an IndexError once
def test_not_money(text):
    with pytest.raises(CellError):
        parse_money(text)


def test_numbers_are_exact_or_refused_unless_rounding_is_asked_for():
    assert parse_number("1e-8") == 10**10
    assert parse_number("-0.00008391") == -fp.parse("0.00008391")
    with pytest.raises(CellError, match="more than 18 decimal places"):
        parse_number("0.1234567890123456789")
    assert parse_number("0.1234567890123456785", exact=False) == fp.parse("0.123456789012345678")  # half-even


def test_times_in_their_zone():
    utc = 1_735_812_000_000_000  # 2025-01-02T10:00:00Z
    assert parse_time("2025-01-02 10:00:00 UTC", None) == utc
    assert parse_time("2025-01-02T10:00:00Z", None) == utc
    assert parse_time("2025-01-02 05:00:00", ZoneInfo("America/New_York")) == utc  # EST
    assert parse_time("01/02/2025 05:00", ZoneInfo("America/New_York")) == utc  # US: month first
    assert parse_time("2025-01-02 10:00:00.5", ZoneInfo("UTC")) == utc + 500_000
    with pytest.raises(CellError, match="no time zone"):
        parse_time("2025-01-02 10:00:00", None)
    with pytest.raises(CellError, match="not a date and time"):
        parse_time("13/45/2025", ZoneInfo("UTC"))
