"""The historical prices file (`asset,timestamp,price`): ISO 8601 with a zone or Unix seconds,
the row nearest a record's time within a day, and every bad row named FILE:LINE: column."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.core import fixedpoint as fp
from engine.core.dates import parse_timestamp
from engine.core.errors import CsvImportError
from engine.core.units import MICROS_PER_DAY, MICROS_PER_HOUR
from engine.imports.price_history import read_history_file


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "history.csv"
    path.write_text(text)
    return path


def test_rows_by_iso_time_or_unix_seconds_and_the_nearest_within_a_day(tmp_path: Path):
    path = write(tmp_path, "timestamp,asset,price\n2024-03-10T00:00:00Z,sol,150\n1710633600,SOL,160.5\n")
    history = read_history_file(path)
    march_10 = parse_timestamp("2024-03-10T00:00:00Z")
    found = history.price("SOL", march_10 + 5 * MICROS_PER_HOUR)
    assert found is not None
    assert (found.price, found.source, found.interval, found.priced_at) == (
        fp.parse("150"),
        "file:history.csv",
        "file",
        march_10,
    )
    march_17 = parse_timestamp("2024-03-17T00:00:00Z")  # 1710633600
    assert history.price("SOL", march_17 - 2 * MICROS_PER_HOUR).price == fp.parse("160.5")  # type: ignore[union-attr]
    assert history.price("SOL", march_10 + MICROS_PER_DAY + 1) is None  # more than a day from either
    assert history.price("ETH", march_10) is None


def test_two_rows_as_near_give_the_earlier(tmp_path: Path):
    history = read_history_file(
        write(tmp_path, "asset,timestamp,price\nBTC,2024-01-01T00:00:00Z,1\nBTC,2024-01-01T02:00:00Z,2\n")
    )
    between = parse_timestamp("2024-01-01T01:00:00Z")
    assert history.price("BTC", between).price == fp.parse("1")  # type: ignore[union-attr]


def test_every_bad_row_is_named_and_nothing_is_read(tmp_path: Path):
    path = write(
        tmp_path,
        "asset,timestamp,price\n"
        "BTC,2024-01-01T00:00:00,100\n"  # no zone
        ",1704067200,100\n"
        "ETH,yesterday,0\n"
        "SOL,1704067200,-3\n"
        "SOL,1704067200,abc\n"
        "DOT,1704067200,7\n"
        "DOT,2024-01-01T00:00:00Z,7\n"  # the same moment again
        "ADA,1704067200\n",
    )
    with pytest.raises(CsvImportError) as caught:
        read_history_file(path)
    assert caught.value.exit_code == 2
    assert caught.value.problems == [
        f"{path}:2: timestamp: timestamp has no time zone (add Z or an offset): 2024-01-01T00:00:00",
        f"{path}:3: asset: missing value",
        f"{path}:4: timestamp: expected ISO 8601 with a zone or Unix seconds, got 'yesterday'",
        f"{path}:4: price: must be more than zero, got 0",
        f"{path}:5: price: must be more than zero, got -3",
        f"{path}:6: price: {caught.value.problems[5].split('price: ', 1)[1]}",
        f"{path}:8: timestamp: DOT at this time already on line 7",
        f"{path}:9: row: expected 3 cells, got 2",
    ]
    assert "abc" in caught.value.problems[5]


def test_a_file_without_the_three_columns_is_refused_on_its_header(tmp_path: Path):
    path = write(tmp_path, "asset,price\nBTC,1\n")
    with pytest.raises(CsvImportError) as caught:
        read_history_file(path)
    assert caught.value.problems == [f"{path}:1: header: expected the columns asset,timestamp,price"]
