"""A read file's summary (FileReport.fees and needs_price) taken a column at a time for the
commonest files — USD trades with their prices, no fee-only rows — against the oracle's row-by-row
answer, on files on both sides of that fast path."""

from __future__ import annotations

import pytest

from engine.imports.formats import Options
from engine.imports.importer import read_text
from tests.oracle import importer as oracle_importer

H = "timestamp,account,asset,side,quantity,price,fee,quote,fee_asset,trade_id\n"
USD_TRADES = [
    "2026-01-01T00:00:00Z,kraken,BTC,buy,1.5,100,0.25,,,K1",
    "2026-01-02T00:00:00Z,ledger,ETH,sell,2,50,0,,,L1",
]
OPTIONS = Options(None, None, 1_893_456_000_000_000)


@pytest.mark.parametrize(
    "extra",
    [
        [],  # every row a USD trade with a price: the column path
        ["2026-01-03T00:00:00Z,kraken,ETH,buy,1,3000,0.01,,ETH,K2"],  # a fee in the asset bought
        ["2026-01-03T00:00:00Z,kraken,ETH,buy,1,3000,0.01,,SOL,K2"],  # a fee in another crypto: unvalued
        ["2026-01-03T00:00:00Z,kraken,ETH,buy,1,0.05,0,BTC,,K2"],  # quoted in BTC, no USD value
        ["2026-01-03T00:00:00Z,kraken,ETH,transfer_out,1,,0.01,,ETH,K2"],
        ["2026-01-03T00:00:00Z,kraken,ETH,income,1,3000,0,,,K2"],
        ["2026-01-03T00:00:00Z,kraken,USD,buy,1,1,0,USDC,,K2"],
    ],
)
def test_fees_and_unpriced_rows_are_the_oracles(extra: list[str]):
    text = H + "\n".join([*USD_TRADES, *extra]) + "\n"
    report, oracle = read_text(text, "f.csv", OPTIONS), oracle_importer.read_text(text, "f.csv", OPTIONS)
    assert report.fees() == oracle.fees()
    assert report.needs_price() == oracle.needs_price()
    assert report.fees()[0] == 1 + (len(extra) > 0 and extra[0].split(",")[6] != "0")


def test_the_commonest_file_is_summed_up_without_a_row_by_row_check(monkeypatch: pytest.MonkeyPatch):
    from engine.imports import importer

    report = read_text(H + "\n".join(USD_TRADES) + "\n", "f.csv", OPTIONS)
    monkeypatch.setattr(importer, "_valued", lambda event: pytest.fail("asked row by row"))
    assert (report.fees(), report.needs_price()) == ((1, 0), [])
