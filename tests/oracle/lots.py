"""The oracle: engine/ledger/lots.py as it was before the matcher's speed work (commit b29303c),
with lot_pool.py and lot_migrations.py beside it (tests/oracle/lot_pool.py, lot_migrations.py),
kept unchanged so the fast matcher can be checked against it (tests/engine/ledger/test_lots_oracle.py);
not used by harvest."""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import cast

from engine.core import fixedpoint as fp
from engine.core.dates import DayOf, anniversary
from engine.core.units import Amount, DayOrdinal, EpochMicros
from engine.ledger.decided import Effects
from engine.ledger.legs import (
    ACQUIRE,
    ACQUIRE_AS_OF,
    DISPOSE,
    GIFT_OUT,
    MIGRATE_HELD,
    MIGRATE_IN,
    MIGRATE_OUT,
    MOVE_IN,
    MOVE_OUT,
)
from engine.ledger.records import (
    LONG,
    SHORT,
    Excluded,
    Ledger,
    LegRow,
    LotResult,
    MoveLeg,
    OpenLot,
    RealizedRow,
    Shortfall,
    Unresolved,
    parse_identification,
)
from engine.ledger.transfers import NO_RULES, pairing
from tests.oracle.lot_migrations import (
    NOTHING_MIGRATING,
    Migrating,
    migrate_held,
    migrate_in,
)
from tests.oracle.lot_pool import Lot, Pool, Taken, consume, share

METHODS = ("fifo", "lifo", "hifo", "specific")
# What the matcher could not follow (LotResult.unresolved; the problems list reads them)
RECEIVED_FROM_OUTSIDE = "received from outside"  # a transfer in with no transfer out paired
NO_VALUE = "no USD value"  # an acquisition whose USD value is not known: lots of unknown basis
NO_PROCEEDS = "no USD proceeds"  # a disposal whose USD value is not known: left out of results
RECEIVED_MORE = "received more than was sent"
NOT_SENT_THERE = "received from an own wallet more than was sent there"
SENT_OUTSIDE = "sent to no known account"  # a transfer out with no transfer in paired
RECEIVED_LESS = "received less than was sent"  # the rest (a network fee) left the books
GIVEN_AWAY = "given away"  # a gift given (a decision): the lots left without a disposal
_EPOCH_ORDINAL = 719_163  # date(1970, 1, 1).toordinal()

