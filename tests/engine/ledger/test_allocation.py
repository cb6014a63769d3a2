"""The allocation arithmetic checked against Rev. Proc. 2024-28's own examples (§6), and the
record's irrevocability.

Examples 2-4 (digital asset DE; unhosted wallets XYZ and GHI; no fees):
    2019-07-01  XYZ buys 10 DE at $1    (lot X)
    2020-09-01  GHI buys 20 DE at $5    (lot G)
    2024-12-01  XYZ sells 6, identified (universally) as 6 of GHI's lot G
As of 2025-01-01: 24 units of unused basis (10 @ $1 of X, 14 @ $5 of G); XYZ holds 4, GHI 20."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.core import fixedpoint as fp
from engine.imports.allocation_file import Request
from engine.ledger.allocation import Rule, global_allocation
from engine.ledger.decisions import ALLOCATION
from engine.planning.allocation import from_requests, record
from engine.store.decision_tables import UnknownDecision
from tests.engine.ledger.transition_story import story_engine

TEXT = """timestamp,account,asset,side,quantity,price,fee,trade_id,lots
2019-07-01T15:00:00Z,XYZ,DE,buy,10,1,0,X,
2020-09-01T15:00:00Z,GHI,DE,buy,20,5,0,G,
2024-12-01T15:00:00Z,XYZ,DE,sell,6,7,0,S0,G:6
2025-03-01T15:00:00Z,XYZ,DE,sell,2,8,0,S1,X:1;G:1
"""


def shares(allocation):
    return [(s.account, s.key, fp.fmt(s.quantity, 0), fp.fmt(s.basis or 0)) for s in allocation.slices]


def test_example_2_the_snapshot(tmp_path):
    snapshot = story_engine(tmp_path, TEXT).transition_run().snapshots["DE"]
    assert {a: fp.fmt(q, 0) for a, q in snapshot.held.items()} == {"GHI": "20", "XYZ": "4"}
    assert [(lot.key, fp.fmt(lot.quantity, 0), fp.fmt(lot.basis or 0)) for lot in snapshot.unused] == [
        ("X", "10", "10.00"),
        ("G", "14", "70.00"),
    ]


def test_example_4_a_global_rule_highest_basis_first_to_xyz_then_ghi(tmp_path):
    # "four of the 14 units ... with the highest basis ... to XYZ; 10 units ($5) and 10 units ($1)
    # to GHI"
    snapshot = story_engine(tmp_path, TEXT).transition_run().snapshots["DE"]
    allocation = global_allocation(snapshot, Rule("hifo", ("XYZ", "GHI")))
    assert shares(allocation) == [
        ("XYZ", "G", "4", "20.00"),
        ("GHI", "G", "10", "50.00"),
        ("GHI", "X", "10", "10.00"),
    ]


def test_example_3_a_specific_unit_allocation_and_the_2025_sale_identified_within_xyz(tmp_path):
    # XYZ gets 2 @ $1 and 2 @ $5; GHI the other 8 @ $1 and 12 @ $5; the March 1, 2025 sale of
    # two units from XYZ identifies one of each: basis 1 + 5 = 6, proceeds 2 x 8 = 16, gain 10
    engine = story_engine(tmp_path, TEXT)
    requests = [Request(2, "XYZ", "DE", "X", fp.parse("2")), Request(3, "XYZ", "DE", "G", fp.parse("2")),
                Request(4, "GHI", "DE", "X", fp.parse("8")), Request(5, "GHI", "DE", "G", fp.parse("12"))]  # fmt: skip
    (proposal,) = from_requests(engine, requests)
    assert proposal.problems == ()
    record(engine, [proposal], made_on=engine.today() - 700)  # well before March 2025
    rows, _ = engine.realized(2025)
    assert [(r.account, r.lot_id, fp.fmt(r.cost_basis), fp.fmt(r.gain)) for r in rows] == [
        ("XYZ", "X", "1.00", "7.00"),
        ("XYZ", "G", "5.00", "3.00"),
    ]


def test_example_2_basis_used_in_2024_cannot_be_allocated(tmp_path):
    # G's 6 units of basis were used by the 2024 sale (§5.02(7)): only 14 of G are unused
    engine = story_engine(tmp_path, TEXT)
    requests = [Request(2, "GHI", "DE", "G", fp.parse("20")), Request(3, "XYZ", "DE", "X", fp.parse("4"))]
    (proposal,) = from_requests(engine, requests)
    assert proposal.problems == ("lot G: 20 asked, 14 unused",)


def test_a_global_rule_with_unnamed_accounts_still_fills_every_account(tmp_path):
    snapshot = story_engine(tmp_path, TEXT).transition_run().snapshots["DE"]
    allocation = global_allocation(snapshot, Rule("fifo", ("GHI",)))
    # fifo: X (2019) first, to GHI (named) then XYZ (by name after the named ones)
    assert shares(allocation) == [
        ("GHI", "X", "10", "10.00"),
        ("GHI", "G", "10", "50.00"),
        ("XYZ", "G", "4", "20.00"),
    ]


def test_a_recorded_allocation_cannot_be_undone(tmp_path):
    engine = story_engine(tmp_path, TEXT)
    decision = engine.store.record_decision(ALLOCATION, "DE", {"method": "specific_unit"}, "", engine.clock())
    with pytest.raises(UnknownDecision, match="irrevocable"):
        engine.store.undo_decision(decision, engine.clock())
    assert engine.store.decisions()[0].active


def test_pro_rata_basis_of_a_split_lot_adds_up_exactly(tmp_path):
    # a lot of basis 100 for 3 units split 1/1/1: 33, 33 and the remainder 34
    text = "timestamp,account,asset,side,quantity,price,fee,trade_id\n2024-01-01T15:00:00Z,a,T,buy,3,33.333333333333333334,0,L\n"
    engine = story_engine(tmp_path, text)
    snapshot = engine.transition_run().snapshots["T"]
    snapshot = replace(snapshot, held={"a": fp.parse("1"), "b": fp.parse("1"), "c": fp.parse("1")})
    allocation = global_allocation(snapshot, Rule("fifo", ("a", "b", "c")))
    assert sum(s.basis or 0 for s in allocation.slices) == snapshot.unused[0].basis
