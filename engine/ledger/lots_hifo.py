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
from engine.core.dates import day_spans
from engine.ledger.legs import ACQUIRE, DISPOSE
from engine.ledger.lot_matcher import Matcher
from engine.ledger.lot_pool import Lot
from engine.ledger.lot_taking import lot_taker
from engine.ledger.records import LegRow

_new_row = tuple.__new__  # builds a NamedTuple without its keyword-handling constructor


def run_by_cost(matcher: Matcher, legs: Iterable[tuple[int, LegRow]]) -> None:
    """Every leg in processing order, under hifo: the rules of Matcher.acquire, add, take,
    consume, share and emit for plain valued acquisitions and disposals, inlined."""
    pools, other_leg, take = matcher.pools, matcher.leg, lot_taker(matcher)
    next_seq, track_ids = matcher.next_seq, matcher.track_ids
    heappush, minus_scale = heapq.heappush, -fp.SCALE
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
        take(pool.heap, pool_id, qty, int(raw_usd), today, ts, ref)  # a disposal, by cost
