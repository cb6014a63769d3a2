"""Two halves of a lot match (engine.ledger.lots_split) packed for a pipe and merged into the
sequential match's result: every list the matchers appended to, interleaved by the position each
item was appended at (stable: a half's items keep their order), the open lots pool by pool in
the sequential matcher's pool order (the ledger's pools, then the pools made while matching, by
where they were made). A half is packed as plain lists, tuples, ints and strings (marshal's
types); `unpacked` checks a packed half's shape and `merged` its consistency, raising ValueError
on anything else, so a garbled half is refused, never merged."""

from __future__ import annotations

import marshal
from collections.abc import Sequence
from itertools import accumulate, chain
from operator import itemgetter
from typing import Any

from engine.ledger.lot_matcher import Matcher
from engine.ledger.open_lots import OpenLots
from engine.ledger.realized_slices import RealizedSlices
from engine.ledger.records import Excluded, LotResult, Pairing, Shortfall, Unresolved

_new_row = tuple.__new__
_count = itemgetter(0)  # a run's count of slices
MAGIC = "harvest-lots-half-1"
# a packed half: the realized slices' six own columns, the runs and where each run was appended;
# excluded, shortfalls, unresolved and warnings, each (items as tuples, positions); the pools
# with open lots ((key, lots) in the matcher's pool order); the pools made ((key, position))
Packed = tuple[Any, ...]


def packed(matcher: Matcher, keys: set[tuple[str, str]]) -> Packed:
    """What a tracked matcher (lots_split.track) holds after its half, as plain data: the open
    lots of the pools `keys` names and of those it made."""
    result, slices = matcher.result, matcher.slices
    made = list(matcher.named.made)  # type: ignore[attr-defined]
    keys = keys | {key for key, _at in made}
    return (
        MAGIC,
        (
            slices.quantity,
            slices.acquired_day,
            slices.proceeds,
            slices.cost_basis,
            slices.term,
            slices.lot_id,
        ),
        (list(slices.runs), slices.runs.at),  # type: ignore[attr-defined]
        ([tuple(row) for row in result.excluded], result.excluded.at),  # type: ignore[attr-defined]
        (
            [(s.account, s.asset, s.quantity, s.timestamp, s.sale_id) for s in result.shortfalls],
            result.shortfalls.at,  # type: ignore[attr-defined]
        ),
        ([tuple(row) for row in result.unresolved], result.unresolved.at),  # type: ignore[attr-defined]
        (list(result.warnings), result.warnings.at),  # type: ignore[attr-defined]
        [
            (key, lots)
            for key, pool in matcher.named.items()
            if key in keys and (lots := [lot for lot in pool.lots() if lot[0] > 0])
        ],
        made,
    )


def encoded(half: Packed) -> bytes:
    return marshal.dumps(half)


def unpacked(data: bytes) -> Packed:
    """A half from `encoded`'s bytes; ValueError when they are not one."""
    try:
        half = marshal.loads(data)
    except (EOFError, ValueError, TypeError) as error:
        raise ValueError("not a packed half") from error
    if not (isinstance(half, tuple) and len(half) == 9 and half[0] == MAGIC):
        raise ValueError("not a packed half")
    return half


def merged(
    names: Sequence[tuple[str, str]], pairing: Pairing, warned: list[str], *halves: Packed
) -> LotResult:
    """The sequential match's result from its halves: `names`, the matcher's pool keys before the
    match (its pool order); `pairing` and `warned`, the transfer pairing and its warnings."""
    for half in halves:
        _check(half)
    slices = _slices(halves)
    excluded = [_new_row(Excluded, row) for row in _interleaved([half[3] for half in halves])]
    shortfalls = [Shortfall(*row) for row in _interleaved([half[4] for half in halves])]
    unresolved = [_new_row(Unresolved, row) for row in _interleaved([half[5] for half in halves])]
    warnings = warned + _interleaved([half[6] for half in halves])
    made = _interleaved([([key for key, _ in half[8]], [at for _, at in half[8]]) for half in halves])
    lots: dict[tuple[str, str], list[Any]] = {}
    for half in halves:
        for key, pool_lots in half[7]:
            if key in lots:
                raise ValueError(f"pool {key} has open lots in both halves")
            lots[key] = pool_lots
    order = list(names) + [tuple(key) for key in made if tuple(key) not in names]
    if len(set(order)) != len(order) or not set(lots) <= set(order):
        raise ValueError("the halves' pools do not add up")
    open_lots = OpenLots([(key[1], lots.get(key, [])) for key in order])
    return LotResult(
        realized=slices,
        excluded=excluded,
        open_lots=open_lots,
        shortfalls=shortfalls,
        warnings=warnings,
        pairing=pairing,
        unresolved=unresolved,
    )


def _check(half: Packed) -> None:
    columns, (runs, runs_at) = half[1], half[2]
    if len(columns) != 6 or len({len(column) for column in columns}) != 1:
        raise ValueError("realized columns of different lengths")
    if len(runs) != len(runs_at) or sum(run[0] for run in runs) != len(columns[0]):
        raise ValueError("realized runs do not add up")
    for field in half[3:7]:
        if len(field[0]) != len(field[1]):
            raise ValueError("positions do not match items")


def _interleaved(parts: Sequence[tuple[list[Any], list[int]]]) -> list[Any]:
    """One list's items from every half ((items, positions) each), by position (stable: a half's
    items keep their order)."""
    items = [item for part in parts for item in part[0]]
    positions = [at for part in parts for at in part[1]]
    return [items[i] for i in sorted(range(len(items)), key=positions.__getitem__)]


def _slices(halves: Sequence[Packed]) -> RealizedSlices:
    slices = RealizedSlices()
    filled = [half for half in halves if half[2][0]]
    if len(filled) <= 1:  # one half realized everything: its columns as they are
        if filled:
            for mine, theirs in zip(slices._own_fields(), filled[0][1], strict=True):
                mine += theirs
            slices.runs = list(filled[0][2][0])
        return slices
    # the runs of both halves one after the other (the columns likewise), then in order of
    # position: a stable sort of their indices (two sorted stretches: one merge, in C)
    runs = [run for half in filled for run in half[2][0]]
    runs_at = [at for half in filled for at in half[2][1]]
    order = sorted(range(len(runs)), key=runs_at.__getitem__)
    slices.runs = list(map(runs.__getitem__, order))
    # each run's slices, [start, end) in the joined columns, in the runs' new order (in C)
    ends = list(accumulate(map(_count, runs)))
    starts = [0, *ends]
    slice_order = list(
        chain.from_iterable(map(range, map(starts.__getitem__, order), map(ends.__getitem__, order)))
    )
    for index, column in enumerate(slices._own_fields()):
        joined = list(chain.from_iterable(half[1][index] for half in filled))
        column += map(joined.__getitem__, slice_order)
    return slices
