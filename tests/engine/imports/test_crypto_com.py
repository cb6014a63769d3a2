"""Crypto.com App transaction history, with and without its Transaction Hash column: the events
each row becomes, and the lots and realized gains they produce, checked by hand."""

from __future__ import annotations

from tests.engine.imports.imported import at, by_line, d, excluded, lots, open_lots, read, realized, refused

WITH_HASH = "crypto-com/with-transaction-hash.csv"
CLASSIC = "crypto-com/classic.csv"
HEADER = (
    "Timestamp (UTC),Transaction Description,Currency,Amount,To Currency,To Amount,Native Currency,Native Amount,"
    "Native Amount (in USD),Transaction Kind"
)


def test_with_hash_is_detected_and_moves_inside_the_app_are_skipped():
    report = read(WITH_HASH)
    assert (report.format.key, report.version, report.account) == (
        "crypto-com", "with transaction hash, 11 columns", "crypto.com")  # fmt: skip
    assert report.counts() == {"trade": 7, "income": 5, "transfer": 4, "unclassified": 1}
    assert report.parsed.skipped == {
        "trading.limit_order.cash_account.purchase_lock": 1, "viban_deposit (USD)": 1,
        "crypto_earn_program_created": 1, "lockup_lock": 1}  # fmt: skip


def test_with_hash_rows_become_these_events():
    rows = by_line(read(WITH_HASH))
    (buy,) = rows[22]  # cash to BTC: the USD amount is the subtotal
    assert (buy.side, buy.asset, buy.quantity, buy.subtotal, buy.timestamp) == (
        "buy", "BTC", d("0.05"), d("2000"), at("2024-01-05T10:00:00"))  # fmt: skip
    assert (rows[21][0].side, rows[21][0].asset, rows[21][0].subtotal) == (
        "buy",
        "ETH",
        d("2500"),
    )  # card buy
    assert (rows[20][0].side, rows[20][0].subtotal) == ("income", d("2.40"))  # Earn interest
    (swap,) = rows[19]  # crypto for crypto at the row's USD value
    assert (swap.side, swap.asset, swap.quote, swap.subtotal, swap.value_usd) == (
        "sell", "BTC", "ETH", d("0.2"), d("430"))  # fmt: skip
    assert (rows[16][0].side, rows[16][0].subtotal) == ("sell", d("1600"))
    (withdrawal,) = rows[15]
    assert (withdrawal.side, withdrawal.quantity, withdrawal.tx_id) == (
        "transfer_out", d("0.02"), "bc1q0000withdraw0001")  # fmt: skip
    # dust conversion: DOGE sold and CRO bought, each at its USD value
    assert (rows[14][0].side, rows[14][0].asset, rows[14][0].subtotal) == ("sell", "DOGE", d("1.20"))
    assert (rows[13][0].side, rows[13][0].asset, rows[13][0].subtotal) == ("buy", "CRO", d("1.20"))
    assert (rows[12][0].side, rows[12][0].subtotal) == ("spend", d("1.70"))  # a payment
    # crypto_transfer to and from another user: a gift out (no sale) and in (the giver's basis)
    assert (rows[11][0].side, rows[11][0].note) == ("transfer_out", "To +1555XXXXXXX")
    assert (rows[10][0].side, rows[10][0].note) == ("transfer_in", "From +1555XXXXXXX")
    assert (rows[6][0].side, rows[6][0].tx_id) == ("transfer_in", "0xdep0001")
    assert (rows[5][0].side, rows[5][0].note) == ("unclassified", "crypto_payment_refund")
    assert (rows[4][0].side, rows[4][0].subtotal) == ("income", d("0.12"))  # finance.*interest*
    assert (rows[3][0].side, rows[3][0].subtotal) == ("income", None)  # native EUR, no USD value: flagged


def test_with_hash_lots_and_realized_gains_by_hand():
    report = read(WITH_HASH)
    assert [(line, e.asset) for line, e, _ in report.needs_price()] == [(3, "CRO")]
    result = lots(report.events)
    # events in file order: E17 the BTC buy, E16 the ETH buy, E14 BTC -> ETH, E11 the ETH sale, E12 the
    # DOGE reward, E9 the DOGE dust sale, E13 the CRO cashback, E7 the payment
    assert realized(result) == [
        ("E14", "E17", "BTC", "0.01", "430", "400", "30"),  # 0.01 of 0.05 bought for 2000
        ("E11", "E16", "ETH", "0.5", "1600", "1250", "350"),  # half of 1 ETH bought for 2500
        ("E9", "E12", "DOGE", "10", "1.2", "0.8", "0.4"),  # dust worth 1.20, received as a 0.80 reward
        ("E7", "E13", "CRO", "20", "1.7", "1.6", "0.1"),  # 20 of 50 CRO cashback worth 4.00
    ]
    assert excluded(result) == []
    assert open_lots(result) == {
        ("crypto.com", "BTC", "E17"): ("0.02", "800"),  # 0.05 - 0.01 - 0.02 withdrawn
        ("crypto.com", "CRO", "E13"): ("25", "2"),  # 50 - 20 paid - 5 given: 4 - 1.6 - 0.4
        ("crypto.com", "CRO", "E8"): ("15", "1.2"),
        ("crypto.com", "CRO", "E5"): ("3", None),
        ("crypto.com", "CRO", "E2"): ("1.5", "0.12"),
        ("crypto.com", "CRO", "E1"): ("2", None),
        ("crypto.com", "ETH", "E16"): ("0.5", "1250"),  # Earn and lockups are moves inside the app
        ("crypto.com", "ETH", "E15"): ("0.001", "2.4"),
        ("crypto.com", "ETH", "E14:ETH"): ("0.2", "430"),
        ("crypto.com", "USDC", "E4"): ("100", None),
    }


def test_classic_layout_and_a_purchase_in_euros_at_its_usd_value():
    report = read(CLASSIC)
    assert report.version == "classic, 10 columns"
    rows = by_line(report)
    (euros,) = rows[3]  # 78.01 EUR for 0.003 BTC, worth $98.39: a USD purchase at that value
    assert (euros.side, euros.quote, euros.subtotal, euros.value_usd) == ("buy", "USD", d("98.39"), None)
    assert (rows[5][0].side, rows[5][0].subtotal) == ("buy", d("50"))  # recurring buy
    assert rows[2][0].side == "transfer_out"  # to the Crypto.com Exchange
    result = lots(report.events)
    # the 0.001 BTC sent to the Exchange is the oldest lot (the recurring buy); no sale
    assert realized(result) == []
    assert open_lots(result) == {
        ("crypto.com", "BTC", "E3"): ("0.0001", "3.6"),
        ("crypto.com", "BTC", "E2"): ("0.003", "98.39"),
    }


def test_a_bad_file_is_refused_whole():
    text = (
        HEADER
        + "\n"
        + (
            "2024-01-05 10:00:00,USD -> BTC,USD,-2000.0,BTC,,USD,2000.0,2000.0,viban_purchase\n"
            "2024-01-05 10:00:00,Buy,,1,,,USD,x,2000.0,crypto_purchase\n"
            "05.01.2024 10:00,Buy,ETH,1,,,USD,2500,2500,crypto_purchase\n"
        )
    )
    assert refused(text) == [
        "f.csv:2: To Amount: missing value (a viban_purchase has both sides)",
        "f.csv:3: Currency: missing value",
        "f.csv:3: Native Amount: not a number: 'x'",
        "f.csv:4: Timestamp (UTC): not a date and time: '05.01.2024 10:00'",
    ]
