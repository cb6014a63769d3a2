"""Cost-basis lots: match every disposal to the lots it consumes, per pool, in time order.

Pools are per account and asset (Treas. Reg. 1.1012-1(j), from 2025) or per asset when
`lots.basis_scope` is universal. The standing method (fifo, lifo, hifo) picks lots for a
disposal unless the disposal carries a specific identification; `specific` honours
identifications and falls back to FIFO, saying so. This is the slow path's inner loop: plain
ints and lists, one heap per pool, no per-leg allocation beyond the output tuples."""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine import fixedpoint as fp
from engine.ledger import ACQUIRE, DISPOSE, MOVE_IN, MOVE_OUT
from engine.transfers import MoveLeg, pair_transfers

METHODS = ("fifo", "lifo", "hifo", "specific")

# A leg as loaded from the store, sorted by (timestamp, event id, seq):
# (event_id, seq, account, asset, kind, timestamp, quantity, usd, ref, identification,
#  counterpart, tx_id, flag)
LegRow = tuple[
    int,
    int,
    str,
    str,
    str,
    int,
    int,
    int | None,
    str,
    str | None,
    str | None,
    str | None,
    str | None,
]

# Realized slice: (account, asset, quantity, acquired, sold, proceeds, basis, lot_id, sale_id,
# problem). problem is None, or why the slice is left out of totals (unknown basis, missing
# history, no USD value); acquired is None for quantity no lot covered.
Slice = tuple[str, str, int, int | None, int, int | None, int | None, str | None, str, str | None]

# A lot while matching: [quantity, basis or None, acquired micros, lot_id, seq, account]
Lot = list[Any]


