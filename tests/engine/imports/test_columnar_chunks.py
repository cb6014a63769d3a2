"""The columnar path in parts: a harvest CSV is read PART_BYTES of the file at a time and every
file's events are written EVENTS_PER_CHUNK at a time, in one transaction. Here both are a row or
a few (bytes: cut at the next line break), so every boundary falls between rows that only the whole file can settle: same-second
rows, identical rows (numbered across the file), one record listed twice, a trade id reused with
other values, synced twins in the store. The result must still be the oracle's (tests/oracle),
row for row, and the row path's on stores that hold the other source's records."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.imports import columnar, columnar_cells
from engine.store import columnar_import
from tests.engine.imports.test_columnar_oracle import NO_OPTIONS, assert_same
from tests.engine.imports.test_columnar_store import CASES, imported
from tests.engine.imports.test_import_oracle import WITH_USDC

HEADER = "timestamp,account,asset,side,quantity,price,fee,trade_id\n"
ROWS = [
    "2024-03-07T11:00:00Z,binance,BTC,buy,0.01,66000,0,\n",  # three identical rows, no id: numbered
    "2024-03-07T11:00:00Z,binance,BTC,buy,0.01,66000,0,\n",
    "2024-03-07T11:00:00Z,binance,ETH,buy,1,3500,0.5,\n",  # the same second, another record
    "2024-03-07T11:00:00Z,binance,BTC,buy,0.01,66000,0,\n",
    "2024-03-07T11:00:01Z,binance,BTC,sell,0.005,66100,0.1,T1\n",
    "2024-03-07T11:00:01Z,ledger,BTC,buy,0.02,66100,0,T1\n",  # the same id, another account
    "2024-03-07T11:00:01Z,binance,BTC,sell,0.005,66100,0.1,T1\n",  # one record listed twice
    "2024-03-07T11:00:02Z,ledger,ETH,transfer_out,0.5,,0,\n",
    "2024-03-07T11:00:02Z,binance,ETH,sell,0.25,3510,0,T2\n",
    "2024-03-07T11:00:02Z,binance,ETH,buy,1,3500,0.5,\n",  # a repeat of row 3, far from it
]
SIZES = [1, 2, 3, 4]


@pytest.fixture(params=SIZES, ids=[f"parts-of-{n}" for n in SIZES])
def small_parts(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(columnar, "COLUMNAR_MIN_LINES", 0)
    monkeypatch.setattr(columnar_cells, "PART_BYTES", request.param)
    monkeypatch.setattr(columnar_import, "EVENTS_PER_CHUNK", request.param)
    return int(request.param)


def test_rows_only_the_whole_file_settles_import_as_the_oracle_does(small_parts: int) -> None:
    text = HEADER + "".join(ROWS)
    assert_same([text, text], NO_OPTIONS)  # and again: every row is the store's
    assert_same([text], NO_OPTIONS, WITH_USDC)


def test_a_trade_id_reused_across_parts_refuses_the_file_as_the_oracle_does(small_parts: int) -> None:
    reused = ROWS[4].replace("0.005", "0.006")  # T1 again in binance, another quantity
    assert_same([HEADER + "".join(ROWS) + reused], NO_OPTIONS, taken=False)


def test_a_problem_in_the_last_part_refuses_the_file_as_the_oracle_does(small_parts: int) -> None:
    over = "2024-03-07T11:00:03Z,binance,BTC,buy,1000000000000000.1,1,0,T9\n"
    assert_same([HEADER + "".join(ROWS) + over], NO_OPTIONS, taken=False)


@pytest.mark.parametrize("case", list(CASES))
def test_twins_and_known_records_across_chunks_are_written_as_the_row_path_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    setup, text, name, account = CASES[case]
    found = {}
    for columns in (True, False):
        monkeypatch.setattr(columnar, "COLUMNAR_MIN_LINES", 0 if columns else 10**12)
        monkeypatch.setattr(columnar_import, "EVENTS_PER_CHUNK", 1)
        found[columns] = imported(tmp_path, setup, text, name, columns, account)
    assert found[True] == found[False]
