"""CoinTracker transaction export and CoinTracker CSV template (US dates): the events each row
becomes, and the lots and realized gains they produce, checked by hand against the fixtures."""

from __future__ import annotations

from tests.engine.imports.imported import at, by_line, d, excluded, lots, open_lots, read, realized, refused

EXPORT = "cointracker/transaction-history.csv"
TEMPLATE = "cointracker-template/template.csv"
EXPORT_HEADER = (
    "Date,Type,Transaction ID,Received Quantity,Received Currency,Received Cost Basis (USD),Received Wallet,"
    "Received Address,Received Tag,Received Comment,Sent Quantity,Sent Currency,Sent Cost Basis (USD),Sent Wallet,"
    "Sent Address,Sent Tag,Sent Comment,Fee Amount,Fee Currency,Realized Return (USD),Ignored"
)


def test_export_is_detected_past_its_closing_note():
    report = read(EXPORT)
    assert (report.format.key, report.version, report.account) == (
        "cointracker", "transaction history, 21 columns", None)  # fmt: skip
    assert report.counts() == {"transfer": 4, "trade": 4, "unclassified": 2, "income": 2}
    # a row marked Ignored in CoinTracker, a move into staking, USD cash in; the `...` note is not a row
    assert report.parsed.skipped == {"Buy (ignored in CoinTracker)": 1, "stake": 1, "Receive (USD)": 1}
    assert report.parsed.notes == [
        "rows land in the accounts named by their wallets: Coinbase, Ledger Nano X (--account NAME puts them all in one)"
    ]


def test_export_rows_become_these_events():
    rows = by_line(read(EXPORT))
    (buy,) = rows[14]  # US date 01/10/2024 15:00:00, UTC
    assert (buy.account, buy.side, buy.asset, buy.quantity, buy.subtotal, buy.fee, buy.trade_id, buy.timestamp) == (
        "Coinbase", "buy", "BTC", d("0.2"), d("8000"), d("40"), "ct-001", at("2024-01-10T15:00:00"))  # fmt: skip
    out, into = rows[13]  # one Transfer row: both wallets; the fee on top, in BTC
    assert (out.account, out.side, out.quantity, out.fee, out.fee_asset, out.address, out.counterpart_account) == (
        "Coinbase", "transfer_out", d("0.1"), d("0.0002"), "BTC", "bc1qcoinbase", "Ledger Nano X")  # fmt: skip
    assert (into.account, into.side, into.trade_id, into.address, into.counterpart_account) == (
        "Ledger Nano X", "transfer_in", "ct-002:in", "bc1qledger", "Coinbase")  # fmt: skip
    (swap,) = rows[12]  # crypto for crypto: valued at the received side's cost basis (its market value)
    assert (swap.side, swap.asset, swap.quote, swap.subtotal, swap.value_usd, swap.fee, swap.fee_asset) == (
        "sell", "BTC", "ETH", d("1"), d("3100"), d("0.001"), "ETH")  # fmt: skip
    assert (rows[11][0].side, rows[11][0].subtotal) == ("income", d("70"))  # Staking Reward
    assert (rows[10][0].side, rows[10][0].address) == ("transfer_in", "bc1qfriend")  # untagged receive
    assert (rows[9][0].side, rows[9][0].asset, rows[9][0].subtotal) == (
        "income",
        "ARB",
        d("120"),
    )  # airdrop tag
    # a payment's proceeds are its cost basis plus the realized return: 310 - 10
    assert (rows[8][0].side, rows[8][0].subtotal) == ("spend", d("300"))
    assert (rows[7][0].side, rows[7][0].subtotal, rows[7][0].fee) == ("sell", d("2800"), d("14"))
    assert (rows[6][0].side, rows[6][0].address) == ("transfer_out", "bc1qsister")  # a gift leaves, no sale
    assert (rows[5][0].side, rows[5][0].note) == ("unclassified", "Send lost")
    assert (rows[2][0].side, rows[2][0].note) == ("unclassified", "Liquidity Pool")


