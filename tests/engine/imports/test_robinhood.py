"""Robinhood account activity: its crypto rows (filled orders, no fee: the spread is in the
Amount), dates read at noon in New York, one day's acquisitions before its disposals, and
everything else skipped as not crypto; the lots and realized gains checked by hand."""

from __future__ import annotations

from tests.engine.imports.imported import at, by_line, d, lots, open_lots, read, realized, refused

ACTIVITY = "robinhood/account-activity.csv"
HEADER = '"Activity Date","Process Date","Settle Date","Instrument","Description","Trans Code","Quantity","Price","Amount"'


def test_activity_is_detected_and_what_is_not_crypto_is_skipped_by_code():
    report = read(ACTIVITY)
    assert (report.format.key, report.version, report.account) == (
        "robinhood", "account activity, 9 columns", "robinhood")  # fmt: skip
    assert report.counts() == {"trade": 6, "transfer": 1}
    # a stock Buy (its Description names a CUSIP, on a second line), a dividend, an option, a deposit;
    # the blank row and the closing disclaimer are not rows
    assert report.parsed.skipped == {
        "Buy (not crypto)": 1, "CDIV (not crypto)": 1, "BTO (not crypto)": 1, "ACH (not crypto)": 1}  # fmt: skip


def test_activity_rows_become_these_events():
    rows = by_line(read(ACTIVITY))
    (buy,) = rows[12]  # ($900.00) paid, no fee: the spread is in it
    assert (buy.side, buy.asset, buy.quantity, buy.subtotal, buy.fee, buy.timestamp) == (
        "buy", "BTC", d("0.02"), d("900"), 0, at("2024-01-10T12:00:00", "America/New_York"))  # fmt: skip
    assert (rows[10][0].side, rows[10][0].subtotal) == ("buy", d("1150.25"))  # "($1,150.25)"
    assert (rows[8][0].side, rows[8][0].subtotal) == ("sell", d("650"))
    assert (rows[2][0].side, rows[2][0].quantity) == ("transfer_out", d("0.1"))  # a negative quantity leaves


def test_one_days_acquisitions_come_before_its_disposals():
    report = read(ACTIVITY)
    # the file lists 4/1's DOGE sale above its purchase; with no times, the purchase is taken first
    assert [(line, e.side, e.asset) for line, e in zip(report.parsed.lines, report.events, strict=True)][2:6] == [
        (7, "buy", "BTC"), (8, "sell", "BTC"), (4, "buy", "DOGE"), (3, "sell", "DOGE")]  # fmt: skip
    result = lots(report.events)
    assert realized(result) == [
        ("E4", "E1", "BTC", "0.01", "650", "450", "200"),  # half of 0.02 bought for 900 (FIFO: the oldest)
        ("E6", "E5", "DOGE", "1000", "200", "180", "20"),  # bought and sold the same day
    ]
    assert open_lots(result) == {
        ("robinhood", "BTC", "E1"): ("0.01", "450"),
        ("robinhood", "BTC", "E3"): ("0.005", "325"),
        ("robinhood", "ETH", "E2"): ("0.4", "920.2"),  # 0.1 of 0.5 (1150.25) transferred out
    }


def test_a_bad_file_is_refused_whole():
    text = (
        HEADER
        + "\n"
        + (
            '"2024-01-10","","","BTC","Bitcoin","Buy","0.02","","($900.00)"\n'
            '"1/10/2024","","","","Bitcoin","Sell","0.02","",""\n'
            '"1/10/2024","","","BTC","Bitcoin","Buy","two","","($900.00)"\n'
        )
    )
    assert refused(text) == [
        "f.csv:2: Activity Date: not a date (M/D/YYYY): '2024-01-10'",
        "f.csv:3: Instrument: missing value",
        "f.csv:3: Amount: missing value",
        "f.csv:4: Quantity: not a number: 'two'",
    ]
