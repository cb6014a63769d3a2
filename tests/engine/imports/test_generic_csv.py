"""CSV import: exact numbers, every problem reported as FILE:LINE: column: problem, all or nothing."""

from __future__ import annotations

import pytest

from engine.core import fixedpoint as fp
from engine.core.errors import CsvImportError
from engine.imports.generic_csv import parse_csv, read_csv
from engine.store.store import Store, keys_of

H = "timestamp,account,asset,side,quantity,price,fee"


def problems(text: str, account: str | None = None) -> list[str]:
    with pytest.raises(CsvImportError) as caught:
        parse_csv(text, "f.csv", account)
    return caught.value.problems


def test_every_bad_cell_is_listed_with_its_line_and_column():
    text = f"""{H}
2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,0
2026-01-01T00:00:00,kraken,BTC,buy,1,100,0
2026-01-02T00:00:00Z,kraken,BTC,hodl,1,100,0
2026-01-03T00:00:00Z,kraken,BTC,buy,-1,abc,0
2026-01-04T00:00:00Z,kraken,,buy,0,100,
"""
    assert problems(text) == [
        "f.csv:3: timestamp: timestamp has no time zone (add Z or an offset): 2026-01-01T00:00:00",
        "f.csv:4: side: expected one of buy, sell, income, transfer_out, transfer_in, spend; got hodl",
        "f.csv:5: quantity: must be positive, got -1",
        "f.csv:5: price: not a number: 'abc'",
        "f.csv:6: asset: missing value",
        "f.csv:6: quantity: must be positive, got 0",
        "f.csv:6: fee: missing value",
    ]


def test_line_numbers_count_physical_lines_of_quoted_multiline_cells():
    text = (
        "timestamp,account,asset,side,quantity,price,fee,note\n"
        '2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,0,"two\nlines"\n'
        "2026-01-02T00:00:00Z,kraken,BTC,buy,1,1e,0,x\n"
    )
    assert problems(text) == ["f.csv:4: price: not a number: '1e'"]


def test_header_problems():
    # each unknown column on its own short line; the known columns listed once, not per line
    assert problems("timestamp,asset,side,quantity,price,fee,colour,size\n") == [
        "f.csv:1: colour: unknown column",
        "f.csv:1: size: unknown column",
        "f.csv:1: header: the columns harvest CSV knows are timestamp, asset, side, quantity, price, fee, "
        "account, quote, fee_asset, price_usd, fee_usd, trade_id, tx_id, address, note, counterpart_account, "
        "lots, subtotal, total",
        "f.csv:1: account: no account column; pass --account NAME",
    ]
    assert problems("timestamp,account,asset,side,quantity,fee\n") == [
        "f.csv:1: price: required column missing"
    ]
    assert problems("") == ["f.csv:1: header: the file is empty; expected a header row"]


def test_malformed_lot_identification():
    text = f"{H},lots\n2026-01-01T00:00:00Z,kraken,BTC,sell,1,100,0,B1\n2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,0,B1:1\n"
    assert problems(text) == [
        "f.csv:2: lots: expected LOT_ID:QTY, got 'B1'",
        "f.csv:3: lots: a lot identification belongs on a sell or spend row",
    ]


def test_numbers_are_exact_decimals():
    text = "timestamp,asset,side,quantity,price,fee\n2026-01-01T00:00:00Z,BTC,buy,0.1,0.2,1e-8\n"
    (event,) = parse_csv(text, "f.csv", "kraken")
    assert event.quantity + event.price == fp.parse("0.3")
    assert event.fee == 10**10
    assert event.account == "kraken"
    assert problems(f"{H}\n2026-01-01T00:00:00Z,k,BTC,buy,0.1234567890123456789,1,0\n") == [
        "f.csv:2: quantity: more than 18 decimal places: 0.1234567890123456789"
    ]


def test_bom_crlf_case_and_column_order_are_accepted(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(
        "\ufeffFee,Price,Quantity,Side,Asset,Timestamp\r\n0,100,2,BUY,btc,2026-01-01T00:00:00+02:00\r\n".encode()
    )
    (event,) = read_csv(path, "kraken")
    assert (event.asset, event.side, event.quantity) == ("BTC", "buy", fp.parse("2"))
    assert event.timestamp == 1767218400 * 10**6  # 2025-12-31T22:00Z


def test_not_utf8_and_binary_files_are_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"timestamp,asset\n\xff\xfe\n")
    with pytest.raises(CsvImportError, match="not UTF-8"):
        read_csv(path)
    with pytest.raises(CsvImportError, match="NUL"):
        parse_csv("a\x00b\n", "f.csv")


