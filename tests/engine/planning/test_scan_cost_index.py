"""The per-tick cut points (engine.planning.cost_index) against the polars pass they replace
(positions.price_groups, kept as the oracle), on generated lot sets: equal unit costs at the
price, dust, 10^15-unit quantities and $10^15 bases, several accounts and terms."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core.dates import anniversary
from engine.core.units import Amount, DayOrdinal, EpochMicros
from engine.ledger.records import OpenLot
from engine.planning import cost_index as cost_index_module
from engine.planning.cost_index import cost_index
from engine.planning.planner import Planner
from engine.planning.positions import group_lots, lots_frame, price_groups, prices_frame, with_terms
from tests.engine.planning.test_plan_value import plan_alone, saved
from tests.support import HEADER, clock_at, engine_from_csv, usd

TODAY = DayOrdinal(739_579)  # 2025-12-01
HUGE = 10**33  # 10^15 units, or $10^15, in 1e-18 units
ACCOUNTS = ("binance", "kraken", "ledger")
ASSETS = ("BTC", "ETH", "SHIB")

quantities = st.sampled_from([1, 7, HUGE]) | st.integers(1, HUGE)  # 1: dust, 1e-18 of a unit
bases = st.none() | st.sampled_from([0, 1, HUGE]) | st.integers(0, HUGE)
# around both anniversaries: a lot a year old today is still short-term, a day older is long-term
ages = st.integers(0, 800) | st.integers(363, 368)


@st.composite
def lot_sets(draw: st.DrawFn) -> list[OpenLot]:
    lots: list[OpenLot] = []
    for number in range(draw(st.integers(0, 40))):
        if lots and draw(st.booleans()):  # an equal unit cost: another lot's quantity and basis
            _, _, _, quantity, basis, _, _ = draw(st.sampled_from(lots))
        else:
            quantity, basis = draw(quantities), draw(bases)
            if basis is not None:  # a unit cost that fits the frame's Int128 (up to $10^20 a unit)
                basis = min(basis, quantity * 10**20)
        day = DayOrdinal(TODAY - draw(ages))
        account, asset = draw(st.sampled_from(ACCOUNTS)), draw(st.sampled_from(ASSETS))
        lots.append(OpenLot(account, asset, f"L{number}", Amount(quantity), basis, EpochMicros(0), day))
    return lots


@st.composite
def price_sets(draw: st.DrawFn, termed: pl.DataFrame) -> dict[str, Amount]:
    """Prices for some assets: often exactly a lot's unit cost (the tie at the cut)."""
    costs = [c for c in termed.get_column("unit_cost").to_list() if c is not None]
    prices: dict[str, Amount] = {}
    for asset in draw(st.sets(st.sampled_from(ASSETS))):
        exact = st.sampled_from(costs) if costs else st.just(0)
        prices[asset] = Amount(draw(exact | st.integers(0, HUGE) | st.sampled_from([0, 1])))
    return prices


@settings(max_examples=300, deadline=None)
@given(lot_sets(), st.data())
def test_cut_points_give_the_polars_pass_groups_exactly(lots: list[OpenLot], data: st.DataObject) -> None:
    termed = with_terms(lots_frame(lots), TODAY)
    index = cost_index(termed)
    for _ in range(3):  # one index, several ticks
        prices = data.draw(price_sets(termed))
        expected = price_groups(termed, prices_frame(prices))
        assert index.price_groups(prices) == expected
        for group in expected:
            if group.under_water:
                oldest_first = group_lots(
                    termed, prices_frame(prices), group.account, group.asset, group.long_term
                ).get_column("lot_id")
                assert index.under_water_lot_ids(group, prices[group.asset]) == tuple(oldest_first)


@settings(max_examples=100, deadline=None)
@given(lot_sets())
def test_a_positions_lots_are_its_slice_of_every_lot(lots: list[OpenLot]) -> None:
    termed = with_terms(lots_frame(lots), TODAY)
    index = cost_index(termed)
    for account in ACCOUNTS:
        for asset in ASSETS:
            own = termed.filter((pl.col("account") == account) & (pl.col("asset") == asset))
            got = index.position_lots(account, asset)
            assert sorted(got.iter_rows()) == sorted(own.select("lot_id", "days_to_long_term").iter_rows())


@settings(max_examples=200, deadline=None)
@given(lot_sets(), st.data())
def test_a_frame_in_position_order_is_numbered_in_place(lots: list[OpenLot], data: st.DataObject) -> None:
    """The slow path's frame comes sorted by account and asset (open_lot_frame): its positions are
    numbered where they lie, with no join or sort — the same numbering and order the join gives,
    and the same cut points."""
    from unittest.mock import patch

    termed = with_terms(lots_frame(sorted(lots, key=lambda lot: (lot.account, lot.asset))), TODAY)
    expected = cost_index_module._numbered_by_join(termed)
    with patch.object(cost_index_module, "_numbered_by_join", side_effect=AssertionError("joined")):
        assert cost_index_module._by_position(termed).equals(expected)
        index = cost_index(termed)
    prices = data.draw(price_sets(termed))
    assert index.price_groups(prices) == price_groups(termed, prices_frame(prices))
    assert index.by_position.equals(expected.select("lot_id", "days_to_long_term"))


