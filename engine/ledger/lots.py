"""Cost-basis lots: match every disposal to the lots it consumes, per pool, in time order.

Pools are per account and asset (Treas. Reg. 1.1012-1(j), from 2025) or per asset when
`lots.basis_scope` is universal. The standing method (fifo, lifo, hifo) picks lots for a
disposal unless the disposal carries a specific identification; `specific` honours
identifications and falls back to FIFO, saying so. This is the slow path's inner loop (a
million legs in a few seconds): plain ints and lists, one heap per pool, pools indexed by int."""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any, cast

from engine.core import fixedpoint as fp
from engine.core.dates import DayOf, anniversary
from engine.core.units import Amount, DayOrdinal, EpochMicros
from engine.ledger.legs import ACQUIRE, DISPOSE, MIGRATE_HELD, MIGRATE_IN, MIGRATE_OUT, MOVE_IN, MOVE_OUT
from engine.ledger.lot_migrations import NOTHING_MIGRATING, Migrating, migrate_held, migrate_in
from engine.ledger.records import (
    LONG,
    SHORT,
    Excluded,
    Ledger,
    LegRow,
    LotResult,
    OpenLot,
    RealizedRow,
    Shortfall,
    parse_identification,
)
from engine.ledger.transfers import MoveLeg, pair_transfers

METHODS = ("fifo", "lifo", "hifo", "specific")
_EPOCH_ORDINAL = 719_163  # date(1970, 1, 1).toordinal()

# A lot while matching: [quantity (Amount), basis (Amount or None), acquired (EpochMicros),
# lot_id, seq, account, acquired day (DayOrdinal)]. Lists, because a partial sale shrinks them
# in place; the values inside are plain ints (no unit wrapping in this loop), and the records
# built from them (RealizedRow, OpenLot) are made with tuple.__new__, unchecked.
Lot = list[Any]
Taken = list[tuple[Lot, int, "int | None"]]
_new_row = tuple.__new__  # builds a NamedTuple without its keyword-handling constructor


class _Pool:
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


