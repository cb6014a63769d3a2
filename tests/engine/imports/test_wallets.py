"""Self-custody wallet exports (Ledger Live, Electrum, Trezor Suite): sends with the fee inside
or on top of the amount, fee-only operations, and the lots and gains they produce, by hand. Each
wallet is funded by an exchange withdrawal carrying the receive's tx id, so its lots arrive with
their basis."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine.core import fixedpoint as fp
from engine.core.errors import CsvImportError
from engine.imports.formats import Options
from engine.imports.importer import FileReport, read_file, read_text
from engine.ledger.events import Event
from engine.ledger.legs import build_ledger
from engine.ledger.lots import match_lots
from engine.ledger.records import LotResult

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
NO_OPTIONS = Options(None, None, None)
NEW_YORK = Options(None, ZoneInfo("America/New_York"), None)


def d(text: str) -> int:
    return fp.parse(text)


def read(name: str, options: Options = NO_OPTIONS) -> FileReport:
    return read_file(FIXTURES / name, options)


def funded(events: list[Event], tx: str, quantity: str, cost: str, at: int) -> LotResult:
    """The wallet's events after an exchange bought `quantity` BTC for `cost` and withdrew it in `tx`."""
    buy = Event(account="exchange", asset="BTC", side="buy", timestamp=at - 3_600_000_000, quantity=d(quantity),
                price=None, fee=0, subtotal=d(cost), trade_id="BUY")  # fmt: skip
    out = Event(account="exchange", asset="BTC", side="transfer_out", timestamp=at - 60_000_000, quantity=d(quantity),
                price=None, fee=0, tx_id=tx, trade_id="OUT")  # fmt: skip
    return match_lots(build_ledger([buy, out, *events]), "fifo")


def realized(result: LotResult) -> list[tuple[str, str, str, str, str]]:
    return [(r.sale_id, fp.fmt(r.quantity, 0), fp.fmt(r.proceeds, 0), fp.fmt(r.cost_basis, 0), fp.fmt(r.gain, 0))
            for r in result.realized]  # fmt: skip


def wallet_lots(result: LotResult) -> list[tuple[str, str, str, str | None]]:
    return [(o.account, o.asset, fp.fmt(o.quantity, 0), None if o.basis is None else fp.fmt(o.basis, 0))
            for o in result.open_lots if o.account != "exchange"]  # fmt: skip


LL_IN = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
LL_OUT = "b1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"


def test_ledger_live_operations():
    report = read("ledger-live/with-status-and-countervalues.csv")
    assert (report.format.key, report.version, report.account) == (
        "ledger-live", "with status and countervalues, 12 columns", None)  # several Ledger accounts  # fmt: skip
    assert report.counts() == {"transfer": 2, "income": 1, "fee": 1, "unclassified": 1}
    assert report.parsed.skipped == {"OUT (Failed)": 1, "NFT_IN": 1}
    received, sent, reward, bond, supply = report.events
    assert (received.account, received.side, received.quantity, received.tx_id, received.timestamp) == (
        "Bitcoin 1", "transfer_in", d("0.3"), LL_IN, 1_709_648_530_000_000)  # fmt: skip
    # OUT 0.1001 includes the 0.0001 fee: 0.1 left; the fee's share of the $6,706.70 countervalue is $6.70
    assert (sent.side, sent.quantity, sent.fee, sent.fee_asset, sent.fee_usd) == (
        "transfer_out", d("0.1"), d("0.0001"), "BTC", d("6.7"))  # fmt: skip
    assert (reward.account, reward.side, reward.asset, reward.subtotal) == (
        "Polkadot 1",
        "income",
        "DOT",
        d("12.345"),
    )
    assert (bond.side, bond.quantity, bond.subtotal, bond.note) == (
        "spend",
        d("0.0158"),
        None,
        "BOND: fee only",
    )
    assert (supply.side, supply.note) == ("unclassified", "SUPPLY")
    assert [(line, e.asset, why) for line, e, why in report.needs_price()] == [
        (6, "DOT", "no USD price for DOT in USD")
    ]
    result = funded(report.events, LL_IN, "0.3", "18000", received.timestamp)
    # 0.3 BTC arrive with basis $18,000 ($60,000 each); the 0.0001 fee: proceeds 6.70 - basis 6.00
    assert realized(result) == [(f"{LL_OUT}:fee", "0.0001", "6.7", "6", "0.7")]
    # the bond's fee has no USD value: left out of results, never valued at zero
    assert [(e.asset, e.problem) for e in result.excluded] == [("DOT", "no USD price for DOT in USD")]
    assert ("Bitcoin 1", "BTC", "0.1999", "11994") in wallet_lots(result)
    assert ("Polkadot 1", "DOT", "1.4842", "12.214966") in wallet_lots(result)  # 12.345 less 0.0158/1.5 of it


def test_ledger_live_older_layout_and_account_option():
    report = read("ledger-live/with-account-id.csv", Options("cold storage", None, None))
    assert (report.version, report.account) == ("with account id, 8 columns", "cold storage")
    assert [(e.account, e.side, fp.fmt(e.quantity, 0), fp.fmt(e.fee, 0)) for e in report.events] == [
        ("cold storage", "transfer_in", "0.02", "0"), ("cold storage", "transfer_out", "0.01", "0.000005")]  # fmt: skip


E_IN = "e1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80"