@dataclass(frozen=True, slots=True)
class OpenLot:
    account: str
    asset: str
    lot_id: str
    quantity: int
    basis: int | None  # None: unknown basis (e.g. a transfer in with no source)
    acquired: int


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A disposal larger than the pool held: history is missing for this account/asset."""

    account: str
    asset: str
    quantity: int
    timestamp: int
    sale_id: str


@dataclass
class LotResult:
    realized: list[Slice] = field(default_factory=list)
    open_lots: list[OpenLot] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_identification(spec: str) -> list[tuple[str, int]]:
    """'LOT:QTY;LOT:QTY' to [(lot_id, quantity)]; ValueError on anything else."""
    chosen: list[tuple[str, int]] = []
    for raw_part in spec.split(";"):
        part = raw_part.strip()
        if not part:
            continue
        lot_id, sep, qty_text = part.rpartition(":")
        if not sep or not lot_id.strip():
            raise ValueError(f"expected LOT_ID:QTY, got {part!r}")
        quantity = fp.parse(qty_text)
        if quantity <= 0:
            raise ValueError(f"quantity for lot {lot_id.strip()} must be positive")
        chosen.append((lot_id.strip(), quantity))
    if not chosen:
        raise ValueError("empty identification")
    return chosen


class _Pool:
    __slots__ = ("heap", "by_id")

    def __init__(self) -> None:
        self.heap: list[tuple[int, int, int, Lot]] = []
        self.by_id: dict[str, list[Lot]] = {}


class _Matcher:
    def __init__(self, method: str, universal: bool) -> None:
        if method not in METHODS:
            raise ValueError(f"unknown lot method {method}")
        self.order = "fifo" if method == "specific" else method
        self.say_fallback = method == "specific"
        self.universal = universal
        self.pools: dict[tuple[str, str], _Pool] = {}
        self.seq = 0
        self.result = LotResult()

    def pool(self, account: str, asset: str) -> _Pool:
        key = ("*", asset) if self.universal else (account, asset)
        found = self.pools.get(key)
        if found is None:
            found = self.pools[key] = _Pool()
        return found

    def new_lot(self, qty: int, basis: int | None, acquired: int, lot_id: str, account: str) -> Lot:
        self.seq += 1
        return [qty, basis, acquired, lot_id, self.seq, account]

    def add(self, pool: _Pool, lot: Lot) -> None:
        acquired, seq = lot[2], lot[4]
        if self.order == "fifo":
            entry = (acquired, seq, 0, lot)
        elif self.order == "lifo":
            entry = (-acquired, -seq, 0, lot)
        else:  # hifo: highest fee-inclusive unit cost first, older lot first on ties
            unit = lot[1] * fp.SCALE // lot[0] if lot[1] is not None else -1
            entry = (-unit, acquired, seq, lot)
        heapq.heappush(pool.heap, entry)
        pool.by_id.setdefault(lot[3], []).append(lot)

    def take(
        self, pool: _Pool, quantity: int, chosen: list[tuple[str, int]] | None
    ) -> tuple[list[tuple[Lot, int, int | None]], int]:
        """Consume `quantity`: [(lot, quantity taken, basis taken)] and the unmet quantity."""
        taken: list[tuple[Lot, int, int | None]] = []
        remaining = quantity
        for lot_id, wanted in chosen or ():
            for lot in pool.by_id.get(lot_id, ()):
                if not remaining or not wanted:
                    break
                if lot[0] > 0:
                    part = min(lot[0], wanted, remaining)
                    taken.append((lot, part, _consume(lot, part)))
                    wanted -= part
                    remaining -= part
            if wanted and remaining:
                self.result.warnings.append(
                    f"identified lot {lot_id} lacks {fp.fmt(wanted, 0)} of the quantity named; "
                    f"the standing method covers the rest"
                )
        heap = pool.heap
        while remaining and heap:
            lot = heap[0][3]
            lot_qty = lot[0]
            if lot_qty <= 0:  # emptied earlier by a specific identification
                heapq.heappop(heap)
                continue
            part = lot_qty if lot_qty <= remaining else remaining
            taken.append((lot, part, _consume(lot, part)))
            remaining -= part
            if part == lot_qty:
                heapq.heappop(heap)
        return taken, remaining

    def acquire(self, leg: LegRow) -> None:
        _e, _s, account, asset, _k, ts, qty, usd, ref, _i, _c, _t, flag = leg
        self.add(
            self.pool(account, asset),
            self.new_lot(qty, usd if flag is None else None, ts, ref, account),
        )
        if flag:
            self.result.warnings.append(f"{ref}: {flag}; basis unknown")

    def dispose(self, leg: LegRow) -> None:
        _e, _s, account, asset, _k, ts, qty, usd, ref, ident, _c, _t, flag = leg
        chosen = parse_identification(ident) if ident else None
        if chosen is None and self.say_fallback:
            self.result.warnings.append(f"{ref}: no specific identification recorded; FIFO used")
        taken, unmet = self.take(self.pool(account, asset), qty, chosen)
        proceeds = None if flag else usd
        left_qty = qty
        realized = self.result.realized
        for lot, part, basis in taken:
            share = _share(proceeds, part, left_qty)
            left_qty -= part
            if proceeds is not None and share is not None:
                proceeds -= share
            problem = flag or (None if basis is not None else "unknown basis")
            realized.append((account, asset, part, lot[2], ts, share, basis, lot[3], ref, problem))
        if unmet:
            realized.append(
                (account, asset, unmet, None, ts, proceeds, None, None, ref, "missing history")
            )
            self.result.shortfalls.append(Shortfall(account, asset, unmet, ts, ref))
        if flag:
            self.result.warnings.append(f"{ref}: {flag}; left out of realized totals")

    def move_out(self, leg: LegRow) -> list[Lot]:
        _e, _s, account, asset, _k, ts, qty, _u, ref, _i, _c, _t, _f = leg
        taken, unmet = self.take(self.pool(account, asset), qty, None)
        if unmet:
            self.result.shortfalls.append(Shortfall(account, asset, unmet, ts, ref))
        return [[part, basis, lot[2], lot[3], lot[4], account] for lot, part, basis in taken]

    def move_in(self, leg: LegRow, moving: list[Lot] | None) -> None:
        _e, _s, account, asset, _k, ts, qty, _u, ref, _i, _c, _t, _f = leg
        warn = self.result.warnings.append
        pool = self.pool(account, asset)
        if moving is None:
            self.add(pool, self.new_lot(qty, None, ts, ref, account))
            warn(f"{ref}: transfer into {account} with no matching transfer out; basis unknown")
            return
        remaining = qty
        for lot in moving:
            part = min(lot[0], remaining)
            if part < lot[0]:
                warn(
                    f"{ref}: received less than was sent; {fp.fmt(lot[0] - part, 0)} {asset} untracked"
                )
            if part:
                basis = lot[1] if part == lot[0] or lot[1] is None else lot[1] * part // lot[0]
                self.add(pool, [part, basis, lot[2], lot[3], lot[4], account])
                remaining -= part
        if remaining:
            self.add(pool, self.new_lot(remaining, None, ts, ref, account))
            warn(
                f"{ref}: received more than was sent; {fp.fmt(remaining, 0)} {asset} has unknown basis"
            )


def _processing_order(legs: Sequence[LegRow], pairs: dict[int, int]) -> Iterator[int]:
    """Leg indices in time order, except a transfer-in seen before its transfer-out (venue
    clocks differ) is handled right after that transfer-out."""
    late = {out: inn for inn, out in pairs.items() if legs[inn][4] == MOVE_IN and out > inn}
    early_ins = set(late.values())
    for index in range(len(legs)):
        if index in early_ins:
            continue
        yield index
        if index in late:
            yield late[index]


def match_lots(legs: Sequence[LegRow], method: str = "fifo", universal: bool = False) -> LotResult:
    """Run every leg through its pool; return realized slices, open lots and problems."""
    matcher = _Matcher(method, universal)
    moves = [
        MoveLeg(i, leg[2], leg[3], leg[4], leg[5], leg[6], leg[10], leg[11])
        for i, leg in enumerate(legs)
        if leg[4] in (MOVE_IN, MOVE_OUT)
    ]
    pairs = pair_transfers(moves) if moves else {}
    transit: dict[int, list[Lot]] = {}
    acquire, dispose = matcher.acquire, matcher.dispose
    for index in _processing_order(legs, pairs) if pairs else range(len(legs)):
        leg = legs[index]
        kind = leg[4]
        if kind == DISPOSE:
            dispose(leg)
        elif kind == ACQUIRE:
            acquire(leg)
        elif universal and (index in pairs or leg[10]):
            continue  # a move between accounts of one universal pool changes nothing
        elif kind == MOVE_OUT:
            moving = matcher.move_out(leg)
            if index in pairs:
                transit[index] = moving
            elif leg[10]:  # counterpart named but no transfer-in recorded: lots arrive now
                for lot in moving:
                    matcher.add(matcher.pool(leg[10], leg[3]), [*lot[:5], leg[10]])
            else:
                matcher.result.warnings.append(
                    f"{leg[8]}: {fp.fmt(leg[6], 0)} {leg[3]} sent out of {leg[2]} to no known "
                    "account; untracked"
                )
        else:
            partner = pairs.get(index)
            matcher.move_in(leg, transit.pop(partner) if partner is not None else None)
    return _finish(matcher)


def _finish(matcher: _Matcher) -> LotResult:
    result = matcher.result
    for (_account, asset), pool in matcher.pools.items():
        for entry in pool.heap:
            lot = entry[3]
            if lot[0] > 0:
                result.open_lots.append(OpenLot(lot[5], asset, lot[3], lot[0], lot[1], lot[2]))
    result.open_lots.sort(key=lambda lot: (lot.account, lot.asset, lot.acquired, lot.lot_id))
    return result


def _consume(lot: Lot, part: int) -> int | None:
    """Take `part` of a lot; returns the basis taken. Pro rata, rounded down; the remainder
    stays with the lot, so basis is conserved exactly across all slices."""
    qty, basis = lot[0], lot[1]
    if part == qty:
        lot[0] = 0
        lot[1] = None if basis is None else 0
        return basis  # type: ignore[no-any-return]
    lot[0] = qty - part
    if basis is None:
        return None
    portion: int = basis * part // qty
    lot[1] = basis - portion
    return portion


def _share(total: int | None, part: int, whole: int) -> int | None:
    """Pro-rata share of proceeds still to allocate (the last slice takes the rest)."""
    if total is None:
        return None
    if part == whole:
        return total
    return total * part // whole
