"""Binance.US transaction history, with both header spellings: the events each row becomes, and
the lots and realized gains they produce, checked by hand against the fixtures."""

from __future__ import annotations

from tests.engine.imports.imported import (
    FIXTURES,
    at,
    by_line,
    d,
    excluded,
    lots,
    open_lots,
    read,
    realized,
    refused,
)

TAX_REPORT = "binance-us/tax-report.csv"
UNDERSCORED = "binance-us/underscored.csv"


def test_tax_report_is_detected_and_cash_is_skipped():
    report = read(TAX_REPORT)
    assert (report.format.key, report.version, report.account) == (
        "binance-us", "tax report, 21 columns", "binance.us")  # fmt: skip
    assert report.counts() == {"trade": 5, "income": 3, "transfer": 2, "unclassified": 1}
    assert report.parsed.skipped == {"Deposit (USD)": 1, "Withdrawal (USD)": 1}


def test_tax_report_rows_become_these_events():
    rows = by_line(read(TAX_REPORT))
    assert (rows[3][0].side, rows[3][0].asset, rows[3][0].subtotal) == ("income", "BNB", d("30"))  # Others
    (buy,) = rows[4]  # Buy: from the Base (USD) to the Quote (BTC)
    assert (buy.side, buy.asset, buy.quantity, buy.subtotal, buy.fee, buy.trade_id, buy.timestamp) == (
        "buy", "BTC", d("0.075"), d("3000"), d("15"), "2003", at("2024-01-03T11:00:00"))  # fmt: skip
    (spot,) = rows[5]  # a spot buy with a blank USD quote amount: its USD column; the fee in BNB
    assert (spot.side, spot.asset, spot.subtotal, spot.fee, spot.fee_asset, spot.fee_usd) == (
        "buy", "ETH", d("2400"), d("0.005"), "BNB", d("1.5"))  # fmt: skip
    assert (rows[6][0].side, rows[6][0].asset) == ("transfer_in", "SOL")
    (convert,) = rows[7]
    assert (convert.side, convert.asset, convert.quote, convert.subtotal, convert.value_usd) == (
        "sell", "ETH", "BTC", d("0.02"), d("1400"))  # fmt: skip
    assert (rows[8][0].side, rows[8][0].subtotal) == ("income", d("5"))
    # a negative staking reward is the staking service fee: a disposal worth $0.50
    assert (rows[9][0].side, rows[9][0].quantity, rows[9][0].subtotal) == ("spend", d("0.0002"), d("0.5"))
    assert (rows[10][0].side, rows[10][0].subtotal, rows[10][0].fee) == ("sell", d("3500"), d("3.5"))
    (withdrawal,) = rows[11]  # the fee in the asset withdrawn, at its USD value
    assert (withdrawal.side, withdrawal.quantity, withdrawal.fee, withdrawal.fee_asset, withdrawal.fee_usd) == (
        "transfer_out", d("0.03"), d("0.0001"), "BTC", d("6.5"))  # fmt: skip
    assert (rows[12][0].side, rows[12][0].note) == ("income", "Distribution Referral Commission")
    assert (rows[14][0].side, rows[14][0].note) == ("unclassified", "Staking Stake")


def test_tax_report_lots_and_realized_gains_by_hand():
    result = lots(read(TAX_REPORT).events)
    assert realized(result) == [
        ("2004:fee", "2002", "BNB", "0.005", "1.5", "1.5", "0"),  # 0.005 of 0.1 BNB worth 30
        # 1 ETH for 2400 + the BNB fee's 1.50: half converted to BTC worth 1400
        ("2006", "2004", "ETH", "0.5", "1400", "1200.75", "199.25"),
        ("2008", "2004", "ETH", "0.0002", "0.5", "0.4803", "0.0197"),  # the service fee: 0.0002 x 2401.5
        ("2009", "2003", "BTC", "0.05", "3496.5", "2010", "1486.5"),  # 0.05 of 0.075 for 3015; 3500 - 3.50
        # the withdrawal moves 0.025 + 0.005 BTC out; its fee comes from the converted 0.015 left (1050)
        ("2010:fee", "2006:BTC", "BTC", "0.0001", "6.5", "7", "-0.5"),
    ]
    assert excluded(result) == []
    assert open_lots(result) == {
        ("binance.us", "BNB", "2002"): ("0.095", "28.5"),
        ("binance.us", "BTC", "2006:BTC"): ("0.0149", "1043"),
        ("binance.us", "BTC", "2011"): ("0.0001", "7"),
        ("binance.us", "ETH", "2004"): ("0.4998", "1200.2697"),
        ("binance.us", "ETH", "2007"): ("0.002", "5"),
        ("binance.us", "SOL", "2005"): ("10", None),  # deposited from outside: basis unknown
    }


def test_underscored_header_reads_the_same():
    report = read(UNDERSCORED)
    assert report.version == "underscored, 21 columns"
    assert [(e.side, e.asset, e.subtotal, e.fee) for e in report.events] == [
        ("buy", "ADA", d("500"), d("2.5")), ("income", "ADA", d("0.6"), 0), ("sell", "ADA", d("135"), d("0.68"))]  # fmt: skip
    # 300 of 625 ADA bought for 502.50: 241.20; proceeds 135 - 0.68
    assert realized(lots(report.events)) == [("1003", "1001", "ADA", "300", "134.32", "241.2", "-106.88")]


def test_a_bad_file_is_refused_whole():
    header = (FIXTURES / TAX_REPORT).read_text().splitlines()[0] + "\n"
    text = header + (
        "1,2024-01-03 11:00:00,Buy,Buy,9,3,,,,USD,3000,3000,BTC,,3000,,,,,,\n"
        "1,2024-01-03 11:00:00,Deposit,Crypto Deposit,,4,SOL,,,,,,,,,,,,,,\n"
        "1,2024-01-03 11:00:00,,,,5,SOL,1,,,,,,,,,,,,,\n"
        "1,2024-01-03 11:00:00,Distribution,Others,,6,SOL,1,$x,,,,,,,,,,,,\n"
    )
    assert refused(text) == [
        "f.csv:2: Realized Amount for Quote Asset: missing value (a Buy trade has both sides)",
        "f.csv:3: Realized Amount For Primary Asset: missing value (a Deposit moves an amount)",
        "f.csv:4: Category: missing value",
        "f.csv:5: Realized Amount for Primary Asset in USD: not a number: 'x'",
    ]
