"""The slow path's open-lot frame from a match's OpenLots (no OpenLot rows, each group sorted on
its own, the unit cost's half-even rounding in polars) against the way it was built before:
every OpenLot row in the pools' order, one stable sort by (account, asset, acquired, lot id),
positions.lots_frame. Frames, rows and the unknown-basis rows must be identical."""

from __future__ import annotations

import sys
from operator import itemgetter

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
from engine.ledger.lots import match_lots
from engine.ledger.open_lots import OpenLots, unknown_basis
from engine.ledger.records import OpenLot
from engine.planning.open_lot_frame import COLUMN_SLICE, open_lots_frame
from engine.planning.positions import lots_frame
from tests.engine.ledger.test_lots_oracle import ledgers

AMOUNTS = st.one_of(st.integers(1, 10**6), st.integers(1, 10**33), st.integers(10**15, 10**19))
BASES = st.one_of(st.none(), st.integers(-(10**33), 10**33), AMOUNTS, st.sampled_from((fp.SCALE // 2, 5, 7)))


def rows_before(pools: list[tuple[str, list[list[object]]]]) -> list[OpenLot]:
    """engine.ledger.lots._finish as it was: the rows in the pools' order, one stable sort."""
    rows = [
        OpenLot(lot[5], asset, lot[3], lot[0], lot[1], lot[2], lot[6])  # type: ignore[arg-type]
        for asset, lots in pools
        for lot in lots
    ]
    rows.sort(key=itemgetter(0, 1, 5, 2))
    return rows


def assert_same(pools: list[tuple[str, list[list[object]]]]) -> None:
    expected = rows_before(pools)
    try:
        frame = lots_frame(expected)
    except (
        TypeError,
        OverflowError,
    ):  # a unit cost past Int128 (10^20 units of basis per 10^-18 of quantity)
        with pytest.raises((TypeError, OverflowError)):
            open_lots_frame(OpenLots(pools))  # type: ignore[arg-type]
    else:
        assert open_lots_frame(OpenLots(pools)).equals(frame)  # type: ignore[arg-type]
    assert OpenLots(pools).rows() == expected  # type: ignore[arg-type]
    assert unknown_basis(OpenLots(pools)) == [row for row in expected if row.basis is None]  # type: ignore[arg-type]
    assert unknown_basis(expected) == [row for row in expected if row.basis is None]


LOT = st.tuples(
    AMOUNTS,  # quantity
    BASES,
    st.sampled_from((0, 1, 1, 2, 10**15)),  # acquired: ties are common
    st.sampled_from(("L1", "L10", "L2", "l1", "Ü", "")),  # lot id
    st.sampled_from(("a", "b", "B", "Konto ü")),  # account (a universal pool mixes them)
    st.integers(700_000, 740_000),  # acquired day
)


@st.composite
def pools(draw: st.DrawFn) -> list[tuple[str, list[list[object]]]]:
    drawn = []
    for _ in range(draw(st.integers(0, 5))):
        asset = draw(st.sampled_from(("BTC", "ETH", "eth", "SHIB")))
        lots = draw(st.lists(LOT, max_size=12))
        one_account = draw(st.sampled_from((None, "a", "b")))
        drawn.append(
            (
                asset,
                [
                    [q, b, t, ref, seq, one_account or account, day]
                    for seq, (q, b, t, ref, account, day) in enumerate(lots)
                ],
            )
        )
    return drawn


@settings(max_examples=300, deadline=None)
@given(pools())
def test_the_frame_and_rows_are_as_before(drawn):
    assert_same(drawn)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers(), st.sampled_from(("fifo", "lifo", "hifo", "specific")), st.booleans())
def test_a_match_gives_the_frame_it_gave(drawn, method, universal):
    ledger, effects = drawn
    try:
        result = match_lots(ledger, method, universal, effects=effects)
    except ValueError:  # a malformed generated identification: nothing to compare
        return
    assert isinstance(result.open_lots, OpenLots)
    assert_same(result.open_lots.pools)


def test_a_pool_larger_than_a_slice_and_half_even_ties():
    lots: list[list[object]] = [
        [2 * fp.SCALE, 5 + 2 * (n % 2), 10**15 - n % 7, f"L{n}", n, "a", 739_000 + n % 400]
        for n in range(COLUMN_SLICE + 5)
    ]
    assert_same([("BTC", lots), ("ETH", [[1, None, 0, "U", 0, "a", 739_000]])])
    frame = open_lots_frame(OpenLots([("BTC", lots[:2])]))
    # L1 (7 / 2 units: 3.5) was acquired first, then L0 (5 / 2: 2.5): halves go to the even one
    assert frame.get_column("unit_cost").to_list() == [4, 2]
    assert frame.schema["unit_cost"] == pl.Int128


def test_no_lots():
    assert open_lots_frame(OpenLots([])).equals(lots_frame([]))
    assert open_lots_frame(OpenLots([("BTC", [])])).equals(lots_frame([]))
    assert open_lots_frame([]).equals(lots_frame([]))


@settings(max_examples=300, deadline=None)
@given(pools())
def test_groups_sorted_by_polars_in_pieces_keep_the_order(drawn):
    """A group past SORT_PIECE lots is sorted by polars (the GIL let go), its keys read and its
    lots reordered a piece at a time: the same rows, in the same order, as list.sort gives."""
    from unittest.mock import patch

    import engine.ledger.open_lots as open_lots

    with patch.object(open_lots, "SORT_PIECE", 2):
        assert "polars" in sys.modules
        assert_same(drawn)


def test_a_key_polars_cannot_hold_falls_back_to_list_sort():
    """A lone surrogate in a lot id has no UTF-8 form: that group is sorted by list.sort."""
    from unittest.mock import patch

    import engine.ledger.open_lots as open_lots

    lots: list[list[object]] = [
        [1, 1, 5 - n % 3, ref, n, "a", 739_000]
        for n, ref in enumerate(("L2", "\ud800", "L1", "L0", "\ud801x"))
    ]
    with patch.object(open_lots, "SORT_PIECE", 2):
        rows = OpenLots([("BTC", [list(lot) for lot in lots])]).rows()
    assert rows == rows_before([("BTC", lots)])
