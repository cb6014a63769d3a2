"""This year's tax as a function of extra harvested losses: the one question every savings
figure asks (before minus after), memoised because the ranking asks it many times."""

from __future__ import annotations

from dataclasses import replace
from decimal import Context
from functools import lru_cache

from engine.config.load import TaxConfig
from engine.core import fixedpoint as fp
from engine.core.units import Amount
from engine.planning.candidates import Collectible, Harvested, TaxFn, TaxOutcome
from engine.tax.model import TaxProfile, total_and_carryforward
from engine.tax.params import TaxParams
from engine.tax.profile import is_collectible

_EXACT = Context(prec=80)  # differences of amounts up to $10^15 at 18 places, unrounded (28 digits would)


def tax_function(profile: TaxProfile, params: TaxParams, realized_st: Amount, realized_lt: Amount) -> TaxFn:
    """Tax with extra harvested losses, memoised. A collectible part lowers the profile's
    realized collectibles too, so Schedule D nets it against 28%-rate gain first."""
    st, lt = fp.to_decimal(realized_st), fp.to_decimal(realized_lt)

    @lru_cache(maxsize=4096)
    def outcome(harvested: Harvested) -> TaxOutcome:
        with_collectibles = profile
        if harvested.collectibles:
            collectibles = _EXACT.subtract(
                profile.realized_collectibles, fp.to_decimal(harvested.collectibles)
            )
            with_collectibles = replace(profile, realized_collectibles=collectibles)
        total, carry_short, carry_long = total_and_carryforward(
            with_collectibles,
            _EXACT.subtract(st, fp.to_decimal(harvested.short_term)),
            _EXACT.subtract(lt, fp.to_decimal(harvested.long_term)),
            params,
        )
        return TaxOutcome(
            total_tax=fp.from_decimal(fp.quantize(total)),
            carryforward=fp.from_decimal(fp.quantize(_EXACT.add(carry_short, carry_long))),
        )

    return outcome


def collectible_rule(tax: TaxConfig) -> Collectible:
    """The config's answer to "is this asset a collectible?" (NFTs unless marked otherwise)."""
    return lambda asset: is_collectible(asset, tax)
