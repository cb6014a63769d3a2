"""Cash App statement CSV, both layouts: the bitcoin rows' events (EST/EDT times, `(…)`
negatives, failed rows skipped and listed), and the lots and realized gains they produce."""

from __future__ import annotations

from tests.engine.imports.imported import at, by_line, d, lots, open_lots, read, realized, refused

DATE_FIRST = "cash-app/date-first.csv"
ID_FIRST = "cash-app/id-first.csv"
HEADER = (
    "Date,Transaction ID,Transaction Type,Currency,Amount,Fee,Net Amount,Asset Type,Asset Price,Asset Amount,"
    "Status,Notes,Name of sender/receiver,Account"
)


def test_date_first_is_detected_and_dollar_and_failed_rows_are_skipped():
    report = read(DATE_FIRST)
    assert (report.format.key, report.version, report.account) == (
        "cash-app",
        "date first, 14 columns",
        "cash app",
    )
    assert report.counts() == {"trade": 4, "transfer": 2, "unclassified": 1, "income": 1}
    assert report.parsed.skipped == {
        "Account Notifications": 1, "Cash Card Debit": 1, "P2P": 1, "Bitcoin Buy (CANCELED)": 1,
        "Bitcoin Buy (FAILED)": 1, "Cash in": 1}  # fmt: skip
    assert report.parsed.notes == [
        "rows that did not go through (failed, canceled or declined) skipped: lines 10, 11"
    ]


def test_date_first_rows_become_these_events():
    rows = by_line(read(DATE_FIRST))
    (buy,) = rows[14]  # ($400.00) for 0.01 BTC plus a ($5.00) fee: the basis is the ($405.00) paid
    assert (buy.side, buy.quantity, buy.subtotal, buy.fee, buy.fee_asset, buy.trade_id) == (
        "buy", d("0.01"), d("400"), d("5"), "USD", "c02")  # fmt: skip
    assert buy.timestamp == at("2024-01-10T14:05:00")  # 09:05 EST is UTC-5
    assert (rows[13][0].subtotal, rows[13][0].fee) == (d("100"), d("1.5"))  # -$100.00 and -$1.50
    (boost,) = rows[12]
    assert (boost.side, boost.subtotal, boost.timestamp) == (
        "income",
        d("2.5"),
        at("2024-03-15T16:00:00"),
    )  # EDT
    assert (rows[9][0].side, rows[9][0].quantity, rows[9][0].subtotal, rows[9][0].fee) == (
        "sell", d("0.005"), d("300"), d("3"))  # fmt: skip
    (withdrawal,) = rows[8]  # the ($0.70) network fee is paid in bitcoin: 0.70 / 70,000 = 0.00001 BTC
    assert (withdrawal.side, withdrawal.quantity, withdrawal.fee, withdrawal.fee_asset, withdrawal.fee_usd) == (
        "transfer_out", d("0.002"), d("0.00001"), "BTC", d("0.7"))  # fmt: skip
    assert rows[4][0].side == "transfer_in"
    assert (rows[3][0].side, rows[3][0].note) == ("unclassified", "Bitcoin Gift Sent")
    # 01:30 on the night clocks fall back happens twice; EST says which: the second, 06:30 UTC
    assert rows[2][0].timestamp == at("2024-11-03T06:30:00")


def test_date_first_lots_and_realized_gains_by_hand():
    result = lots(read(DATE_FIRST).events)
    assert realized(result) == [
        ("c06", "c02", "BTC", "0.005", "297", "202.5", "94.5"),  # half of 0.01 bought for 405; 300 - 3
        # the withdrawal moves 0.002 (81) out of the 0.005 left; its fee 0.00001 of the 0.003 left (121.50)
        ("c07:fee", "c02", "BTC", "0.00001", "0.7", "0.405", "0.295"),
        ("c13", "c02", "BTC", "0.002", "138.6", "81", "57.6"),  # 40,500/BTC; 140 - 1.40
    ]
    assert open_lots(result) == {
        ("cash app", "BTC", "c02"): ("0.00099", "40.095"),
        ("cash app", "BTC", "c03"): ("0.002", "101.5"),
        ("cash app", "BTC", "c04"): ("0.00004", "2.5"),
        ("cash app", "BTC", "c11"): ("0.001", None),  # deposited from outside
    }


def test_id_first_layout():
    report = read(ID_FIRST)
    assert report.version == "id first, 14 columns"
    assert report.parsed.skipped == {"Received P2P": 1}
    assert [(e.side, e.trade_id, e.subtotal) for e in report.events] == [
        ("transfer_out", "v104", None), ("income", "v102", d("1")), ("buy", "v101", d("99"))]  # fmt: skip
    assert open_lots(lots(report.events))[("cash app", "BTC", "v101")] == ("0.002", "66.666666666666666667")


def test_a_bad_file_is_refused_whole():
    text = (
        HEADER
        + "\n"
        + (
            "2024-01-10 09:05:00 EST,x1,Bitcoin Buy,USD,($400.00,($5.00),($405.00),BTC,$1,0.01,COMPLETE,,,\n"
            "2024-01-10 09:05:00,x2,Bitcoin Buy,USD,($400.00),($5.00),($405.00),BTC,$1,,COMPLETE,,,\n"
            "2024-01-10 09:05:00 XST,x3,P2P,USD,$1,$0,$1,,,,COMPLETE,,,\n"
        )
    )
    assert refused(text) == [
        "f.csv:2: Amount: not a number: '($400.00'",
        "f.csv:3: Asset Amount: missing value",
        "f.csv:4: Date: not a date and time: '2024-01-10 09:05:00 XST'",
    ]