def test_export_lots_and_realized_gains_by_hand():
    result = lots(read(EXPORT).events)
    assert realized(result) == [
        # 0.2 BTC for 8000 + 40; 0.1 moves to the Ledger (4020), its 0.0002 fee takes 8.04: 0.0998 for
        # 4011.96 (40200/BTC) stay on Coinbase; 0.05 traded for 1 ETH worth 3100 less the 0.001 ETH fee (3.10)
        ("ct-003", "ct-001", "BTC", "0.05", "3096.9", "2010", "1086.9"),
        ("ct-003:fee", "ct-003:ETH", "ETH", "0.001", "3.1", "3.1", "0"),
        # 0.1 of the 0.999 ETH left (3096.90: 3100/ETH) paid for a laptop worth 300
        ("ct-007", "ct-003:ETH", "ETH", "0.1", "300", "310", "-10"),
        ("ct-008", "ct-001", "BTC", "0.04", "2786", "1608", "1178"),  # 2800 - 14; 0.04 x 40200
    ]
    assert excluded(result) == [("ct-002:fee", "BTC", "0.0002", "no USD value for the fee in BTC")]
    assert open_lots(result) == {
        ("Coinbase", "ARB", "ct-006"): ("100", "120"),
        ("Coinbase", "BTC", "ct-001"): ("0.0098", "393.96"),
        ("Coinbase", "ETH", "ct-003:ETH"): ("0.899", "2786.9"),  # the 0.5 ETH staked is still held
        ("Coinbase", "ETH", "ct-004"): ("0.02", "70"),
        ("Ledger Nano X", "BTC", "ct-001"): ("0.095", "3819"),  # 0.1 less the 0.005 gift (201)
        ("Ledger Nano X", "BTC", "ct-005"): ("0.01", None),
    }


def test_template_rows_become_these_events():
    report = read(TEMPLATE)
    assert (report.format.key, report.version, report.account) == (
        "cointracker-template", "template, 8 columns", "cointracker")  # fmt: skip
    assert report.counts() == {"trade": 4, "transfer": 3, "income": 1, "fee": 1, "unclassified": 1}
    assert report.parsed.skipped == {"stake": 1}
    rows = by_line(report)
    assert (rows[2][0].side, rows[2][0].subtotal, rows[2][0].fee) == ("buy", d("2500"), d("5"))
    assert (rows[3][0].side, rows[3][0].subtotal) == ("income", None)  # staked: no value in the template
    (send,) = rows[4]  # the fee on top: 0.2 ETH leaves and 0.002 ETH more pays for it
    assert (send.side, send.quantity, send.fee, send.fee_asset) == (
        "transfer_out",
        d("0.2"),
        d("0.002"),
        "ETH",
    )
    assert (rows[6][0].side, rows[6][0].quote, rows[6][0].value_usd) == ("sell", "BTC", None)
    assert (rows[7][0].side, rows[7][0].note) == ("spend", "payment")
    assert rows[8][0].timestamp == at("2024-06-07T01:05:00")  # 6/7/2024 1:05:00: month first
    assert (rows[11][0].side, rows[11][0].quantity) == ("spend", d("0.001"))  # a fee on its own
    assert (rows[12][0].side, rows[12][0].note) == ("unclassified", "burn")


def test_template_lots_and_realized_gains_by_hand():
    result = lots(read(TEMPLATE).events)
    # 1 ETH for 2500 + 5; 0.2 sent (501) and its 0.002 fee (5.01): 0.798 for 1998.99 (2505/ETH); 0.3 sold
    assert realized(result) == [("E4", "E1", "ETH", "0.3", "900", "751.5", "148.5")]
    assert excluded(result) == [
        ("E3:fee", "ETH", "0.002", "no USD value for the fee in ETH"),
        ("E5", "ETH", "0.1", "no USD price for ETH in BTC"),
        ("E6", "ETH", "0.05", "no USD price for ETH in USD"),
        ("E9", "ETH", "0.001", "no USD price for ETH in USD"),
    ]
    # 0.798 - 0.3 - 0.1 - 0.05 - 0.001 = 0.347 ETH at 2505: 869.235 (the staked 0.1 never left)
    assert open_lots(result)[("cointracker", "ETH", "E1")] == ("0.347", "869.235")


def test_bad_files_are_refused_whole():
    template = (
        "Date,Received Quantity,Received Currency,Sent Quantity,Sent Currency,Fee Amount,Fee Currency,Tag\n"
    )
    assert refused(template + "13/01/2024 10:00:00,1,ETH,,,,,\n01/01/2024 10:00:00,,,,,,,\n") == [
        "f.csv:2: Date: not a date and time: '13/01/2024 10:00:00'",
        "f.csv:3: Received Quantity: no amount received, sent or paid as a fee",
    ]
    export = (EXPORT_HEADER + "\n" + "01/10/2024 15:00:00,Buy,x1,0.2,BTC,,,,,,,,,,,,,,,,false\n"
              "01/10/2024 15:00:00,Send,x2,,,,,,,,,,,,,,,,,,false\n")  # fmt: skip
    assert refused(export) == [
        "f.csv:2: Sent Quantity: missing value (a Buy has both sides)",
        "f.csv:3: Sent Quantity: missing value (a Send moves an amount)",
    ]
