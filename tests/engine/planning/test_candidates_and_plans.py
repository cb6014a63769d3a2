"""Candidates, marginal savings and plans, on hand-checked portfolios (2026, single)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.config.load import HarvestConfig, WashSaleConfig
from engine.planning.planner import Planner
from tests.support import HEADER, engine_from_csv, usd

FREE = HarvestConfig(fee_rate=Decimal(0), spread=Decimal(0))

# LT gain 29,985: 0.5 BTC bought 2025-01-05 for 40,000 + 10 fee (basis 20,005 for half),
# sold 2026-02-01 at 100,000 less a 10 fee (proceeds 49,990). Two ST losers at the prices below.
GAIN_AND_LOSERS = f"""{HEADER}
2025-01-05T15:00:00Z,kraken,BTC,buy,1,40000,10,K1
2026-02-01T15:00:00Z,kraken,BTC,sell,0.5,100000,10,K2
2026-03-01T15:00:00Z,kraken,SOL,buy,100,250,5,K3
2026-04-01T15:00:00Z,coinbase,ETH,buy,5,4000,5,C1
2025-12-10T15:00:00Z,coinbase,ETH,buy,2,3900,5,C2
"""
PRICES = {"BTC": usd("90000"), "SOL": usd("120"), "ETH": usd("2500")}


def test_short_term_losses_offset_a_long_term_gain_at_15_percent(tmp_path):
    planner = Planner(engine_from_csv(tmp_path, GAIN_AND_LOSERS))
    candidates, blocked = planner.scan(PRICES, with_lot_ids=True)
    assert blocked == []
    sol, eth = candidates
    # SOL: basis 100 x 250 + 5 = 25,005; value 100 x 120 = 12,000; loss 13,005 offsets LT gain
    # taxed at 15% (income 150,000 + 29,985 stays under the 545,500 breakpoint): 1,950.75
    assert (sol.account, sol.asset, sol.term) == ("kraken", "SOL", "short")
    assert sol.loss == usd("-13005")
    assert sol.savings_this_year == usd("1950.75")
    # costs: 12,000 x (0.001 fee + 0.0005 spread) on the sale and on the rebuy = 36.00
    assert sol.trading_cost == usd("36")
    assert sol.net_savings == usd("1914.75")
    # ETH: basis 20,005 + 7,805 = 27,810; value 7 x 2,500 = 17,500; loss 10,310 x 15% = 1,546.50
    assert eth.loss == usd("-10310")
    assert eth.savings_this_year == usd("1546.50")
    assert eth.trading_cost == usd("52.50")
    assert eth.lot_ids == ("C2", "C1")  # oldest first
    # C2 (2025-12-10) turns long-term after its 2026-12-10 anniversary: 17 days from Nov 24
    assert eth.days_to_long_term == 17
    assert "turns long-term in 17d" in eth.warnings
    # rebuying resets basis: the loss returns as a later gain, estimated at the 15% LT rate
    assert sol.deferred_tax == usd("1950.75")


MARGINAL = f"""{HEADER}
2026-01-10T15:00:00Z,kraken,ZZZ,buy,1,1000,0,Z1
2026-06-01T15:00:00Z,kraken,ZZZ,sell,1,2000,0,Z2
2026-03-01T15:00:00Z,kraken,AAA,buy,1,11000,0,A1
2026-03-02T15:00:00Z,kraken,BBB,buy,1,5500,0,B1
"""
MARGINAL_PRICES = {"AAA": usd("1000"), "BBB": usd("500"), "ZZZ": usd("2000")}


def test_savings_are_marginal_once_losses_exceed_gains_and_the_limit(tmp_path):
    # income 100,000 + ST gain 1,000: the last dollars are taxed at 22% (50,400 to 105,700)
    planner = Planner(engine_from_csv(tmp_path, MARGINAL, income="100000", harvest=FREE, tax_table=False))
    first, second = planner.scan(MARGINAL_PRICES)[0]
    # AAA alone: loss 10,000 cancels the 1,000 gain and deducts 3,000 from income:
    # 4,000 x 22% = 880; the other 6,000 carries forward
    assert first.asset == "AAA"
    assert first.savings_this_year == usd("880")
    assert first.carryforward_created == usd("6000")
    # BBB after AAA: nothing left to offset this year, all 5,000 carries forward
    assert second.asset == "BBB"
    assert second.savings_this_year == 0
    assert second.carryforward_created == usd("5000")
    plan = planner.plan(MARGINAL_PRICES, "max_savings")
    assert [step.asset for step in plan.steps] == ["AAA"]
    assert plan.savings_this_year == usd("880")


def test_target_goal_sells_part_of_a_lot(tmp_path):
    planner = Planner(engine_from_csv(tmp_path, MARGINAL, income="100000", harvest=FREE, tax_table=False))
    plan = planner.plan(MARGINAL_PRICES, "target", usd("4000"))
    (step,) = plan.steps
    # AAA loses 10,000 per unit: a 4,000 loss needs 0.4 of the lot (proceeds 400, basis 4,400)
    assert step.quantity == usd("0.4")
    assert step.identification == "A1:0.4"
    assert step.expected_proceeds == usd("400")
    assert step.cost_basis == usd("4400")
    # 1,000 of ST gain cancelled + 3,000 deducted, at 22%
    assert step.savings_this_year == usd("880")
    assert step.carryforward_created == 0


def test_offset_gains_goal_takes_gains_plus_the_limit(tmp_path):
    planner = Planner(engine_from_csv(tmp_path, MARGINAL, income="100000", harvest=FREE, tax_table=False))
    plan = planner.plan(MARGINAL_PRICES, "offset_gains")
    # target = net gain 1,000 + 3,000 limit = 4,000, the same partial sale as above
    assert plan.target_loss == usd("4000")
    assert plan.total_loss == usd("-4000")


def test_data_quality_gate_blocks_unknown_basis_and_missing_prices(tmp_path):
    text = f"""{HEADER}
