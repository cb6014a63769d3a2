"""Coinbase Pro fills and account statements: fills known by product and trade id (ids repeat
across products), exact subtotals from the signed totals, and one fill counted once when both
reports are imported."""

from __future__ import annotations

from pathlib import Path

from engine.core import fixedpoint as fp
from engine.imports.formats import Options
from engine.imports.importer import FileReport, read_file
from engine.ledger.legs import build_ledger
from engine.ledger.lots import match_lots
from engine.store.store import Store, keys_of

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"


def read(name: str) -> FileReport:
    return read_file(FIXTURES / name, Options(None, None, None))


def d(text: str) -> int:
    return fp.parse(text)


def test_fills_with_ids_repeating_across_products():
    report = read("coinbase-pro-fills/with-portfolio.csv")
    assert (report.format.key, report.version, report.account) == (
        "coinbase-pro-fills", "with portfolio, 11 columns", "coinbase-pro")  # fmt: skip
    fills = {e.trade_id: e for e in report.events}
    assert set(fills) == {"BTC-USD:1001", "ETH-USD:1001", "ETH-BTC:55", "BTC-USD:1002"}
    buy, sale = fills["BTC-USD:1001"], fills["BTC-USD:1002"]
    # a buy's total is -(size x price + fee), a sale's size x price - fee: the subtotal is exact
    assert (buy.side, buy.quantity, buy.subtotal, buy.fee, buy.fee_asset) == (
        "buy",
        d("0.5"),
        d("15000"),
        d("75"),
        "USD",
    )
    assert (sale.side, sale.subtotal, sale.fee) == ("sell", d("7200"), d("36"))
    pair = fills["ETH-BTC:55"]
    assert (pair.asset, pair.quote, pair.subtotal, pair.fee, pair.fee_asset) == (
        "ETH",
        "BTC",
        d("0.04"),
        d("0.0001"),
        "BTC",
    )
    (row,) = match_lots(build_ledger([buy, sale])).realized
    # 0.2 of 0.5 BTC bought for 15,075: basis 6,030; proceeds 7,200 - 36
    assert (row.cost_basis, row.proceeds, row.gain, row.term) == (d("6030"), d("7164"), d("1134"), "short")


def test_account_statement_groups_match_and_fee_rows_into_fills():
    report = read("coinbase-pro-account/with-portfolio.csv")
    assert report.version == "with portfolio, 9 columns"
    assert report.parsed.skipped == {"deposit (USD)": 1, "withdrawal (USD)": 1}
    fills = {e.trade_id: e for e in report.events if e.side in ("buy", "sell")}
    assert (fills["BTC-USD:1001"].subtotal, fills["BTC-USD:1001"].fee) == (d("15000"), d("75"))
    assert (fills["BTC-USD:1002"].side, fills["BTC-USD:1002"].subtotal) == ("sell", d("7200"))
    (withdrawal,) = [e for e in report.events if e.side == "transfer_out"]
    assert (withdrawal.asset, withdrawal.quantity) == ("BTC", d("0.1"))
    assert [(line, e.note) for line, e in report.unclassified()] == [(10, "conversion")]


def test_fills_and_statement_of_one_account_count_each_fill_once(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        fills = store.import_events(
            keys_of(read("coinbase-pro-fills/with-portfolio.csv").events), "f", frozenset({"USD"})
        )
        account = store.import_events(
            keys_of(read("coinbase-pro-account/with-portfolio.csv").events), "a", frozenset({"USD"})
        )
        assert (fills.added, account.added, account.duplicates, account.conflicts) == (4, 2, 2, ())
