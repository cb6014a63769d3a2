"""Koinly transaction export and Koinly universal template: the events each row becomes, and the
lots and realized gains they produce, checked by hand against the fixtures."""

from __future__ import annotations

from engine.imports.importer import read_text
from tests.engine.imports.imported import (
    NO_OPTIONS,
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

EXPORT = "koinly/transaction-history.csv"
TEMPLATE = "koinly-template/universal.csv"
EXPORT_HEADER = (
    "Date,Type,Label,Sending Wallet,Sent Amount,Sent Currency,Sent Cost Basis,Receiving Wallet,Received Amount,"
    "Received Currency,Received Cost Basis,Fee Amount,Fee Currency,Gain (USD),Net Value (USD),Fee Value (USD),"
    "TxSrc,TxDest,TxHash,Description"
)


def test_export_is_detected_and_its_rows_land_in_their_wallets():
    report = read(EXPORT)
    assert (report.format.key, report.format.name, report.version, report.account) == (
        "koinly", "Koinly transaction export", "transaction history, 20 columns", None)  # fmt: skip
    assert report.counts() == {"transfer": 4, "trade": 4, "income": 3, "unclassified": 2}
    assert report.parsed.skipped == {"fiat_deposit (USD)": 1}
    assert report.parsed.notes == [
        "rows land in the accounts named by their wallets: Coinbase, Ledger BTC (--account NAME puts them all in one)"
    ]


def test_export_rows_become_these_events():
    rows = by_line(read(EXPORT))
    (buy,) = rows[14]
    assert (buy.account, buy.side, buy.asset, buy.quantity, buy.subtotal, buy.fee, buy.fee_asset) == (
        "Coinbase", "buy", "BTC", d("0.1"), d("4000"), d("10"), "USD")  # fmt: skip
    assert buy.timestamp == at("2024-01-10T15:00:00")
    # one transfer row is both sides: out of Coinbase (the fee on top, in BTC, at its USD value) and into
    # the Ledger, paired by the tx hash
    out, into = rows[12]
    assert (out.account, out.side, out.quantity, out.fee, out.fee_asset, out.fee_usd, out.address, out.tx_id,
            out.counterpart_account) == ("Coinbase", "transfer_out", d("0.05"), d("0.0001"), "BTC", d("4.30"),
                                         "bc1qledgerown", "txbtc01", "Ledger BTC")  # fmt: skip
    assert (into.account, into.side, into.quantity, into.address, into.tx_id, into.counterpart_account) == (
        "Ledger BTC", "transfer_in", d("0.05"), "bc1qcoinbasehot", "txbtc01", "Coinbase")  # fmt: skip
    # an exchange is a sale of BTC for ETH valued at Net Value ("1,250.00"), the fee in ETH at Fee Value
    (swap,) = rows[11]
    assert (swap.side, swap.asset, swap.quantity, swap.quote, swap.subtotal, swap.value_usd, swap.fee,
            swap.fee_asset, swap.fee_usd) == ("sell", "BTC", d("0.02"), "ETH", d("0.5"), d("1250"), d("0.0005"),
                                              "ETH", d("1.25"))  # fmt: skip
    assert (rows[10][0].side, rows[10][0].subtotal) == ("income", d("35"))  # staking
    assert (rows[9][0].side, rows[9][0].address, rows[9][0].tx_id) == ("transfer_in", "bc1qfriend", "txbtc02")
    assert (rows[8][0].side, rows[8][0].subtotal, rows[8][0].note) == (
        "spend",
        d("300"),
        "crypto_withdrawal cost",
    )
    assert (rows[7][0].side, rows[7][0].asset, rows[7][0].subtotal) == (
        "income",
        "USDC",
        d("5"),
    )  # loan_interest
    assert (rows[6][0].side, rows[6][0].subtotal) == ("income", None)  # an airdrop without a value
    assert (rows[5][0].side, rows[5][0].subtotal, rows[5][0].fee) == ("sell", d("2000"), d("5"))
    assert (rows[4][0].side, rows[4][0].note) == ("unclassified", "crypto_withdrawal lost")
    assert (rows[3][0].side, rows[3][0].address) == ("transfer_out", "bc1qsister")  # a gift leaves, no sale
    assert (rows[2][0].side, rows[2][0].note) == (
        "unclassified",
        "liquidity_in",
    )  # a type harvest cannot read


def test_export_unclassified_and_unpriced_rows_are_listed_by_line():
    report = read(EXPORT)
    assert [(line, e.asset, e.note) for line, e in report.unclassified()] == [
        (2, "ETH", "liquidity_in"), (4, "BTC", "crypto_withdrawal lost")]  # fmt: skip
    assert [(line, e.asset, why) for line, e, why in report.needs_price()] == [
        (6, "UNI", "no USD price for UNI in USD")
    ]


def test_export_lots_and_realized_gains_by_hand():
    # events are numbered in file order (newest first): E13 the buy (line 14), E12/E11 the transfer,
    # E10 the exchange, E7 the spend, E4 the sale
    result = lots(read(EXPORT).events)
    assert realized(result) == [
        # Coinbase holds 0.1 BTC bought for 4000 + 10; 0.05 moves to the Ledger with half the basis (2005);
        # the transfer's fee 0.0001 BTC, worth 4.30, takes 0.0001/0.05 of the 2005 left: 4.01
        ("E11:fee", "E13", "BTC", "0.0001", "4.3", "4.01", "0.29"),
        # 0.02 of the 0.0499 left (basis 2000.99): 2000.99 x 0.02 / 0.0499 = 802 exactly; proceeds 1250 - 1.25
        ("E10", "E13", "BTC", "0.02", "1248.75", "802", "446.75"),
        # the ETH fee comes out of the 0.5 ETH just acquired at 1250: 1.25 for 1.25
        ("E10:fee", "E10:ETH", "ETH", "0.0005", "1.25", "1.25", "0"),
        # 0.1 of 0.4995 ETH (basis 1248.75 = 2500/ETH): 250, spent for 300
        ("E7", "E10:ETH", "ETH", "0.1", "300", "250", "50"),
        # the last 0.0299 BTC on Coinbase (basis 2000.99 - 802 = 1198.99) sold for 2000 - 5
        ("E4", "E13", "BTC", "0.0299", "1995", "1198.99", "796.01"),
    ]
    assert open_lots(result) == {
        ("Coinbase", "ETH", "E10:ETH"): ("0.3995", "998.75"),
        ("Coinbase", "ETH", "E9"): ("0.01", "35"),
        ("Coinbase", "UNI", "E5"): ("50", None),  # the airdrop without a value: kept, basis unknown
        ("Coinbase", "USDC", "E6"): ("5", "5"),
        # the Ledger's 0.05 BTC (basis 2005, bought 2024-01-10) less the 0.002 gift: 2005 - 80.2
        ("Ledger BTC", "BTC", "E13"): ("0.048", "1924.8"),
        ("Ledger BTC", "BTC", "E8"): ("0.01", None),  # received from outside
    }


def test_export_with_one_account_keeps_a_transfer_inside_it_as_its_fee_only():
    report = read(EXPORT, account="all")
    assert report.parsed.skipped == {"fiat_deposit (USD)": 1, "transfer (inside one account)": 1}
    assert {e.account for e in report.events} == {"all"}
    (fee,) = by_line(report)[12]
    assert (fee.side, fee.asset, fee.quantity) == ("spend", "BTC", d("0.0001"))
    assert report.parsed.notes == []


def test_an_export_in_another_currency_is_read_without_its_values():
    text = (
        EXPORT_HEADER.replace("(USD)", "(EUR)")
        + "\n"
        + ("2024-01-10 15:00:00 UTC,exchange,,Kraken,0.02,BTC,,Kraken,0.5,ETH,,,,,1150.00,,,,,\n")
    )
    report = read_text(text, "eur.csv", NO_OPTIONS)
    assert (report.format.key, report.version) == ("koinly", "a layout not seen before, 20 columns")
    (swap,) = report.events
    assert (swap.side, swap.quote, swap.value_usd) == ("sell", "ETH", None)
    assert (
        report.parsed.notes[0]
        == "values are in EUR, not USD: rows are kept and flagged as needing a USD price"
    )


def test_a_bad_export_is_refused_whole_naming_line_and_column():
    text = (
        EXPORT_HEADER
        + "\n"
        + (
            "2024-13-10 15:00:00 UTC,buy,,Coinbase,4000,USD,,Coinbase,0.1,BTC,,,,,4000.00,,,,,\n"
            "2024-01-10 15:00:00 UTC,buy,,Coinbase,4000,USD,,Coinbase,,,,,,,4000.00,,,,,\n"
            "2024-01-10 15:00:00 UTC,transfer,,Coinbase,0.1,BTC,,Ledger,0.1,,,,,,,,,,,\n"
            "2024-01-10 15:00:00 UTC,,,Coinbase,1e,BTC,,,,,,,,,ten,,,,,\n"
        )
    )
    assert refused(text, "koinly.csv") == [
        "koinly.csv:2: Date: not a date and time: '2024-13-10 15:00:00 UTC'",
        "koinly.csv:3: Received Amount: missing value (a buy has both sides)",
        "koinly.csv:4: Received Currency: missing value (the amount 0.1 has no currency)",
        "koinly.csv:5: Type: missing value",
        "koinly.csv:5: Net Value (USD): not a number: 'ten'",
        "koinly.csv:5: Sent Amount: not a number: '1e'",
    ]


def test_template_is_detected_and_its_rows_become_these_events():
    report = read(TEMPLATE)
    assert (report.format.key, report.version, report.account) == (
        "koinly-template",
        "universal, 12 columns",
        "koinly",
    )
    assert report.counts() == {
        "trade": 4,
        "transfer": 3,
        "income": 2,
        "fee": 2,
        "unclassified": 1,
        "migration": 1,
    }
    assert report.parsed.skipped == {"stake": 1}  # moved into staking inside the wallet
    rows = by_line(report)
    assert (rows[2][0].side, rows[2][0].subtotal, rows[2][0].fee) == ("buy", d("1000"), d("2"))
    # the fee is on top of the sent amount: 0.1 ETH leaves, and 0.001 ETH more pays the network
    (send,) = rows[4]
    assert (send.side, send.quantity, send.fee, send.fee_asset, send.tx_id) == (
        "transfer_out", d("0.1"), d("0.001"), "ETH", "0xabc001")  # fmt: skip
    assert (rows[5][0].side, rows[5][0].subtotal) == ("income", d("60"))  # Net Worth in USD
    assert (rows[6][0].side, rows[6][0].subtotal) == ("income", None)  # Net Worth in EUR: needs a USD price
    (swap,) = rows[7]
    assert (swap.side, swap.asset, swap.quote, swap.subtotal, swap.value_usd, swap.fee, swap.fee_asset) == (
        "sell", "ETH", "USDC", d("640"), d("640"), d("1"), "USDC")  # fmt: skip
    assert (rows[9][0].side, rows[9][0].asset, rows[9][0].quantity) == ("spend", "USDC", d("0.5"))  # fee only
    assert rows[12][0].timestamp == at("2024-08-01T09:30:00")  # no zone: UTC
    migration, fee = rows[14]
    assert (migration.side, migration.asset, migration.quantity, migration.quote, migration.subtotal) == (
        "migrate", "MATIC", d("250"), "POL", d("250"))  # fmt: skip
    assert (fee.side, fee.asset, fee.quantity) == ("spend", "ETH", d("0.01"))


def test_template_lots_and_realized_gains_by_hand():
    result = lots(read(TEMPLATE).events)
    assert realized(result) == [
        # ETH: 0.5 bought for 1000 + 2; 0.1 sent away takes 200.4, its 0.001 fee 2.004 (of 801.6 for 0.4):
        # 0.399 left for 799.596 (2004/ETH); 0.2 of it sold for 640 USDC worth $640, less the 1 USDC fee
        ("E6", "E1", "ETH", "0.2", "639", "400.8", "238.2"),
        ("E6:fee", "E6:USDC", "USDC", "1", "1", "1", "0"),  # the fee in USDC, worth 640/640 each
        ("E7", "E6:USDC", "USDC", "50", "50", "50", "0"),
    ]
    # fees and spends without a USD value are left out, never valued at zero
    assert excluded(result) == [
        ("E13", "ETH", "0.01", "no USD price for ETH in USD"),
        ("E3:fee", "ETH", "0.001", "no USD value for the fee in ETH"),
        ("E8", "USDC", "0.5", "no USD price for USDC in USD"),
    ]
    lots_now = open_lots(result)
    # 0.5 - 0.1 - 0.001 - 0.2 - 0.01 (the swap's fee) = 0.189 ETH: 798.796 - 400.8 = 398.796, less 0.01/0.199
    assert lots_now[("koinly", "ETH", "E1")] == ("0.189", "378.756")
    assert lots_now[("koinly", "USDC", "E6:USDC")] == ("588.5", "588.5")  # 640 - 1 - 50 - 0.5
    assert lots_now[("koinly", "POL", "E2")] == ("250", "200")  # the swap carried MATIC's basis and lot
    assert not any(asset == "MATIC" for _, asset, _ in lots_now)


def test_a_bad_template_is_refused_whole():
    header = "Date,Sent Amount,Sent Currency,Received Amount,Received Currency,Fee Amount,Fee Currency,"
    text = (
        header
        + "Net Worth Amount,Net Worth Currency,Label,Description,TxHash\n"
        + (
            "2024-01-05 10:00 UTC,,,,,,,,,,,\n"
            "2024-01-05 10:00 UTC,1000,,0.5,ETH,,,,,,,\n"
            "yesterday,1,BTC,,,,,,,,,\n"
        )
    )
    assert refused(text) == [
        "f.csv:2: Sent Amount: no amount sent, received or paid as a fee",
        "f.csv:3: Sent Currency: missing value (the amount 1000 has no currency)",
        "f.csv:4: Date: not a date and time: 'yesterday'",
    ]