class _Matcher:
    """State of one run. The heap orders lots by the standing method; `by_id` is kept only
    when some disposal names lots."""

    def __init__(self, ledger: Ledger, method: str, universal: bool, day: DayOf) -> None:
        if method not in METHODS:
            raise ValueError(f"unknown lot method {method}")
        self.order = "fifo" if method == "specific" else method
        self.by_cost = self.order == "hifo"
        self.end = 0 if self.order == "fifo" else -1  # which end of the queue sells first
        self.say_fallback = method == "specific"
        self.day = day
        self.track_ids = any(leg[6] and leg[6].identification for leg in ledger.legs)
        self.seq = 0
        self.anniversaries: dict[int, int] = {}
        self.result = LotResult()
        self.names = ledger.pools
        self.pools: dict[int, _Pool] = {}
        self.named: dict[tuple[str, str], _Pool] = {}
        for pool_id, (account, asset) in ledger.pools.items():
            self.pools[pool_id] = self.pool(account, asset, universal)

    def pool(self, account: str, asset: str, universal: bool = False) -> _Pool:
        key = ("*", asset) if universal else (account, asset)
        found = self.named.get(key)
        if found is None:
            found = self.named[key] = _Pool(account, asset)
        return found

    def new_lot(self, qty: int, basis: int | None, ts: EpochMicros, lot_id: str, account: str) -> Lot:
        self.seq += 1
        return [qty, basis, ts, lot_id, self.seq, account, self.day(ts)]

    def add(self, pool: _Pool, lot: Lot) -> None:
        acquired, seq = lot[2], lot[4]
        if self.by_cost:  # hifo: highest fee-inclusive unit cost first, older lot first on ties
            unit = fp.unit_price(lot[1], lot[0]) if lot[1] is not None else -1
            heapq.heappush(pool.heap, (-unit, acquired, seq, lot))
        else:
            queue = pool.queue
            if not queue or (queue[-1][2], queue[-1][4]) <= (acquired, seq):
                queue.append(lot)
            else:  # an older lot arriving by transfer: its place in acquisition order
                index = len(queue)
                while index and (queue[index - 1][2], queue[index - 1][4]) > (acquired, seq):
                    index -= 1
                queue.insert(index, lot)
        if self.track_ids:
            pool.by_id.setdefault(lot[3], []).append(lot)

    def take(self, pool: _Pool, quantity: int, chosen: list[tuple[str, Amount]] | None) -> tuple[Taken, int]:
        """Consume `quantity`: [(lot, quantity taken, basis taken)] and the unmet quantity."""
        taken: Taken = []
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
                    "the standing method covers the rest"
                )
        if self.by_cost:
            heap = pool.heap
            while remaining and heap:
                lot = heap[0][3]
                remaining = self._take_one(lot, remaining, taken)
                if lot[0] <= 0:
                    heapq.heappop(heap)
            return taken, remaining
        queue, end = pool.queue, self.end
        drop = queue.popleft if end == 0 else queue.pop
        while remaining and queue:
            lot = queue[end]
            remaining = self._take_one(lot, remaining, taken)
            if lot[0] <= 0:
                drop()
        return taken, remaining

    @staticmethod
    def _take_one(lot: Lot, remaining: int, taken: Taken) -> int:
        lot_qty: int = lot[0]
        if lot_qty <= 0:  # emptied earlier by a specific identification
            return remaining
        if lot_qty <= remaining:
            taken.append((lot, lot_qty, lot[1]))
            lot[0] = 0
            return remaining - lot_qty
        taken.append((lot, remaining, _consume(lot, remaining)))
        return 0

    def acquire(self, leg: LegRow) -> None:
        pool_id, _kind, ts, qty, usd, ref, extra = leg
        pool = self.pools[pool_id]
        flag = extra.flag if extra else None
        basis = None if flag or usd is None else int(usd)
        self.add(pool, self.new_lot(int(qty), basis, ts, ref, pool.account))
        if flag:
            self.result.warnings.append(f"{ref}: {flag}; basis unknown")

    def dispose(self, leg: LegRow) -> None:
        pool_id, _kind, ts, raw_qty, raw_usd, ref, extra = leg
        pool = self.pools[pool_id]
        qty = int(raw_qty)
        if extra is None and not self.say_fallback:
            if self.by_cost:
                top = pool.heap[0][3] if pool.heap else None
            else:
                top = pool.queue[self.end] if pool.queue else None
            if top is not None and top[0] >= qty:  # fast path: the next lot covers the sale
                if top[0] == qty:
                    basis = top[1]
                    top[0] = 0
                    if self.by_cost:
                        heapq.heappop(pool.heap)
                    elif self.end == 0:
                        pool.queue.popleft()
                    else:
                        pool.queue.pop()
                else:
                    basis = _consume(top, qty)
                proceeds = None if raw_usd is None else int(raw_usd)
                self.emit(pool_id, qty, top, self.day(ts), proceeds, basis, ref, None)
                return
        ident, flag = (extra.identification, extra.flag) if extra else (None, None)
        chosen = parse_identification(ident) if ident else None
        if chosen is None and self.say_fallback:
            self.result.warnings.append(f"{ref}: no specific identification recorded; FIFO used")
        taken, unmet = self.take(pool, qty, chosen)
        proceeds = None if flag or raw_usd is None else int(raw_usd)
        sold_day = self.day(ts)
        left_qty = qty
        for lot, part, basis in taken:
            share = _share(proceeds, part, left_qty)
            left_qty -= part
            if proceeds is not None and share is not None:
                proceeds -= share
            self.emit(pool_id, part, lot, sold_day, share, basis, ref, flag)
        if unmet:
            account, asset = self.names[pool_id]
            self.result.excluded.append(
                Excluded(
                    account=account,
                    asset=asset,
                    quantity=Amount(unmet),
                    sold_day=sold_day,
                    sale_id=ref,
                    lot_id=None,
                    problem="missing history",
                )
            )
            self.result.shortfalls.append(
                Shortfall(account=account, asset=asset, quantity=Amount(unmet), timestamp=ts, sale_id=ref)
            )
        if flag:
            self.result.warnings.append(f"{ref}: {flag}; left out of realized totals")

    def emit(
        self,
        pool_id: int,
        part: int,
        lot: Lot,
        sold_day: DayOrdinal,
        proceeds: int | None,
        basis: int | None,
        ref: str,
        flag: str | None,
    ) -> None:
        """Record one sale-lot slice: a realized row, or an excluded one with the reason."""
        account, asset = self.names[pool_id]
        if flag or proceeds is None or basis is None:
            problem = flag or ("unknown basis" if basis is None else "no USD value")
            self.result.excluded.append(
                Excluded(
                    account=account,
                    asset=asset,
                    quantity=Amount(part),
                    sold_day=sold_day,
                    sale_id=ref,
                    lot_id=lot[3],
                    problem=problem,
                )
            )
            return
        acquired_day = lot[6]
        limit = self.anniversaries.get(acquired_day)
        if limit is None:
            limit = self.anniversaries[acquired_day] = anniversary(acquired_day)
        # RealizedRow's fields in order: account, asset, quantity, acquired_day, sold_day, proceeds,
        # cost_basis, gain, term, lot_id, sale_id (positional: this runs once per realized slice)
        term = LONG if sold_day > limit else SHORT
        row = (
            account,
            asset,
            part,
            acquired_day,
            sold_day,
            proceeds,
            basis,
            proceeds - basis,
            term,
            lot[3],
            ref,
        )
        self.result.realized.append(_new_row(RealizedRow, row))

    def move_out(self, leg: LegRow) -> list[Lot]:
        pool_id, _kind, ts, qty, _usd, ref, _extra = leg
        account, asset = self.names[pool_id]
        taken, unmet = self.take(self.pools[pool_id], int(qty), None)
        if unmet:
            self.result.shortfalls.append(
                Shortfall(account=account, asset=asset, quantity=Amount(unmet), timestamp=ts, sale_id=ref)
            )
        return [[part, basis, *lot[2:5], account, lot[6]] for lot, part, basis in taken]

    def arrive(self, account: str, asset: str, moving: list[Lot]) -> None:
        pool = self.pool(account, asset)
        for lot in moving:
            lot[5] = account
            self.add(pool, lot)

    def move_in(self, leg: LegRow, moving: list[Lot] | None) -> None:
        pool_id, _kind, ts, raw_qty, _usd, ref, _extra = leg
        account, asset = self.names[pool_id]
        warn = self.result.warnings.append
        qty = int(raw_qty)
        if moving is None:
            self.add(self.pools[pool_id], self.new_lot(qty, None, ts, ref, account))
            warn(f"{ref}: transfer into {account} with no matching transfer out; basis unknown")
            return
        arriving: list[Lot] = []
        remaining = qty
        for lot in moving:
            part = min(lot[0], remaining)
            if part < lot[0]:
                warn(f"{ref}: received less than was sent; {fp.fmt(lot[0] - part, 0)} {asset} untracked")
            if part:
                basis = lot[1] if part == lot[0] or lot[1] is None else lot[1] * part // lot[0]
                arriving.append([part, basis, *lot[2:]])
                remaining -= part
        self.arrive(account, asset, arriving)
        if remaining:
            self.add(self.pools[pool_id], self.new_lot(remaining, None, ts, ref, account))
            warn(f"{ref}: received more than was sent; {fp.fmt(remaining, 0)} {asset} has unknown basis")


