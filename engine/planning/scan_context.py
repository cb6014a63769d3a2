"""What a scan needs besides prices: rebuilt on the slow path (load, import, sync, profile
change), read on every price tick."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from engine.config.load import Config
from engine.core.units import Amount, DayOrdinal, EpochMicros
from engine.ledger.records import LotResult
from engine.planning.cost_index import CostIndex, cost_index
from engine.planning.data_problems import DataProblem
from engine.planning.positions import PositionTotal
from engine.tax.model import TaxProfile, TaxResult
from engine.tax.params import TaxParams


@dataclass
class ScanContext:
    """Everything a scan needs besides prices (rebuilt on the slow path only)."""

    config: Config
    lots: LotResult
    frame: pl.DataFrame  # open lots with their terms as of `today` (positions.with_terms)
    totals: list[PositionTotal]
    today: DayOrdinal
    now: EpochMicros
    year_end: EpochMicros  # Jan 1 of the next tax year, in the tax zone
    tax_result: TaxResult
    realized: tuple[Amount, Amount]  # this tax year's realized short- and long-term gain
    profile: TaxProfile
    params: TaxParams
    quality: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    problems: list[DataProblem] = field(default_factory=list)  # what `quality` is made from
    recent_buys: dict[str, DayOrdinal] = field(default_factory=dict)  # asset -> last acquisition day
    # (account, asset) -> the quantity step its exchange takes orders in (kept by sync)
    amount_steps: dict[tuple[str, str], Amount] = field(default_factory=dict)

    # what `cost_index` built, and from which frame: a field, so dataclasses.replace carries it
    # over (engine.review.problems scans a copy with the gate open) unless the frame changed
    built_index: CostIndex | None = field(default=None, repr=False, compare=False)

    @property
    def cost_index(self) -> CostIndex:
        """The open lots sorted by unit cost per group, for the per-tick pass (derived from
        `frame` alone: the slow path builds it, and so can a context rebuilt from a saved frame)."""
        index = self.built_index
        if index is None or index.source is not self.frame:
            index = self.built_index = cost_index(self.frame)
        return index
