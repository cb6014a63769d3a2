"""The hand-built history the transition tests share: a user universal until 2024, with three
accounts, then 2025 sales per account. Every figure the tests expect is worked out here.

BTC, tax zone America/New_York, lots.method fifo:
    2020-01-10  coinbase buy  1   @ 10,000   C1  basis 10,000
    2021-03-10  kraken   buy  1   @ 50,000   K1  basis 50,000
    2022-06-10  coinbase buy  1   @ 20,000   C2  basis 20,000
    2023-02-10  coinbase -> ledger 1 (tx T1)
    2024-05-10  kraken   sell 0.5 @ 60,000   S1  proceeds 30,000
    2025-03-01  kraken   sell 0.5 @ 80,000   S2  proceeds 40,000
    2025-06-01  coinbase sell 1   @ 100,000  S3  proceeds 100,000

Universal FIFO until 2024: S1 takes 0.5 of C1 (the oldest anywhere): basis 5,000, gain 25,000.
Unused basis on 2025-01-01: C1 0.5 (5,000), K1 1 (50,000), C2 1 (20,000) = 2.5 units.
Units held: coinbase 2 - 1 sent = 1; kraken 1 - 0.5 = 0.5; ledger 1 (received). 2.5 units.
Tracing each account (FIFO): the transfer carried C1 to ledger; coinbase keeps C2; kraken K1 0.5.

Actual-units default: coinbase C2 1 (20,000); kraken K1 0.5 (25,000); ledger C1 0.5 (5,000, all
that is unused of C1) and then the oldest unused left, K1 0.5 (25,000).
    S2 kraken: K1 0.5, basis 25,000, gain 15,000 (long-term)
    S3 coinbase: C2 1, basis 20,000, gain 80,000 (long-term)

harvest's suggestion (highest unit basis to the account sold first: kraken 03-01, coinbase 06-01,
then ledger): HIFO order K1 (50,000/unit), C2 (20,000), C1 (10,000).
    kraken  K1 0.5 (25,000)
    coinbase K1 0.5 (25,000) + C2 0.5 (10,000)
    ledger  C2 0.5 (10,000) + C1 0.5 (5,000)
    S2 kraken: K1 0.5, basis 25,000, gain 15,000
    S3 coinbase (FIFO within coinbase): K1 0.5 proceeds 50,000 basis 25,000 gain 25,000;
                                        C2 0.5 proceeds 50,000 basis 10,000 gain 40,000
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from engine.api import Engine
from engine.config.model import LotsConfig
from tests.support import engine_from_csv

HEADER = "timestamp,account,asset,side,quantity,price,fee,trade_id,tx_id"
HISTORY = f"""{HEADER}
2020-01-10T15:00:00Z,coinbase,BTC,buy,1,10000,0,C1,
2021-03-10T15:00:00Z,kraken,BTC,buy,1,50000,0,K1,
2022-06-10T15:00:00Z,coinbase,BTC,buy,1,20000,0,C2,
2023-02-10T15:00:00Z,coinbase,BTC,transfer_out,1,,0,M1,T1
2023-02-10T15:30:00Z,ledger,BTC,transfer_in,1,,0,M2,T1
2024-05-10T15:00:00Z,kraken,BTC,sell,0.5,60000,0,S1,
2025-03-01T15:00:00Z,kraken,BTC,sell,0.5,80000,0,S2,
2025-06-01T15:00:00Z,coinbase,BTC,sell,1,100000,0,S3,
"""


def story_engine(
    tmp_path: Path, text: str = HISTORY, scope: str = "universal_until_2025", now: str = "2026-11-24T12:00:00"
) -> Engine:
    engine = engine_from_csv(tmp_path, text, now=now)
    engine.set_config(replace(engine.config, lots=LotsConfig(basis_scope=scope)))
    return engine