_new_row = tuple.__new__  # builds a NamedTuple without its keyword-handling constructor
_acquisition = itemgetter(2, 4)  # a lot's place in acquisition order: (acquired, seq)


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
        self.pools: dict[int, Pool] = {}
        self.named: dict[tuple[str, str], Pool] = {}
        for pool_id, (account, asset) in ledger.pools.items():
            self.pools[pool_id] = self.pool(account, asset, universal)

    def pool(self, account: str, asset: str, universal: bool = False) -> Pool:
        key = ("*", asset) if universal else (account, asset)
        found = self.named.get(key)
        if found is None:
            found = self.named[key] = Pool(account, asset)
        return found

    def new_lot(self, qty: int, basis: int | None, ts: EpochMicros, lot_id: str, account: str) -> Lot:
        self.seq += 1
        return [qty, basis, ts, lot_id, self.seq, account, self.day(ts)]

    def add(self, pool: Pool, lot: Lot) -> None:
        acquired, seq = lot[2], lot[4]
        if self.by_cost:  # hifo: highest fee-inclusive unit cost first, older lot first on ties
            unit = fp.unit_price(lot[1], lot[0]) if lot[1] is not None else -1
            heapq.heappush(pool.heap, (-unit, acquired, seq, lot))
        else:
            queue = pool.queue
            if not queue or (queue[-1][2], queue[-1][4]) <= (acquired, seq):
                queue.append(lot)
            else:  # an older lot arriving by transfer: its place in acquisition order (a binary
                # search: a pool of many lots receiving older ones must not scan them all each time)
                queue.insert(bisect.bisect_right(queue, (acquired, seq), key=_acquisition), lot)
        if self.track_ids:
            pool.by_id.setdefault(lot[3], []).append(lot)

    def take(self, pool: Pool, quantity: int, chosen: list[tuple[str, Amount]] | None) -> tuple[Taken, int]:
        """Consume `quantity`: [(lot, quantity taken, basis taken)] and the unmet quantity."""
        taken: Taken = []
        remaining = quantity
        for lot_id, wanted in chosen or ():
            for lot in pool.by_id.get(lot_id, ()):
                if not remaining or not wanted:
                    break
                if lot[0] > 0:
                    part = min(lot[0], wanted, remaining)
                    taken.append((lot, part, consume(lot, part)))
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
        taken.append((lot, remaining, consume(lot, remaining)))
        return 0

    def acquire(self, leg: LegRow, index: int, acquired: EpochMicros | None = None) -> None:
        pool_id, _kind, ts, qty, usd, ref, extra = leg
        pool = self.pools[pool_id]
        flag = extra.flag if extra else None
        basis = None if flag or usd is None else int(usd)
        self.add(pool, self.new_lot(int(qty), basis, ts if acquired is None else acquired, ref, pool.account))
        if basis is None:
            self.unknown(NO_VALUE, pool.account, pool.asset, ts, ref, int(qty), index)
        if flag:
            self.result.warnings.append(f"{ref}: {flag}; basis unknown")

    def unknown(
        self,
        cause: str,
        account: str,
        asset: str,
        ts: EpochMicros,
        ref: str,
        qty: int,
        index: int,
        left: list[Lot] | None = None,
    ) -> None:
        """Remember what could not be followed, and why (a lot itself only carries basis None);
        `left`: lots that left the books here, whose known basis is kept with it."""
        basis = None if left is None else Amount(sum(lot[1] for lot in left if lot[1] is not None))
        self.result.unresolved.append(Unresolved(cause, account, asset, ts, ref, Amount(qty), index, basis))

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
                    basis = consume(top, qty)
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
            portion = share(proceeds, part, left_qty)
            left_qty -= part
            if proceeds is not None and portion is not None:
                proceeds -= portion
            self.emit(pool_id, part, lot, sold_day, portion, basis, ref, flag)
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
            account, asset = self.names[pool_id]
            self.unknown(NO_PROCEEDS, account, asset, ts, ref, qty, -1)
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

    def move_in(self, leg: LegRow, moving: list[Lot] | None, index: int, source: str | None = None) -> None:
        pool_id, _kind, ts, raw_qty, _usd, ref, _extra = leg
        account, asset = self.names[pool_id]
        warn = self.result.warnings.append
        qty = int(raw_qty)
        if moving is None:
            self.add(self.pools[pool_id], self.new_lot(qty, None, ts, ref, account))
            self.unknown(RECEIVED_FROM_OUTSIDE, account, asset, ts, ref, qty, index)
            warn(f"{ref}: transfer into {account} with no matching transfer out; basis unknown")
            return
        arriving: list[Lot] = []
        lost: list[Lot] = []  # what was sent but not received: [quantity, basis]
        remaining = qty
        for lot in moving:
            part = min(lot[0], remaining)
            basis = lot[1] if part == lot[0] or lot[1] is None else lot[1] * part // lot[0]
            if part < lot[0]:
                warn(f"{ref}: received less than was sent; {fp.fmt(lot[0] - part, 0)} {asset} untracked")
                lost.append([lot[0] - part, None if lot[1] is None else lot[1] - basis])
            if part:
                arriving.append([part, basis, *lot[2:]])
                remaining -= part
        if lost:
            self.unknown(RECEIVED_LESS, account, asset, ts, ref, sum(q for q, _ in lost), index, lost)
        self.arrive(account, asset, arriving)
        if remaining:
            self.add(self.pools[pool_id], self.new_lot(remaining, None, ts, ref, account))
            cause = RECEIVED_MORE if source is None else NOT_SENT_THERE
            self.unknown(cause, account, asset, ts, ref, remaining, index)
            sent = "was sent" if source is None else f"was sent to {source}"
            warn(f"{ref}: received more than {sent}; {fp.fmt(remaining, 0)} {asset} has unknown basis")


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
    ledger: Ledger,
    method: str = "fifo",
    universal: bool = False,
    day: DayOf = _utc_day,
    effects: Effects | None = None,
) -> LotResult:
    """Run every leg through its pool; return realized slices, open lots and problems.

    `day` maps a trade time to its date ordinal in the tax zone (TaxCalendar.day_function());
    `effects`: what the user's decisions change (engine.ledger.decided.apply_decisions made
    `ledger` and them together)."""
    matcher = _Matcher(ledger, method, universal, day)
    legs = ledger.legs
    moves = [
        _move_leg(i, leg, ledger.pools[leg[0]]) for i, leg in enumerate(legs) if leg[1] in (MOVE_OUT, MOVE_IN)
    ]
    rules = effects.rules if effects else NO_RULES
    result = matcher.result
    result.pairing = pairing(moves, result.warnings, rules)
    pairs = result.pairing.pairs
    own_dest = effects.own_dest if effects else {}
    own_source = effects.own_source if effects else {}
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
            acquire(leg, index)
            continue
        if kind == MIGRATE_OUT:  # its MIGRATE_IN is the next leg (same time, event, seq + 1)
            migrating = (matcher.move_out(leg), int(leg[3]), None, leg[0])
            continue
        if kind == MIGRATE_HELD:  # a user's migration decision: all the account holds
            migrating = migrate_held(matcher, leg)
            continue
        if kind == MIGRATE_IN:
            migrate_in(matcher, leg, migrating, index)
            migrating = NOTHING_MIGRATING
            continue
        if kind == ACQUIRE_AS_OF:  # a decision's acquisition, dated from an entered time
            acquire(leg, index, effects.acquired_at[index] if effects else None)
            continue
        if kind == GIFT_OUT:  # a decision's gift given: the lots leave, nothing is realized
            account, asset = ledger.pools[leg[0]]
            given = matcher.move_out(leg)
            matcher.unknown(GIVEN_AWAY, account, asset, leg[2], leg[5], int(leg[3]), index, given)
            continue
        counterpart = leg[6].counterpart if leg[6] else None
        if universal and (index in pairs or counterpart or index in own_dest or index in own_source):
            continue  # a move between accounts of one universal pool changes nothing
        if kind == MOVE_OUT:
            moving = matcher.move_out(leg)
            account, asset = ledger.pools[leg[0]]
            if index in pairs:
                transit[index] = moving
            elif counterpart or index in own_dest:  # no transfer-in recorded: the lots arrive with it
                matcher.arrive(counterpart or own_dest[index], asset, moving)
            else:
                matcher.unknown(SENT_OUTSIDE, account, asset, leg[2], leg[5], int(leg[3]), index, moving)
                result.warnings.append(
                    f"{leg[5]}: {fp.fmt(int(leg[3]), 0)} {asset} sent out of {account} to no known "
                    "account; untracked"
                )
        elif index in pairs:
            matcher.move_in(leg, transit.pop(pairs[index]), index)
        elif index in own_source:  # back from an own wallet: the lots that were sent there
            source = own_source[index]
            asset = ledger.pools[leg[0]][1]
            taken, _unmet = matcher.take(matcher.pool(source, asset), int(leg[3]), None)
            moving = [[part, basis, *lot[2:5], source, lot[6]] for lot, part, basis in taken]
            matcher.move_in(leg, moving, index, source)
        else:
            matcher.move_in(leg, None, index)
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
