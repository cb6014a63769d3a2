"""Kraken ledgers.csv (every column variant) and trades.csv: the events each row or refid group
becomes, and the lots and gains they produce, checked by hand against the fixtures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.core import fixedpoint as fp
from engine.core.errors import CsvImportError
from engine.imports.formats import Options
from engine.imports.importer import FileReport, read_file, read_text
from engine.imports.kraken import kraken_asset
from engine.imports.kraken_trades import split_pair
from engine.ledger.events import Event
from engine.ledger.legs import build_ledger
from engine.ledger.lots import match_lots
from engine.ledger.records import LotResult
from engine.store.store import Store, keys_of

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
NO_OPTIONS = Options(None, None, None)


def read(name: str) -> FileReport:
    return read_file(FIXTURES / name, NO_OPTIONS)


def d(text: str) -> int:
    return fp.parse(text)


def by_id(report: FileReport) -> dict[str, Event]:
    return {e.trade_id: e for e in report.events if e.trade_id}


def lots(events: list[Event]) -> LotResult:
    return match_lots(build_ledger(events), "fifo")


def realized(result: LotResult) -> list[tuple[str, str, str, str, str, str, str]]:
    return [(r.sale_id, r.lot_id, r.asset, fp.fmt(r.quantity, 0), fp.fmt(r.proceeds, 0), fp.fmt(r.cost_basis, 0),
             fp.fmt(r.gain, 0)) for r in result.realized]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "coin"),
    [("XXBT", "BTC"), ("XBT", "BTC"), ("ZUSD", "USD"), ("XETH", "ETH"), ("SOL.S", "SOL"), ("DOT28.S", "DOT"),
     ("ETH2.S", "ETH"), ("USD.HOLD", "USD"), ("ETH.F", "ETH"), ("XXDG", "DOGE"), ("ADA", "ADA")],
)  # fmt: skip
def test_kraken_asset_codes(code, coin):
    assert kraken_asset(code) == coin


@pytest.mark.parametrize(
    ("pair", "split"),
    [("XXBTZUSD", ("BTC", "USD")), ("XETHXXBT", ("ETH", "BTC")), ("SOLUSD", ("SOL", "USD")),
     ("BTC/USD", ("BTC", "USD")), ("ETHPYUSD", ("ETH", "PYUSD")), ("DOTUSDT", ("DOT", "USDT")), ("USD", None)],
)  # fmt: skip
def test_kraken_pairs(pair, split):
    assert split_pair(pair) == split


def test_ledgers_with_subclass_and_wallet():
    report = read("kraken/with-subclass.csv")
    assert (report.format.key, report.version, report.account) == (
        "kraken", "with subclass and wallet, 12 columns", "kraken")  # fmt: skip
    assert report.counts() == {"trade": 5, "income": 3, "transfer": 2, "unclassified": 1}
    assert report.parsed.skipped == {
        "deposit (USD)": 1, "withdrawal (USD)": 1, "transfer spottostaking": 1, "transfer stakingfromspot": 1,
        "earn allocation": 2, "withdrawal (no txid: not completed)": 1}  # fmt: skip
    events = by_id(report)
    buy = events["TT1AAA-BBBBB-CCCC01"]  # two rows: -4000 ZUSD (fee 10.40), +0.1 XXBT
    assert (buy.side, buy.asset, buy.quantity, buy.quote, buy.subtotal, buy.fee, buy.fee_asset) == (
        "buy", "BTC", d("0.1"), "USD", d("4000"), d("10.4"), "USD")  # fmt: skip
    assert (
        buy.timestamp == int(datetime(2024, 1, 10, 10, tzinfo=UTC).timestamp()) * 1_000_000
    )  # zone-less: UTC
    instant = events["RR1AAA-BBBBB-CCCC02"]  # spend + receive
    assert (instant.side, instant.asset, instant.subtotal, instant.fee) == ("buy", "SOL", d("100"), d("1.49"))
    assert instant.timestamp % 1_000_000 == 123_400  # .1234 s
    paid_in_credits = events["TT2AAA-BBBBB-CCCC03"]  # three rows: the fee paid in 650 fee credits = $6.50
    assert (
        paid_in_credits.asset,
        paid_in_credits.subtotal,
        paid_in_credits.fee,
        paid_in_credits.fee_asset,
    ) == ("ETH", d("2500"), d("6.5"), "USD")
    crypto = events["TT3AAA-BBBBB-CCCC11"]  # ETH for DOT, the fee on the ETH leg: no USD value in the file
    assert (crypto.side, crypto.asset, crypto.quote, crypto.subtotal, crypto.fee, crypto.fee_asset) == (
        "buy", "DOT", "ETH", d("0.4"), d("0.0008"), "ETH")  # fmt: skip
    sale = events["TT4AAA-BBBBB-CCCC10"]
    assert (sale.side, sale.quantity, sale.subtotal, sale.fee) == ("sell", d("0.05"), d("3500"), d("5.6"))
    staking = events["L0ST01-AAAAA-000011"]  # SOL.S: staked SOL is SOL
    assert (staking.side, staking.asset, staking.quantity, staking.subtotal) == (
        "income",
        "SOL",
        d("0.001"),
        None,
    )
    assert (events["L0E2A1-AAAAA-000015"].side, events["L0E2A1-AAAAA-000015"].asset) == ("income", "ETH")
    withdrawal = events["L0W1A1-AAAAA-000020"]
    assert (withdrawal.side, withdrawal.quantity, withdrawal.fee, withdrawal.fee_asset) == (
        "transfer_out", d("0.03"), d("0.0001"), "BTC")  # fmt: skip
    assert events["L0D1A1-AAAAA-000021"].side == "transfer_in"
    assert (events["L0AD01-AAAAA-000022"].side, events["L0AD01-AAAAA-000022"].note) == (
        "unclassified",
        "adjustment",
    )
    assert [(line, e.asset) for line, e, _ in report.needs_price()] == [
        (12, "SOL"), (13, "SOL"), (16, "ETH"), (19, "DOT"), (21, "BTC")]  # fmt: skip


def test_ledgers_lots_and_gains_by_hand():
    result = lots(read("kraken/with-subclass.csv").events)
    # 0.05 of the 0.1 BTC bought for 4000 + 10.40: basis 2005.20; proceeds 3500 - 5.60
    assert realized(result) == [("TT4AAA-BBBBB-CCCC10", "TT1AAA-BBBBB-CCCC01", "BTC", "0.05", "3494.4", "2005.2",
                                 "1489.2")]  # fmt: skip
    # without USD values the ETH -> DOT trade and the withdrawal's fee are left out, never zero
    assert sorted((e.sale_id, e.asset, fp.fmt(e.quantity, 0), e.problem) for e in result.excluded) == [
        ("L0W1A1-AAAAA-000020:fee", "BTC", "0.0001", "no USD value for the fee in BTC"),
        ("TT3AAA-BBBBB-CCCC11:ETH", "ETH", "0.4", "no USD price for DOT in ETH"),
        ("TT3AAA-BBBBB-CCCC11:fee", "ETH", "0.0008", "no USD value for the fee in ETH"),
    ]
    open_lots = {(lot.asset, lot.lot_id): (fp.fmt(lot.quantity, 0), lot.basis) for lot in result.open_lots}
    # 0.03 BTC left for another wallet (untracked) and 0.0001 paid as its fee: 0.0199 remain
    assert open_lots[("BTC", "TT1AAA-BBBBB-CCCC01")] == ("0.0199", d("798.0696"))
    assert open_lots[("ETH", "TT2AAA-BBBBB-CCCC03")] == ("0.5992", d("1501.8948"))
    assert open_lots[("SOL", "RR1AAA-BBBBB-CCCC02")] == ("0.9", d("101.49"))  # staking moves changed nothing
    assert open_lots[("SOL", "L0ST01-AAAAA-000011")] == ("0.001", None)


def test_ledgers_with_amountusd_value_rewards_and_crypto_trades():
    report = read("kraken/with-wallet.csv")
    assert report.version == "with wallet and amountusd, 12 columns"
    events = by_id(report)
    reward = events["L1ST01-AAAAA-000003"]  # ETH2.S: staked ETH
    assert (reward.asset, reward.subtotal) == ("ETH", d("23.45"))
    swap = events["UT2AAA-BBBBB-CCCC03"]
    assert (swap.asset, swap.quote, swap.subtotal, swap.value_usd, swap.fee, swap.fee_asset) == (
        "BTC", "ETH", d("0.5"), d("1698"), d("0.00005"), "BTC")  # fmt: skip
    # a trade whose other row is not in the file (cut between its rows): kept, unclassified
    ((line, odd),) = report.unclassified()
    assert (line, odd.asset, odd.note) == (
        7,
        "BTC",
        "trade (refid UT3AAA-BBBBB-CCCC04: not a two-sided trade in this file)",
    )
    result = lots(report.events)
    # the BTC fee (0.00005 of 0.025 worth 1698: 3.396) comes off the ETH's proceeds; 0.5 of 1 ETH (basis 2005.20)
    assert realized(result) == [
        ("UT2AAA-BBBBB-CCCC03:ETH", "UT1AAA-BBBBB-CCCC01", "ETH", "0.5", "1694.604", "1002.6", "692.004"),
        ("UT2AAA-BBBBB-CCCC03:fee", "UT2AAA-BBBBB-CCCC03", "BTC", "0.00005", "3.396", "3.396", "0"),
    ]


def test_classic_ledgers_with_a_trailing_comma_and_fractional_times():
    report = read("kraken/classic.csv")
    assert report.version == "classic, 10 columns"
    assert report.events[0].timestamp == int(
        datetime(2021, 3, 5, 12, 34, 56, 789000, tzinfo=UTC).timestamp() * 1e6
    )
    assert realized(lots(report.events)) == [
        ("CT2AAA-BBBBB-CCCC02", "CT1AAA-BBBBB-CCCC01", "BTC", "0.01", "299.22", "501.3", "-202.08")
    ]
    assert lots(report.events).realized[0].term == "long"


def test_trades_csv():
    report = read("kraken-trades/with-positions.csv")
    assert (report.format.key, report.version) == ("kraken-trades", "with positions, 22 columns")
    events = by_id(report)
    assert (events["TT5AAA-BBBBB-CCCC11"].asset, events["TT5AAA-BBBBB-CCCC11"].quote,
            events["TT5AAA-BBBBB-CCCC11"].subtotal, events["TT5AAA-BBBBB-CCCC11"].fee_asset) == (
        "ETH", "BTC", d("0.055"), "BTC")  # fmt: skip
    assert (events["TT6AAA-BBBBB-CCCC12"].asset, events["TT6AAA-BBBBB-CCCC12"].subtotal) == ("SOL", d("1500"))
    assert (events["TT7AAA-BBBBB-CCCC13"].side, events["TT7AAA-BBBBB-CCCC13"].note) == (
        "unclassified",
        "margin buy",
    )


def test_ledgers_and_trades_of_one_account_count_each_trade_once(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        first = store.import_events(keys_of(read("kraken/with-subclass.csv").events), "l", frozenset({"USD"}))
        trades = store.import_events(
            keys_of(read("kraken-trades/with-positions.csv").events), "t", frozenset({"USD"})
        )
        # TT1 and TT4 are in both (the trade's txid is its ledger refid) and agree; TT5-TT7 are new
        assert (first.added, trades.added, trades.duplicates, trades.conflicts) == (11, 3, 2, ())


def test_bad_rows_are_named_by_line_and_column():
    text = (
        '"txid","refid","time","type","subtype","aclass","asset","amount","fee","balance"\n'
        '"L1","R1","2024-13-01 00:00:00","trade","","currency","XXBT",0.1,0,0.1\n'
        '"L2","R1","2024-01-01 00:00:00","trade","","currency","ZUSD",ten,0,0\n'
        '"L3","R2","2024-01-01 00:00:00","","","currency","",1,0,0\n'
    )
    with pytest.raises(CsvImportError) as caught:
        read_text(text, "ledgers.csv", NO_OPTIONS)
    assert caught.value.problems == [
        "ledgers.csv:2: time: not a date and time: '2024-13-01 00:00:00'",
        "ledgers.csv:3: amount: not a number: 'ten'",
        "ledgers.csv:4: asset: missing value",
        "ledgers.csv:4: type: missing value",
    ]


def test_a_price_from_a_total_is_not_refused_for_its_size():
    # found by the properties: $10,000.01 for 1 satoshi is a price over 10^12 per unit, but the
    # price is only shown; the exact total is what the lots get, and it is within the limits
    text = (
        '"txid","refid","time","type","subtype","aclass","asset","amount","fee","balance"\n'
        '"L0A","R0","2020-01-01 00:00:00","trade","","currency","ZUSD",10000.01,0.01,0\n'
        '"L0B","R0","2020-01-01 00:00:00","trade","","currency","XXBT",-0.00000001,0,0\n'
    )
    (sale,) = read_text(text, "ledgers.csv", NO_OPTIONS).events
    assert (sale.side, sale.quantity, sale.subtotal, sale.fee) == (
        "sell",
        d("0.00000001"),
        d("10000.01"),
        d("0.01"),
    )
    assert sale.price == d("1000001000000")
