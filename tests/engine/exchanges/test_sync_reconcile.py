"""Sync's balance check reads the ledger as the lots do — the user's decisions applied (Engine's
decided ledger) and the exchange's codes read through the user's aliases — so a row classified
out of "unclassified" or a code aliased to its asset is no false mismatch. Real ccxt against the
loopback Kraken (tests/loopback)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from engine.api import Engine
from engine.core import fixedpoint as fp
from engine.core.units import EpochMicros
from engine.ledger.decisions import ALIAS
from engine.ledger.events import Event
from engine.planning.planner import Planner
from engine.review import actions
from engine.store.store import Store, keys_of
from tests.engine.exchanges.test_sync_kraken import kraken_only
from tests.loopback import LoopbackExchange
from tests.loopback import kraken_ledger as book
from tests.loopback.checks import synced
from tests.loopback.server import Transfer

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
MIN = 60_000


def test_a_row_classified_out_of_unclassified_is_no_mismatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with LoopbackExchange() as fx:
        kr = fx.kraken
        kr.deposits.append(Transfer("FTdep1", "0xdep1", "BTC", Decimal(1), Decimal(0), T0))
        kr.move("BTC", Decimal(1))
        book.other(kr, "adjustment", "DOT", "5", T0 + MIN)  # sync does not read this type …
        config = kraken_only(tmp_path, fx, monkeypatch)
        store = Store(tmp_path / "s.sqlite3")
        # … Kraken's ledgers export kept it, unclassified
        row = Event(account="kraken", asset="DOT", side="unclassified", timestamp=EpochMicros((T0 + MIN) * 1000),
                    quantity=fp.parse("5"), price=None, fee=0, trade_id="U1", note="adjustment", source="kraken:l.csv")  # fmt: skip
        store.import_events(keys_of([row]), "kraken:ledgers.csv", frozenset({"USD"}))
        assert synced(config, store).mismatches == [("DOT", 0, fp.parse("5"))]
        actions.classify(
            Planner(Engine(config, store)), "U1", "airdrop", value="30", reason="Kraken's airdrop"
        )
        assert synced(config, store).mismatches == []


def test_a_code_aliased_to_its_asset_is_no_mismatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with LoopbackExchange() as fx:
        kr = fx.kraken
        kr.deposits.append(Transfer("FTdep1", "0xdep1", "FOO", Decimal(3), Decimal(0), T0))
        kr.move("FOO", Decimal(3))
        config = kraken_only(tmp_path, fx, monkeypatch)
        store = Store(tmp_path / "s.sqlite3")
        assert synced(config, store).mismatches == []
        store.record_decision(ALIAS, "FOO", {"asset": "BAR"}, "FOO is BAR", EpochMicros(T0 * 1000))
        # the ledger reads the deposit as BAR; the exchange's FOO is BAR too
        assert synced(config, store).mismatches == []
