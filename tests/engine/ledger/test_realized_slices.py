"""The matcher's realized slices in columns (engine.ledger.realized_slices): the columns the CSV
takes (columns_of), a year's slices and two runs joined must be exactly what the frozen matcher's
rows give (tests/oracle/lots.py), transposed, filtered or concatenated as before."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.ledger.gains import realized_rows
from engine.ledger.lots import match_lots
from engine.ledger.realized_slices import RealizedSlices, joined
from engine.ledger.records import LotResult
from engine.reports.realized_columns import RealizedColumns, columns_of
from tests.engine.ledger.test_lots_oracle import NEW_YORK, bench_ledger, ledgers
from tests.oracle.lots import match_lots as oracle_match_lots

YEARS = (2023, 2024, 2025, 2026)


def transposed(rows: list) -> RealizedColumns:  # type: ignore[type-arg]
    """columns_of as it was: the rows' fields by zip."""
    if not rows:
        return RealizedColumns(*([()] * 11))
    return RealizedColumns(*zip(*rows, strict=True))


def assert_columns_as_rows(got: LotResult, expected: LotResult) -> None:
    assert isinstance(got.realized, RealizedSlices)
    assert list(got.realized) == expected.realized
    assert len(got.realized) == len(expected.realized)
    columns = columns_of(got.realized)
    assert tuple(map(tuple, columns)) == tuple(map(tuple, transposed(expected.realized)))
    for year in YEARS:
        first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        rows, _excluded = realized_rows(got, year)
        wanted = [row for row in expected.realized if first <= row.sold_day <= last]
        assert list(rows) == wanted
        assert tuple(map(tuple, columns_of(rows))) == tuple(map(tuple, transposed(wanted)))
    both = joined(got.realized, got.realized)
    assert list(both) == expected.realized * 2
    assert tuple(map(tuple, columns_of(both))) == tuple(map(tuple, transposed(expected.realized * 2)))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers(), st.sampled_from(("fifo", "lifo", "hifo", "specific")), st.booleans())
def test_the_columns_are_the_rows_fields(drawn, method, universal):
    ledger, effects = drawn
    try:
        expected = oracle_match_lots(ledger, method, universal, effects=effects)
    except ValueError:  # a malformed generated identification: the oracle test covers it
        return
    assert_columns_as_rows(match_lots(ledger, method, universal, effects=effects), expected)


def test_the_bench_trades_columns():
    ledger = bench_ledger(4_000, realistic=True)
    day = NEW_YORK.day_function()
    for method in ("fifo", "hifo"):
        got = match_lots(ledger, method, False, day)
        assert_columns_as_rows(got, oracle_match_lots(ledger, method, False, day))


def test_rows_are_the_columns_read_back_and_stay_comparable():
    empty = RealizedSlices()
    assert empty == []
    assert list(empty) == []
    assert len(empty) == 0
    assert columns_of(empty) == RealizedColumns(*([()] * 11))
    assert repr(empty) == "[]"
