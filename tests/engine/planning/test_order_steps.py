"""Quantities to sell the exchange accepts (issue 12 item 9): with the account's market step
known (kept by sync), a step sells whole steps, rounded down — never more than held; without
one, the exact quantity."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from engine.config.load import HarvestConfig
from engine.core import fixedpoint as fp
from engine.core.units import Amount, DayOrdinal, EpochMillis
from engine.planning.order_steps import round_down_to_step
from engine.planning.planner import Planner
from engine.planning.plans import LotPick
from engine.reports.planning_output import plan_json, plan_text
from tests.support import HEADER, engine_from_csv, usd

FREE = HarvestConfig(fee_rate=Decimal(0), spread=Decimal(0))
# two AVAX lots under water at $14.65: 120.12345678 (loss/unit 25.35) and 79.02 (loss/unit 5.35)
AVAX = f"""{HEADER}
2026-03-01T15:00:00Z,binance,AVAX,buy,120.12345678,40,0,B1
2026-04-01T15:00:00Z,binance,AVAX,buy,79.01908201,20,0,B2
"""
PRICES = {"AVAX": usd("14.65")}
HELD = usd("199.14253879")


def pick(lot_id: str, quantity: str, basis: str) -> LotPick:
    return LotPick(lot_id=lot_id, quantity=usd(quantity), cost_basis=usd(basis), acquired_day=DayOrdinal(1))


def test_the_least_loss_lot_gives_way_and_keeps_its_share_of_basis():
    picks = (pick("B1", "120.12345678", "4804.9382712"), pick("B2", "79.01908201", "1580.3816402"))
    lots = {"B1": (usd("120.12345678"), usd("4804.9382712")), "B2": (usd("79.01908201"), usd("1580.3816402"))}
    rounded = round_down_to_step(picks, usd("0.0001"), lots)
    assert [p.lot_id for p in rounded] == ["B1", "B2"]
    assert rounded[0] == picks[0]  # the largest loss per unit is kept whole
    assert rounded[1].quantity == usd("79.01904322")  # 199.14253879 -> 199.1425 in all
    assert rounded[1].cost_basis == usd("1580.3816402") * usd("79.01904322") // usd("79.01908201")
    assert round_down_to_step(picks, usd("1000"), lots) == ()  # less than one step: nothing to sell


@given(
    quantities=st.lists(st.integers(1, 10**21), min_size=1, max_size=5),
    step_exponent=st.integers(-8, 2),
)
def test_never_more_than_the_picks_hold_and_always_whole_steps(quantities: list[int], step_exponent: int):
    step = fp.from_decimal(Decimal(1).scaleb(step_exponent))
    picks = tuple(
        LotPick(lot_id=f"L{i}", quantity=Amount(q), cost_basis=Amount(q * 3), acquired_day=DayOrdinal(1))
        for i, q in enumerate(quantities)
    )
    lots = {p.lot_id: (p.quantity, p.cost_basis) for p in picks}
    rounded = round_down_to_step(picks, step, lots)
    total, held = sum(p.quantity for p in rounded), sum(quantities)
    assert total % step == 0
    assert held - step < total <= held
    assert all(0 < r.quantity <= lots[r.lot_id][0] for r in rounded)


def test_a_plan_on_an_exchange_account_sells_whole_steps_and_says_so(tmp_path):
    engine = engine_from_csv(tmp_path, AVAX, harvest=FREE)
    assert Planner(engine).plan(PRICES).steps[0].quantity == HELD  # no step known: exact
    engine.store.save_amount_steps("binance", {"AVAX": (usd("0.0001"), "AVAX/USDT")}, EpochMillis(0))
    planner = Planner(engine)
    (step,) = planner.plan(PRICES).steps
    assert step.quantity == usd("199.1425")
    assert step.rounded_to_step == usd("0.0001")
    assert step.identification == "B1:120.12345678;B2:79.01904322"
    assert step.cost_basis == sum(p.cost_basis for p in step.lots)
    text = plan_text(planner.plan(PRICES))
    assert "1. sell 199.1425 AVAX on binance" in text
    assert "   rounded down to the exchange's 0.0001 step" in text
    assert json.loads(plan_json(planner.plan(PRICES)))["steps"][0]["rounded_to_step"] == "0.0001"


def test_an_exact_multiple_is_not_said_to_be_rounded(tmp_path):
    engine = engine_from_csv(tmp_path, AVAX, harvest=FREE)
    engine.store.save_amount_steps("binance", {"AVAX": (usd("0.00000001"), "AVAX/USD")}, EpochMillis(0))
    (step,) = Planner(engine).plan(PRICES).steps
    assert step.quantity == HELD
    assert step.rounded_to_step is None
