"""engine.core.release: what it is given is freed (in pieces), and nothing anyone else still
holds is touched."""

from __future__ import annotations

import gc
import weakref
from dataclasses import dataclass, field

from engine.core import release as release_module
from engine.core.release import release
from tests.support import engine_from_csv


class Leaf:
    """Something weakly referenceable, to see when it is freed."""


@dataclass
class Holder:
    items: list[object] = field(default_factory=list)
    by_name: dict[str, object] = field(default_factory=dict)


class Slotted:
    __slots__ = ("lots", "single")

    def __init__(self, lots: list[object]) -> None:
        self.lots = lots


def test_everything_given_is_freed_and_the_list_emptied():
    leaves = [Leaf() for _ in range(release_module.PIECE * 2 + 3)]
    watched = [weakref.ref(leaf) for leaf in leaves[:: release_module.PIECE // 2]]
    small = [Leaf(), Leaf()]
    watched += [weakref.ref(leaf) for leaf in small]
    holder = Holder(items=[("BTC", leaves), Slotted(small)], by_name={str(n): Leaf() for n in range(7)})
    watched += [weakref.ref(leaf) for leaf in holder.by_name.values()]
    big_dict = {n: Leaf() for n in range(release_module.PIECE + 1)}
    watched.append(weakref.ref(big_dict[0]))
    owned: list[object] = [holder, big_dict]
    del leaves, small, holder, big_dict
    gc.disable()  # freed by reference counting, as the app's acyclic structures are
    try:
        release(owned)
        assert owned == []
        assert all(ref() is None for ref in watched)
    finally:
        gc.enable()


def test_what_someone_else_holds_is_left_whole():
    shared = [Leaf() for _ in range(release_module.PIECE + 10)]
    shared_small = [1, 2, 3]
    kept = Holder(items=[9])
    holder = Holder(items=[shared, (shared_small, kept)], by_name={"x": shared})
    release([holder])
    assert len(shared) == release_module.PIECE + 10
    assert shared_small == [1, 2, 3]
    assert kept.items == [9]


def test_a_match_the_caller_still_holds_survives_an_invalidate(tmp_path, monkeypatch):
    """Engine.invalidate lets go of its matches in pieces: a result a caller still holds (the
    app's context, a report in progress) keeps every lot, and so does any part of one held."""
    monkeypatch.setattr(release_module, "PIECE", 2)  # pieces even for a small match
    rows = "".join(f"2024-01-{day:02d}T10:00:00Z,acct,BTC,buy,1.5,{100 + day},1\n" for day in range(1, 20))
    text = "timestamp,account,asset,side,quantity,price,fee\n" + rows
    text += "2024-02-01T10:00:00Z,acct,BTC,sell,4,90,1\n"
    engine = engine_from_csv(tmp_path, text)
    held = engine.lots()
    rows_before, realized_before = list(held.open_lots), list(held.realized)
    assert len(rows_before) == 17
    assert realized_before
    engine.invalidate()
    assert list(held.open_lots) == rows_before
    assert list(held.realized) == realized_before
    again = engine.lots()
    assert again is not held
    assert list(again.open_lots) == rows_before
    pools = again.open_lots.pools  # type: ignore[attr-defined]
    del again
    engine.invalidate()  # nobody holds that match now but its pools: the pools stay whole
    assert sum(len(lots) for _asset, lots in pools) == 17


def test_light_items_are_freed_in_pieces_without_a_visit_each(monkeypatch):
    """A match's shape: many pools, each a list of lots (short lists of numbers). The walk looks
    into the pools list and each pool, not into each of the 30,000 lots."""
    visits: list[int] = []
    sequence = release_module._sequence
    monkeypatch.setattr(
        release_module, "_sequence", lambda items, stack: (visits.append(len(items)), sequence(items, stack))
    )
    lots = [[[n, n * 2, "L", 7, 8, "a", 9] for n in range(300)] for _ in range(100)]
    watched = [Leaf() for _ in range(100)]
    refs = [weakref.ref(leaf) for leaf in watched]
    for pool, leaf in zip(lots, watched, strict=True):
        pool[-1].append(leaf)  # each pool's last lot holds a leaf: freed with it
    pools = [("BTC", pool) for pool in lots]
    owned: list[object] = [pools]
    del lots, watched, pool, leaf, pools
    release(owned)
    assert all(ref() is None for ref in refs)
    assert len(visits) < 300


def test_the_ledger_a_match_read_is_let_go_of_in_pieces(tmp_path, monkeypatch):
    """Engine.lots frees the decided ledger it matched (a million legs at scale: ~0.1-0.16 s of
    GIL in one go on return, the app's UI thread stopped) with release, its legs walked in
    pieces; the match it returns is whole."""
    monkeypatch.setattr(release_module, "PIECE", 2)
    walked: list[tuple[type, int]] = []  # each sequence walked: its first item's type and length
    sequence = release_module._sequence

    def _sequence(items, stack) -> None:  # noqa: ANN001 — nothing of `items` kept (that would share it)
        first = items[0] if items else None
        walked.append((type(first), len(first) if isinstance(first, tuple) else 0))
        del first
        sequence(items, stack)

    monkeypatch.setattr(release_module, "_sequence", _sequence)
    rows = "".join(f"2024-01-{day:02d}T10:00:00Z,acct,BTC,buy,1.5,{100 + day},1\n" for day in range(1, 20))
    text = "timestamp,account,asset,side,quantity,price,fee\n" + rows
    text += "2024-02-01T10:00:00Z,acct,BTC,sell,4,90,1\n"
    engine = engine_from_csv(tmp_path, text)
    result = engine.lots()
    assert (tuple, 7) in walked  # a list of leg rows (pool, kind, time, quantity, usd, ref, extra)
    assert len(result.open_lots) == 17
    assert result.realized
