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

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import accumulate, repeat
from operator import itemgetter, sub
from typing import Any, NamedTuple

import polars as pl

from engine.ledger.realized_slices import RealizedSlices, Run
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
    """A match's slices as polars frames, part by part (read: slices start to stop). What a
    part's disposals share is read with the part (the runs over it): not all of it up front,
    where it held up the first part's formatting (0.2-0.3 s at a million slices)."""

    def __init__(self, slices: RealizedSlices) -> None:
        self._slices = slices
        self._own = _own_columns(slices)
        self._runs = slices.runs
        self._ends = list(accumulate(map(itemgetter(0), slices.runs)))  # in C: where each run's slices end
        if (self._ends[-1] if self._ends else 0) != len(
            slices
        ):  # pragma: no cover - the matcher's runs cover its slices
            raise ValueError("realized slices: the runs do not cover the slices")

    def shared(self, start: int, stop: int) -> pl.DataFrame:
        """What the disposals of slices start to stop share, a row per disposal (account, asset,
        sold_day, sale_id; `count`: its slices among them)."""
        runs = _runs_over(self._runs, self._ends, start, stop)
        counts, *shared = zip(*runs, strict=True) if runs else ((),) * 5
        return pl.DataFrame(
            [
                pl.Series("count", counts, dtype=pl.UInt32),
                *(
                    pl.Series(name, values, dtype=dtype)
                    for (name, dtype), values in zip(_SHARED, shared, strict=True)
                ),
            ]
        )

    def read(self, start: int, stop: int, read_rows: int, shared: pl.DataFrame | None = None) -> pl.DataFrame:
        """Slices start to stop, RealizedRow's fields in order; the own fields read read_rows at a
        time (the objects just sliced still in the cache); `shared`: self.shared(start, stop)
        when the caller has it. OverflowError or TypeError for an amount past Int128."""
        pieces = [self._read_own(at, min(at + read_rows, stop)) for at in range(start, stop, read_rows)]
        own = pl.concat(pieces, rechunk=False) if len(pieces) > 1 else pieces[0]
        runs = self.shared(start, stop) if shared is None else shared
        # the run of each slice, in order (each run's index repeated its count of times)
        run_of = pl.select(
            pl.int_range(0, len(runs), dtype=pl.UInt32).repeat_by(runs["count"]).explode()
        ).to_series()
        gathered = runs.select(name for name, _ in _SHARED)[run_of]
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
                gathered["account"],
                gathered["asset"],
                own["quantity"],
                own["acquired_day"],
                gathered["sold_day"],
                proceeds,
                basis,
                gain,
                own["term"],
                own["lot_id"],
                gathered["sale_id"],
            ]
        )

    def _read_own(self, start: int, stop: int) -> pl.DataFrame:
        return pl.DataFrame(
            [
                pl.Series(name, column[start:stop], dtype=dtype)
                for (name, dtype), column in zip(_OWN, self._own, strict=True)
            ]
        )


def _runs_over(runs: Sequence[Run], ends: Sequence[int], first: int, last: int) -> list[Run]:
    """The runs over slices first to last (none of no slices: they hold nothing), the first and
    the last cut to their slices among them; `ends`: where each run's slices end."""
    if first >= last:
        return []
    low, high = (
        bisect_right(ends, first),
        bisect_left(ends, last),
    )  # the first run ending past first, the last over last
    over = list(runs[low : high + 1])
    if min(map(itemgetter(0), over)) <= 0:  # (in C)
        over = [
            run for run in over if run[0] > 0
        ]  # runs[low] and runs[high] hold slices: still the first and last

    def cut(run: Run, end: int) -> Run:
        count = min(end, last) - max(end - run[0], first)
        return run if count == run[0] else (count, run[1], run[2], run[3], run[4])

    over[0] = cut(over[0], ends[low])
    if high > low:
        over[-1] = cut(over[-1], ends[high])
    return over


def _within(amounts: pl.Series) -> bool:
    low, high = amounts.min(), amounts.max()
    return isinstance(low, int) and isinstance(high, int) and low > -_SAFE_SUB and high < _SAFE_SUB
