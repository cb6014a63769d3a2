"""`--map mapping.yaml`: any other CSV read through a mapping file (column → field, a type table,
date format, zone, sign conventions), and the mapping file itself parsed strictly by line."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest

from engine.core import fixedpoint as fp
from engine.core.errors import CsvImportError
from engine.imports.formats import Options
from engine.imports.importer import read_file, read_text
from engine.imports.mapped_csv import load_mapping
from engine.ledger.legs import build_ledger
from engine.ledger.lots import match_lots

MAPPING = Path(__file__).resolve().parents[2] / "fixtures" / "mapping"


def d(text: str) -> int:
    return fp.parse(text)


def mapped(yaml_text: str, tmp_path: Path) -> Options:
    path = tmp_path / "m.yaml"
    path.write_text(yaml_text)
    return Options(None, None, None, custom=load_mapping(path))


def refused_mapping(yaml_text: str, tmp_path: Path) -> list[str]:
    with pytest.raises(CsvImportError) as caught:
        mapped(yaml_text, tmp_path)
    return [p.replace(f"{tmp_path / 'm.yaml'}", "m.yaml") for p in caught.value.problems]


def test_a_statement_read_through_its_mapping():
    options = Options(None, None, None, custom=load_mapping(MAPPING / "my-exchange.yaml"))
    report = read_file(MAPPING / "my-exchange.csv", options)
    assert (report.format.name, report.version, report.account) == (
        "My Exchange statement", "mapping my-exchange.yaml, 12 columns",
        "myexchange")  # fmt: skip
    assert report.counts() == {"trade": 2, "income": 1, "transfer": 1, "unclassified": 1}
    assert report.parsed.skipped == {"Internal": 1}
    events = {e.trade_id: e for e in report.events}
    buy = events["T-1"]  # total $10,000 includes the $25 fee: 9,975 before it
    assert (buy.side, buy.quantity, buy.subtotal, buy.fee, buy.fee_asset, buy.note) == (
        "buy", d("0.25"), d("9975"), d("25"), "USD", "first buy")  # fmt: skip
    assert buy.timestamp == 1_704_442_500_000_000  # 05/01/2024 09:15 in Berlin (CET) = 08:15 UTC, day first
    sale = events["T-2"]  # (0.1): negative in parentheses; $5,200 received after the $13 fee
    assert (sale.side, sale.quantity, sale.subtotal, sale.fee) == ("sell", d("0.1"), d("5213"), d("13"))
    assert (events["T-3"].side, events["T-3"].asset, events["T-3"].subtotal) == ("income", "ETH", d("35.12"))
    withdrawal = events["T-4"]
    assert (withdrawal.side, withdrawal.quantity, withdrawal.fee, withdrawal.fee_asset, withdrawal.tx_id) == (
        "transfer_out", d("0.05"), d("0.0001"), "BTC", "abc123")  # fmt: skip
    assert withdrawal.address == "bc1qdestination"
    ((line, odd),) = report.unclassified()  # a type the table does not list: kept, not a problem
    assert (line, odd.note) == (8, "Lending (not in " + str(MAPPING / "my-exchange.yaml") + "'s types)")
    result = match_lots(build_ledger(report.events), "fifo")
    # 0.25 BTC cost $10,000 ($40,000 each); 0.1 sold for $5,200 net: basis 4,000, gain 1,200
    assert [(r.sale_id, r.lot_id, fp.fmt(r.proceeds, 0), fp.fmt(r.cost_basis, 0), fp.fmt(r.gain, 0))
            for r in result.realized] == [("T-2", "T-1", "5200", "4000", "1200")]  # fmt: skip
    # the withdrawal's fee in BTC has no USD value here: left out, not zero; 0.0999 BTC stay at $40,000
    assert [e.problem for e in result.excluded] == ["no USD value for the fee in BTC"]
    btc = [(fp.fmt(o.quantity, 0), fp.fmt(o.basis, 0)) for o in result.open_lots if o.asset == "BTC"]
    assert btc == [("0.0999", "3996")]


def test_a_signed_quantity_decides_buy_or_sell(tmp_path):
    options = mapped(
        "columns:\n  timestamp: When\n  asset: Asset\n  quantity: Change\n  price: Price\n"
        "signed_quantity: trade\naccount: wallet\n",
        tmp_path,
    )
    report = read_text(
        "When,Asset,Change,Price\n2024-01-01T00:00:00Z,SOL,10,$100\n2024-02-01T00:00:00Z,SOL,-4,$150\n"
        "2024-02-02T00:00:00Z,SOL,0,$150\n",
        "f.csv",
        options,
    )
    assert [(e.side, fp.fmt(e.quantity, 0), e.price and fp.fmt(e.price, 0)) for e in report.events] == [
        ("buy", "10", "100"), ("sell", "4", "150")]  # fmt: skip
    assert report.parsed.skipped == {"zero quantity": 1}
    transfers = mapped("columns:\n  timestamp: When\n  asset: Asset\n  quantity: Change\nsigned_quantity: transfer\n",
                       tmp_path)  # fmt: skip
    report = read_text("When,Asset,Change\n2024-01-01 10:00,BTC,-1\n", "f.csv",
                       Options("cold", UTC, None, custom=transfers.custom))  # fmt: skip
    assert [(e.account, e.side, fp.fmt(e.quantity, 0)) for e in report.events] == [
        ("cold", "transfer_out", "1")
    ]
    with pytest.raises(CsvImportError) as caught:  # no zone in the mapping or --timezone
        read_text("When,Asset,Change\n2024-01-01 10:00,BTC,-1\n", "f.csv", Options("cold", None, None,
                  custom=transfers.custom))  # fmt: skip
    assert "no time zone in '2024-01-01 10:00'" in caught.value.problems[0]


def test_the_mapping_file_is_parsed_strictly_by_line(tmp_path):
    problems = refused_mapping(
        "name: x\n"
        "colums:\n  a: b\n"
        "columns:\n  timestamp: Date\n  asset: Coin\n  amount: Qty\n  type: Kind\n"
        "types:\n  Purchase: purchase\n"
        "timezone: Mars/Base\n"
        "signed_quantity: maybe\n",
        tmp_path,
    )
    assert problems == [
        "m.yaml:2: colums: unknown key; expected one of name, account, columns, types, date_format, timezone, "
        "quote, fee_asset, signed_quantity",
        "m.yaml:7: amount: unknown key; expected one of timestamp, asset, quantity, side, type, price, subtotal, "
        "total, quote, fee, fee_asset, trade_id, tx_id, address, note",
        "m.yaml:10: types.Purchase: 'purchase' is not a side; expected one of buy, sell, income, transfer_out, "
        "transfer_in, spend, skip",
        "m.yaml:11: timezone: unknown time zone 'Mars/Base' (an IANA name such as America/New_York)",
        "m.yaml:12: signed_quantity: expected trade (negative is a sell) or transfer (negative is a transfer out), "
        "not 'maybe'",
        "m.yaml:5: columns.quantity: missing; every mapping names it",
        "m.yaml:5: side: say how a row's side is told: columns.side, columns.type (with types), or "
        "signed_quantity — one of them, not ['type', 'signed_quantity']",
    ]
    assert refused_mapping("columns: [a, b\n", tmp_path)[0].startswith("m.yaml:2: not YAML: ")
    assert refused_mapping("", tmp_path) == ["m.yaml:1: the mapping file is empty"]


def test_bad_rows_of_a_mapped_file_name_its_columns(tmp_path):
    options = mapped(
        "columns:\n  timestamp: Date\n  asset: Coin\n  quantity: Qty\n  side: Side\n  fee: Fee\n"
        "date_format: '%d.%m.%Y'\ntimezone: UTC\naccount: x\n",
        tmp_path,
    )
    with pytest.raises(CsvImportError) as caught:
        read_text(
            "Date,Coin,Qty,Side,Fee\n31.02.2024,BTC,1,buy,0\n01.03.2024,,x,purchase,0\n", "f.csv", options
        )
    assert caught.value.problems == [
        "f.csv:2: Date: not a date in the mapping's format '%d.%m.%Y': '31.02.2024'",
        "f.csv:3: Qty: not a number: 'x'",
        "f.csv:3: Coin: missing value",
    ]
    with pytest.raises(CsvImportError) as caught:
        read_text("Date,Coin,Amount\n01.03.2024,BTC,1\n", "f.csv", options)
    assert caught.value.problems[0] == (
        f"f.csv:1: Qty: column named by {tmp_path / 'm.yaml'} (columns.quantity) is not in the file"
    )
