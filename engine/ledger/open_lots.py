"""A match's open lots, as the matcher left them in its pools: OpenLot rows are built (and
sorted) only when something reads them, and the planner's lot frame is built from the pools'
lots without them (engine.planning.open_lot_frame: a million tuples and their sort in Python
were ~2 s of the app's cold start)."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import overload

from engine.ledger.lot_pool import Lot
from engine.ledger.records import OpenLot

_new_row = tuple.__new__  # builds a NamedTuple without its keyword-handling constructor
_account = itemgetter(5)  # a lot's (engine.ledger.lot_pool.Lot)
_acquisition_order = itemgetter(2, 3)  # a lot's (acquired, lot_id), in C
_first = itemgetter(0)
_acquired = itemgetter(2)
_lot_id = itemgetter(3)
SORT_PIECE = 5_000  # a group past this many lots is sorted by polars when it is loaded (below)


class OpenLots(Sequence[OpenLot]):
    """The open lots, by account, asset, acquisition time and lot id (a stable sort: ties keep
    the pools' order). `pools`: each pool's asset and its lots with a quantity left, in the
    matcher's order (the lot lists are no longer changed once the match is done)."""

    __slots__ = ("pools", "_rows", "_groups")

    def __init__(self, pools: list[tuple[str, list[Lot]]]) -> None:
        self.pools = pools
        self._rows: list[OpenLot] | None = None
        self._groups: list[tuple[str, list[Lot]]] | None = None

    def groups(self) -> list[tuple[str, list[Lot]]]:
        """(asset, lots) per account and asset, in the rows' order, each group's lots sorted:
        the sort the rows take, without building them. A pool holds one account's lots (or, in
        a universal pool, each asset's lots of every account), so each group comes from one
        pool, its lots in the pool's order; a stable sort by (acquired, lot id) in each group,
        the groups by (account, asset), is the rows' stable sort by all four."""
        groups = self._groups
        if groups is None:
            by_key: dict[tuple[str, str], list[Lot]] = {}
            for asset, lots in self.pools:
                accounts = set(map(_account, lots))
                if len(accounts) == 1:
                    by_key.setdefault((accounts.pop(), asset), []).extend(lots)  # a copy: sorted below
                    continue
                for lot in lots:  # a universal pool: its lots split by account, in order
                    by_key.setdefault((lot[5], asset), []).append(lot)
            groups = []
            for (_account_name, asset), lots in sorted(by_key.items(), key=_first):
                groups.append((asset, sorted_by_acquisition(lots)))
            self._groups = groups
        return groups

    def rows(self) -> list[OpenLot]:
        rows = self._rows
        if rows is None:
            rows = self._rows = [
                _new_row(OpenLot, (lot[5], asset, lot[3], lot[0], lot[1], lot[2], lot[6]))
                for asset, lots in self.groups()
                for lot in lots
            ]
        return rows

    def unknown_basis(self) -> list[OpenLot]:
        """The rows whose basis is unknown, in the rows' order (without building the others)."""
        if self._rows is not None:
            return [lot for lot in self._rows if lot.basis is None]
        if self._groups is None:  # only these lots sorted (the rows' stable sort keeps their order)
            return OpenLots(
                [(asset, [lot for lot in lots if lot[1] is None]) for asset, lots in self.pools]
            ).rows()
        return [
            _new_row(OpenLot, (lot[5], asset, lot[3], lot[0], lot[1], lot[2], lot[6]))
            for asset, lots in self._groups
            for lot in lots
            if lot[1] is None
        ]

    def __len__(self) -> int:
        return sum(len(lots) for _asset, lots in self.pools)

    @overload
    def __getitem__(self, index: int) -> OpenLot: ...
    @overload
    def __getitem__(self, index: slice) -> list[OpenLot]: ...
    def __getitem__(self, index: int | slice) -> OpenLot | list[OpenLot]:
        return self.rows()[index]

    def __iter__(self) -> Iterator[OpenLot]:
        return iter(self.rows())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OpenLots | list | tuple):
            return self.rows() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self.rows())


def sorted_by_acquisition(lots: list[Lot]) -> list[Lot]:
    """`lots` sorted by (acquired, lot id), stably (in place when small). A big group in a
    process that has polars loaded (the app, the planner) is sorted by polars, which lets go of
    the GIL, its keys read and its lots reordered a piece at a time: list.sort holds the GIL
    for the whole sort (40-250 ms of CPU a group at a million lots), which freezes the app's
    event loop while a worker runs the slow path. The order is the same: polars compares
    strings by their UTF-8 bytes, which order as Python's code points do. The command line,
    without polars, keeps list.sort (polars' import costs more than it saves there)."""
    if len(lots) <= SORT_PIECE or "polars" not in sys.modules:
        lots.sort(key=_acquisition_order)
        return lots
    import polars as pl

    pieces = range(0, len(lots), SORT_PIECE)
    try:
        keys = pl.concat(
            [
                pl.DataFrame(
                    {"acquired": list(map(_acquired, lots[start : start + SORT_PIECE])),
                     "lot_id": list(map(_lot_id, lots[start : start + SORT_PIECE]))},
                    schema={"acquired": pl.Int64, "lot_id": pl.String},
                )
                for start in pieces
            ]
        )  # fmt: skip
    except (pl.exceptions.PolarsError, TypeError, OverflowError, UnicodeEncodeError):
        lots.sort(key=_acquisition_order)  # a key polars cannot hold (a lone surrogate in an id)
        return lots
    order = keys.with_row_index("at").sort("acquired", "lot_id", maintain_order=True).get_column("at")
    ordered: list[Lot] = []
    for start in pieces:
        ordered.extend(map(lots.__getitem__, order.slice(start, SORT_PIECE).to_list()))
    return ordered


def unknown_basis(lots: Sequence[OpenLot]) -> list[OpenLot]:
    """The open lots whose basis is unknown, in order (cheap on a match's OpenLots)."""
    if isinstance(lots, OpenLots):
        return lots.unknown_basis()
    return [lot for lot in lots if lot.basis is None]
