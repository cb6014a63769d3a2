"""CoinLedger transaction export (rows grouped by Internal Id) and CoinLedger universal template:
the events, and the lots and realized gains they produce, checked by hand against the fixtures."""

from __future__ import annotations

from tests.engine.imports.imported import at, by_line, d, excluded, lots, open_lots, read, realized, refused

EXPORT = "coinledger/export.csv"
TEMPLATE = "coinledger-template/universal.csv"
EXPORT_HEADER = (
    "Timestamp (UTC),Type,Internal Id,Platform,Account Name,Platform Id,Blockchain Id,Record Type,Asset,Amount,"
    "Description"
)
TEMPLATE_HEADER = (
    "Date (UTC),Platform (Optional),Asset Sent,Amount Sent,Asset Received,Amount Received,Fee Currency (Optional),"
    "Fee Amount (Optional),Type,Description (Optional),TxHash (Optional)"
)


def test_export_is_detected_and_groups_rows_by_internal_id():
    report = read(EXPORT)
    assert (report.format.key, report.version, report.account) == ("coinledger", "export, 11 columns", None)
    assert report.counts() == {"trade": 4, "unclassified": 3, "transfer": 2, "income": 2, "fee": 1}
    assert report.parsed.skipped == {"Deposit (USD)": 1}
    assert report.parsed.notes == [
        "rows land in the accounts named by their account or platform: Binance Smart Chain, Coinbase, Ledger BTC, "
        "MetaMask, Pionex (--account NAME puts them all in one)"
    ]


def test_export_rows_become_these_events():
    rows = by_line(read(EXPORT))
    (buy,) = rows[3]  # three rows, in any order: Debit USD, Credit BTC, Platform Fee USD
    assert (buy.account, buy.side, buy.asset, buy.quantity, buy.subtotal, buy.fee, buy.trade_id, buy.timestamp) == (
        "Coinbase", "buy", "BTC", d("0.025"), d("1000"), d("10"), "1001", at("2024-01-10T15:00:00"))  # fmt: skip
    (swap,) = rows[5]  # BTC for ETH, the fee in ETH; no USD value in this export
    assert (swap.side, swap.asset, swap.quote, swap.subtotal, swap.value_usd, swap.fee, swap.fee_asset) == (
        "sell", "BTC", "ETH", d("0.1"), None, d("0.0005"), "ETH")  # fmt: skip
    (out,) = rows[8]  # the network fee row of the same Internal Id is the withdrawal's fee
    assert (out.side, out.quantity, out.fee, out.fee_asset, out.tx_id) == (
        "transfer_out", d("0.01"), d("0.0001"), "BTC", "abc123")  # fmt: skip
    assert (rows[10][0].account, rows[10][0].side, rows[10][0].tx_id) == (
        "Ledger BTC",
        "transfer_in",
        "abc123",
    )
    assert (rows[11][0].side, rows[11][0].subtotal) == ("income", None)  # Staking: flagged for a price
    assert (rows[13][0].side, rows[13][0].subtotal, rows[13][0].fee) == ("sell", d("280"), d("2.8"))
    assert (rows[15][0].side, rows[15][0].note) == ("spend", "Coffee beans")
    assert (rows[16][0].side, rows[16][0].note) == ("unclassified", "Theft Loss")
    assert (rows[17][0].side, rows[17][0].note) == ("unclassified", "Margin Gain")
    assert (rows[19][0].account, rows[19][0].side) == ("Binance Smart Chain", "income")  # no account name
    assert (rows[20][0].side, rows[20][0].note) == (
        "unclassified", "Trade (Internal Id 1012: not a two-sided trade in this file)")  # fmt: skip
    assert (rows[21][0].account, rows[21][0].side, rows[21][0].quantity) == ("MetaMask", "spend", d("0.0003"))


