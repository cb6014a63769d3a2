"""This year's tax as a function of extra harvested losses: the one question every savings
figure asks (before minus after), memoised because the ranking asks it many times."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from engine.core import fixedpoint as fp
from engine.core.units import Amount
from engine.planning.candidates import TaxOutcome
from engine.tax.model import TaxProfile, compute_tax
from engine.tax.params import TaxParams


def tax_function(
    profile: TaxProfile, params: TaxParams, realized_st: Amount, realized_lt: Amount
) -> Callable[[Amount, Amount], TaxOutcome]:
    """Tax with extra harvested ST/LT losses (positive fixed-point amounts), memoised."""
    st, lt = fp.to_decimal(realized_st), fp.to_decimal(realized_lt)

    @lru_cache(maxsize=4096)
    def outcome(extra_st: Amount, extra_lt: Amount) -> TaxOutcome:
        result = compute_tax(profile, st - fp.to_decimal(extra_st), lt - fp.to_decimal(extra_lt), params)
        carry = result.carryforward_out_short_term + result.carryforward_out_long_term
        return TaxOutcome(
            total_tax=fp.from_decimal(fp.quantize(result.total_tax)),
            carryforward=fp.from_decimal(fp.quantize(carry)),
        )

    return outcome
