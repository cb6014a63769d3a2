"""The realized slices in columns, as the matcher emits them: RealizedRow tuples are built only
when something reads rows; the columnar CSV takes the columns as they are
(engine.reports.realized_columns.columns_of).

The matcher appends a slice's own fields (quantity, acquired day, proceeds, basis, term, lot id)
to one list each, and once per disposal what all its slices share (account, asset, sold day,
sale id) with their count: a run. The gain (proceeds - basis) and the runs' fields are spread
into full columns in C when the columns are asked for."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from itertools import chain, repeat
from operator import sub
from typing import Any, overload

from engine.ledger.records import RealizedRow

_row = partial(tuple.__new__, RealizedRow)  # a RealizedRow from its fields in order, in C

# A disposal's run: (slices, account, asset, sold_day, sale_id)
Run = tuple[int, str, str, int, str]


class RealizedSlices(Sequence[RealizedRow]):
    """Realized slices in processing order; a Sequence of RealizedRow (rows built on first read)."""

    __slots__ = ("quantity", "acquired_day", "proceeds", "cost_basis", "term", "lot_id", "runs", "_rows")

    def __init__(self) -> None:
        self.quantity: list[int] = []
        self.acquired_day: list[int] = []
        self.proceeds: list[int] = []
        self.cost_basis: list[int] = []
        self.term: list[str] = []
        self.lot_id: list[str] = []
        self.runs: list[Run] = []  # appended after each disposal's slices
        self._rows: list[RealizedRow] | None = None

    def add(self, row: RealizedRow) -> None:
        """One slice as a row (the matcher's general path): a run of its own."""
        self.quantity.append(row.quantity)
        self.acquired_day.append(row.acquired_day)
        self.proceeds.append(row.proceeds)
        self.cost_basis.append(row.cost_basis)
        self.term.append(row.term)
        self.lot_id.append(row.lot_id)
        self.runs.append((1, row.account, row.asset, row.sold_day, row.sale_id))
        self._rows = None

    def to_fill(self) -> tuple[list[Any], ...]:
        """The lists the matchers' inlined loops append to (quantity, acquired_day, proceeds,
        cost_basis, term, lot_id, runs), read once a run: a loop's free variables, each append
        the interpreter's own for a list (a bound append kept instead costs a call: 3% more of
        the match's instructions). The rows, if built, are stale from here."""
        self._rows = None
        return (
            self.quantity,
            self.acquired_day,
            self.proceeds,
            self.cost_basis,
            self.term,
            self.lot_id,
            self.runs,
        )

    def columns(self) -> tuple[list[Any], ...]:
        """RealizedRow's fields in its order, one full list each (account ... sale_id)."""
        if self.runs:
            counts, accounts, assets, sold_days, sale_ids = zip(*self.runs, strict=True)
        else:
            counts = accounts = assets = sold_days = sale_ids = ()
        return (
            _spread(accounts, counts),
            _spread(assets, counts),
            self.quantity,
            self.acquired_day,
            _spread(sold_days, counts),
            self.proceeds,
            self.cost_basis,
            list(map(sub, self.proceeds, self.cost_basis)),
            self.term,
            self.lot_id,
            _spread(sale_ids, counts),
        )

    def rows(self) -> list[RealizedRow]:
        rows = self._rows
        if rows is None:
            rows = self._rows = list(map(_row, zip(*self.columns(), strict=True)))
        return rows

    def in_days(self, first: int, last: int) -> RealizedSlices:
        """The slices sold from day `first` to day `last` (whole runs: a disposal's slices
        share its day), in order."""
        kept = RealizedSlices()
        spans: list[list[int]] = []  # [start, end) of the slices kept, neighbours joined
        start = 0
        for run in self.runs:
            end = start + run[0]
            if first <= run[3] <= last:
                if spans and spans[-1][1] == start:
                    spans[-1][1] = end
                else:
                    spans.append([start, end])
                kept.runs.append(run)
            start = end
        for span_start, span_end in spans:  # nearly always one: slices come in time order
            kept._extend_from(self, span_start, span_end)
        return kept

    def __add__(self, other: object) -> RealizedSlices:
        if not isinstance(other, RealizedSlices):
            return NotImplemented
        joined = RealizedSlices()
        for part in (self, other):
            joined._extend_from(part, 0, len(part))
            joined.runs += part.runs
        return joined

    def _extend_from(self, other: RealizedSlices, start: int, end: int) -> None:
        for mine, theirs in zip(self._own_fields(), other._own_fields(), strict=True):
            mine += theirs[start:end]
        self._rows = None

    def _own_fields(self) -> tuple[list[Any], ...]:
        return (self.quantity, self.acquired_day, self.proceeds, self.cost_basis, self.term, self.lot_id)

    def __len__(self) -> int:
        return len(self.quantity)

    @overload
    def __getitem__(self, index: int) -> RealizedRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[RealizedRow]: ...
    def __getitem__(self, index: int | slice) -> RealizedRow | list[RealizedRow]:
        return self.rows()[index]

    def __iter__(self) -> Iterator[RealizedRow]:
        return iter(self.rows())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RealizedSlices | list | tuple):
            return self.rows() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self.rows())


def _spread(values: Iterable[Any], counts: Iterable[int]) -> list[Any]:
    """Each value repeated its count of times, in order (in C)."""
    return list(chain.from_iterable(map(repeat, values, counts)))


def rows_in_days(rows: Sequence[RealizedRow], first: int, last: int) -> Sequence[RealizedRow]:
    """The rows sold from day `first` to day `last`, in order (in columns when they are)."""
    if isinstance(rows, RealizedSlices):
        return rows.in_days(first, last)
    return [row for row in rows if first <= row.sold_day <= last]


def joined(first: Sequence[RealizedRow], then: Sequence[RealizedRow]) -> Sequence[RealizedRow]:
    """Two runs' rows one after the other (in columns when both are)."""
    if isinstance(first, RealizedSlices) and isinstance(then, RealizedSlices):
        return first + then
    return [*first, *then]
