"""A batch of the commonest records written a column at a time (engine.store.plain_batch) against
the row-by-row write (plain_batch.PLAIN_BATCH off): the same store, row for row, and the same
summaries, for batches on both sides of what the column path takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.synth import write_csv
from engine.core import fixedpoint as fp
from engine.imports.generic_csv import parse_csv
from engine.ledger.events import Event
from engine.ledger.legs import usd_trade_leg
from engine.store import plain_batch
from engine.store.encoding import pack
from engine.store.store import Store, keys_of
from tests.engine.imports.test_import_oracle import dump

USD_ONLY = frozenset({"USD"})
WITH_USDC = frozenset({"USD", "USDC"})
H = "timestamp,account,asset,side,quantity,price,fee,quote,fee_asset,trade_id,note\n"
PLAIN = [
    "2026-01-01T00:00:00Z,kraken,BTC,buy,1.5,100,0.25,,,K1,",
    "2026-01-02T00:00:00Z,ledger,ETH,sell,2,50,1,,,L1,",
    "2026-01-03T00:00:00Z,kraken,ETH,buy,0.000000000000000001,3000,0,,,K2,",
    "2026-01-04T00:00:00Z,kraken,BTC,sell,1,90,0,,,K3,",
]


def written(batches: list[list[Event]], usd: frozenset[str], tmp_path: Path, column: bool) -> object:
    """What the store holds and each import said, after the batches one after another."""
    before = plain_batch.PLAIN_BATCH
    plain_batch.PLAIN_BATCH = column
    try:
        with Store(tmp_path / f"{column}.sqlite3") as store:
            said = [store.import_events(keys_of(events), f"s{n}", usd) for n, events in enumerate(batches)]
            assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
            return said, dump(store.conn)
    finally:
        plain_batch.PLAIN_BATCH = before


def both_ways(texts: list[str], tmp_path: Path, usd: frozenset[str] = USD_ONLY) -> object:
    batches = [parse_csv(text, "f.csv") for text in texts]
    column = written(batches, usd, tmp_path, True)
    assert column == written(batches, usd, tmp_path, False)
    return column


def test_a_generated_file_writes_the_same_store(tmp_path: Path):
    path = tmp_path / "t.csv"
    write_csv(path, 2_000, 5)
    events = parse_csv(path.read_text(), "t.csv")
    pools: dict[tuple[str, str], int] = {}
    made = plain_batch.batch_rows(keys_of(events), 1, 1, USD_ONLY, pools, lambda a, b: len(pools) + 1)
    assert made is not None  # the column path is the one taken
    said, held = both_ways([path.read_text(), path.read_text()], tmp_path)  # type: ignore[misc]
    assert [s.added for s in said] == [2_000, 0]
    assert len(held["legs"]) == 2_000


@pytest.mark.parametrize(
    "row",
    [
        "2026-01-05T00:00:00Z,kraken,BTC,buy,1,100,0,,,,",  # no trade id: legs ref E<id>
        "2026-01-05T00:00:00Z,kraken,BTC,transfer_out,1,,0,,,K9,",
        "2026-01-05T00:00:00Z,kraken,BTC,income,1,100,0,,,K9,",
        "2026-01-05T00:00:00Z,kraken,BTC,spend,1,100,0,,,K9,",
        "2026-01-05T00:00:00Z,kraken,BTC,buy,1,100,0,,,K9,a note",
        "2026-01-05T00:00:00Z,kraken,BTC,buy,1,100,1,,ETH,K9,",  # a fee in crypto: a second leg
        "2026-01-05T00:00:00Z,kraken,BTC,buy,1,100,0,,ETH,K9,",  # ...none paid: one leg
        "2026-01-05T00:00:00Z,kraken,BTC,buy,1,0.5,0,EUR,,K9,",
        "2026-01-05T00:00:00Z,kraken,BTC,buy,1,100,0,USDC,USDC,K9,",
        "2026-01-01T00:00:00Z,kraken,BTC,buy,1.5,100,0.25,,,K1,",  # K1 again, the same record
        f"2026-01-05T00:00:00Z,kraken,BTC,buy,{fp.fmt(2**63, 18)},0,0,,,K9,",  # past INTEGER
        f"2026-01-05T00:00:00Z,kraken,BTC,buy,{fp.fmt(2**63 - 1, 18)},1,0,,,K9,",  # at its edge
        f"2026-01-05T00:00:00Z,kraken,BTC,buy,{fp.fmt(2**62, 18)},2,0,,,K9,",  # a value past it
        f"2026-01-05T00:00:00Z,kraken,BTC,sell,{fp.fmt(2**62, 18)},0,{fp.fmt(2**63, 18)},,,K9,",
        "2026-01-05T00:00:00Z,kraken,BTC,buy,0.000000000000000003,0.5,0,,,K9,",  # a product rounded up
        "2026-01-05T00:00:00Z,kraken,BTC,sell,0.000000000000000001,0.5,0,,,K9,",  # ...and down (half-even)
    ],
)
@pytest.mark.parametrize("usd", [USD_ONLY, WITH_USDC])
def test_any_other_record_in_the_batch_writes_the_same_store(row: str, usd: frozenset[str], tmp_path: Path):
    both_ways([H + "\n".join([*PLAIN, row]) + "\n"], tmp_path, usd)
    both_ways([H + row + "\n"], tmp_path, usd)


def test_a_batch_into_a_store_that_holds_events_writes_the_same_store(tmp_path: Path):
    again = "2026-01-01T00:00:00Z,kraken,BTC,buy,1.5,100,1,,,K1,"  # K1 again, another fee
    first, later = H + PLAIN[0] + "\n", H + "\n".join([*PLAIN[1:], again]) + "\n"
    said, _ = both_ways([first, later], tmp_path)  # type: ignore[misc]
    assert [(s.added, len(s.conflicts)) for s in said] == [(1, 0), (3, 1)]


def test_the_pools_are_made_in_the_order_the_rows_first_name_them(tmp_path: Path):
    _, held = both_ways([H + "\n".join(PLAIN) + "\n"], tmp_path)  # type: ignore[misc]
    assert [pool[1:] for pool in held["pools"]] == [("kraken", "BTC"), ("ledger", "ETH"), ("kraken", "ETH")]


@pytest.mark.parametrize("extra", [[], ["0.000000000000000003,0.5", "0.000000000000000005,0.5"]])
def test_a_product_past_18_places_is_rounded_as_usd_trade_leg_rounds_it(extra: list[str]):
    """quantity x price is taken in C for the column when every product is exact in 18 places;
    with one that is not, the column is fp.mul's, half-even, as the row path's usd_trade_leg."""
    rows = [
        *PLAIN,
        *(
            f"2026-01-0{5 + n}T00:00:00Z,kraken,BTC,buy,{amounts},0,,,X{n},"
            for n, amounts in enumerate(extra)
        ),
    ]
    events = parse_csv(H + "\n".join(rows) + "\n", "f.csv")
    pools: dict[tuple[str, str], int] = {}
    made = plain_batch.batch_rows(keys_of(events), 1, 1, USD_ONLY, pools, lambda a, b: len(pools) + 1)
    assert made is not None
    assert [(leg[3], leg[6]) for leg in made[1]] == [(k, pack(v)) for k, v in map(usd_trade_leg, events)]  # type: ignore[misc]
    assert [leg[6] for leg in made[1][len(PLAIN) :]] == [2, 2][: len(extra)]  # 1.5 and 2.5 units: half-even
