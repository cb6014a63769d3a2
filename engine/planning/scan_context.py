"""What a scan needs besides prices: rebuilt on the slow path (load, import, sync, profile
change), read on every price tick."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from engine.config.load import Config
from engine.ledger.records import LotResult
from engine.tax.model import TaxProfile, TaxResult
from engine.tax.params import TaxParams


@dataclass
class ScanContext:
    """Everything a scan needs besides prices (rebuilt on the slow path only)."""

    config: Config
    lots: LotResult
    frame: pl.DataFrame  # open lots with their terms as of `today` (positions.with_terms)
    totals: list[tuple[str, str, int, int, int, int]]  # per position: quantity, lots, basis, unknown
    today: int
    now: int
    year_end: int  # epoch micros of Jan 1 next year in the tax zone
    tax_result: TaxResult
    realized: tuple[int, int]
    profile: TaxProfile
    params: TaxParams
    quality: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    recent_buys: dict[str, int] = field(default_factory=dict)  # asset -> last acquisition day
