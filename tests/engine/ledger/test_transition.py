"""`lots.basis_scope: universal_until_2025`: universal before 2025, per account from then on,
joined by the allocation. The history and every figure: tests/engine/ledger/transition_story.py."""

from __future__ import annotations

from engine.core import fixedpoint as fp
from engine.ledger.allocation import ACTUAL_UNITS, suggestion
from engine.ledger.allocation_record import to_detail
from engine.ledger.decisions import ALLOCATION
from tests.engine.ledger.transition_story import HEADER, story_engine
from tests.support import usd


def gains(engine, year):
    rows, _ = engine.realized(year)
    return [
        (r.account, r.sale_id, r.lot_id, fp.fmt(r.quantity, 0), fp.fmt(r.cost_basis), fp.fmt(r.gain))
        for r in rows
    ]


def test_before_2025_the_pools_stay_universal_as_filed(tmp_path):
    # S1 in kraken takes coinbase's C1 (the oldest anywhere): basis 5,000, gain 25,000
    assert gains(story_engine(tmp_path), 2024) == [("kraken", "S1", "C1", "0.5", "5000.00", "25000.00")]


def test_per_account_rewrites_the_2024_sale_and_universal_pools_2025_across_accounts(tmp_path):
    # what the two old switches do to the same history (why the transition mode exists):
    # per_account gives S1 kraken's own K1 (basis 25,000: a different 2024 result than filed)
    assert gains(story_engine(tmp_path / "a", scope="per_account"), 2024) == [
        ("kraken", "S1", "K1", "0.5", "25000.00", "5000.00")
    ]
    # universal keeps one pool in 2025: kraken's S2 takes coinbase's C1 0.5 left over from S1,
    # and coinbase's S3 takes kraken's K1 (a lot of another account: wrong from 2025)
    assert gains(story_engine(tmp_path / "b", scope="universal"), 2025) == [
        ("kraken", "S2", "C1", "0.5", "5000.00", "35000.00"),
        ("coinbase", "S3", "K1", "1", "50000.00", "50000.00"),
    ]


def test_2025_sales_use_the_actual_units_default_without_an_allocation_and_say_so(tmp_path):
    engine = story_engine(tmp_path)
    assert gains(engine, 2025) == [
        ("kraken", "S2", "K1", "0.5", "25000.00", "15000.00"),
        ("coinbase", "S3", "C2", "1", "20000.00", "80000.00"),
    ]
    run = engine.transition_run()
    assert run.applied["BTC"].method == ACTUAL_UNITS
    # ledger keeps what is left: C1 0.5 (all that is unused of C1) and K1 0.5
    assert [
        (lot.account, lot.lot_id, fp.fmt(lot.quantity, 0), fp.fmt(lot.basis or 0))
        for lot in run.result.open_lots
    ] == [
        ("ledger", "C1", "0.5", "5000.00"),
        ("ledger", "K1", "0.5", "25000.00"),
    ]
    assert any("no allocation of unused basis recorded for BTC" in w for w in engine.lots().warnings)


def test_a_recorded_allocation_decides_the_2025_basis_per_account(tmp_path):
    engine = story_engine(tmp_path)
    snapshot = engine.transition_run().snapshots["BTC"]
    proposal = suggestion(snapshot)
    engine.store.record_decision(
        ALLOCATION, "BTC", to_detail(proposal, snapshot.held), "test", engine.clock()
    )
    engine.invalidate()
    assert gains(engine, 2025) == [
        ("kraken", "S2", "K1", "0.5", "25000.00", "15000.00"),
        ("coinbase", "S3", "K1", "0.5", "25000.00", "25000.00"),
        ("coinbase", "S3", "C2", "0.5", "10000.00", "40000.00"),
    ]
    assert gains(engine, 2024) == [("kraken", "S1", "C1", "0.5", "5000.00", "25000.00")]
    assert not any("no allocation" in w for w in engine.lots().warnings)


def test_the_snapshot_counts_units_per_account_and_the_unused_lots(tmp_path):
    snapshot = story_engine(tmp_path).transition_run().snapshots["BTC"]
    assert {a: fp.fmt(q, 0) for a, q in snapshot.held.items()} == {
        "coinbase": "1",
        "kraken": "0.5",
        "ledger": "1",
    }
    assert [(lot.key, fp.fmt(lot.quantity, 0), fp.fmt(lot.basis or 0)) for lot in snapshot.unused] == [
        ("C1", "0.5", "5000.00"),
        ("K1", "1", "50000.00"),
        ("C2", "1", "20000.00"),
    ]
    assert snapshot.first_disposal is not None
    assert snapshot.first_disposal[1] == "kraken"


def test_a_transfer_in_transit_at_midnight_counts_as_arrived(tmp_path):
    # sent from coinbase at 23:00 New York on Dec 31, 2024, received in the ledger at 01:00 on
    # Jan 1, 2025: the ledger held it on 2025-01-01, with C1's basis (no unknown-basis lot)
    text = f"""{HEADER}
2020-01-10T15:00:00Z,coinbase,BTC,buy,1,10000,0,C1,
2025-01-01T04:00:00Z,coinbase,BTC,transfer_out,1,,0,M1,T9
2025-01-01T06:00:00Z,ledger,BTC,transfer_in,1,,0,M2,T9
2025-02-01T15:00:00Z,ledger,BTC,sell,1,90000,0,S9,
"""
    engine = story_engine(tmp_path, text)
    snapshot = engine.transition_run().snapshots["BTC"]
    assert {a: fp.fmt(q, 0) for a, q in snapshot.held.items()} == {"ledger": "1"}
    (row,) = engine.realized(2025)[0]
    assert (row.lot_id, row.cost_basis, row.gain) == ("C1", usd("10000"), usd("80000"))
    assert not [w for w in engine.lots().warnings if "basis unknown" in w or "no matching" in w]


def test_units_held_with_no_unused_basis_open_as_unknown_basis(tmp_path):
    # a 2024 transfer into kraken with no source: universal holds it as a lot of unknown basis,
    # and after 2025 its sale is left out of realized (never valued at zero)
    text = f"""{HEADER}
2024-04-01T15:00:00Z,kraken,ETH,transfer_in,2,,0,R1,
2025-04-01T15:00:00Z,kraken,ETH,sell,1,3000,0,S1,
"""
    engine = story_engine(tmp_path, text)
    rows, excluded = engine.realized(2025)
    assert rows == []
    assert [e.problem for e in excluded] == ["unknown basis"]