def test_a_bad_file_imports_nothing(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    good = f"{H}\n2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,0\n"
    store.import_events(keys_of(parse_csv(good, "g.csv")), "g", frozenset({"USD"}))
    bad = good + "2026-01-02T00:00:00Z,kraken,BTC,buy,1,x,0\n"
    with pytest.raises(CsvImportError):
        store.import_events(keys_of(parse_csv(bad, "b.csv")), "b", frozenset({"USD"}))
    assert store.event_count() == 1


def test_trades_dated_after_tomorrow_are_refused(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(f"{H}\n2026-11-26T00:00:00Z,k,BTC,buy,1,1,0\n2026-11-25T12:00:00Z,k,BTC,buy,1,1,0\n")
    now = 1_795_528_800_000_000  # 2026-11-24T12:00Z
    with pytest.raises(CsvImportError) as caught:
        read_csv(path, now=now)
    assert caught.value.problems == [f"{path}:2: timestamp: in the future: 2026-11-26T00:00:00Z"]


def test_dates_outside_2009_to_tomorrow_are_refused_by_line():
    text = f"""{H}
2008-12-31T23:59:59Z,kraken,BTC,buy,1,100,0
0001-01-01T00:00:00Z,kraken,BTC,buy,1,100,0
9999-12-31T00:00:00Z,kraken,BTC,buy,1,100,0
2009-01-03T00:00:00Z,kraken,BTC,buy,1,100,0
"""
    assert problems(text) == [
        "f.csv:2: timestamp: before 2009-01-03 (the first Bitcoin block): 2008-12-31T23:59:59Z",
        "f.csv:3: timestamp: before 2009-01-03 (the first Bitcoin block): 0001-01-01T00:00:00Z",
        "f.csv:4: timestamp: in the future: 9999-12-31T00:00:00Z",
    ]


def test_amounts_beyond_what_any_record_can_hold_are_refused_by_line_and_field():
    text = f"""{H}
2026-01-01T00:00:00Z,kraken,SHIB,buy,1e21,0.00001,0
2026-01-01T00:00:00Z,kraken,BTC,buy,1,1e22,0
2026-01-01T00:00:00Z,kraken,BTC,buy,1e9,1e9,0
2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,1e16
2026-01-01T00:00:00Z,kraken,SHIB,buy,1e15,0.00001,0
"""
    assert problems(text) == [
        "f.csv:2: quantity: over 1,000,000,000,000,000, more than any record can hold: 1e21",
        "f.csv:3: price: over 1,000,000,000,000, more than any record can hold: 1e22",
        "f.csv:4: price: quantity x price is over 1,000,000,000,000,000",
        "f.csv:5: fee: over 1,000,000,000,000,000, more than any record can hold: 1e16",
    ]


def test_one_trade_id_on_two_rows_that_differ_is_refused_and_a_repeated_row_is_one_record(tmp_path):
    header = H + ",trade_id"
    conflict = f"""{header}
2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,0,T1
2026-01-02T00:00:00Z,kraken,ETH,buy,2,50,0,T1
"""
    assert problems(conflict) == ["f.csv:3: trade_id: T1 is also on line 2 with other values"]
    repeated = f"""{header}
2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,0,T1
2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,0,T1
"""
    store = Store(tmp_path / "s.sqlite3")
    summary = store.import_events(keys_of(parse_csv(repeated, "f.csv")), "f", frozenset({"USD"}))
    assert (summary.added, summary.duplicates) == (1, 1)


def test_a_later_file_reusing_a_stored_trade_id_with_other_values_is_reported(tmp_path):
    header = H + ",trade_id"
    store = Store(tmp_path / "s.sqlite3")
    first = f"{header}\n2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,0,T1\n"
    store.import_events(keys_of(parse_csv(first, "a.csv")), "a", frozenset({"USD"}))
    same = store.import_events(keys_of(parse_csv(first, "a.csv")), "a", frozenset({"USD"}))
    assert (same.added, same.conflicts) == (0, ())
    other = f"{header}\n2026-01-01T00:00:00Z,kraken,BTC,buy,2,100,0,T1\n2026-01-02T00:00:00Z,kraken,BTC,buy,1,100,0,T2\n"
    summary = store.import_events(keys_of(parse_csv(other, "b.csv")), "b", frozenset({"USD"}))
    assert (summary.added, summary.conflicts) == (1, ("kraken|id|T1",))


def test_a_total_keeps_the_value_exact_when_the_price_would_not_fit_18_places():
    from engine.ledger.legs import build_ledger

    text = (
        "timestamp,account,asset,side,quantity,price,fee,total,subtotal\n"
        "2026-01-01T00:00:00Z,k,ETH,buy,3,,0.5,100.5,\n"  # paid 100.50 with a 0.50 fee: subtotal 100
        "2026-01-02T00:00:00Z,k,ETH,sell,3,,0.5,,101\n"  # sold for 101 gross, fee 0.50
    )
    buy, sale = parse_csv(text, "f.csv")
    assert (buy.subtotal, buy.price) == (fp.parse("100"), fp.parse("33.333333333333333333"))
    assert sale.subtotal == fp.parse("101")
    legs = build_ledger([buy, sale]).legs
    assert [leg[4] for leg in legs] == [fp.parse("100.5"), fp.parse("100.5")]  # basis and proceeds exact


def test_total_and_subtotal_must_agree_and_need_the_fee_in_the_quote():
    text = (
        "timestamp,account,asset,side,quantity,price,fee,fee_asset,total,subtotal\n"
        "2026-01-01T00:00:00Z,k,ETH,buy,3,,0.5,USD,100.5,99\n"
        "2026-01-01T00:00:00Z,k,ETH,buy,3,,0.01,ETH,100.5,\n"
        "2026-01-01T00:00:00Z,k,ETH,transfer_out,3,,0,,,5\n"
    )
    assert problems(text) == [
        "f.csv:2: total: 100.5 does not match subtotal 99 and fee",
        "f.csv:3: total: the fee is not in the quote, so the subtotal is unknown; give subtotal",
        "f.csv:4: subtotal: a transfer has no value; leave it blank",
    ]


def test_zone_less_times_are_read_in_the_zone_given():
    from zoneinfo import ZoneInfo

    text = f"{H}\n2026-03-04 10:02:11,kraken,BTC,buy,1,100,0\n"
    assert problems(text)[0].startswith("f.csv:2: timestamp: timestamp has no time zone")
    (event,) = parse_csv(text, "f.csv", zone=ZoneInfo("America/New_York"))
    assert event.timestamp == 1_772_636_531_000_000  # 2026-03-04T15:02:11Z (EST)
