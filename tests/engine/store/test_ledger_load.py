"""The ledger as the store loads it: every leg in processing order, the rarely-set fields (a
transfer's counterpart and tx id, a sale's identification, a missing value's flag) with the legs
that have them, the same as the in-memory ledger of the same records; and the second query for
those fields (a scan of every leg) is left out when no leg has any."""

from __future__ import annotations

import sqlite3

from engine.imports.generic_csv import parse_csv
from engine.ledger.legs import build_ledger
from engine.ledger.records import Ledger
from engine.store.store import Store, keys_of

CSV = "timestamp,account,asset,side,quantity,price,fee,trade_id,counterpart_account,tx_id,lots\n"
PLAIN = (
    "2026-01-01T00:00:00Z,kraken,BTC,buy,1.5,100,0.1,K1,,,\n"
    "2026-01-02T00:00:00Z,kraken,BTC,sell,0.5,120,0,K2,,,\n"
    "2026-01-02T00:00:00Z,ledger,ETH,buy,2,50,1,L1,,,\n"
    "2026-01-03T00:00:00Z,kraken,BTC,sell,0.25,90000000000,0,K3,,,\n"  # usd past 64 bits: TEXT
)
EXTRAS = (
    "2026-01-04T00:00:00Z,kraken,BTC,transfer_out,0.5,,0,K4,ledger,0xabc,\n"
    "2026-01-04T00:10:00Z,ledger,BTC,transfer_in,0.5,,0,L2,kraken,0xabc,\n"
    "2026-01-05T00:00:00Z,ledger,ETH,sell,1,60,0,L3,,,L1:1\n"
)


def loaded(text: str, tmp_path) -> tuple[Ledger, Ledger, list[str]]:  # noqa: ANN001
    """(the store's ledger, the in-memory one, the SELECTs the load ran)."""
    events = parse_csv(CSV + text, "f.csv")
    with Store(tmp_path / "s.sqlite3") as store:
        store.import_events(keys_of(events), "f", frozenset({"USD"}))
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        ledger = store.ledger()
        store.conn.set_trace_callback(None)
    expected = build_ledger(list(events), frozenset({"USD"}))
    return ledger, expected, [s for s in statements if s.lstrip().startswith("SELECT")]


def _same(ledger: Ledger, expected: Ledger) -> None:
    names = {pool_id: names for pool_id, names in ledger.pools.items()}
    expected_names = {pool_id: names for pool_id, names in expected.pools.items()}
    got = [
        (names[leg[0]], *leg[1:3], int(leg[3]), None if leg[4] is None else int(leg[4]), *leg[5:])
        for leg in ledger.legs
    ]
    want = [(expected_names[leg[0]], *leg[1:3], int(leg[3]), None if leg[4] is None else int(leg[4]), *leg[5:]) for leg in expected.legs]  # fmt: skip
    assert got == want


def test_a_ledger_without_extras_is_loaded_in_one_scan(tmp_path) -> None:
    ledger, expected, selects = loaded(PLAIN, tmp_path)
    _same(ledger, expected)
    assert all(leg[6] is None for leg in ledger.legs)
    assert any(isinstance(leg[4], str) for leg in ledger.legs)  # an amount past 64 bits, as its digits
    assert not [s for s in selects if "has_extra" in s and "WHERE" in s]


def test_the_legs_with_extras_get_theirs_in_order(tmp_path) -> None:
    ledger, expected, selects = loaded(PLAIN + EXTRAS, tmp_path)
    _same(ledger, expected)
    extras = [leg[6] for leg in ledger.legs if leg[6] is not None]
    assert [(e.counterpart, e.tx_id, e.identification) for e in extras] == [
        ("ledger", "0xabc", None),
        ("kraken", "0xabc", None),
        (None, None, "L1:1"),
    ]
    assert [s for s in selects if "has_extra" in s and "WHERE" in s]


def test_sqlite_traces_statements() -> None:
    """The check above relies on the trace callback seeing each statement."""
    conn = sqlite3.connect(":memory:")
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    conn.execute("SELECT 1")
    assert seen == ["SELECT 1"]