def _processing_order(legs: Sequence[LegRow], pairs: dict[int, int]) -> Iterator[int]:
    """Leg indices in time order, except a transfer-in seen before its transfer-out (venue
    clocks differ) is handled right after that transfer-out."""
    late = {out: inn for inn, out in pairs.items() if legs[inn][1] == MOVE_IN and out > inn}
    early_ins = set(late.values())
    for index in range(len(legs)):
        if index in early_ins:
            continue
        yield index
        if index in late:
            yield late[index]


def _plain_utc_day(micros: int) -> int:
    return _EPOCH_ORDINAL + micros // 86_400_000_000


_utc_day = cast(DayOf, _plain_utc_day)  # unit types applied once, not per call


def match_lots(
    ledger: Ledger, method: str = "fifo", universal: bool = False, day: DayOf = _utc_day
) -> LotResult:
    """Run every leg through its pool; return realized slices, open lots and problems.

    `day` maps a trade time to its date ordinal in the tax zone (TaxCalendar.day_function())."""
    matcher = _Matcher(ledger, method, universal, day)
    legs = ledger.legs
    moves = [
        _move_leg(i, leg, ledger.pools[leg[0]]) for i, leg in enumerate(legs) if leg[1] in (MOVE_OUT, MOVE_IN)
    ]
    pairs = pair_transfers(moves, matcher.result.warnings) if moves else {}
    transit: dict[int, list[Lot]] = {}
    migrating: Migrating = NOTHING_MIGRATING
    acquire, dispose = matcher.acquire, matcher.dispose
    for index in _processing_order(legs, pairs) if pairs else range(len(legs)):
        leg = legs[index]
        kind = leg[1]
        if kind == DISPOSE:
            dispose(leg)
            continue
        if kind == ACQUIRE:
            acquire(leg)
            continue
        if kind == MIGRATE_OUT:  # its MIGRATE_IN is the next leg (same time, event, seq + 1)
            migrating = (matcher.move_out(leg), int(leg[3]), None, leg[0])
            continue
        if kind == MIGRATE_HELD:  # a user's migration decision: all the account holds
            migrating = migrate_held(matcher, leg)
            continue
        if kind == MIGRATE_IN:
            migrate_in(matcher, leg, migrating)
            migrating = NOTHING_MIGRATING
            continue
        counterpart = leg[6].counterpart if leg[6] else None
        if universal and (index in pairs or counterpart):
            continue  # a move between accounts of one universal pool changes nothing
        if kind == MOVE_OUT:
            moving = matcher.move_out(leg)
            account, asset = ledger.pools[leg[0]]
            if index in pairs:
                transit[index] = moving
            elif counterpart:  # no transfer-in recorded: the lots arrive with the transfer
                matcher.arrive(counterpart, asset, moving)
            else:
                matcher.result.warnings.append(
                    f"{leg[5]}: {fp.fmt(int(leg[3]), 0)} {asset} sent out of {account} to no known "
                    "account; untracked"
                )
        else:
            partner = pairs.get(index)
            matcher.move_in(leg, transit.pop(partner) if partner is not None else None)
    return _finish(matcher)


