"""The tax profile the model computes with, built from the config's `tax:` section (optionally
with a carryforward computed from history instead of the configured one)."""

from __future__ import annotations

from decimal import Decimal

from engine.config.load import Config
from engine.tax.model import TaxProfile


def tax_profile(config: Config, year: int, carryforward: tuple[Decimal, Decimal] | None = None) -> TaxProfile:
    tax = config.tax
    st_cf, lt_cf = (
        carryforward
        if carryforward is not None
        else (tax.carryforward_short_term, tax.carryforward_long_term)
    )
    return TaxProfile(
        year=year,
        filing_status=tax.filing_status,
        ordinary_taxable_income=tax.ordinary_taxable_income,
        other_short_term=tax.other_short_term,
        other_long_term=tax.other_long_term,
        carryforward_short_term=st_cf,
        carryforward_long_term=lt_cf,
        magi=tax.magi,
        niit=tax.niit,
        state_rate=tax.state_rate,
    )
