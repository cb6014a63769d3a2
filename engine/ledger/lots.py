"""Cost-basis lots: match every disposal to the lots it consumes, per pool, in time order.

This is the slow path's inner loop (a million legs in a couple of seconds). Nearly every leg is a
plain valued acquisition or disposal (no extra, a USD value): `_run` handles those itself, with
locals instead of method calls, and gives every other leg to the matcher (engine.ledger
.lot_matcher), whose rules they follow; the results are the same row for row, in the same order
(tests/engine/ledger/test_lots_oracle.py holds it to the matcher before this loop). The tax date
of a leg comes from a stretch of times known to share it (dates.day_spans), not a call per leg."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from operator import itemgetter
from typing import cast

from engine.core.dates import DayOf, day_spans, register_day_spans
from engine.core.units import Amount
from engine.ledger.decided import Effects
from engine.ledger.legs import ACQUIRE, DISPOSE, MOVE_IN, MOVE_OUT
from engine.ledger.lot_matcher import GIVEN_AWAY as GIVEN_AWAY
from engine.ledger.lot_matcher import LEGS_PER_CALL, Matcher
from engine.ledger.lot_matcher import METHODS as METHODS
from engine.ledger.lot_matcher import NO_PROCEEDS as NO_PROCEEDS
from engine.ledger.lot_matcher import NO_VALUE as NO_VALUE
from engine.ledger.lot_matcher import NOT_SENT_THERE as NOT_SENT_THERE
from engine.ledger.lot_matcher import RECEIVED_FROM_OUTSIDE as RECEIVED_FROM_OUTSIDE
from engine.ledger.lot_matcher import RECEIVED_LESS as RECEIVED_LESS
from engine.ledger.lot_matcher import RECEIVED_MORE as RECEIVED_MORE
from engine.ledger.lot_matcher import SENT_OUTSIDE as SENT_OUTSIDE
from engine.ledger.lot_migrations import MIGRATED_MORE as MIGRATED_MORE
from engine.ledger.lot_pool import Lot
from engine.ledger.lot_taking import long_term_cutoff, lot_taker
from engine.ledger.lots_hifo import run_by_cost
from engine.ledger.open_lots import OpenLots
from engine.ledger.records import (
    Ledger,
    LegRow,
    LotResult,
    MoveLeg,
)
from engine.ledger.transfers import NO_RULES, pairing

_EPOCH_ORDINAL = 719_163  # date(1970, 1, 1).toordinal()
_DAY_US = 86_400_000_000
_new_row = tuple.__new__  # builds a NamedTuple without its keyword-handling constructor
_kind = itemgetter(1)


def _plain_utc_day(micros: int) -> int:
    return _EPOCH_ORDINAL + micros // _DAY_US


def _utc_day_span(micros: int) -> tuple[int, int, int]:
    start = micros - micros % _DAY_US
    return _EPOCH_ORDINAL + micros // _DAY_US, start, start + _DAY_US


_utc_day = cast(DayOf, _plain_utc_day)  # unit types applied once, not per call
register_day_spans(_utc_day, _utc_day_span)


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
    matcher = Matcher(ledger, method, universal, day, effects)
    legs = ledger.legs
    moves: list[MoveLeg] = []
    if _has_moves(legs):  # most ledgers of a million legs have no transfers
        moves = [_move_leg(i, leg, ledger.pools[leg[0]]) for i, leg in enumerate(legs) if leg[1] in _MOVES]
    result = matcher.result
    result.pairing = pairing(moves, result.warnings, effects.rules if effects else NO_RULES)
    matcher.pairs = pairs = result.pairing.pairs
    run = run_by_cost if matcher.by_cost else _run
    run(matcher, _in_processing_order(legs, pairs) if pairs else enumerate(legs))
    return _finish(matcher)


_MOVES = frozenset((MOVE_OUT, MOVE_IN))


def _has_moves(legs: Sequence[LegRow]) -> bool:
    """Whether a leg moves lots, in C: one pass over the legs' kinds in pieces of LEGS_PER_CALL
    (a C call over a million legs holds the GIL ~50 ms; the app's UI thread would wait)."""
    kinds = map(_kind, legs)
    return any(
        not _MOVES.isdisjoint(islice(kinds, LEGS_PER_CALL)) for _start in range(0, len(legs), LEGS_PER_CALL)
    )


def _run(matcher: Matcher, legs: Iterable[tuple[int, LegRow]]) -> None:
    """Every leg in processing order: plain valued acquisitions and disposals here (the rules of
    Matcher.acquire, add, take, consume, share and emit, inlined), the rest by the matcher. The
    queue methods (fifo, lifo, specific); hifo's heap has its own loop (engine.ledger.lots_hifo)."""
    pools, other_leg, take = matcher.pools, matcher.leg, lot_taker(matcher)
    next_seq = matcher.next_seq
    # the last kind handled here: `specific` warns on each sale, so its sales take the matcher's path
    last_kind = ACQUIRE if matcher.say_fallback else DISPOSE
    simple_add = not matcher.track_ids
    span = day_spans(matcher.day)
    today, day_start, day_end = 0, 0, 0  # the tax date of the times in [day_start, day_end)
    cutoff = 0  # long_term_cutoff(today)
    for index, leg in legs:
        pool_id, kind, ts, raw_qty, raw_usd, ref, extra = leg
        if extra is not None or raw_usd is None or kind > last_kind:
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
            lot: Lot = [qty, int(raw_usd), ts, ref, next_seq(), pool.account, today]
            if simple_add and (not pool.queue or pool.queue[-1][2] <= ts):  # in acquisition order
                pool.queue.append(lot)
            else:
                matcher.add(pool, lot)
            continue
        take(pool.queue, pool_id, qty, int(raw_usd), today, cutoff, ts, ref)  # a disposal


def _in_processing_order(legs: Sequence[LegRow], pairs: dict[int, int]) -> Iterator[tuple[int, LegRow]]:
    """Legs in time order, except a transfer-in seen before its transfer-out (venue clocks
    differ) is handled right after that transfer-out."""
    late = {out: inn for inn, out in pairs.items() if legs[inn][1] == MOVE_IN and out > inn}
    early_ins = set(late.values())
    for index, leg in enumerate(legs):
        if index in early_ins:
            continue
        yield index, leg
        if index in late:
            yield late[index], legs[late[index]]


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


def _finish(matcher: Matcher) -> LotResult:
    """The open lots: each pool's lots with a quantity left (OpenLots sorts them into rows, by
    account, asset, acquisition time and lot id, when they are read)."""
    result = matcher.result
    result.open_lots = OpenLots(
        [(pool.asset, [lot for lot in pool.lots() if lot[0] > 0]) for pool in matcher.named.values()]
    )
    return result
