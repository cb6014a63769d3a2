"""The import's limits on both paths (the row path and the columnar one): a quantity of 10**15
units and a record worth $10**15 import and come back from the store exactly (fixed-point ints
of 10**-18: 10**33 units, past 64 and near 128 bits); one unit of 10**-18 beyond either is
refused with the line (FILE:LINE: column: problem) and nothing is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from engine.api import batch_source
from engine.core.errors import CsvImportError
from engine.imports import columnar
from engine.imports.formats import Options
from engine.imports.importer import read_text
from engine.store.encoding import read_units
from engine.store.store import Store, keys_of

HEADER = "timestamp,account,asset,side,quantity,price,fee,trade_id\n"
OTHER = "2022-01-01T00:00:01Z,a,BTC,buy,1,1,0,T2\n"  # a second row: the file is read in columns
E33 = 10**33  # 10**15 in units of 10**-18
PATHS = {"rows": 10**12, "columns": 0}  # COLUMNAR_MIN_LINES: no file / every file in columns


@pytest.fixture(params=list(PATHS))
def path_taken(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(columnar, "COLUMNAR_MIN_LINES", PATHS[request.param])
    return str(request.param)


def stored(tmp_path: Path, text: str, path_taken: str) -> sqlite3.Connection:
    report = read_text(text, "f.csv", Options(None, None, None))
    assert (report.frame is not None) == (path_taken == "columns")
    store = Store(tmp_path / "store.sqlite3")
    source = batch_source(report)
    if report.frame is not None:
        store.import_frame(report.frame, source, frozenset({"USD"}))
    else:
        store.import_events(keys_of(report.events), source, frozenset({"USD"}))
    return store.conn


def test_a_quantity_of_10_15_units_imports_exactly(tmp_path: Path, path_taken: str) -> None:
    # a billion SHIB-scale holding at the smallest price: 10**15 units worth $1,000
    row = "2022-01-01T00:00:00Z,a,SHIB,buy,1000000000000000,0.000000000001,0,T1\n"
    conn = stored(tmp_path, HEADER + row + OTHER, path_taken)
    quantity, price = conn.execute("SELECT quantity, price FROM events WHERE trade_id = 'T1'").fetchone()
    assert read_units(quantity) == E33
    assert read_units(price) == 10**6
    legs = conn.execute("SELECT quantity, usd FROM legs WHERE ref = 'T1'").fetchall()
    assert [(read_units(q), read_units(u)) for q, u in legs] == [(E33, 1000 * 10**18)]


def test_a_record_worth_10_15_dollars_imports_exactly(tmp_path: Path, path_taken: str) -> None:
    row = "2022-01-01T00:00:00Z,a,BTC,buy,1000,1000000000000,1000000000000000,T1\n"  # and a fee of $10**15
    conn = stored(tmp_path, HEADER + row + OTHER, path_taken)
    quantity, fee = conn.execute("SELECT quantity, fee FROM events WHERE trade_id = 'T1'").fetchone()
    assert (read_units(quantity), read_units(fee)) == (1000 * 10**18, E33)
    (usd,) = conn.execute("SELECT usd FROM legs WHERE ref = 'T1'").fetchone()
    assert read_units(usd) == 2 * E33  # the cost: the $10**15 bought and the $10**15 fee


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            "2022-01-01T00:00:00Z,a,SHIB,buy,1000000000000000.000000000000000001,0.000000000001,0,T1\n",
            "f.csv:2: quantity: over 1,000,000,000,000,000, more than any record can hold: "
            "1000000000000000.000000000000000001",
        ),
        (
            "2022-01-01T00:00:00Z,a,BTC,buy,1000.000000000000000001,1000000000000,0,T1\n",
            "f.csv:2: price: quantity x price is over 1,000,000,000,000,000",
        ),
        (
            "2022-01-01T00:00:00Z,a,BTC,buy,1,1,1000000000000000.000000000000000001,T1\n",
            "f.csv:2: fee: over 1,000,000,000,000,000, more than any record can hold: "
            "1000000000000000.000000000000000001",
        ),
    ],
    ids=["quantity", "usd-value", "fee"],
)
def test_one_unit_beyond_a_limit_is_refused_with_its_line(path_taken: str, row: str, problem: str) -> None:
    with pytest.raises(CsvImportError) as caught:
        read_text(HEADER + row + OTHER, "f.csv", Options(None, None, None))
    assert caught.value.problems == [problem]
