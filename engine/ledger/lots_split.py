"""The lot match in two halves: pools that no leg links are matched independently, so a large
ledger's pools can be split between two matchers (engine.store.forked_match runs one of them in
a forked child) and their results merged into exactly the sequential match's result.

Pools are linked (one component, union-find over the matcher's pool keys) by a paired transfer's
two legs, a transfer-out and the own account its lots arrive in (a counterpart, a decision's own
destination), a transfer-in and the own wallet its lots come back from, and by any migration (every
pool a migration leg touches is one component: a migration's state spans its legs). A half is a
set of whole components; each half's matcher sees only its legs, in processing order, and the
merge (engine.ledger.lots_merge) interleaves what the two appended by the position of the leg
that appended it (twice the leg's index; a transfer-in handled right after its transfer-out,
twice that one's index plus one): realized slices, exclusions, shortfalls, unresolved legs,
warnings, and the pools the matcher created on the way. A lot's seq (its place in acquisition
order, the tie-break of a pool's order) is counted by each half apart: the lots of one pool all
come from one half, in the same relative order as the sequential match numbers them, so every
pool orders its lots as that match does; the values themselves are shown nowhere."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import compress
from operator import itemgetter
from typing import Any

from engine.core.work_fork import Fork
from engine.ledger import lots_merge
from engine.ledger.legs import MIGRATE_HELD, MIGRATE_IN, MIGRATE_OUT, MOVE_IN, MOVE_OUT
from engine.ledger.lot_matcher import Matcher
from engine.ledger.realized_slices import RealizedSlices
from engine.ledger.records import LegRow, LotResult

MIN_LEGS = 200_000  # below this a match is a few tenths of a second: not worth a fork
PARENT_SHARE = 0.54  # the child also packs its half: the parent matches a little more
MIN_SHARE = 0.25  # a child's half smaller than this part of the legs is not worth its fork
_pool = itemgetter(0)
_MIGRATIONS = frozenset((MIGRATE_OUT, MIGRATE_HELD, MIGRATE_IN))
PoolKey = tuple[str, str]


def halves(matcher: Matcher, legs: Sequence[LegRow], kinds: list[int]) -> tuple[set[int], set[int]] | None:
    """The pool ids of the parent's half and of the child's (whole components, the child's about
    1 - PARENT_SHARE of the legs), or None when the legs do not split (one component, or one
    holding nearly all the legs)."""
    key_of = {pool_id: _key(matcher, pool_id) for pool_id in matcher.names}
    parent: dict[PoolKey, PoolKey] = {}

    def find(key: PoolKey) -> PoolKey:
        root = key
        while parent.get(root, root) != root:
            root = parent[root]
        while key != root:  # path compression
            key, parent[key] = parent[key], root
        return root

    def union(first: PoolKey, second: PoolKey) -> None:
        a, b = find(first), find(second)
        if a != b:
            parent[max(a, b)] = min(a, b)

    for first, second in links(matcher, legs, kinds, key_of):
        union(first, second)
    counts = Counter(map(_pool, legs))
    sizes: Counter[PoolKey] = Counter()
    for pool_id, count in counts.items():
        sizes[find(key_of[pool_id])] += count
    if len(sizes) < 2:
        return None
    target = len(legs) * (1 - PARENT_SHARE)
    theirs: set[PoolKey] = set()
    taken = 0
    for root, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        if taken + size <= target * 1.1:
            theirs.add(root)
            taken += size
    if not theirs or taken < len(legs) * MIN_SHARE:
        return None
    mine_ids = {pool_id for pool_id in matcher.names if find(key_of[pool_id]) not in theirs}
    return mine_ids, set(matcher.names) - mine_ids


def links(
    matcher: Matcher, legs: Sequence[LegRow], kinds: list[int], key_of: dict[int, PoolKey]
) -> Iterator[tuple[PoolKey, PoolKey]]:
    """Pairs of pool keys whose lots a leg moves between (see the module's docstring)."""
    if max(kinds, default=0) <= 1:  # only acquisitions and disposals (in C)
        return
    effects = matcher.effects
    own_dest = effects.own_dest if effects else {}
    own_source = effects.own_source if effects else {}
    for index, other in matcher.pairs.items():
        yield key_of[legs[index][0]], key_of[legs[other][0]]
    migrating: PoolKey | None = None
    for index, kind in enumerate(kinds):
        if kind <= 1:
            continue
        leg = legs[index]
        here = key_of[leg[0]]
        asset = matcher.names[leg[0]][1]
        if kind == MOVE_OUT:
            counterpart = leg[6].counterpart if leg[6] else None
            if counterpart:
                yield here, (counterpart, asset)
            if index in own_dest:
                yield here, (own_dest[index], asset)
        elif kind == MOVE_IN and index in own_source:
            yield here, (own_source[index], asset)
        elif kind in _MIGRATIONS:
            if migrating is not None:
                yield migrating, here
            migrating = here


def _key(matcher: Matcher, pool_id: int) -> PoolKey:
    account, asset = matcher.names[pool_id]
    return ("*", asset) if matcher.universal else (account, asset)


class Logged(list[Any]):
    """A result list that remembers, for each item appended, the position of the leg being
    matched then (`clock[0]`)."""

    __slots__ = ("at", "clock")

    def __init__(self, clock: list[int]) -> None:
        super().__init__()
        self.clock = clock
        self.at: list[int] = []

    def append(self, item: Any) -> None:
        list.append(self, item)
        self.at.append(self.clock[0])


class LoggedPools(dict[PoolKey, Any]):
    """The matcher's pools by key, remembering where each pool made during the match was made."""

    __slots__ = ("made", "clock")

    def __init__(self, pools: dict[PoolKey, Any], clock: list[int]) -> None:
        super().__init__(pools)
        self.clock = clock
        self.made: list[tuple[PoolKey, int]] = []

    def __setitem__(self, key: PoolKey, value: Any) -> None:
        if key not in self:
            self.made.append((key, self.clock[0]))
        super().__setitem__(key, value)


def track(matcher: Matcher) -> list[int]:
    """Make `matcher`'s result lists and pool table remember positions; returns the clock the
    leg order (`half_order`) sets."""
    clock = [0]
    result = matcher.result
    matcher.slices = result.realized = RealizedSlices()  # (a fresh matcher's, empty)
    result.excluded = Logged(clock)
    result.shortfalls = Logged(clock)
    result.unresolved = Logged(clock)
    result.warnings = Logged(clock)
    matcher.slices.runs = Logged(clock)
    matcher.named = LoggedPools(matcher.named, clock)
    return clock


def touched(matcher: Matcher) -> bool:
    """Whether `track` has made `matcher` a half's."""
    return isinstance(matcher.slices.runs, Logged)


def half_order(
    legs: Sequence[LegRow], pools: set[int], pairs: dict[int, int], clock: list[int]
) -> Iterator[tuple[int, LegRow]]:
    """The legs of `pools` in processing order (engine.ledger.lots._in_processing_order), each
    leg's position set in `clock` before it is handed on."""
    mine = list(compress(range(len(legs)), map(pools.__contains__, map(_pool, legs))))  # in C
    if not pairs:
        for index in mine:
            clock[0] = index + index
            yield index, legs[index]
        return
    late = {out: inn for inn, out in pairs.items() if legs[inn][1] == MOVE_IN and out > inn}
    early_ins = set(late.values())
    for index in mine:
        if index in early_ins:
            continue
        clock[0] = index + index
        yield index, legs[index]
        inn = late.get(index)
        if inn is not None:
            clock[0] = index + index + 1
            yield inn, legs[inn]


Run = Callable[[Matcher, Iterable[tuple[int, LegRow]]], None]
last = ""  # how the last large match went ("split", ...): for bench/ to print


def match_in_halves(
    matcher: Matcher,
    legs: Sequence[LegRow],
    kinds: list[int],
    run: Run,
    fork: Fork,
    remake: Callable[[], Matcher],
) -> LotResult | None:
    """The match of `matcher` (its pairing done, nothing matched yet) in two halves, the child's
    in a forked child; None when the legs do not split or no child can be forked (the caller
    matches them itself; `touched` says whether this matcher has run). A child that fails, or
    whose half is refused, and its half is matched here (`remake`: a new matcher like `matcher`)."""
    global last
    split = halves(matcher, legs, kinds)
    last = "one process (the pools do not split)"
    if split is None:
        return None
    mine, theirs = split
    names = list(matcher.named)
    pairing, warned = matcher.result.pairing, list(matcher.result.warnings)

    def child() -> bytes:  # pragma: no cover - runs in the forked child
        return lots_merge.encoded(matched_half(matcher, legs, theirs, run))

    wait = fork(child)
    last = "one process (no fork)"
    if wait is None:
        return None
    try:
        my_half = matched_half(matcher, legs, mine, run)
    except BaseException:
        wait(kill=True)
        raise
    data = wait()
    last = "split"
    if data is not None:
        with contextlib.suppress(ValueError, TypeError, IndexError, KeyError, AttributeError):
            return lots_merge.merged(names, pairing, warned, my_half, lots_merge.unpacked(data))
    last = "split, the child's half matched here"
    their_half = matched_half(remake(), legs, theirs, run)
    try:
        return lots_merge.merged(names, pairing, warned, my_half, their_half)
    except ValueError:  # pragma: no cover - a link the halves missed: never seen
        last = "one process (the halves did not merge)"
        return None


def matched_half(matcher: Matcher, legs: Sequence[LegRow], pools: set[int], run: Run) -> lots_merge.Packed:
    """`matcher` run over the legs of `pools` only, packed with the positions of what it added."""
    clock = track(matcher)
    run(matcher, half_order(legs, pools, matcher.pairs, clock))
    return lots_merge.packed(matcher, {_key(matcher, pool_id) for pool_id in pools})