2026-03-01T15:00:00Z,ledger,BTC,transfer_in,1,,0,T1
2026-03-01T15:00:00Z,kraken,SOL,buy,10,200,0,S1
2026-03-01T15:00:00Z,kraken,AVAX,buy,10,50,0,A1
"""
    planner = Planner(engine_from_csv(tmp_path, text))
    candidates, blocked = planner.scan({"BTC": usd("50000"), "SOL": usd("100")})
    assert [c.asset for c in candidates] == ["SOL"]
    reasons = {(b.account, b.asset): b.reasons for b in blocked}
    assert any("unknown basis" in r for r in reasons[("ledger", "BTC")])
    assert reasons[("kraken", "AVAX")] == ("no current price",)


def test_nft_has_no_rebuy_and_one_side_of_costs(tmp_path):
    text = f"{HEADER}\n2026-03-01T15:00:00Z,wallet,PUNK#1,buy,1,10000,0,N1\n"
    planner = Planner(engine_from_csv(tmp_path, text))
    (candidate,) = planner.scan({"PUNK#1": usd("2000")})[0]
    # one side only: 2,000 x 0.0015
    assert candidate.trading_cost == usd("3")
    assert any(w.startswith("nft") for w in candidate.warnings)
    (step,) = planner.plan({"PUNK#1": usd("2000")}).steps
    assert step.rebuy_after is None


def test_wash_sale_switch_flags_recent_buys_and_delays_the_rebuy(tmp_path):
    text = f"{HEADER}\n2026-11-10T15:00:00Z,kraken,SOL,buy,10,200,0,S1\n"
    wash = HarvestConfig(wash_sale=WashSaleConfig(enabled=True, window_days=30, effective_from="2026-01-01"))
    planner = Planner(engine_from_csv(tmp_path, text, harvest=wash))
    (candidate,) = planner.scan({"SOL": usd("100")})[0]
    assert "wash sale: bought 14d ago; loss disallowed" in candidate.warnings
    (step,) = planner.plan({"SOL": usd("100")}).steps
    # the rebuy waits out the window: 31 days after the plan time
    assert step.rebuy_after == planner.engine.clock() + 31 * 86_400_000_000


def test_wash_sale_off_by_default(tmp_path):
    text = f"{HEADER}\n2026-11-10T15:00:00Z,kraken,SOL,buy,10,200,0,S1\n"
    planner = Planner(engine_from_csv(tmp_path, text))
    (candidate,) = planner.scan({"SOL": usd("100")})[0]
    assert not any("wash" in w for w in candidate.warnings)
    (step,) = planner.plan({"SOL": usd("100")}).steps
    assert step.rebuy_after == planner.engine.clock() + 24 * 3_600_000_000


def test_deadline_warnings_near_year_end(tmp_path):
    text = f"{HEADER}\n2026-03-01T15:00:00Z,kraken,SOL,buy,10,200,0,S1\n"
    late = Planner(engine_from_csv(tmp_path, text, now="2026-12-31T08:00:00"))
    (candidate,) = late.scan({"SOL": usd("100")})[0]
    assert "0d to Dec 31" in candidate.warnings
    assert "within a day of the year-end deadline" in candidate.warnings


@pytest.mark.parametrize("price", ["0.0001", "0.99"])
def test_near_worthless_coin_needs_a_real_sale(tmp_path, price):
    text = f"{HEADER}\n2026-03-01T15:00:00Z,kraken,LUNA,buy,100,100,0,L1\n"
    planner = Planner(engine_from_csv(tmp_path, text))
    (candidate,) = planner.scan({"LUNA": usd(price)})[0]
    # value 100 x price against a 10,000 basis: under 1% of basis in both cases
    assert "near worthless: needs an actual sale to an unrelated buyer" in candidate.warnings


def test_carryforward_is_computed_from_history_and_shown_beside_the_config(tmp_path):
    # 2025: a short-term loss of 20,000 (income 150,000): 3,000 deducted, 17,000 carried into 2026
    text = f"""{HEADER}
2025-02-01T15:00:00Z,kraken,AAA,buy,1,25000,0,A1
2025-06-01T15:00:00Z,kraken,AAA,sell,1,5000,0,A2
"""
    planner = Planner(engine_from_csv(tmp_path, text))
    summary = planner.tax_summary(2026)
    assert summary.computed_carryforward_in == (Decimal(17000), Decimal(0))
    assert summary.carryforward_in == (Decimal(0), Decimal(0))  # the tax uses the config's figure
