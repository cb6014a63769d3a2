"""The realized slices field by field: what the columnar CSV is built from. Today the matcher
emits one RealizedRow tuple per slice and columns_of transposes them (zip(*rows), in C);
a matcher that emits columns can fill RealizedColumns directly and skip the transpose. No polars
here: a small report decides its path without loading it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

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
    return RealizedColumns(*zip(*rows, strict=True))
