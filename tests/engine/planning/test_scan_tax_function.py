"""The ranking's tax function (engine.planning.marginal_tax) asks only for the total tax and the
carryforward: tax.model.total_and_carryforward, which skips compute_tax's three extra returns
for the marginal rates, must give compute_tax's figures exactly."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
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
