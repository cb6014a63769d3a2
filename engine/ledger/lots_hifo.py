"""The hifo match's loop (engine.ledger.lots runs the queue methods' own): each pool's lots on a
heap, highest fee-inclusive unit cost first, older first on ties, then acquisition order (the
key Matcher.add gives a lot). As there, plain valued acquisitions and disposals are handled
here with locals, every other leg by the matcher; the heap sees the same pushes and pops in
the same order, so its lots, and the order open lots with equal times and ids are read in, are
the same as the matcher's. A disposal's taking (engine.ledger.lot_taking's rules) is inline
here: the queue loop's closure call and cells cost this loop 3% of its instructions.

Where HIFO's extra time goes (valgrind's instruction counts of the match, a 100,000-leg prefix
of the 1M bench store, 2026-12-02): 1,209M to FIFO's 1,016M; of the 193M more, ~143M the exact
key (the unit cost, a ~137-bit by ~60-bit division rounded half-even) and the rest the heap's
push, pop and tuple comparisons (about five a lot, two int compares each). Every bigint
operation costs ~250-450 instructions (dispatch, allocation, x_divrem's signal check per
digit), so a formula's cost is its count of operations: the key is five or six whatever the
formula. Measured and dropped (2026-12-01): one int key per lot ((-unit << 104) | time | seq,
lots by seq), +10%; half-up with a test that rules out an exact half; appending to an empty
heap. Measured and dropped (2026-12-02): half-up by one floor division, (cost * SCALE + qty // 2)
// qty, where no exact half can be (qty not a multiple of 2**19: 2 * cost * SCALE is, so
cost * SCALE / qty is no odd multiple of a half), -0.3%; the quantity divided by 10**10 first
(the bench's quantities have 8 places) for a one-digit divisor, slower (that division and the
test cost more than they save); deferring the key until a second lot joins a heap, nothing to
save (822 of 559,274 lots at 1M never share a heap; a heap holds up to 23 lots, 1-5 at most
pushes). A sorted list (bisect.insort, the top at the front) saves 1.8% of the comparisons but
changes the list's order, which orders open lots of equal time and id (the frozen matcher's
heap, tests/oracle/lots.py); batched heapify or heapreplace would too."""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from engine.core import fixedpoint as fp
from engine.core.dates import day_spans
from engine.core.units import DayOrdinal
from engine.ledger.legs import ACQUIRE, DISPOSE
from engine.ledger.lot_matcher import Matcher
from engine.ledger.lot_pool import Lot
from engine.ledger.lot_taking import long_term_cutoff
from engine.ledger.records import LONG, SHORT, Excluded, LegRow

_new_row = tuple.__new__  # builds a NamedTuple without its keyword-handling constructor


def run_by_cost(matcher: Matcher, legs: Iterable[tuple[int, LegRow]]) -> None:
    """Every leg in processing order, under hifo: the rules of Matcher.acquire, add, take,
    consume, share and emit for plain valued acquisitions and disposals, inlined — a disposal's
    too (engine.ledger.lot_taking's rules, the lots from the heap's top): no call per disposal,
    its tables locals rather than a closure's cells."""
    pools, other_leg = matcher.pools, matcher.leg
    next_seq, track_ids = matcher.next_seq, matcher.track_ids
    heappush, heappop, scale = heapq.heappush, heapq.heappop, fp.SCALE
    names, missing = matcher.names, matcher.missing
    excluded = matcher.result.excluded.append
    quantities, acquired_days, proceeds_of, bases_of, terms, lot_ids, runs = matcher.slices.to_fill()
    span = day_spans(matcher.day)
    today, day_start, day_end = 0, 0, 0  # the tax date of the times in [day_start, day_end)
    cutoff = 0  # long_term_cutoff(today)
    for index, leg in legs:
        pool_id, kind, ts, raw_qty, raw_usd, ref, extra = leg
        if extra is not None or raw_usd is None or kind > DISPOSE:
            other_leg(index, leg)
            continue
        qty = raw_qty if type(raw_qty) is int else int(raw_qty)  # int() on an int: a slow call
        if qty <= 0:  # nonsense the matcher's own rules answer as they always did
            other_leg(index, leg)
            continue
        if not day_start <= ts < day_end:
            today, day_start, day_end = span(ts)
            cutoff = long_term_cutoff(today)
        pool = pools[pool_id]
        if kind == ACQUIRE:
            basis = int(raw_usd)
            seq = next_seq()
            lot: Lot = [qty, basis, ts, ref, seq, pool.account, today]
            # the key's first part, minus the unit cost (fp.unit_price: half-even), inlined. The
            # dividend is a cost (not minus one): divmod of a negative int fixes its quotient
            # and remainder up with two more bigint operations, the negation below is one
            unit, rest = divmod(basis * scale, qty)  # floored: the remainder is in [0, qty)
            rest += rest
            if rest >= qty and (rest > qty or unit & 1):
                unit += 1
            heappush(pool.heap, (-unit, ts, seq, lot))
            if track_ids:
                pool.by_id.setdefault(ref, []).append(lot)
            continue
        # a disposal: lots from the heap's top (entries (key, time, seq, lot)); every slice but
        # the last takes a whole lot and leaves more to take, the last takes what is left
        lots = pool.heap
        left = qty
        proceeds = int(raw_usd)
        count = 0  # the disposal's slices
        while lots:
            lot = lots[0][3]
            lot_qty, basis = lot[0], lot[1]
            if lot_qty < left:  # the whole lot, and more to take
                heappop(lots)
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
                heappop(lots)
                lot[0] = 0
            else:  # the last slice: part of the lot (its key unchanged: it stays on top)
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
