"""The tax profile the model computes with, built from the config's `tax:` section (optionally
with a carryforward computed from history instead of the configured one), and which assets are
collectibles (taxed at up to 28% when held long-term)."""

from __future__ import annotations

from decimal import Decimal

from engine.config.load import Config, TaxConfig
from engine.tax.model import TaxProfile

ZERO = Decimal(0)


def is_collectible(asset: str, tax: TaxConfig) -> bool:
    """An NFT (a `#` in its name, as the planner marks NFTs) is a collectible by default: Notice
    2023-27 looks through to what it represents, and most NFTs are works of art or gems in
    its sense. `tax.not_collectibles` overrides that per asset (virtual land, a membership);
    `tax.collectibles` marks others (a gold-backed token)."""
    name = asset.upper()
    if name in tax.not_collectibles:
        return False
    return name in tax.collectibles or "#" in name


def tax_profile(
    config: Config,
    year: int,
    carryforward: tuple[Decimal, Decimal] | None = None,
    realized_collectibles: Decimal = ZERO,
) -> TaxProfile:
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
        ordinary_income=tax.ordinary_income,
        taxable_interest=tax.taxable_interest,
        ordinary_dividends=tax.ordinary_dividends,
        qualified_dividends=tax.qualified_dividends,
        other_investment_income=tax.other_investment_income,
        itemized_deduction=tax.itemized_deduction,
        itemized_taxes=tax.itemized_taxes,
        amt_adjustments=tax.amt_adjustments,
        other_short_term=tax.other_short_term,
        other_long_term=tax.other_long_term,
        other_collectibles=tax.other_collectibles,
        carryforward_short_term=st_cf,
        carryforward_long_term=lt_cf,
        magi=tax.magi,
        niit=tax.niit,
        state_rate=tax.state_rate,
        tax_table=tax.tax_table,
        realized_collectibles=realized_collectibles,
    )
