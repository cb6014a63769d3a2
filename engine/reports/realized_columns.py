"""The realized slices field by field: what the columnar CSV is built from. The matcher emits
its slices in columns (engine.ledger.realized_slices.RealizedSlices, also what a year's filter
of them gives): columns_of takes those as they are; other rows (a list of RealizedRow) are
transposed (zip(*rows), in C). No polars here: a small report decides its path without loading
it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from engine.ledger.realized_slices import RealizedSlices
from engine.ledger.records import RealizedRow


class RealizedColumns(NamedTuple):
    """RealizedRow's fields in its order, one sequence each, all of one length."""

    account: Sequence[str]
    asset: Sequence[str]
    quantity: Sequence[int]
    acquired_day: Sequence[int]
    sold_day: Sequence[int]
    proceeds: Sequence[int]
    cost_basis: Sequence[int]
    gain: Sequence[int]
    term: Sequence[str]
    lot_id: Sequence[str]
    sale_id: Sequence[str]

    @property
    def slices(self) -> int:
        return len(self.account)


def columns_of(rows: Sequence[RealizedRow]) -> RealizedColumns:
    if not rows:
        return RealizedColumns(*([()] * len(RealizedRow._fields)))
    if isinstance(rows, RealizedSlices):  # the matcher's columns: no row built, no transpose
        return RealizedColumns(*rows.columns())
    return RealizedColumns(*zip(*rows, strict=True))
