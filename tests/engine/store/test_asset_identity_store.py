"""Asset-identity decisions in the store: applied by every ledger load, undone by marking (the
ledger as it was before, exactly), kept across re-imports, and named by natural keys."""

from __future__ import annotations

from engine.core import fixedpoint as fp
from engine.imports.generic_csv import parse_csv
from engine.ledger.decisions import ALIAS, MIGRATION
from engine.ledger.lots import match_lots
from engine.store.store import Store, keys_of
from tests.support import HEADER

FILE = f"""{HEADER}
2023-06-01T15:00:00Z,coinbase,MATIC,buy,1000,0.80,0,B1
2024-09-04T10:00:00Z,coinbase,MATIC,sell,1000,0.38,0,S1
2024-09-04T10:00:00Z,coinbase,POL,buy,1000,0.38,0,B2
2024-10-01T15:00:00Z,coinbase,POL,sell,400,0.40,0,S2
2024-01-01T15:00:00Z,kraken,XBT,buy,1,20000,0,K1
2024-02-01T15:00:00Z,kraken,BTC,buy,1,30000,0,K2
2025-03-01T15:00:00Z,kraken,BTC,sell,1.5,50000,0,K3
"""
NOW = 1_800_000_000_000_000


def store_with(tmp_path, text: str = FILE) -> Store:  # noqa: ANN001
    store = Store(tmp_path / "store.sqlite3")
    imported(store, text)
    return store


def imported(store: Store, text: str) -> None:
    store.import_events(keys_of(parse_csv(text, "t.csv")), "test", frozenset({"USD"}))


def realized(store: Store) -> list[tuple[str, str, str, str, str]]:
    rows = match_lots(store.ledger()).realized
    return [(r.asset, r.lot_id, r.sale_id, fp.fmt(r.quantity, 0), fp.fmt(r.gain)) for r in rows]


BEFORE = [
    ("MATIC", "B1", "S1", "1000", "-420.00"),  # the fake loss: 380 - 800
    ("POL", "B2", "S2", "400", "8.00"),  # 160 - 152
    ("BTC", "K2", "K3", "1", "20000.00"),  # XBT's lot apart: the rest of the sale is missing history
]
AFTER = [
    ("POL", "B1", "S2", "400", "-160.00"),  # no MATIC sale; MATIC's basis (0.80) carried: 160 - 320
    ("BTC", "K1", "K3", "1", "30000.00"),  # FIFO across XBT and BTC: K1 first (50,000 - 20,000) ...
    ("BTC", "K2", "K3", "0.5", "10000.00"),  # ... then half of K2 (25,000 - 15,000)
]


def decide(store: Store) -> list[int]:
    key_of = {e.trade_id: key for key, e in keys_of(parse_csv(FILE, "t.csv"))}
    return [
        store.record_decision(ALIAS, "XBT", {"asset": "BTC"}, "Kraken's code", NOW),
        store.record_decision(MIGRATION, "MATIC>POL", {"out": key_of["S1"], "in": key_of["B2"]}, "", NOW),
    ]


def test_decisions_apply_at_load_and_undo_restores_the_ledger_exactly(tmp_path):
    store = store_with(tmp_path)
    before_ledger, before_mark = store.ledger(), store.ledger_mark()
    assert realized(store) == BEFORE
    ids = decide(store)
    assert store.ledger_mark() != before_mark  # the app reloads
    assert realized(store) == AFTER
    for decision_id in ids:
        store.undo_decision(decision_id, NOW + 1)
    assert store.ledger() == before_ledger
    assert realized(store) == BEFORE


def test_decisions_survive_a_re_import_and_a_later_file(tmp_path):
    store = store_with(tmp_path)
    decide(store)
    imported(store, FILE)  # the same file again: nothing added, the keys the decisions name unchanged
    imported(store, f"{HEADER}\n2025-04-01T15:00:00Z,kraken,XBT,buy,2,60000,0,K4\n")
    assert realized(store) == AFTER
    lots = [(lot.asset, lot.lot_id) for lot in match_lots(store.ledger()).open_lots]
    assert ("BTC", "K4") in lots  # the later file's XBT is BTC too


def test_a_decision_on_a_store_whose_records_came_later_applies_once_they_are_imported(tmp_path):
    store = Store(tmp_path / "store.sqlite3")
    decide(store)  # before any import: the records it names are not in the store yet
    assert not store.asset_identity().migrations[0].applicable
    imported(store, FILE)
    assert realized(store) == AFTER


def test_records_are_found_by_trade_id_event_number_or_natural_key(tmp_path):
    store = store_with(tmp_path, f"{FILE}2024-05-01T15:00:00Z,coinbase,ETH,buy,1,3000,0,\n")
    (by_id,) = store.records_named("S1")
    assert (by_id.account, by_id.asset, by_id.side, by_id.ref) == ("coinbase", "MATIC", "sell", "S1")
    assert store.records_named(by_id.key) == [by_id]
    (no_id,) = store.records_named("E8")
    assert (no_id.asset, no_id.ref) == ("ETH", "E8")
    assert store.records_named("nothing") == []
    assert store.pool_assets() == {"MATIC", "POL", "XBT", "BTC", "ETH"}
