"""A plain disposal's rules for the queue methods' loop (engine.ledger.lots): lots taken in the
method's order, the proceeds shared pro rata on what is left of them, each lot's basis taken pro
rata on what is left of it (floored), a slice per lot with a basis (one run of them per
disposal), a lot of unknown basis excluded, what no lot covers missing. The rules of
Matcher.take, consume, share and emit, inlined: tests/engine/ledger/test_lots_oracle.py and
test_lot_taking.py hold them to the matcher. hifo's loop (engine.ledger.lots_hifo) has the same
rules inline, the lots from its heap's top (a call per disposal and the closure's cells cost
it 3% of its instructions; 2026-12-02).

A closure made once a run: the slice columns and the matcher's tables are its free variables,
so a disposal costs one call, not one a slice, and a slice no branch on the method. Every slice
but a disposal's last takes a whole lot and leaves more to take; the last takes what is left (a
whole lot, or part of one), its proceeds all that are left. A slice's term is one compare of its
acquired day with the sale day's long-term cutoff (long_term_cutoff: worked out once a day by
the loops)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from engine.core.dates import anniversary
from engine.core.units import DayOrdinal, EpochMicros
from engine.ledger.lot_matcher import Matcher
from engine.ledger.records import LONG, SHORT, Excluded

_new_row = tuple.__new__  # builds a NamedTuple without its keyword-handling constructor

# take(lots, pool_id, left, proceeds, today, cutoff, ts, ref): `lots` is the pool's queue;
# `cutoff` is long_term_cutoff(today)
Take = Callable[[Any, int, int, int, int, int, EpochMicros, str], None]


def long_term_cutoff(sold: int) -> int:
    """The last acquired day whose lots sold on day `sold` are long-term: a lot acquired on day
    `a` is long-term then when sold > anniversary(a), which, as anniversary never decreases
    with `a`, holds exactly for a <= the cutoff. An anniversary is 365 or 366 days on (the same
    date a year later, a month's last day to that month's last day), so a lot acquired 367 days
    before is always long-term, 365 days before never, and 366 days before when its anniversary
    is before the sale."""
    candidate = sold - 366
    if candidate < 1:  # no date is that early (day 1 is January 1 of year 1): none long-term
        return 0
    return candidate if anniversary(DayOrdinal(candidate)) < sold else candidate - 1


def lot_taker(matcher: Matcher) -> Take:
    """The disposal step for `matcher`'s queue method (fifo and specific: oldest first; lifo:
    newest first). hifo's loop takes from its heap inline (engine.ledger.lots_hifo)."""
    names, missing = matcher.names, matcher.missing
    excluded = matcher.result.excluded.append
    slices = matcher.slices
    quantities, acquired_days, proceeds_of, bases_of, terms, lot_ids, runs = slices.to_fill()
    end = matcher.end
    drop = deque.popleft if end == 0 else deque.pop

    def take(
        lots: deque[Any],
        pool_id: int,
        left: int,
        proceeds: int,
        today: int,
        cutoff: int,
        ts: EpochMicros,
        ref: str,
    ) -> None:
        count = 0  # the disposal's slices
        while lots:
            lot = lots[end]
            lot_qty, basis = lot[0], lot[1]
            if lot_qty < left:  # the whole lot, and more to take
                drop(lots)
                if lot_qty <= 0:  # emptied earlier by a specific identification
                    continue
                lot[0] = 0
                portion = proceeds * lot_qty // left
                proceeds -= portion
                left -= lot_qty
                if basis is None:
                    account, asset = names[pool_id]
                    excluded(
                        _new_row(Excluded, (account, asset, lot_qty, today, ref, lot[3], "unknown basis"))
                    )
                    continue
                acquired_day = lot[6]
                quantities.append(lot_qty)
                acquired_days.append(acquired_day)
                proceeds_of.append(portion)
                bases_of.append(basis)
                terms.append(LONG if acquired_day <= cutoff else SHORT)
                lot_ids.append(lot[3])
                count += 1
                continue
            if lot_qty == left:  # the last slice: the whole lot
                drop(lots)
                lot[0] = 0
            else:  # the last slice: part of the lot
                lot[0] = lot_qty - left
                if basis is not None:
                    taken = basis * left // lot_qty
                    lot[1] = basis - taken
                    basis = taken
            if basis is None:
                account, asset = names[pool_id]
                excluded(_new_row(Excluded, (account, asset, left, today, ref, lot[3], "unknown basis")))
            else:
                acquired_day = lot[6]
                quantities.append(left)
                acquired_days.append(acquired_day)
                proceeds_of.append(proceeds)
                bases_of.append(basis)
                terms.append(LONG if acquired_day <= cutoff else SHORT)
                lot_ids.append(lot[3])
                count += 1
            left = 0
            break
        if count:
            account, asset = names[pool_id]
            runs.append((count, account, asset, today, ref))
        if left:
            missing(pool_id, left, DayOrdinal(today), ts, ref)

    return take
