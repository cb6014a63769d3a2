"""The ranking's tax function (engine.planning.marginal_tax) asks only for the total tax and the
carryforward: tax.model.total_and_carryforward, which skips compute_tax's three extra returns
for the marginal rates, must give compute_tax's figures exactly."""

from __future__ import annotations

from decimal import Context, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
from engine.core.units import Amount
from engine.planning.candidates import CostModel, Harvested, TaxOutcome, rank_candidates
from engine.planning.marginal_tax import tax_function
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


@settings(max_examples=100, deadline=None)
@given(profiles(), st.integers(-(10**33), 10**33), st.integers(-(10**33), 10**33), st.integers(0, 10**33))
def test_the_ranking_tax_function_is_exact_up_to_ten_to_the_fifteen(
    profile: TaxProfile, short: int, long: int, harvested: int
) -> None:
    """tax(a harvested loss) is compute_tax at the realized results less the loss, exactly: the
    difference and the carryforwards' sum are not rounded to 28 digits."""
    outcome = tax_function(profile, PARAMS, Amount(short), Amount(long))(
        Harvested(short_term=Amount(harvested))
    )
    expected = compute_tax(profile, fp.to_decimal(short - harvested), fp.to_decimal(long), PARAMS)
    carryforward = Context(prec=80).add(
        expected.carryforward_out_short_term, expected.carryforward_out_long_term
    )
    assert outcome == TaxOutcome(
        total_tax=fp.from_decimal(fp.quantize(expected.total_tax)),
        carryforward=fp.from_decimal(fp.quantize(carryforward)),
    )


def test_the_total_tax_on_a_ten_to_the_fifteen_gain_keeps_every_place() -> None:
    """The return's total is summed in the return's 50-digit context, not the default 28."""
    profile = TaxProfile(2026, "single", ordinary_taxable_income=Decimal(100_000))
    gain = fp.to_decimal(10**33 + 123_456_789)  # $10^15 and 1.23456789e-10
    full = compute_tax(profile, gain, Decimal(0), PARAMS)
    wide = Context(prec=80)
    parts = wide.add(wide.add(full.regular_tax, full.amt), wide.add(full.niit, full.state_tax))
    assert full.total_tax == parts == Decimal("407999999989769.050000000050370369912")
    assert full.federal_income_tax == wide.add(full.regular_tax, full.amt)
    assert total_and_carryforward(profile, gain, Decimal(0), PARAMS)[0] == full.total_tax
