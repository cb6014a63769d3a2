"""The matcher's realized slices (engine.ledger.realized_slices.RealizedSlices) read into polars a
part at a time, for the columnar CSV (engine.reports.columnar_csv), without spreading a disposal's
shared fields into Python lists of a million cells first.

- a slice's own fields (quantity, acquired day, proceeds, basis, term, lot id) are read from the
  matcher's lists, a part's cut at a time;
- what a disposal's slices share (account, asset, sold day, sale id) is read once per disposal
  (its run), and each part gathers it in polars by the run each slice belongs to;
- the gain (proceeds - basis) is worked out in Int128 when no difference can leave Int128 (both
  within ±2^126), else from the Python ints as before.

The frame has RealizedRow's fields in its order, the cells the row-wise read gives."""

from __future__ import annotations

from itertools import repeat
from operator import sub
from typing import Any, NamedTuple

import polars as pl

from engine.ledger.realized_slices import RealizedSlices
from engine.ledger.records import RealizedRow

_OWN = (
    ("quantity", pl.Int128),
    ("acquired_day", pl.Int32),
    ("proceeds", pl.Int128),
    ("cost_basis", pl.Int128),
    ("term", pl.String),
    ("lot_id", pl.String),
)
_SHARED = (("account", pl.String), ("asset", pl.String), ("sold_day", pl.Int32), ("sale_id", pl.String))
_SAFE_SUB = 2**126  # |a|, |b| below this: a - b fits Int128 (polars' Int128 arithmetic wraps)


class SlicePart(NamedTuple):
    """Slices start to stop of a match's slices: the rows built only if the row writer needs them."""

    slices: RealizedSlices
    start: int
    stop: int

    def rows(self) -> list[RealizedRow]:
        """The part's RealizedRows (the slices' columns cut to it, the runs spread over it)."""
        start, stop = self.start, self.stop
        shared: list[list[Any]] = [[], [], [], []]
        at = 0
        for count, *values in self.slices.runs:
            end = at + count
            if end > start and at < stop:
                times = min(end, stop) - max(at, start)
                for column, value in zip(shared, values, strict=True):
                    column += repeat(value, times)
            at = end
            if at >= stop:
                break
        own = [column[start:stop] for column in _own_columns(self.slices)]
        quantity, acquired, proceeds, basis, term, lot = own
        account, asset, sold, sale = shared
        gain = list(map(sub, proceeds, basis))
        fields = (account, asset, quantity, acquired, sold, proceeds, basis, gain, term, lot, sale)
        return [RealizedRow(*row) for row in zip(*fields, strict=True)]


def _own_columns(slices: RealizedSlices) -> tuple[list[Any], ...]:
    return tuple(getattr(slices, name) for name, _ in _OWN)


class SliceFrames:
    """A match's slices as polars frames, part by part (read: slices start to stop)."""

    def __init__(self, slices: RealizedSlices) -> None:
        self._slices = slices
        self._own = _own_columns(slices)
        runs = [run for run in slices.runs if run[0] > 0]  # (a run of no slices holds nothing)
        counts, *shared = zip(*runs, strict=True) if runs else ((),) * 5
        self._shared = pl.DataFrame(
            [
                pl.Series(name, values, dtype=dtype)
                for (name, dtype), values in zip(_SHARED, shared, strict=True)
            ]
        )
        # the run of each slice, in order (each run's index repeated its count of times)
        self._run_of = pl.select(
            pl.int_range(0, len(counts), dtype=pl.UInt32)
            .repeat_by(pl.Series(counts, dtype=pl.UInt32))
            .explode()
        ).to_series()
        if len(self._run_of) != len(slices):  # pragma: no cover - the matcher's runs cover its slices
            raise ValueError("realized slices: the runs do not cover the slices")

    @property
    def shared(self) -> pl.DataFrame:
        """What each disposal's slices share, a row per disposal (account, asset, sold_day, sale_id)."""
        return self._shared

    def read(self, start: int, stop: int, read_rows: int) -> pl.DataFrame:
        """Slices start to stop, RealizedRow's fields in order; the own fields read read_rows at a
        time (the objects just sliced still in the cache). OverflowError or TypeError for an
        amount past Int128."""
        pieces = [self._read_own(at, min(at + read_rows, stop)) for at in range(start, stop, read_rows)]
        own = pl.concat(pieces, rechunk=False) if len(pieces) > 1 else pieces[0]
        shared = self._shared[self._run_of.slice(start, stop - start)]
        proceeds, basis = own["proceeds"], own["cost_basis"]
        if _within(proceeds) and _within(basis):
            gain = (proceeds - basis).alias("gain")
        else:  # a difference that may leave Int128: Python's ints (OverflowError past it)
            gain = pl.Series(
                "gain", list(map(sub, self._slices.proceeds[start:stop], self._slices.cost_basis[start:stop])),
                dtype=pl.Int128,
            )  # fmt: skip
        return pl.DataFrame(
            [
                shared["account"],
                shared["asset"],
                own["quantity"],
                own["acquired_day"],
                shared["sold_day"],
                proceeds,
                basis,
                gain,
                own["term"],
                own["lot_id"],
                shared["sale_id"],
            ]
        )

    def _read_own(self, start: int, stop: int) -> pl.DataFrame:
        return pl.DataFrame(
            [
                pl.Series(name, column[start:stop], dtype=dtype)
                for (name, dtype), column in zip(_OWN, self._own, strict=True)
            ]
        )


def _within(amounts: pl.Series) -> bool:
    low, high = amounts.min(), amounts.max()
    return isinstance(low, int) and isinstance(high, int) and low > -_SAFE_SUB and high < _SAFE_SUB
