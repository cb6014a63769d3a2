"""Invariants of the lot engine over random valid histories (hypothesis)."""

from __future__ import annotations

import random
import tempfile
from collections import defaultdict, deque
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
from engine.ledger.events import Event
from engine.ledger.legs import build_ledger
from engine.ledger.lots import match_lots
from engine.ledger.records import Ledger
from engine.store.store import Store, keys_of

E8 = 10**10  # 1e-8 in fixed-point units
DAY = 86_400_000_000
ACCOUNTS = ("a", "b")
ASSETS = ("BTC", "ETH")


@st.composite
def histories(draw: st.DrawFn) -> list[Event]:
    """Buys and sells (never more than held) with USD fees, up to 8 decimals, in processing
    order: timestamps never go back and often repeat, so several events share a moment (in
    one pool or across pools), the case where input order could matter."""
    held: dict[tuple[str, str], int] = {}
    events: list[Event] = []
    day = 1
    for index in range(draw(st.integers(1, 40))):
        if index:
            day += draw(st.integers(0, 1))  # 0: the same moment as the event before
        account = draw(st.sampled_from(ACCOUNTS))
        asset = draw(st.sampled_from(ASSETS))
        price = draw(st.integers(1, 10**7)) * E8 * 100
        fee = draw(st.integers(0, 10**4)) * E8 * 100
        have = held.get((account, asset), 0)
        if have and draw(st.booleans()):
            qty = draw(st.integers(1, have // E8)) * E8
            side = "sell"
            held[(account, asset)] = have - qty
        else:
            qty = draw(st.integers(1, 10**9)) * E8
            side = "buy"
            held[(account, asset)] = have + qty
        events.append(Event(account, asset, side, day * DAY, qty, price, fee, trade_id=f"T{index}"))
    return events


def acquired_basis(events: list[Event]) -> int:
    return sum(fp.mul(e.quantity, e.price or 0) + e.fee for e in events if e.side == "buy")


@settings(max_examples=150, deadline=None)
@given(histories(), st.sampled_from(["fifo", "lifo", "hifo"]))
@pytest.mark.slow
def test_quantity_and_basis_are_conserved(events, method):
    result = match_lots(build_ledger(events), method)
    assert result.shortfalls == []
    for account in ACCOUNTS:
        for asset in ASSETS:
            bought = sum(
                e.quantity for e in events if (e.account, e.asset, e.side) == (account, asset, "buy")
            )
            sold = sum(e.quantity for e in events if (e.account, e.asset, e.side) == (account, asset, "sell"))
            open_qty = sum(
                lot.quantity for lot in result.open_lots if (lot.account, lot.asset) == (account, asset)
            )
            assert bought - sold == open_qty
    realized_basis = sum(row.cost_basis for row in result.realized)
    open_basis = sum(lot.basis for lot in result.open_lots)
    assert realized_basis + open_basis == acquired_basis(events)


@settings(max_examples=150, deadline=None)
@given(histories())
@pytest.mark.slow
def test_proceeds_are_allocated_exactly(events):
    result = match_lots(build_ledger(events), "fifo")
    by_sale: dict[str, int] = {}
    for row in result.realized:
        by_sale[row.sale_id] = by_sale.get(row.sale_id, 0) + row.proceeds
    for e in events:
        if e.side == "sell":
            assert by_sale[e.trade_id] == fp.mul(e.quantity, e.price) - e.fee


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 10**6), st.integers(1, 10**5)), min_size=1, max_size=12),
    st.integers(1, 10**5),
    st.data(),
)
def test_hifo_never_realizes_more_gain_than_fifo_or_lifo_on_one_sale(buys, sell_price, data):
    events = [
        Event("a", "BTC", "buy", (i + 1) * DAY, qty * E8, price * E8 * 10**8, 0, trade_id=f"B{i}")
        for i, (qty, price) in enumerate(buys)
    ]
    total = sum(e.quantity for e in events)
    qty = data.draw(st.integers(1, total // E8)) * E8
    events.append(Event("a", "BTC", "sell", 100 * DAY, qty, sell_price * E8 * 10**8, 0, trade_id="S"))
    gains = {}
    for method in ("fifo", "lifo", "hifo"):
        result = match_lots(build_ledger(events), method)
        gains[method] = sum(row.gain for row in result.realized)
    assert gains["hifo"] <= gains["fifo"]
    assert gains["hifo"] <= gains["lifo"]


@settings(max_examples=100, deadline=None)
@given(histories())
@pytest.mark.slow
def test_selling_everything_leaves_nothing(events):
    held: dict[tuple[str, str], int] = {}
    for e in events:
        held[(e.account, e.asset)] = held.get((e.account, e.asset), 0) + (
            e.quantity if e.side == "buy" else -e.quantity
        )
    last = len(events) + 1
    closing = [
        Event(account, asset, "sell", (last + n) * DAY, qty, 10**18, 0, trade_id=f"X{n}")
        for n, ((account, asset), qty) in enumerate(sorted(held.items()))
        if qty
    ]
    result = match_lots(build_ledger(events + closing), "hifo")
    assert result.open_lots == []
    assert result.shortfalls == []


def reorder_keeping_ties(events: list[Event], rng: random.Random) -> list[Event]:
    """A random order of the rows in which rows that share a timestamp keep their relative order
    (a shuffle of the file that moves every row but never swaps two rows of the same moment)."""
    shuffled = list(events)
    rng.shuffle(shuffled)
    queues: dict[int, deque[Event]] = defaultdict(deque)
    for event in events:
        queues[event.timestamp].append(event)
    return [queues[event.timestamp].popleft() for event in shuffled]


def test_the_histories_have_ties():
    @settings(max_examples=30, deadline=None, database=None)
    @given(histories())
    def count(events):
        moments = [e.timestamp for e in events]
        found.append(len(moments) - len(set(moments)))

    found: list[int] = []
    count()
    assert sum(1 for ties in found if ties) > len(found) // 2


@settings(max_examples=100, deadline=None)
@given(histories(), st.sampled_from(["fifo", "lifo", "hifo"]), st.randoms(use_true_random=False))
@pytest.mark.slow
def test_results_do_not_depend_on_row_order_except_within_a_moment(events, method, rng: random.Random):
    """Rows are processed by timestamp; rows of the same moment in the order given (the store:
    ORDER BY ts, event_id, seq, event ids in import order). So any reordering that keeps the
    order within each moment gives the very same result, row for row."""
    reordered = reorder_keeping_ties(events, rng)
    assert match_lots(build_ledger(reordered), method) == match_lots(build_ledger(events), method)


def test_rows_of_the_same_moment_are_taken_in_the_order_given():
    """Why the property above keeps ties in order: the order of rows of one moment is data. Two
    buys in the same second, then a sale: FIFO sells the one given first."""
    cheap = Event("a", "BTC", "buy", DAY, 10**18, 100 * 10**18, 0, trade_id="CHEAP")
    dear = Event("a", "BTC", "buy", DAY, 10**18, 300 * 10**18, 0, trade_id="DEAR")
    sale = Event("a", "BTC", "sell", 2 * DAY, 10**18, 200 * 10**18, 0, trade_id="S")
    assert [r.lot_id for r in match_lots(build_ledger([cheap, dear, sale])).realized] == ["CHEAP"]
    assert [r.lot_id for r in match_lots(build_ledger([dear, cheap, sale])).realized] == ["DEAR"]
    # a sale given before a buy of the same second finds nothing to sell yet
    same_second = Event("a", "BTC", "sell", DAY, 10**18, 200 * 10**18, 0, trade_id="S")
    assert match_lots(build_ledger([cheap, same_second])).shortfalls == []
    assert len(match_lots(build_ledger([same_second, cheap])).shortfalls) == 1


def named_ledger(ledger: Ledger) -> list[tuple[object, ...]]:
    """The legs with pool ids replaced by (account, asset) and amounts as ints."""
    return [
        (ledger.pools[pool], kind, ts, int(qty), None if usd is None else int(usd), ref, extra)
        for pool, kind, ts, qty, usd, ref, extra in ledger.legs
    ]


@settings(max_examples=40, deadline=None)
@given(histories(), st.integers(1, 3), st.randoms(use_true_random=False))
@pytest.mark.slow
def test_the_store_orders_ties_like_the_in_memory_ledger(events, imports, rng: random.Random):
    """The store breaks ties by import order (event ids are handed out in file order, and a
    later import gets later ids): importing the rows in several files, one after another, and
    in any order that keeps each moment's rows in order, gives the in-memory ledger's legs."""
    reordered = reorder_keeping_ties(events, rng)
    cuts = sorted(rng.randint(0, len(reordered)) for _ in range(imports - 1))
    files = [reordered[start:end] for start, end in zip([0, *cuts], [*cuts, len(reordered)], strict=True)]
    with tempfile.TemporaryDirectory() as directory:
        store = Store(Path(directory) / "store.sqlite3")
        try:
            for number, rows in enumerate(files):
                store.import_events(keys_of(rows), f"file{number}", frozenset({"USD"}))
            stored = store.ledger()
        finally:
            store.close()
    assert named_ledger(stored) == named_ledger(build_ledger(reordered))
    assert match_lots(stored, "fifo") == match_lots(build_ledger(events), "fifo")


@settings(max_examples=100, deadline=None)
@given(histories(), st.sampled_from(["fifo", "lifo", "hifo"]))
@pytest.mark.slow
def test_once_everything_is_sold_the_gains_are_cash_out_minus_cash_in(events, method):
    """Summed over every row, gain is what the sales brought in (after their fees) minus what
    the buys cost (with their fees), whatever the method: computed from the rows given, not
    from the realized rows' own fields."""
    held: dict[tuple[str, str], int] = {}
    for e in events:
        change = e.quantity if e.side == "buy" else -e.quantity
        held[(e.account, e.asset)] = held.get((e.account, e.asset), 0) + change
    last = events[-1].timestamp + DAY
    closing = [
        Event(account, asset, "sell", last, qty, 3 * 10**18, 10**16, trade_id=f"X{n}")
        for n, ((account, asset), qty) in enumerate(sorted(held.items()))
        if qty
    ]
    everything = events + closing
    result = match_lots(build_ledger(everything), method)
    cash_in = sum(fp.mul(e.quantity, e.price) + e.fee for e in everything if e.side == "buy")
    cash_out = sum(fp.mul(e.quantity, e.price) - e.fee for e in everything if e.side == "sell")
    assert result.open_lots == []
    assert sum(row.gain for row in result.realized) == cash_out - cash_in
    assert sum(row.quantity for row in result.realized) == sum(
        e.quantity for e in everything if e.side == "sell"
    )


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # buy 2 BTC at $100 + $2 fee (basis $202, $101 a coin), buy 1 BTC at $400 + $1 fee
        # (basis $401); sell 2.5 BTC at $300 less a $5 fee: proceeds $745, $298 a coin.
        # FIFO: all of the first lot, 2 BTC: proceeds $596, basis $202, gain $394; then 0.5 of
        # the second: proceeds $149, basis $200.50, gain -$51.50. Total $342.50.
        ("fifo", [("L1", "2", "596", "202", "394"), ("L2", "0.5", "149", "200.5", "-51.5")]),
        # HIFO: the dearer lot first, 1 BTC: proceeds $298, basis $401, gain -$103; then 1.5 of
        # the first: proceeds $447, basis $151.50, gain $295.50. Total $192.50.
        ("hifo", [("L2", "1", "298", "401", "-103"), ("L1", "1.5", "447", "151.5", "295.5")]),
    ],
)
def test_a_hand_checked_sale_across_two_lots(method, expected):
    events = [
        Event("a", "BTC", "buy", DAY, fp.parse("2"), fp.parse("100"), fp.parse("2"), trade_id="L1"),
        Event("a", "BTC", "buy", 2 * DAY, fp.parse("1"), fp.parse("400"), fp.parse("1"), trade_id="L2"),
        Event("a", "BTC", "sell", 3 * DAY, fp.parse("2.5"), fp.parse("300"), fp.parse("5"), trade_id="S"),
    ]
    rows = match_lots(build_ledger(events), method).realized
    got = [(r.lot_id, r.quantity, r.proceeds, r.cost_basis, r.gain) for r in rows]
    assert got == [(lot, *(fp.parse(figure) for figure in figures)) for lot, *figures in expected]
