"""Pairing never changes total basis (hypothesis): over random histories of buys, sells and
transfers between three accounts (fees taken on the way, hashes that agree or conflict, sends
with two candidate receipts), and any pair and unpair decisions the user makes — valid or not —
every unit of basis bought is in an open lot, in a sale, or accounted as having left the books
(sent to no known account, lost on the way); none is made or lost by pairing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
from engine.ledger.decisions import PAIR, UNPAIR, Decision
from engine.ledger.events import Event
from engine.ledger.records import LotResult
from tests.engine.ledger.decide import DAY, MIN, T, decision, event, key, run

E8 = 10**10  # 1e-8 in fixed-point units
ACCOUNTS = ("coinbase", "kraken", "wallet")


@st.composite
def histories(draw: st.DrawFn) -> list[Event]:
    events: list[Event] = []
    at = T
    for index in range(draw(st.integers(1, 24))):
        at += draw(st.sampled_from([0, MIN, 31 * MIN, DAY, 8 * DAY]))
        account = draw(st.sampled_from(ACCOUNTS))
        quantity = fp.fmt(draw(st.integers(1, 10**8)) * E8, 0)
        kind = draw(st.sampled_from(["buy", "buy", "sell", "send", "send"]))
        if kind == "buy":
            events.append(
                event(account, "buy", quantity, at, f"B{index}", price=str(draw(st.integers(1, 90_000))))
            )
        elif kind == "sell":
            events.append(
                event(account, "sell", quantity, at, f"S{index}", price=str(draw(st.integers(1, 90_000))))
            )
        else:
            tx = draw(st.sampled_from([None, None, "0xa", "0xb"]))
            events.append(event(account, "transfer_out", quantity, at, f"W{index}", tx=tx))
            for copy in range(draw(st.integers(0, 2))):  # no receipt, one, or two candidates
                fee = draw(st.integers(0, 3)) * fp.parse(quantity) // 200  # 0 to 1.5% taken on the way
                late = draw(st.sampled_from([-2 * 60 * MIN, 0, 31 * MIN, 3 * DAY, 9 * DAY]))
                into = draw(st.sampled_from([a for a in ACCOUNTS if a != account]))
                received = fp.fmt(fp.parse(quantity) - fee, 0)
                events.append(event(into, "transfer_in", received, at + late, f"D{index}.{copy}",
                                    tx=draw(st.sampled_from([None, tx, "0xc"]))))  # fmt: skip
    return sorted(events, key=lambda e: e.timestamp)


@st.composite
def with_decisions(draw: st.DrawFn) -> tuple[list[Event], list[Decision]]:
    events = draw(histories())
    outs = [e for e in events if e.side == "transfer_out"]
    ins = [e for e in events if e.side == "transfer_in"]
    decisions: list[Decision] = []
    if outs and ins:
        for _ in range(draw(st.integers(0, 4))):
            kind = draw(st.sampled_from([PAIR, PAIR, UNPAIR]))
            out, into = draw(st.sampled_from(outs)), draw(st.sampled_from(ins))
            decisions.append(decision(kind, key(out), undone=draw(st.booleans()), **{"in": key(into)}))
    return events, decisions


def bought(events: list[Event]) -> int:
    return sum(fp.mul(e.quantity, e.price or 0) for e in events if e.side == "buy")


def accounted(result: LotResult) -> int:
    held = sum(lot.basis for lot in result.open_lots if lot.basis is not None)
    sold = sum(row.cost_basis for row in result.realized)
    left = sum(u.basis for u in result.unresolved if u.basis is not None)
    return held + sold + left


@settings(max_examples=120, deadline=None)
@given(with_decisions(), st.sampled_from(["fifo", "hifo"]))
def test_pairing_never_changes_total_basis(history, method):
    events, decisions = history
    assert accounted(run(events, method=method)) == bought(events)  # the rules alone
    assert accounted(run(events, decisions, method)) == bought(events)  # with the user's pairs
