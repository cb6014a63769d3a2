"""The oracle's engine/ledger/lot_pool.py as it was before the matcher's speed work (commit
b29303c), unchanged (tests/oracle/lots.py)."""

from __future__ import annotations

from collections import deque
from typing import Any

# A lot while matching: [quantity (Amount), basis (Amount or None), acquired (EpochMicros),
# lot_id, seq, account, acquired day (DayOrdinal)]. Lists, because a partial sale shrinks them
# in place; the values inside are plain ints (no unit wrapping in this loop), and the records
# built from them (RealizedRow, OpenLot) are made with tuple.__new__, unchecked.
Lot = list[Any]
Taken = list[tuple[Lot, int, "int | None"]]


class Pool:
    """One pool's open lots. fifo/lifo: a deque kept in acquisition order (fifo takes from the
    left, lifo from the right; lots nearly always arrive in order, so it is an append). hifo:
    a heap keyed by unit cost."""

    __slots__ = ("account", "asset", "queue", "heap", "by_id")

    def __init__(self, account: str, asset: str) -> None:
        self.account = account
        self.asset = asset
        self.queue: deque[Lot] = deque()
        self.heap: list[tuple[int, int, int, Lot]] = []
        self.by_id: dict[str, list[Lot]] = {}

    def lots(self) -> list[Lot]:
        return list(self.queue) + [entry[3] for entry in self.heap]


def consume(lot: Lot, part: int) -> int | None:
    """Take `part` of a lot; returns the basis taken. Pro rata, rounded down; the remainder
    stays with the lot, so basis is conserved exactly across all slices."""
    qty, basis = lot[0], lot[1]
    if part == qty:
        lot[0] = 0
        return basis  # type: ignore[no-any-return]
    lot[0] = qty - part
    if basis is None:
        return None
    portion: int = basis * part // qty
    lot[1] = basis - portion
    return portion


def share(total: int | None, part: int, whole: int) -> int | None:
    """Pro-rata share of proceeds still to allocate (the last slice takes the rest)."""
    if total is None:
        return None
    if part == whole:
        return total
    return total * part // whole
