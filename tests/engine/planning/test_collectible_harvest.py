"""Harvesting a collectible: a long-term NFT's loss is 28%-rate loss (Schedule D's 28% Rate Gain
Worksheet line 1), so against a 28%-rate gain it saves at 28%, not at 15/20%; a short-term one
is ordinary short-term. Every place the planner values a harvest — the candidate list, a built
plan, the saved plan at current prices, the detail screen — says the same.

The case (2025, single, worked in tests/engine/tax/test_golden_returns.py from the forms): wages
300,000; other long-term gains 100,000 of which 50,000 collectibles (Schedule D line 18);
PUNK#7 bought 2024-03-01 for 30,000, worth 10,000 on 2025-11-24: a 20,000 loss. Harvested as a
collectible, it reduces the 28% gain 50,000 -> 30,000: 20,000 x 28% = 5,600, plus NIIT 3.8% of
20,000 = 760 (MAGI 400,000 is far over 200,000): 6,360. As ordinary long-term loss it would
reduce the 15% gain instead: 3,000 + 760 = 3,760."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.config.load import HarvestConfig
from engine.planning.candidates import NOTHING, Harvested
from engine.planning.checklist import Checklist
from engine.planning.detail import asset_detail
from engine.planning.planner import Planner
from tests.support import HEADER, engine_from_csv, usd

FREE = HarvestConfig(fee_rate=Decimal(0), spread=Decimal(0))
PROFILE = {
    "income": "0",
    "ordinary_income": Decimal(300_000),
    "other_long_term": Decimal(100_000),
    "other_collectibles": Decimal(50_000),
}
NOW = "2025-11-24T12:00:00"
PRICES = {"PUNK#7": usd("10000")}


def nft_bought(day: str) -> str:
    return f"{HEADER}\n{day}T15:00:00Z,wallet,PUNK#7,buy,1,30000,0,N1\n"


@pytest.mark.parametrize(
    ("marks", "saving"),
    [
        ({}, "6360"),  # an NFT is a collectible by default: 28% + 3.8%
        ({"not_collectibles": ["PUNK#7"]}, "3760"),  # marked not one (virtual land): 15% + 3.8%
    ],
)
def test_a_long_term_nft_loss_saves_at_28_percent_against_a_28_percent_gain(tmp_path, marks, saving):
    engine = engine_from_csv(tmp_path, nft_bought("2024-03-01"), now=NOW, harvest=FREE, **PROFILE, **marks)
    planner = Planner(engine)
    (candidate,) = planner.scan(PRICES)[0]
    assert (candidate.term, candidate.loss) == ("long", usd("-20000"))
    assert candidate.savings_this_year == usd(saving)
    (step,) = planner.plan(PRICES, "max_savings").steps
    assert step.savings_this_year == usd(saving)
    detail = asset_detail(planner.context, PRICES, "wallet", "PUNK#7", [])
    assert detail.tax_before - detail.tax_after == Decimal(saving)


def test_the_saved_plan_values_a_collectible_step_at_28_percent(tmp_path):
    planner = Planner(engine_from_csv(tmp_path, nft_bought("2024-03-01"), now=NOW, harvest=FREE, **PROFILE))
    checklist = Checklist(planner.engine.store.conn)
    checklist.save(planner.plan(PRICES, "max_savings"), 2025, planner.engine.clock(), 24)
    tick = planner.tick(PRICES, plan=checklist.steps())
    assert tick.plan.harvested == Harvested(0, usd("20000"), usd("20000"))
    assert tick.plan.savings_this_year == usd("6360")
    (row,) = tick.candidates
    assert (row.planned_step, row.savings_this_year) == (1, usd("6360"))


def test_a_short_term_nft_loss_is_ordinary_short_term(tmp_path):
    """Bought 2025-03-01: a short-term loss is not a collectible's (IRC 1(h)(5) counts only
    collectibles held over a year); it reaches the 28% gain through the worksheet's line 6 (a net
    short-term loss), 50,000 - 20,000 = 30,000: 6,360 as well. Counted as a collectible too, it
    would reduce lines 1 and 6 both (28% gain 10,000) and show 8,960."""
    planner = Planner(engine_from_csv(tmp_path, nft_bought("2025-03-01"), now=NOW, harvest=FREE, **PROFILE))
    (candidate,) = planner.scan(PRICES)[0]
    assert candidate.term == "short"
    assert candidate.savings_this_year == usd("6360")


def test_harvested_keeps_the_collectible_part_of_the_long_term_loss():
    loss = usd("100")
    assert NOTHING.plus(loss, long_term=True, collectible=True) == Harvested(0, loss, loss)
    assert NOTHING.plus(loss, long_term=True, collectible=False) == Harvested(0, loss, 0)
    assert NOTHING.plus(loss, long_term=False, collectible=True) == Harvested(loss, 0, 0)
