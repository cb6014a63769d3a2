"""One asset in detail: its lots, and the tax effect of harvesting them, the candidates' way."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.planning.detail import LotDetail, asset_detail
from engine.planning.planner import Planner
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