def test_electrum_needs_a_zone_and_takes_the_fee_out_of_the_value():
    with pytest.raises(CsvImportError) as caught:
        read("electrum/4.x.csv")
    assert caught.value.problems == [
        f"{FIXTURES / 'electrum/4.x.csv'}:1: timestamp: Electrum writes the exporting computer's local time "
        "without a zone; pass --timezone ZONE (e.g. America/New_York)"
    ]
    report = read("electrum/4.x.csv", NEW_YORK)
    assert (report.format.key, report.version, report.account) == ("electrum", "4.x, 8 columns", "electrum")
    assert report.parsed.skipped == {"unconfirmed": 1}
    received, sent = report.events
    assert received.timestamp == 1_706_884_200_000_000  # 2024-02-02 09:30 EST = 14:30 UTC
    assert (sent.side, sent.quantity, sent.fee, sent.fee_usd, sent.note) == (
        "transfer_out", d("0.2"), d("0.0001"), None, "to kraken")  # -0.2001 includes the fee  # fmt: skip
    result = funded(report.events, E_IN, "0.3", "12000", received.timestamp)
    # the fiat columns are in an unnamed currency: the fee needs a USD price, so it is left out
    assert realized(result) == []
    assert [(e.asset, fp.fmt(e.quantity, 0), e.problem) for e in result.excluded] == [
        ("BTC", "0.0001", "no USD value for the fee in BTC")]  # fmt: skip
    assert wallet_lots(result) == [("electrum", "BTC", "0.0999", "3996")]  # 0.3 - 0.2 - 0.0001 at $40,000


def test_electrum_older_layout_sends_its_whole_value():
    report = read("electrum/3.x.csv", Options("old wallet", ZoneInfo("Europe/Berlin"), None))
    assert report.version == "3.x, 5 columns"
    assert [(e.side, fp.fmt(e.quantity, 0), e.fee) for e in report.events] == [
        ("transfer_in", "1000.5", 0), ("transfer_out", "0.25", 0)]  # "1,000.5": thousands  # fmt: skip
    assert report.events[0].timestamp == 1_562_256_000_000_000  # 18:00 in Berlin (CEST) = 16:00 UTC


T_IN = "71a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80"
T_SENT = "72a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80"
T_SPLIT = "73a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80"


def test_trezor_semicolons_fee_on_top_and_once_per_transaction():
    report = read("trezor/2023.csv")
    assert (report.format.key, report.version, report.account) == ("trezor", "2023, 13 columns", "trezor")
    assert report.parsed.skipped == {"FAILED (no fee)": 1}
    rows = sorted(zip(report.parsed.lines, report.events, strict=True))
    assert [(line, e.side, fp.fmt(e.quantity, 0), fp.fmt(e.fee, 0), e.fee_usd and fp.fmt(e.fee_usd, 0))
            for line, e in rows] == [
        (2, "transfer_in", "0.3", "0", None),
        (3, "transfer_out", "0.2", "0.0001", "4.4"),  # the amount excludes the fee; $8,800 x 0.0001/0.2
        (4, "transfer_out", "0.02", "0", None),  # the second output of one transaction: its fee once
        (5, "transfer_out", "0.01", "0.00002", "0.88"),
        (6, "spend", "0.00001", "0", None),  # SELF: the fee alone, $0.44
        (8, "transfer_in", "0.0015", "0", None),  # 150000 sat
    ]  # fmt: skip
    assert rows[3][1].note == "split; two outputs"  # a quoted label holding the separator
    assert rows[4][1].subtotal == d("0.44")
    result = funded(report.events, T_IN, "0.3", "12000", rows[0][1].timestamp)
    # $40,000 a BTC: fees 0.0001 (4.40 - 4.00), 0.00002 (0.88 - 0.80), 0.00001 (0.44 - 0.40)
    assert realized(result) == [
        (f"{T_SENT}:fee", "0.0001", "4.4", "4", "0.4"),
        (f"{T_SPLIT}:fee", "0.00002", "0.88", "0.8", "0.08"),
        (
            "74a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80",
            "0.00001",
            "0.44",
            "0.4",
            "0.04",
        ),
    ]
    assert wallet_lots(result) == [("trezor", "BTC", "0.06987", "2794.8"), ("trezor", "BTC", "0.0015", None)]


def test_bad_wallet_rows_are_named_by_line_and_column():
    text = (
        "Operation Date,Currency Ticker,Operation Type,Operation Amount,Operation Fees,Operation Hash,"
        "Account Name,Account id\n"
        "2024-02-30T10:00:00.000Z,BTC,IN,0.02,0,h1,Bitcoin,x\n"
        "2024-02-01T10:00:00.000Z,BTC,OUT,0.0001,0.0002,h2,Bitcoin,x\n"
        "2024-02-01T10:00:00.000Z,,IN,abc,0,h3,Bitcoin,x\n"
    )
    with pytest.raises(CsvImportError) as caught:
        read_text(text, "ll.csv", NO_OPTIONS)
    assert caught.value.problems == [
        "ll.csv:2: Operation Date: not a date and time: '2024-02-30T10:00:00.000Z'",
        "ll.csv:3: Operation Fees: more than the amount sent (0.0001)",
        "ll.csv:4: Operation Amount: not a number: 'abc'",
        "ll.csv:4: Currency Ticker: missing value",
    ]
    trezor = "Timestamp;Date;Time;Type;Transaction ID;Fee;Fee unit;Address;Label;Amount;Amount unit;Fiat (USD);Other\n"
    with pytest.raises(CsvImportError) as caught:
        read_text(trezor + "17e8;d;t;RECV;t1;;BTC;a;;1;BTC;;\n1707583500;d;t;SENT;;1.5;sat;a;;1;sat;;\n", "t.csv",
                  NO_OPTIONS)  # fmt: skip
    assert caught.value.problems == [
        "t.csv:2: Timestamp: not a Unix time in seconds: '17e8'",
        "t.csv:3: Fee: a fraction of a satoshi",
        "t.csv:3: Transaction ID: missing value",
    ]
