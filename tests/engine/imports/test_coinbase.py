"""Coinbase transaction history, every layout: the events each row becomes, and the lots and
realized gains they produce, checked by hand against the fixtures in tests/fixtures/imports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from engine.core import fixedpoint as fp
from engine.core.errors import CsvImportError
from engine.imports.formats import Options
from engine.imports.importer import FileReport, read_file, read_text
from engine.ledger.events import Event
from engine.ledger.legs import build_ledger
from engine.ledger.lots import match_lots
from engine.ledger.records import LotResult
from engine.store.store import Store, keys_of

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "coinbase"
NO_OPTIONS = Options(None, None, None)


def read(name: str) -> FileReport:
    return read_file(FIXTURES / name, NO_OPTIONS)


def d(text: str) -> int:
    return fp.parse(text)


def at(iso: str) -> int:
    return int(datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp() * 1_000_000)


def by_id(report: FileReport) -> dict[str, Event]:
    return {e.trade_id: e for e in report.events if e.trade_id}


def lots(events: list[Event]) -> LotResult:
    return match_lots(build_ledger(events), "fifo")


def realized(result: LotResult) -> list[tuple[str, str, str, str, str, str, str]]:
    """(sale, lot, asset, quantity, proceeds, basis, gain) as exact decimal strings."""
    return [(r.sale_id, r.lot_id, r.asset, fp.fmt(r.quantity, 0), fp.fmt(r.proceeds, 0), fp.fmt(r.cost_basis, 0),
             fp.fmt(r.gain, 0)) for r in result.realized]  # fmt: skip


def test_2025_layout_is_detected_past_its_preamble():
    report = read("2025.csv")
    assert (report.format.key, report.version, report.account) == ("coinbase", "2025, 13 columns", "coinbase")
    assert report.counts() == {"trade": 8, "income": 3, "transfer": 2, "migration": 1, "unclassified": 2}
    # USD cash in and out and staking moves inside the account are skipped, by type
    assert report.parsed.skipped == {"Deposit (USD)": 1, "Withdrawal (USD)": 1, "Retail Staking Transfer": 1,
                                     "Retail Unstaking Transfer": 1}  # fmt: skip
    assert report.fees() == (7, 2)  # the SOL send's network fee and the USDC pair's fee are in crypto


def test_2025_rows_become_these_events():
    events = by_id(read("2025.csv"))
    buy = events["a00"]
    assert (buy.side, buy.asset, buy.quantity, buy.quote, buy.subtotal, buy.fee, buy.fee_asset) == (
        "buy", "BTC", d("0.1"), "USD", d("4200"), d("25"), "USD")  # fmt: skip
    assert buy.timestamp == at("2024-01-10T15:05:00")
    # Total - Subtotal is the fee: the printed -$15.00 leaves out the spread (basis = Total paid)
    assert (events["a01"].subtotal, events["a01"].fee) == (d("3450"), d("20.71"))
    # an Advanced Trade on SOL-USD is a plain USD buy
    assert (events["a02"].quote, events["a02"].subtotal, events["a02"].fee) == ("USD", d("1300"), d("2.50"))
    # ... on BTC-USDC the quote, rate and fee are only in Notes: 0.01 x 66000 = 660 USDC, fee 0.66 USDC
    pair = events["a04"]
    assert (pair.quote, pair.subtotal, pair.fee, pair.fee_asset, pair.value_usd, pair.fee_usd) == (
        "USDC", d("660"), d("0.66"), "USDC", d("660"), d("0.66"))  # fmt: skip
    assert (events["a05"].side, events["a05"].subtotal) == ("income", d("43.75"))  # staking
    assert (events["a06"].side, events["a06"].asset, events["a06"].subtotal) == ("income", "GRT", d("7.50"))
    # Convert: the received side is in Notes; the fee comes out of the value (1800 - 9)
    convert = events["a10"]
    assert (convert.side, convert.asset, convert.quantity, convert.quote, convert.subtotal, convert.value_usd,
            convert.fee) == ("sell", "ETH", d("0.5"), "USDC", d("1791"), d("1791"), 0)  # fmt: skip
    # a send's USD network fee is paid in SOL: 0.30 / 150 = 0.002 SOL, worth $0.30
    send = events["a11"]
    assert (send.side, send.quantity, send.fee, send.fee_asset, send.fee_usd, send.address) == (
        "transfer_out", d("4"), d("0.002"), "SOL", d("0.30"), "7sendAddressSoL")  # fmt: skip
    receive = events["a12"]
    assert (receive.side, receive.address) == ("transfer_in", "0x1111222233334444555566667777888899990000")
    migration = events["a13"]
    assert (migration.side, migration.asset, migration.quantity, migration.quote, migration.subtotal) == (
        "migrate", "MATIC", d("100"), "POL", d("100"))  # fmt: skip
    sale = events["a15"]  # fee printed as a bare -47.5: Subtotal - Total is what was kept back
    assert (sale.side, sale.quantity, sale.subtotal, sale.fee) == ("sell", d("0.05"), d("4750"), d("47.50"))
    assert {events["a16"].side, events["a17"].side} == {"unclassified"}
    assert events["a16"].note == "Retail Mgx Dex Trade"
    assert (events["a18"].side, events["a18"].price, events["a18"].subtotal) == ("income", None, None)


def test_2025_unclassified_and_unpriced_rows_are_listed_by_line():
    report = read("2025.csv")
    assert [(line, e.asset) for line, e in report.unclassified()] == [(7, "USDC"), (8, "BTC")]
    assert [(line, e.asset, why) for line, e, why in report.needs_price()] == [
        (6, "SOL", "no USD price for SOL in USD")
    ]


def test_2025_lots_and_realized_gains_by_hand():
    result = lots(read("2025.csv").events)
    assert realized(result) == [
        # the BTC-USDC buy spends 660 USDC (bought at $1: a 0.66 loss, as the fee cut its proceeds)
        # and pays 0.66 USDC of fee (no gain)
        ("a04:USDC", "a03", "USDC", "660", "659.34", "660", "-0.66"),
        ("a04:fee", "a03", "USDC", "0.66", "0.66", "0.66", "0"),
        # 0.5 of 1.5 ETH bought for 3470.71: basis 1156.903333333333333333 (rounded down), proceeds 1791
        ("a10", "a01", "ETH", "0.5", "1791", "1156.903333333333333333", "634.096666666666666667"),
        # the send moves 4 SOL (basis 521); the fee 0.002 of the 6 left (basis 781.50): 0.2605
        ("a11:fee", "a02", "SOL", "0.002", "0.3", "0.2605", "0.0395"),
        ("a15", "a00", "BTC", "0.05", "4702.5", "2112.5", "2590"),
    ]
    open_lots = {(lot.asset, lot.lot_id): (fp.fmt(lot.quantity, 0), lot.basis) for lot in result.open_lots}
    assert open_lots[("ETH", "a01")] == ("1", d("2313.806666666666666667"))
    assert open_lots[("SOL", "a02")] == ("5.998", d("781.2395"))
    assert open_lots[("USDC", "a03")] == ("339.34", d("339.34"))
    assert open_lots[("USDC", "a10:USDC")] == ("1791", d("1791"))
    assert open_lots[("ETH", "a12")] == ("0.25", None)  # received from outside: unknown basis
    assert open_lots[("SOL", "a18")] == ("0.05", None)  # income without a USD value: kept, flagged
    # the migration moved MATIC's lot to POL: its basis and purchase date, no sale
    pol = next(lot for lot in result.open_lots if lot.asset == "POL")
    assert (pol.lot_id, pol.quantity, pol.basis) == ("a08", d("100"), d("71.49"))
    assert date.fromordinal(pol.acquired_day) == date(2024, 5, 1)
    assert not any(lot.asset == "MATIC" for lot in result.open_lots)
    assert not any(row.asset in ("MATIC", "POL") for row in result.realized)


def test_2021_layout_with_a_multiline_quoted_preamble_and_unsigned_quantities():
    report = read("2021.csv")
    assert report.version == "2021, 10 columns"
    assert report.parsed.lines == [9, 10, 11, 12, 13, 14]  # physical lines, past the 2-line disclaimer
    sides = [(e.side, e.asset) for e in report.events]
    assert sides == [("buy", "BTC"), ("income", "XLM"), ("transfer_out", "BTC"), ("sell", "BTC"),
                     ("sell", "XLM"), ("income", "ETH")]  # fmt: skip
    send, convert, rewards = report.events[2], report.events[4], report.events[5]
    assert send.address == "3QKF71FX9YfijmJxe5AbArELfuc2ddxdm2"  # from Notes: this layout has no column
    assert (convert.quote, convert.subtotal, convert.value_usd) == ("ETH", d("0.0012"), d("3"))
    assert rewards.subtotal == d("20")  # no Subtotal: quantity x spot price (0.01 x 2000)
    assert realized(lots(report.events)) == [
        # 0.0002 of 0.001 BTC (basis 41) moved out first: the sale takes 0.0005 of the 0.0008 left
        ("E4", "E1", "BTC", "0.0005", "28", "20.5", "7.5"),
        ("E5", "E2", "XLM", "10", "3", "4", "-1"),
    ]


def test_2019_layout_with_us_dates_and_multiline_notes():
    report = read("2019.csv")
    assert report.version == "2019, 8 columns"
    buy, sale, send = report.events
    assert buy.timestamp == at("2015-10-06T00:00:00")  # 10/06/2015: month first, UTC
    assert (buy.subtotal, buy.fee) == (d("249.73"), 0)  # the amount includes Coinbase's fee
    assert send.address == "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
    assert realized(lots(report.events)) == [("E2", "E1", "BTC", "0.5", "188.5", "124.865", "63.635")]


def test_reimporting_adds_nothing(tmp_path):
    events = read("2025.csv").events
    with Store(tmp_path / "s.sqlite3") as store:
        first = store.import_events(keys_of(events), "a", frozenset({"USD"}))
        again = store.import_events(keys_of(read("2025.csv").events), "b", frozenset({"USD"}))
        assert (first.added, again.added, again.conflicts) == (16, 0, ())
        assert [(u.kind, u.asset) for u in store.unclassified()] == [
            ("Retail Mgx Dex Trade", "BTC"),
            ("Retail Mgx Dex Trade", "USDC"),
        ]


HEADER = (
    "ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,Subtotal,"
    "Total (inclusive of fees and/or spread),Fees and/or Spread,Notes,Sender Address,Recipient Address\n"
)


def test_bad_cells_refuse_the_file_with_every_problem_named_by_line_and_column():
    text = (
        "\nTransactions\nUser,x,y\n" + HEADER
        + "b1,2024-01-10 15:05:00 UTC,Buy,BTC,abc,USD,$1.00,$1.00,$1.00,$0.00,,,\n"
        + "b2,yesterday,Buy,BTC,1,USD,$1.00,$1.00,$1.00,$0.00,,,\n"
        + "b3,2024-01-10 15:05:00 UTC,Convert,ETH,-1,USD,$1.00,$1.00,$1.00,$0.00,Swapped it,,\n"
        + 'b4,2024-01-10 15:05:00 UTC,Buy,BTC,1,USD,$1.00,"$1,0.00",$1.00,$0.00,,,\n'
        + "b5,2024-01-10 15:05:00 UTC,Buy,BTC,1,USD\n"
    )  # fmt: skip
    with pytest.raises(CsvImportError) as caught:
        read_text(text, "cb.csv", NO_OPTIONS)
    assert caught.value.problems == [
        "cb.csv:5: Quantity Transacted: not a number: 'abc'",
        "cb.csv:6: Timestamp: not a date and time: 'yesterday'",
        "cb.csv:7: Notes: a Convert needs 'Converted X ETH to Y ASSET'; got 'Swapped it'",
        "cb.csv:8: Subtotal: not a number: '1,0.00'",
        "cb.csv:9: row: 6 cells, header has 13",
    ]


def test_a_file_cut_short_is_refused_whole():
    text = (FIXTURES / "2025.csv").read_text()
    cut = text[: text.index("Deposit from Bank") + 7]  # inside the last row's Notes: 11 of 13 cells
    with pytest.raises(CsvImportError) as caught:
        read_text(cut, "cb.csv", NO_OPTIONS)
    assert caught.value.problems[0] == "cb.csv:25: row: 11 cells, header has 13"
    # cut inside the last cell: every cell is there, but an export ends each row with a line break
    with pytest.raises(CsvImportError) as caught:
        read_text(text.rstrip("\r\n"), "cb.csv", NO_OPTIONS)
    assert caught.value.problems == [
        "cb.csv:25: row: the last row does not end with a line break; the file looks cut short (download it again)"
    ]


def test_amounts_with_many_places_stay_exact():
    # a price of 22 significant digits (as Coinbase prints) is only for display: the value is the Subtotal
    text = ("\nTransactions\nUser,x,y\n" + HEADER
            + "c1,2023-10-23 13:18:05 UTC,Buy,BTC,0.01304335,USD,$30702.2761900010362018,$400.46053,$401.00,"
              "$0.53947,Bought,,\n")  # fmt: skip
    (event,) = read_text(text, "cb.csv", NO_OPTIONS).events
    assert (event.subtotal, event.fee) == (d("400.46053"), d("0.53947"))
    (leg,) = build_ledger([event]).legs
    assert leg[4] == d("401")  # basis = Total, to the last unit
    assert Decimal(fp.fmt(event.price or 0, 0)) == (Decimal("400.46053") / Decimal("0.01304335")).quantize(
        Decimal("1e-18")
    )