def test_a_lot_a_year_old_turns_long_term_on_the_next_day_of_a_running_app(tmp_path) -> None:
    """The app ticks for days: the cut points are rebuilt with the context when the day changes."""
    text = f"{HEADER}\n2025-11-24T15:00:00Z,kraken,SOL,buy,10,200,0,S1\n"
    engine = engine_from_csv(tmp_path, text, now="2026-11-24T12:00:00")
    planner = Planner(engine)
    prices = {"SOL": usd("100")}
    assert anniversary(planner.context.lots.open_lots[0].acquired_day) == engine.today()
    (before,) = planner.scan(prices)[0]
    assert (before.term, before.days_to_long_term) == ("short", 1)
    engine.clock = clock_at("2026-11-25T12:00:00")  # the next morning, the app still running
    (after,) = planner.scan(prices)[0]
    assert (after.term, after.days_to_long_term, after.cost_basis) == ("long", 0, usd("2000"))


def test_a_scan_at_ten_to_the_fifteen_units_and_dollars_is_exact(tmp_path) -> None:
    """10^15 units bought at $1 (a $10^15 basis) and 10^15 more at $0.5: the tick's sums pass
    Int64 by far (10^33 and more in 1e-18 units) and stay exact."""
    text = (
        f"{HEADER}\n2026-03-01T15:00:00Z,kraken,SHIB,buy,1000000000000000,1,0,S1\n"
        "2026-03-02T15:00:00Z,kraken,SHIB,buy,1000000000000000,0.5,0,S2\n"
    )
    planner = Planner(engine_from_csv(tmp_path, text))
    tick = planner.tick({"SHIB": usd("0.25")}, with_lot_ids=True)
    (candidate,) = tick.candidates
    assert candidate.quantity == usd("2000000000000000")
    assert candidate.cost_basis == usd("1500000000000000")
    assert candidate.value == usd("500000000000000")
    assert candidate.loss == usd("-1000000000000000")
    assert candidate.lot_ids == ("S1", "S2")
    # at $0.75 only the $1 lot is under water; the other is a group of its own, above water
    under, over = sorted(planner.tick({"SHIB": usd("0.75")}).groups, key=lambda g: not g.under_water)
    assert (under.quantity, under.basis, under.value) == (usd("1e15"), usd("1e15"), usd("750000000000000"))
    assert (over.under_water, over.basis, over.lots) == (False, usd("500000000000000"), 1)


def test_a_copy_of_the_context_keeps_its_cut_points_unless_its_lots_change(tmp_path) -> None:
    """engine.review.problems scans a copy of the context with the gate open: the copy must not
    sort a million lots again, and a copy with other lots must not use the old cut points."""
    text = f"{HEADER}\n2026-03-01T15:00:00Z,kraken,SOL,buy,10,200,0,S1\n"
    context = Planner(engine_from_csv(tmp_path, text)).context
    index = context.cost_index
    assert replace(context, quality={}).cost_index is index
    other = replace(context, frame=context.frame.head(0))
    assert other.cost_index is not index
    assert other.cost_index.price_groups({"SOL": usd("100")}) == []
    assert len(context.cost_index.price_groups({"SOL": usd("100")})) == 1


def test_the_plan_aware_tick_at_ten_to_the_fifteen_units_and_dollars(tmp_path) -> None:
    """A planned sale of 2·10^15 SHIB ($1.5·10^15 basis) is valued exactly tick after tick, and
    its identification is read once, not on every tick (a large position names many lots)."""
    text = (
        f"{HEADER}\n2026-03-01T15:00:00Z,kraken,SHIB,buy,1000000000000000,1,0,S1\n"
        "2026-03-02T15:00:00Z,kraken,SHIB,buy,1000000000000000,0.5,0,S2\n"
    )
    planner = Planner(engine_from_csv(tmp_path, text))
    plan_alone(planner, {"SHIB": usd("0.25")}, "SHIB")
    steps = saved(planner).steps()
    first = planner.tick({"SHIB": usd("0.25")}, plan=steps)
    (planned,) = first.candidates
    assert (planned.planned_step, planned.lot_ids) == (1, ("S1", "S2"))
    assert (planned.cost_basis, planned.value) == (usd("1500000000000000"), usd("500000000000000"))
    # at $2 the step is above water (a $2.5·10^15 gain); S1 turns long-term on 2027-03-02: 98 days
    (above,) = planner.tick({"SHIB": usd("2")}, plan=steps).candidates
    assert (above.loss, above.days_to_long_term, above.lots) == (usd("2500000000000000"), 98, 2)
    assert above.lot_ids is planned.lot_ids  # memoised: parsed on the first tick only
