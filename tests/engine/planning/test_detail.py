"""One asset in detail: its lots, and the tax effect of harvesting them, the candidates' way."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
from engine.core.units import Amount, DayOrdinal, EpochMicros
from engine.ledger.records import OpenLot
from engine.planning.detail import LotDetail, asset_detail, largest_lots_unit_costs
from engine.planning.planner import Planner
from engine.planning.positions import lots_frame
from tests.support import HEADER, engine_from_csv, usd

# LT gain 29,985 (BTC), then coinbase ETH under water in two lots (see test_candidates_and_plans)
GAIN_AND_LOSERS = f"""{HEADER}
2025-01-05T15:00:00Z,kraken,BTC,buy,1,40000,10,K1
2026-02-01T15:00:00Z,kraken,BTC,sell,0.5,100000,10,K2
2026-04-01T15:00:00Z,coinbase,ETH,buy,5,4000,5,C1
2025-12-10T15:00:00Z,coinbase,ETH,buy,2,3900,5,C2
"""
PRICES = {"BTC": usd("90000"), "ETH": usd("2500")}


def test_lots_oldest_first_with_named_fields(tmp_path):
    planner = Planner(engine_from_csv(tmp_path, GAIN_AND_LOSERS))
    detail = asset_detail(planner.context, PRICES, "coinbase", "ETH", [])
    assert detail.lots == [
        # 2025-12-10: last short-term day 2026-12-10, long-term from Dec 11: 17 days from Nov 24
        LotDetail("C2", usd("2"), usd("7805"), date(2025, 12, 10).toordinal(), 17, usd("-2805")),
        # 2026-04-01: long-term from 2027-04-02, 129 days away
        LotDetail("C1", usd("5"), usd("20005"), date(2026, 4, 1).toordinal(), 129, usd("-7505")),
    ]
    assert detail.price == usd("2500")


def test_the_tax_effect_is_the_candidates(tmp_path):
    planner = Planner(engine_from_csv(tmp_path, GAIN_AND_LOSERS))
    (eth,) = planner.scan(PRICES)[0]
    detail = asset_detail(planner.context, PRICES, "coinbase", "ETH", [(1, usd("2600"))])
    # the loss of 10,310 offsets the LT gain taxed at 15%: 1,546.50 this year
    assert detail.loss == eth.loss == usd("-10310")
    assert detail.tax_before - detail.tax_after == Decimal("1546.50")
    assert usd(str(detail.tax_before - detail.tax_after)) == eth.savings_this_year
    assert detail.carryforward_created == eth.carryforward_created == 0
    # rebuying resets the basis: the loss comes back as a later gain, at the 15% LT rate
    assert detail.deferred_tax == eth.deferred_tax == usd("1546.50")
    assert detail.trade_prices == [(1, usd("2600"))]


MIXED_TERMS = f"""{HEADER}
2025-01-05T15:00:00Z,kraken,BTC,buy,1,40000,10,K1
2026-02-01T15:00:00Z,kraken,BTC,sell,0.5,100000,10,K2
2024-06-01T15:00:00Z,kraken,SOL,buy,10,200,0,S1
2026-06-01T15:00:00Z,kraken,SOL,buy,10,180,0,S2
2026-06-02T15:00:00Z,kraken,SOL,buy,10,90,0,S3
"""


def test_short_and_long_losing_lots_add_up_as_their_candidates_do(tmp_path):
    planner = Planner(engine_from_csv(tmp_path, MIXED_TERMS))
    prices = {"BTC": usd("90000"), "SOL": usd("100")}
    sol = [c for c in planner.scan(prices)[0] if c.asset == "SOL"]
    assert {c.term for c in sol} == {"short", "long"}
    detail = asset_detail(planner.context, prices, "kraken", "SOL", [])
    # S3 (cost 90) is above water and not part of the harvest; S1 (LT) and S2 (ST) are
    assert detail.loss == sum(c.loss for c in sol) == usd("-1800")
    assert detail.deferred_tax == sum(c.deferred_tax for c in sol)
    assert [lot.lot_id for lot in detail.lots] == ["S1", "S2", "S3"]
    assert detail.lots[2].unrealized == usd("100")


def test_an_nft_is_not_rebought_so_nothing_is_deferred(tmp_path):
    text = GAIN_AND_LOSERS.replace("coinbase,ETH", "coinbase,PUNK#7")
    planner = Planner(engine_from_csv(tmp_path, text))
    prices = {"BTC": usd("90000"), "PUNK#7": usd("2500")}
    detail = asset_detail(planner.context, prices, "coinbase", "PUNK#7", [])
    assert detail.loss == usd("-10310")
    assert detail.tax_before > detail.tax_after
    assert detail.deferred_tax == 0  # as the candidates count an NFT: sold, not rebought


def test_without_a_price_nothing_is_priced(tmp_path):
    planner = Planner(engine_from_csv(tmp_path, GAIN_AND_LOSERS))
    detail = asset_detail(planner.context, {"BTC": usd("90000")}, "coinbase", "ETH", [])
    assert detail.price is None
    assert [lot.unrealized for lot in detail.lots] == [None, None]
    assert detail.loss == detail.deferred_tax == detail.carryforward_created == 0
    assert detail.tax_before == detail.tax_after


# ten SOL lots, three of 3 SOL (the largest) bought on different days, one of 2, six of 1
MANY_LOTS = f"""{HEADER}
2026-01-02T15:00:00Z,kraken,SOL,buy,1,100,0,L01
2026-01-03T15:00:00Z,kraken,SOL,buy,3,120,0,L02
2026-01-04T15:00:00Z,kraken,SOL,buy,1,130,0,L03
2026-01-05T15:00:00Z,kraken,SOL,buy,2,140,0,L04
2026-01-06T15:00:00Z,kraken,SOL,buy,3,150,3,L05
2026-01-07T15:00:00Z,kraken,SOL,buy,1,160,0,L06
2026-01-08T15:00:00Z,kraken,SOL,buy,1,170,0,L07
2026-01-09T15:00:00Z,kraken,SOL,buy,3,180,0,L08
2026-01-10T15:00:00Z,kraken,SOL,buy,1,190,0,L09
2026-01-11T15:00:00Z,kraken,SOL,buy,1,200,0,L10
"""


def test_a_capped_detail_describes_the_oldest_lots_and_counts_them_all(tmp_path):
    planner = Planner(engine_from_csv(tmp_path, MANY_LOTS))
    prices = {"SOL": usd("110")}
    whole = asset_detail(planner.context, prices, "kraken", "SOL", [])
    capped = asset_detail(planner.context, prices, "kraken", "SOL", [], lot_rows=4, cost_levels=2)
    assert [lot.lot_id for lot in whole.lots] == [f"L{n:02}" for n in range(1, 11)]
    assert capped.lots == whole.lots[:4]
    assert capped.lot_count == whole.lot_count == 10
    # the largest lots, the older first among equals: L02 (120), L05 (150 + 3 fee over 3), L08
    assert whole.cost_levels == [usd("120"), usd("151"), usd("180"), usd("140"), usd("100"), usd("130"),
                                 usd("160"), usd("170")]  # fmt: skip
    assert capped.cost_levels == [usd("120"), usd("151")]
    # the tax figures do not depend on how many lots are described
    assert (capped.loss, capped.tax_after, capped.deferred_tax) == (
        whole.loss,
        whole.tax_after,
        whole.deferred_tax,
    )


lot_sizes = st.lists(
    st.tuples(st.integers(1, 4), st.one_of(st.none(), st.integers(0, 10**6))), min_size=0, max_size=40
)


@given(lot_sizes, st.integers(0, 10))
def test_the_cost_levels_are_the_largest_lots_unit_costs(sizes: list[tuple[int, int | None]], count: int):
    """As the chart picked them from every lot in Python: stable by quantity, largest first,
    unknown bases left out, each lot's fp.unit_price."""
    lots = [
        OpenLot("a", "SOL", f"L{index:03}", usd(str(quantity)), None if cents is None else Amount(cents * 10**16),
                EpochMicros(0), DayOrdinal(739_000 + index))
        for index, (quantity, cents) in enumerate(sizes)
    ]  # fmt: skip
    expected = sorted(
        ((fp.unit_price(lot.basis, lot.quantity), lot.quantity) for lot in lots if lot.basis is not None),
        key=lambda pair: -pair[1],
    )[:count]
    assert largest_lots_unit_costs(lots_frame(lots), count) == [unit for unit, _ in expected]
