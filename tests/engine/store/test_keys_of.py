"""keys_of against the oracle's (tests/oracle: one natural key per event, identical rows
numbered): a batch of file records that all carry a trade id takes the column path, any other
batch the loop; both give the oracle's keys."""

from __future__ import annotations

import pytest

from engine.ledger.events import Event
from engine.store.ledger_tables import keys_of
from tests.oracle import ledger_tables as oracle_tables

BUY = Event(
    "kraken", "BTC", "buy", 1_700_000_000_000_000, 10**18, 100 * 10**18, 0, trade_id="K1", source="f.csv"
)
OTHERS = [
    BUY._replace(trade_id="K2"),
    BUY._replace(account="ledger"),  # the same id in another account
    BUY._replace(side="transfer_out", price=None, trade_id="K3"),
]


@pytest.mark.parametrize(
    "batch",
    [
        [BUY, *OTHERS],
        [BUY, BUY],  # one record listed twice: one key
        [BUY, BUY._replace(trade_id=None), BUY._replace(trade_id=None)],  # identical rows, numbered
        [BUY, BUY._replace(trade_id="")],
        [BUY, BUY._replace(source="ccxt:kraken")],  # synced: the key names the market
        [BUY._replace(source="ccxt:kraken", side="income"), *OTHERS],
        [],
    ],
)
def test_the_keys_are_the_oracles(batch: list[Event]) -> None:
    assert keys_of(batch) == oracle_tables.keys_of(batch)
    assert keys_of(iter(batch)) == oracle_tables.keys_of(batch)  # any iterable
