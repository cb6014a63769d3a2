"""Gemini's XLSX transaction history (dynamic per-asset columns), written here with xlsxwriter as
Gemini writes it (dates and times as spreadsheet dates, amounts as numbers, a totals row), and
the same history saved as CSV: events, lots and gains checked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.core import fixedpoint as fp
from engine.core.errors import CsvImportError
from engine.imports.formats import Options
from engine.imports.gemini import split_symbol
from engine.imports.importer import FileReport, read_file
from engine.imports.xlsx import decimal_text
from engine.ledger.legs import build_ledger
from engine.ledger.lots import match_lots
from tests.engine.imports.gemini_sheet import ETH_DEPOSIT_TX, HEADER, WITHDRAWAL_TX, write_xlsx

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
NO_OPTIONS = Options(None, None, None)


def d(text: str) -> int:
    return fp.parse(text)


@pytest.fixture
def report(tmp_path) -> FileReport:
    return read_file(write_xlsx(tmp_path / "gemini_transaction_history.xlsx"), NO_OPTIONS)


def test_xlsx_is_detected_with_its_assets(report):
    assert (report.format.key, report.version, report.account) == (
        "gemini", f"assets USD, BTC, ETH, {len(HEADER)} columns", "gemini")  # fmt: skip
    assert report.counts() == {"trade": 3, "transfer": 2, "income": 1, "unclassified": 1}
    assert report.parsed.skipped == {"Credit (USD)": 1}


def test_xlsx_rows_become_these_events(report):
    by_line = dict(zip(report.parsed.lines, report.events, strict=True))
    buy = by_line[3]  # sheet row 3: the first Buy
    assert (buy.side, buy.asset, buy.quote, buy.quantity, buy.subtotal, buy.fee, buy.fee_asset, buy.trade_id) == (
        "buy", "BTC", "USD", d("0.1"), d("4000"), d("14"), "USD", "123456789")  # fmt: skip
    assert buy.timestamp == 1_704_967_200_500_000  # 2024-01-11 10:00:00.5 UTC
    swap = by_line[4]  # ETH bought with BTC; its fee in BTC; no USD value in the file
    assert (swap.asset, swap.quote, swap.quantity, swap.subtotal, swap.fee, swap.fee_asset) == (
        "ETH", "BTC", d("1.0123456789"), d("0.05"), d("0.0001"), "BTC")  # fmt: skip
    sale = by_line[5]
    assert (sale.side, sale.quantity, sale.subtotal, sale.fee) == (
        "sell",
        d("0.03"),
        d("1950.375"),
        d("6.825"),
    )
    withdrawal = by_line[6]  # its amount was text in the sheet: "(0.01 BTC)"
    assert (withdrawal.side, withdrawal.quantity, withdrawal.fee, withdrawal.fee_asset, withdrawal.tx_id) == (
        "transfer_out", d("0.01"), d("0.0002"), "BTC", WITHDRAWAL_TX)  # fmt: skip
    assert withdrawal.address == "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"
    deposit = by_line[7]
    assert (deposit.side, deposit.asset, deposit.quantity, deposit.tx_id) == (
        "transfer_in", "ETH", d("0.5"), ETH_DEPOSIT_TX)  # fmt: skip
    assert (by_line[8].side, by_line[8].quantity) == ("income", d("0.00001234"))
    assert (by_line[9].side, by_line[9].note) == ("unclassified", "Administrative Debit")
    assert [(line, e.asset) for line, e, _ in report.needs_price()] == [(4, "ETH"), (6, "BTC"), (8, "BTC")]


def test_xlsx_lots_and_gains_by_hand(report):
    result = match_lots(build_ledger(report.events), "fifo")
    # 0.1 BTC for 4000 + 14 fee: 40,140 a BTC. The ETH buy spends 0.05 + 0.0001 BTC (no USD value:
    # left out). The sale of 0.03: proceeds 1950.375 - 6.825 = 1943.55, basis 0.03 x 40,140 = 1204.20
    assert [(r.sale_id, fp.fmt(r.quantity, 0), fp.fmt(r.proceeds, 0), fp.fmt(r.cost_basis, 0), fp.fmt(r.gain, 0))
            for r in result.realized] == [("123456791", "0.03", "1943.55", "1204.2", "739.35")]  # fmt: skip
    btc = [
        (fp.fmt(o.quantity, 0), o.basis and fp.fmt(o.basis, 0)) for o in result.open_lots if o.asset == "BTC"
    ]
    # 0.1 - 0.0501 - 0.03 - 0.01 withdrawn - 0.0002 fee = 0.0097 at 40,140; the interest has no basis yet
    assert btc == [("0.0097", "389.358"), ("0.00001234", None)]


def test_an_xlsx_is_recognised_by_content_whatever_its_name(tmp_path):
    report = read_file(write_xlsx(tmp_path / "download"), NO_OPTIONS)
    assert report.format.key == "gemini"
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    with pytest.raises(CsvImportError) as caught:
        read_file(broken, NO_OPTIONS)
    assert caught.value.problems[0].startswith(f"{broken}: not a spreadsheet harvest can read: ")


def test_bad_cells_name_the_sheet_row_and_column(tmp_path):
    rows = [
        (
            (2024, 1, 11),
            (10, 0, 0, 0),
            "Buy",
            "BTCUSD",
            "",
            {"USD Amount USD": -1.0, "BTC Amount BTC": "lots"},
        ),
        ((2024, 1, 12), (10, 0, 0, 0), "Buy", "DOGEUSD", "", {"USD Amount USD": -1.0}),
    ]
    with pytest.raises(CsvImportError) as caught:
        read_file(write_xlsx(tmp_path / "g.xlsx", rows), NO_OPTIONS)
    assert caught.value.problems == [
        f"{tmp_path / 'g.xlsx'}:2: BTC Amount BTC: not a number: 'lots'",
        f"{tmp_path / 'g.xlsx'}:3: Symbol: not a pair of this file's assets: 'DOGEUSD'",
    ]


def test_saved_as_csv_with_formatted_amounts():
    report = read_file(FIXTURES / "gemini" / "assets.csv", NO_OPTIONS)
    assert report.version == "assets USD, BTC, 19 columns"
    buy, sale = report.events
    assert (buy.side, buy.quantity, buy.subtotal, buy.fee, buy.timestamp) == (
        "buy", d("0.1"), d("4000"), d("14"), 1_704_967_200_500_000)  # fmt: skip
    assert (sale.side, sale.quantity, sale.subtotal, sale.fee) == ("sell", d("0.05"), d("3250.5"), d("11.38"))


@pytest.mark.parametrize(
    ("symbol", "pair"),
    [("BTCUSD", ("BTC", "USD")), ("ETHBTC", ("ETH", "BTC")), ("BTCGUSD", ("BTC", "GUSD")), ("SOLUSDC", ("SOL", "USDC")),
     ("PEPEUSD", ("PEPE", "USD")), ("XRPRLUSD", ("XRP", "RLUSD")), ("USD", None)],
)  # fmt: skip
def test_symbols_split_at_a_listed_quote(symbol, pair):
    assert split_symbol(symbol) == pair


@pytest.mark.parametrize(
    ("number", "text"), [(1e-08, "0.00000001"), (5.0, "5"), (-4000.0, "-4000"), (0.30000000000000004, "0.30000000000000004"),
                         (123456789.123456, "123456789.123456"), (1.0123456789, "1.0123456789")],
)  # fmt: skip
def test_spreadsheet_numbers_keep_every_digit_they_were_written_with(number, text):
    assert decimal_text(number) == text
