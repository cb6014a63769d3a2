"""The ranking's tax function (engine.planning.marginal_tax) asks only for the total tax and the
carryforward: tax.model.total_and_carryforward, which skips compute_tax's three extra returns
for the marginal rates, must give compute_tax's figures exactly."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
from engine.core.units import Amount
from engine.planning.candidates import CostModel, TaxOutcome, rank_candidates
from engine.planning.positions import LotGroup
from engine.tax.model import TaxProfile, compute_tax, total_and_carryforward
from engine.tax.params import load_tax_params
from tests.engine.tax.test_tax_properties import profiles

PARAMS = load_tax_params(None)
# whole dollars, cents and 18-place amounts, up to $10^15 either way
gains = (
    st.integers(-400_000, 1_500_000).map(Decimal)
    | st.integers(-(10**17), 10**17).map(lambda cents: Decimal(cents).scaleb(-2))
    | st.integers(-(10**33), 10**33).map(fp.to_decimal)
)


@settings(max_examples=200, deadline=None)
@given(profiles(), gains, gains)
def test_the_total_and_carryforward_are_compute_taxs(
    profile: TaxProfile, short: Decimal, long: Decimal
) -> None:
    full = compute_tax(profile, short, long, PARAMS)
    expected = (full.total_tax, full.carryforward_out_short_term, full.carryforward_out_long_term)
    assert total_and_carryforward(profile, short, long, PARAMS) == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**33), st.integers(0, 10**6))
def test_a_candidates_deferred_tax_is_its_loss_times_the_rate_rounded_once(
    loss: int, millionths: int
) -> None:
    """Up to a $10^15 loss: the product is not rounded to 28 digits before the 18 places."""
    rate = Decimal(millionths).scaleb(-6)
    group = LotGroup(
        account="kraken",
        asset="SHIB",
        long_term=False,
        quantity=Amount(10**33),
        basis=Amount(loss + 1),
        value=Amount(1),
        lots=1,
        min_days_to_long_term=5,
    )
    no_tax = TaxOutcome(total_tax=Amount(0), carryforward=Amount(0))
    free = CostModel(Decimal(0), Decimal(0))
    (candidate,) = rank_candidates([group], lambda harvested: no_tax, free, rate, collectible=lambda a: False)
    assert candidate.deferred_tax == fp.div_round(loss * millionths, 10**6)


@given(st.integers(-(10**40) + 1, 10**40 - 1))
def test_an_amount_to_decimal_and_back_is_exact_past_ten_to_the_ten_dollars(units: int) -> None:
    """What the tax function and the deferred tax read amounts through (28 digits rounded there)."""
    assert fp.from_decimal(fp.to_decimal(units)) == units