def test_export_lots_and_realized_gains_by_hand():
    result = lots(read(EXPORT).events)
    # 0.025 BTC for 1000 + 10 (40,400/BTC): 0.005 traded for ETH (no value: excluded), 0.01 to the Ledger
    # (paired by its blockchain id), 0.0001 of fee: 0.0099 left; 0.004 sold for 280 - 2.80
    assert realized(result) == [("1006", "1001", "BTC", "0.004", "277.2", "161.6", "115.6")]
    assert excluded(result) == [
        ("1002", "BTC", "0.005", "no USD price for BTC in ETH"),
        ("1002:fee", "ETH", "0.0005", "no USD value for the fee in ETH"),
        ("1003:fee", "BTC", "0.0001", "no USD value for the fee in BTC"),
        ("1007", "ETH", "0.01", "no USD price for ETH in USD"),
        ("1013", "ETH", "0.0003", "missing history"),
    ]
    lots_now = open_lots(result)
    assert lots_now[("Coinbase", "BTC", "1001")] == ("0.0059", "238.36")
    assert lots_now[("Ledger BTC", "BTC", "1001")] == ("0.01", "404")  # moved with its basis and date


def test_template_rows_become_these_events():
    report = read(TEMPLATE)
    assert (report.format.key, report.version, report.account) == (
        "coinledger-template",
        "universal, 11 columns",
        None,
    )
    assert report.counts() == {"trade": 4, "transfer": 4, "income": 2, "unclassified": 1}
    assert report.parsed.skipped == {"Deposit (USD)": 1}
    rows = by_line(report)
    assert (rows[2][0].account, rows[2][0].side, rows[2][0].subtotal, rows[2][0].fee) == (
        "Kraken", "buy", d("2000"), d("5"))  # fmt: skip
    (send,) = rows[5]  # the fee on top of the 0.3 sent
    assert (send.side, send.quantity, send.fee, send.tx_id) == ("transfer_out", d("0.3"), d("0.001"), "0xw1")
    assert (rows[6][0].account, rows[6][0].side, rows[6][0].tx_id) == ("MetaMask", "transfer_in", "0xw1")
    assert (rows[7][0].side, rows[7][0].quote, rows[7][0].value_usd) == ("sell", "USDC", None)
    assert (rows[9][0].side, rows[12][0].side) == ("transfer_out", "transfer_in")  # gifts: no sale
    assert (rows[10][0].side, rows[11][0].side, rows[11][0].note) == (
        "spend",
        "unclassified",
        "Casualty Loss",
    )


def test_template_lots_and_realized_gains_by_hand():
    result = lots(read(TEMPLATE).events)
    # 1 ETH for 2005; 0.3 moves to MetaMask (paired by hash: 601.50 with it), 0.001 fee (2.005): 0.699 for
    # 1401.495 on Kraken; 0.2 sold for 700
    assert realized(result) == [("E6", "E1", "ETH", "0.2", "700", "401", "299")]
    assert excluded(result) == [
        ("E3:fee", "ETH", "0.001", "no USD value for the fee in ETH"),
        ("E5", "ETH", "0.1", "no USD price for ETH in USDC"),
        ("E8", "USDC", "20", "no USD price for USDC in USD"),
    ]
    lots_now = open_lots(result)
    assert lots_now[("Kraken", "ETH", "E1")] == ("0.499", "1000.495")
    assert lots_now[("MetaMask", "ETH", "E1")] == ("0.2", "401")  # 0.3 (601.50) less the 0.1 swapped


def test_bad_files_are_refused_whole():
    assert refused(EXPORT_HEADER + "\n2024-01-10T15:00:00.000,Buy,,Coinbase,,,,Debit,USD,-1e,\n") == [
        "f.csv:2: Amount: not a number: '-1e'",
        "f.csv:2: Internal Id: missing value",
    ]
    template = (TEMPLATE_HEADER + "\n13/05/2024 10:00:00,,USD,2000,,,,,Trade,,\n"
                "01/05/2024 10:00:00,,,,,,,,Deposit,,\n")  # fmt: skip
    assert refused(template) == [
        "f.csv:2: Date (UTC): not a date and time: '13/05/2024 10:00:00'",
        "f.csv:3: Amount Sent: missing value (a Deposit moves an amount)",
    ]
