"""The hifo match's loop (engine.ledger.lots runs the queue methods' own): each pool's lots on a
heap, highest fee-inclusive unit cost first, older first on ties, then acquisition order (the
key Matcher.add gives a lot). As there, plain valued acquisitions and disposals are handled
here with locals, every other leg by the matcher; the heap sees the same pushes and pops in
the same order, so its lots, and the order open lots with equal times and ids are read in, are
the same as the matcher's.

Where the time went (1M trades, synth.py): the unit cost of each lot, an exact division of
18-decimal integers, and its call to fp.div_round; the heap itself is small (a pool holds 1-20
lots while matching). The rounding is inlined here, the loop has no branch for other methods,
and nothing else is done per lot than in the queue methods' loop."""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from engine.core import fixedpoint as fp
from engine.core.dates import anniversary, day_spans
from engine.core.units import DayOrdinal
from engine.ledger.legs import ACQUIRE, DISPOSE
from engine.ledger.lot_matcher import Matcher
from engine.ledger.lot_pool import Lot
from engine.ledger.records import LONG, SHORT, Excluded, LegRow

_new_row = tuple.__new__  # builds a NamedTuple without its keyword-handling constructor


def run_by_cost(matcher: Matcher, legs: Iterable[tuple[int, LegRow]]) -> None:
    """Every leg in processing order, under hifo: the rules of Matcher.acquire, add, take,
    consume, share and emit for plain valued acquisitions and disposals, inlined."""
    pools, names, other_leg = matcher.pools, matcher.names, matcher.leg
    excluded = matcher.result.excluded.append
    # a slice's own fields, one list each; once a disposal is done, what its slices share
    slices = matcher.slices
    quantities, acquired_days, proceeds_of, bases_of, terms, lot_ids, runs = slices.appenders()
    slice_count = slices.quantity.__len__
    anniversaries, one_year = matcher.anniversaries, anniversary
    next_seq, track_ids = matcher.next_seq, matcher.track_ids
    heappush, heappop, minus_scale = heapq.heappush, heapq.heappop, -fp.SCALE
    span = day_spans(matcher.day)
    today, day_start, day_end = 0, 0, 0  # the tax date of the times in [day_start, day_end)
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
        pool = pools[pool_id]
        if kind == ACQUIRE:
            basis = int(raw_usd)
            seq = next_seq()
            lot: Lot = [qty, basis, ts, ref, seq, pool.account, today]
            # the key's first part, minus the unit cost (fp.unit_price: half-even), inlined and
            # without a negation: -round(x) is round(-x), half-even being symmetric; divmod
            # floors, so the remainder is in [0, qty) for either sign, as in fp.div_round
            key, rest = divmod(basis * minus_scale, qty)
            rest += rest
            if rest >= qty and (rest > qty or key & 1):
                key += 1
            heappush(pool.heap, (key, ts, seq, lot))
            if track_ids:
                pool.by_id.setdefault(ref, []).append(lot)
            continue
        # a disposal: lots taken highest unit cost first, the proceeds shared pro rata on what is
        # left of them, each lot's basis taken pro rata on what is left of it (floored)
        account, asset = names[pool_id]
        proceeds = int(raw_usd)
        left = qty
        heap = pool.heap
        first = slice_count()
        while left and heap:
            lot = heap[0][3]
            lot_qty = lot[0]
            if lot_qty <= left:  # the whole lot
                heappop(heap)
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
            runs((slice_count() - first, account, asset, today, ref))
        if left:
            matcher.missing(pool_id, left, DayOrdinal(today), ts, ref)
