"""The user's decisions under `lots.basis_scope: universal_until_2025`: a pair, a gift's date
and an own wallet are honoured in the runs before and after the cutover as under the other
scopes (engine.ledger.transition passes the decisions' effects to each run of the matcher).

The history is tests/engine/ledger/transition_story.py's, where the ledger account holds C1 0.5
(basis 5,000) and K1 0.5 (basis 25,000) from 2025 on (the actual-units default)."""

from __future__ import annotations

from pathlib import Path

from engine.api import Engine
from engine.core import fixedpoint as fp
from engine.core.dates import fixed_clock
from engine.ledger.decisions import PAIR
from engine.planning.planner import Planner
from engine.review import actions
from engine.review.problems import find_review
from tests.engine.ledger.transition_story import HISTORY, story_engine

HEADER = "timestamp,account,asset,side,quantity,price,fee,trade_id,tx_id,address"
STORY = HEADER + "\n" + "\n".join(line + "," for line in HISTORY.splitlines()[1:]) + "\n"


def lots_in(engine: Engine, account: str) -> list[tuple[str, str, str | None]]:
    return [
        (lot.lot_id, fp.fmt(lot.quantity, 0), None if lot.basis is None else fp.fmt(lot.basis))
        for lot in engine.lots().open_lots
        if lot.account == account
    ]


def test_a_pair_after_the_cutover_carries_the_lots_basis(tmp_path: Path):
    # 19 days apart: past the rules' 7-day window, so only the user's pair makes them one move
    text = STORY + (
        "2025-07-01T15:00:00Z,ledger,BTC,transfer_out,0.5,,0,P1,,\n"
        "2025-07-20T15:00:00Z,kraken,BTC,transfer_in,0.5,,0,P2,,\n"
    )
    engine = story_engine(tmp_path, text)
    assert lots_in(engine, "kraken") == [("P2", "0.5", None)]
    actions.pair(Planner(engine), "P1", "P2")
    assert lots_in(engine, "kraken") == [("C1", "0.5", "5000.00")]
    assert lots_in(engine, "ledger") == [("K1", "0.5", "25000.00")]


def test_a_pair_across_the_cutover_counts_as_arrived_before_it(tmp_path: Path):
    # sent from the ledger on Dec 20, 2024, received on kraken on Jan 20, 2025: the user's pair
    # puts the receipt before the cutover, so kraken held it on 2025-01-01
    text = STORY + (
        "2024-12-20T15:00:00Z,ledger,BTC,transfer_out,0.5,,0,X1,,\n"
        "2025-01-20T15:00:00Z,kraken,BTC,transfer_in,0.5,,0,X2,,\n"
    )
    engine = story_engine(tmp_path, text)
    keys = {r.ref: r.key for r in engine.store.reviewable_records()}  # as a decision names them
    engine.store.record_decision(PAIR, keys["X1"], {"in": keys["X2"]}, "", engine.clock())
    held = engine.transition_run().snapshots["BTC"].held
    assert {account: fp.fmt(units, 0) for account, units in held.items()} == {
        "coinbase": "1",
        "kraken": "1",
        "ledger": "0.5",
    }
    assert all(lot.basis is not None for lot in engine.lots().open_lots)


def test_a_gift_keeps_the_donors_date_and_an_own_wallet_keeps_the_lots(tmp_path: Path):
    text = STORY + (
        "2025-08-01T15:00:00Z,kraken,BTC,transfer_in,0.1,,0,G1,,\n"
        "2025-09-01T15:00:00Z,ledger,BTC,transfer_out,0.2,,0,O1,,bc1qcold\n"
    )
    engine = story_engine(tmp_path, text)
    planner = Planner(engine)
    actions.classify(planner, "G1", "gift", basis="3000", acquired="2020-05-01")
    actions.own_address(planner, "bc1qcold", "cold")
    (gift,) = [lot for lot in engine.lots().open_lots if lot.lot_id == "G1"]
    assert (fp.fmt(gift.basis or 0), gift.acquired) == (
        "3000.00",
        fixed_clock("2020-05-01", "America/New_York")(),
    )
    assert lots_in(engine, "own:cold") == [("C1", "0.2", "2000.00")]
    assert not [w for w in engine.lots().warnings if "sent out of ledger" in w]


def test_the_problems_list_names_a_transfers_other_ends_under_the_transition(tmp_path: Path):
    text = STORY + (
        "2025-07-01T15:00:00Z,ledger,BTC,transfer_out,0.5,,0,P1,,\n"
        "2025-07-20T15:00:00Z,kraken,BTC,transfer_in,0.5,,0,P2,,\n"
    )
    problems = find_review(Planner(story_engine(tmp_path, text))).problems
    (receipt,) = [p for p in problems if p.ref == "P2"]
    assert receipt.label == "receive from outside"
    assert [(end.ref, end.account, end.confidence) for end in receipt.other_ends] == [("P1", "ledger", "low")]
