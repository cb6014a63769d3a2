"""A plain disposal's rules, one home for both inlined loops (engine.ledger.lots for the queue
methods, engine.ledger.lots_hifo for the heap): lots taken in the method's order, the proceeds
shared pro rata on what is left of them, each lot's basis taken pro rata on what is left of it
(floored), a slice per lot with a basis (one run of them per disposal), a lot of unknown basis
excluded, what no lot covers missing. The rules of Matcher.take, consume, share and emit,
inlined: tests/engine/ledger/test_lots_oracle.py holds them to the matcher before the loops.

A closure made once a run: the slice columns' appends and the matcher's tables are its free
variables, so a disposal costs one call, not one a slice."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from engine.core.dates import anniversary
from engine.core.units import DayOrdinal, EpochMicros
from engine.ledger.lot_matcher import Matcher
from engine.ledger.records import LONG, SHORT, Excluded

_new_row = tuple.__new__  # builds a NamedTuple without its keyword-handling constructor

# take(lots, pool_id, left, proceeds, today, ts, ref): `lots` is the pool's queue, or its heap
# of (key, time, seq, lot) under hifo
Take = Callable[[Any, int, int, int, int, EpochMicros, str], None]


def lot_taker(matcher: Matcher) -> Take:
    """The disposal step for `matcher`'s method (fifo and specific: oldest first; lifo: newest
    first; hifo: the heap's top)."""
    names, missing = matcher.names, matcher.missing
    excluded = matcher.result.excluded.append
    # a slice's own fields, one list each; once a disposal is done, what its slices share
    slices = matcher.slices
    quantities, acquired_days, proceeds_of, bases_of, terms, lot_ids, runs = slices.appenders()
    slice_count = slices.quantity.__len__
    anniversaries, one_year = matcher.anniversaries, anniversary
    by_cost, fifo, heappop = matcher.by_cost, matcher.end == 0, heapq.heappop

    def take(
        lots: Any, pool_id: int, left: int, proceeds: int, today: int, ts: EpochMicros, ref: str
    ) -> None:
        first = slice_count()
        while left and lots:
            lot = lots[0][3] if by_cost else lots[0] if fifo else lots[-1]
            lot_qty = lot[0]
            if lot_qty <= left:  # the whole lot
                if by_cost:
                    heappop(lots)
                elif fifo:
                    lots.popleft()
                else:
                    lots.pop()
                if lot_qty <= 0:  # emptied earlier by a specific identification
                    continue
                lot[0] = 0
                part, basis = lot_qty, lot[1]
            else:
                part, basis = left, lot[1]
                lot[0] = lot_qty - left
                if basis is not None:
                    taken = basis * left // lot_qty
                    lot[1] = basis - taken
                    basis = taken
            portion = proceeds if part == left else proceeds * part // left
            proceeds -= portion
            left -= part
            if basis is None:
                account, asset = names[pool_id]
                excluded(_new_row(Excluded, (account, asset, part, today, ref, lot[3], "unknown basis")))
                continue
            acquired_day = lot[6]
            limit = anniversaries.get(acquired_day)
            if limit is None:
                limit = anniversaries[acquired_day] = one_year(acquired_day)
            quantities(part)
            acquired_days(acquired_day)
            proceeds_of(portion)
            bases_of(basis)
            terms(LONG if today > limit else SHORT)
            lot_ids(lot[3])
        if slice_count() > first:
            account, asset = names[pool_id]
            runs((slice_count() - first, account, asset, today, ref))
        if left:
            missing(pool_id, left, DayOrdinal(today), ts, ref)

    return take
