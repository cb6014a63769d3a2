"""A plain disposal's step (engine.ledger.lot_taking): the long-term cutoff a sale day's slices
are compared with, and each shape of disposal — one lot exactly, part of one, several whole
lots then part of one, several whole lots exactly, a lot of unknown basis first, in the middle
or last, more than the pool holds — under each method, held to the frozen matcher
(tests/oracle/lots.py) and to the holding-period rule (engine.core.dates.is_long_term)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine.core import fixedpoint as fp
from engine.core.dates import anniversary, is_long_term
from engine.core.units import DayOrdinal, EpochMicros
from engine.ledger.legs import ACQUIRE, DISPOSE
from engine.ledger.lot_taking import long_term_cutoff
from engine.ledger.lots import match_lots
from engine.ledger.records import LONG, SHORT, Ledger, LegRow, LotResult
from tests.oracle.lots import match_lots as oracle_match_lots

UNIT = fp.SCALE
POOLS = {1: ("a", "BTC")}
LAST_WITH_ANNIVERSARY = date(9998, 12, 31).toordinal()


def days(first: str, last: str) -> range:
    return range(date.fromisoformat(first).toordinal(), date.fromisoformat(last).toordinal() + 1)


@pytest.mark.parametrize(
    "sold_days",
    [
        range(1, 800),  # no date before day 1: nothing sold in year 1 is long-term
        days("2019-01-01", "2029-12-31"),  # leap days, month ends
        days("2099-12-01", "2101-03-31"),  # 2100 is not a leap year
        days("9998-01-01", "9999-12-31"),  # (an anniversary past 9999 is no date: none asked)
    ],
)
def test_the_cutoff_is_the_last_acquired_day_sold_long_term(sold_days):
    for sold in sold_days:
        cutoff = long_term_cutoff(sold)
        for acquired in range(max(1, sold - 372), min(sold - 360, LAST_WITH_ANNIVERSARY + 1)):
            long = sold > anniversary(DayOrdinal(acquired))
            assert (acquired <= cutoff) == long, (date.fromordinal(acquired), date.fromordinal(sold))


def micros(day: str, hour: int = 12) -> EpochMicros:
    moment = datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)
    return EpochMicros(int(moment.timestamp()) * 1_000_000)


def buy(day: str, qty: int, basis: int | None, ref: str, hour: int = 12) -> LegRow:
    return (1, ACQUIRE, micros(day, hour), qty * UNIT, None if basis is None else basis * UNIT, ref, None)


def sell(day: str, qty: int, proceeds: int, ref: str, hour: int = 13) -> LegRow:
    return (1, DISPOSE, micros(day, hour), qty * UNIT, proceeds * UNIT + 7, ref, None)


def matched(legs: list[LegRow], method: str) -> LotResult:
    ledger = Ledger(POOLS, legs)
    result = match_lots(ledger, method)
    assert repr(result) == repr(oracle_match_lots(ledger, method))
    return result


METHODS = ("fifo", "lifo", "hifo")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("bought", "sold"),
    [
        ("2023-02-28", "2024-02-29"),  # a month's last day: its anniversary is the leap day
        ("2024-02-29", "2025-02-28"),
        ("2024-02-28", "2025-02-28"),
        ("2024-03-01", "2025-03-01"),
        ("2024-12-31", "2025-12-31"),
        ("2024-06-15", "2025-06-15"),
    ],
)
def test_a_sale_on_the_anniversary_is_short_term_and_the_next_day_long(method, bought, sold):
    next_day = date.fromordinal(date.fromisoformat(sold).toordinal() + 1).isoformat()
    legs = [
        buy(bought, 3, 300, "B1"),
        buy(bought, 3, 330, "B2", hour=14),
        sell(sold, 1, 150, "S1"),  # part of a lot
        sell(next_day, 4, 600, "S2"),  # the rest of one lot and part of the other
        sell(next_day, 1, 150, "S3"),  # the rest of the other, exactly
    ]
    result = matched(legs, method)
    terms = [(row.sale_id, row.term) for row in result.realized]
    assert terms == [("S1", SHORT), ("S2", LONG), ("S2", LONG), ("S3", LONG)]
    for row in result.realized:
        assert (row.term == LONG) == is_long_term(row.acquired_day, row.sold_day)


@pytest.mark.parametrize("method", METHODS)
def test_one_disposal_over_lots_on_either_side_of_the_cutoff(method):
    legs = [
        buy("2024-05-01", 1, 100, "OLD"),
        buy("2024-05-02", 1, 120, "EDGE"),  # its anniversary is the sale day: short-term
        buy("2024-05-03", 1, 140, "NEW"),
        sell("2025-05-02", 3, 900, "S"),
    ]
    result = matched(legs, method)
    by_lot = {row.lot_id: row.term for row in result.realized}
    assert by_lot == {"OLD": LONG, "EDGE": SHORT, "NEW": SHORT}
    assert sum(row.proceeds for row in result.realized) == 900 * UNIT + 7


SHAPES = {
    "one lot exactly": [buy("2024-01-02", 2, 200, "B1"), sell("2024-02-01", 2, 260, "S")],
    "part of one lot": [buy("2024-01-02", 3, 200, "B1"), sell("2024-02-01", 2, 260, "S")],
    "whole lots then part of one": [
        buy("2024-01-02", 1, 100, "B1"),
        buy("2024-01-03", 2, 230, "B2"),
        buy("2024-01-04", 3, 370, "B3"),
        sell("2024-02-01", 5, 700, "S"),
    ],
    "whole lots exactly": [
        buy("2024-01-02", 1, 100, "B1"),
        buy("2024-01-03", 2, 230, "B2"),
        sell("2024-02-01", 3, 400, "S"),
    ],
    "unknown basis first": [
        buy("2024-01-02", 1, None, "U"),
        buy("2024-01-03", 2, 230, "B2"),
        buy("2024-01-04", 2, 300, "B3"),
        sell("2024-02-01", 4, 500, "S"),
    ],
    "unknown basis in the middle": [
        buy("2024-01-02", 1, 100, "B1"),
        buy("2024-01-03", 2, None, "U"),
        buy("2024-01-04", 2, 300, "B3"),
        sell("2024-02-01", 4, 500, "S"),
    ],
    "unknown basis last, in part": [
        buy("2024-01-02", 1, 100, "B1"),
        buy("2024-01-03", 2, None, "U"),
        sell("2024-02-01", 2, 500, "S"),
    ],
    "only unknown basis": [buy("2024-01-02", 2, None, "U"), sell("2024-02-01", 1, 500, "S")],
    "more than the pool holds": [
        buy("2024-01-02", 1, 100, "B1"),
        buy("2024-01-03", 1, 110, "B2"),
        sell("2024-02-01", 5, 500, "S"),
    ],
    "an empty pool": [sell("2024-02-01", 1, 500, "S")],
    "two sales, one lot": [
        buy("2024-01-02", 5, 333, "B1"),
        sell("2024-02-01", 2, 500, "S1"),
        sell("2024-02-02", 3, 700, "S2"),
    ],
}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_shape_of_disposal_is_the_frozen_matchers(method, shape):
    result = matched(SHAPES[shape], method)
    sold = [leg for leg in SHAPES[shape] if leg[1] == DISPOSE]
    # the slices' proceeds and the excluded parts' quantities add up to each sale
    for leg in sold:
        quantity = sum(row.quantity for row in result.realized if row.sale_id == leg[5])
        quantity += sum(row.quantity for row in result.excluded if row.sale_id == leg[5])
        assert quantity == leg[3]
    assert sum(run[0] for run in result.realized.runs) == len(result.realized)  # type: ignore[attr-defined]
