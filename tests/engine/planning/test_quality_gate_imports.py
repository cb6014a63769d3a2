"""An imported row harvest could not classify blocks advice on its account and asset: what it did
to the holdings is unknown until it is classified."""

from __future__ import annotations

from engine.ledger.events import Event
from engine.planning.planner import Planner
from engine.store.store import keys_of
from tests.support import HEADER, engine_from_csv, usd


def test_an_unclassified_row_blocks_its_position_and_only_it(tmp_path):
    text = f"""{HEADER}
2026-03-01T15:00:00Z,coinbase,SOL,buy,10,200,0,S1
2026-03-01T15:00:00Z,coinbase,AVAX,buy,10,50,0,A1
"""
    engine = engine_from_csv(tmp_path, text)
    odd = Event(account="coinbase", asset="SOL", side="unclassified", timestamp=1_772_000_000_000_000,
                quantity=usd("1"), price=None, fee=0, trade_id="u1", note="Retail Mgx Dex Trade",
                source="cb.csv")  # fmt: skip
    engine.store.import_events(keys_of([odd]), "cb", frozenset({"USD"}))
    engine.invalidate()
    candidates, blocked = Planner(engine).scan({"SOL": usd("100"), "AVAX": usd("25")})
    assert [c.asset for c in candidates] == ["AVAX"]
    reasons = {(b.account, b.asset): b.reasons for b in blocked}
    assert reasons[("coinbase", "SOL")] == ("unclassified import row: Retail Mgx Dex Trade (u1)",)
    # it has no legs: the lots are as if it were not there
    assert sum(lot.quantity for lot in engine.lots().open_lots if lot.asset == "SOL") == usd("10")
