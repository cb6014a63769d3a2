"""This year's tax as a function of extra harvested losses: the one question every savings
figure asks (before minus after), memoised because the ranking asks it many times."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from engine.core import fixedpoint as fp
from engine.planning.candidates import TaxOutcome
from engine.tax.model import TaxProfile, compute_tax
from engine.tax.params import TaxParams


def tax_function(
    profile: TaxProfile, params: TaxParams, realized_st: int, realized_lt: int
) -> Callable[[int, int], TaxOutcome]:
    """Tax with extra harvested ST/LT losses (positive fixed-point amounts), memoised."""
    st, lt = fp.to_decimal(realized_st), fp.to_decimal(realized_lt)

    @lru_cache(maxsize=4096)
    def outcome(extra_st: int, extra_lt: int) -> TaxOutcome:
        result = compute_tax(profile, st - fp.to_decimal(extra_st), lt - fp.to_decimal(extra_lt), params)
        carry = result.carryforward_out_short_term + result.carryforward_out_long_term
        return TaxOutcome(fp.from_decimal(fp.quantize(result.total_tax)), fp.from_decimal(fp.quantize(carry)))

    return outcome