def _move_leg(index: int, leg: LegRow, pool: tuple[str, str]) -> MoveLeg:
    extra = leg[6]
    return MoveLeg(
        index=index,
        account=pool[0],
        asset=pool[1],
        kind=leg[1],
        timestamp=leg[2],
        quantity=Amount(int(leg[3])),
        counterpart=extra.counterpart if extra else None,
        tx_id=extra.tx_id if extra else None,
        ref=leg[5],
    )


def _finish(matcher: _Matcher) -> LotResult:
    result = matcher.result
    for pool in matcher.named.values():
        for lot in pool.lots():
            if lot[0] > 0:
                result.open_lots.append(
                    _new_row(OpenLot, (lot[5], pool.asset, lot[3], lot[0], lot[1], lot[2], lot[6]))
                )
    result.open_lots.sort(key=_open_lot_order)
    return result


def _open_lot_order(lot: OpenLot) -> tuple[str, str, int, str]:
    return (lot.account, lot.asset, lot.acquired, lot.lot_id)


def _consume(lot: Lot, part: int) -> int | None:
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


def _share(total: int | None, part: int, whole: int) -> int | None:
    """Pro-rata share of proceeds still to allocate (the last slice takes the rest)."""
    if total is None:
        return None
    if part == whole:
        return total
    return total * part // whole
