"""One fill from an exchange's file and from `harvest sync` is stored once, whichever comes first:
by the exchange's id where the file carries it (Kraken), else by content (Coinbase's transaction
history); real repeated fills stay; a file row that is a whole order is kept and named."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from engine.api import batch_source
from engine.config.load import AccountConfig
from engine.core import fixedpoint as fp
from engine.core.units import EpochMicros
from engine.exchanges.ccxt_adapter import ExchangeClient
from engine.imports.formats import Options
from engine.imports.importer import read_text
from engine.ledger.cross_source import Overlap
from engine.ledger.events import Event
from engine.ledger.lots import match_lots
from engine.store.store import ImportSummary, Store, keys_of

USD_LIKE = frozenset({"USD", "USDC"})
NOW_MS = 1_795_000_000_000


def ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp() * 1000)


def synced(exchange: str, account: str, *trades: dict[str, Any]) -> list[Event]:
    """ccxt's unified trades as harvest sync turns them into events (ExchangeClient.trade_event)."""
    client = ExchangeClient(AccountConfig(name=account, exchange=exchange), {"apiKey": "k", "secret": "s"},
                            sleep=lambda seconds: None, now_ms=lambda: NOW_MS)  # fmt: skip
    events = [client.trade_event(trade) for trade in trades]
    assert all(isinstance(e, Event) for e in events), events
    return events  # type: ignore[return-value]


def trade(
    ident: str, symbol: str, side: str, amount: float, price: float, when: str, fee: float = 0.0
) -> dict:
    quote = symbol.split("/")[1]
    return {"id": ident, "symbol": symbol, "side": side, "amount": amount, "price": price, "timestamp": ms(when),
            "fee": {"cost": fee, "currency": quote}}  # fmt: skip


def sync(store: Store, events: list[Event], account: str) -> ImportSummary:
    return store.import_events(keys_of(events), f"ccxt:{account}", USD_LIKE)


def import_file(store: Store, text: str, name: str, account: str | None = None) -> ImportSummary:
    report = read_text(text, name, Options(account, None, None))
    return store.import_events(keys_of(report.events), batch_source(report), USD_LIKE)


def fills(store: Store) -> list[tuple[str, str, str, str, str]]:
    rows = store.conn.execute(
        "SELECT account, side, asset, quote, source FROM events WHERE side IN ('buy', 'sell') ORDER BY ts, id"
    ).fetchall()
    return [
        (a, s, asset, quote, "sync" if src.startswith("ccxt:") else "file")
        for a, s, asset, quote, src in rows
    ]


def held(store: Store) -> dict[tuple[str, str], str]:
    totals: dict[tuple[str, str], int] = {}
    for lot in match_lots(store.ledger(), "fifo").open_lots:
        totals[(lot.account, lot.asset)] = totals.get((lot.account, lot.asset), 0) + lot.quantity
    return {k: fp.fmt(v, 0) for k, v in sorted(totals.items()) if v}


@pytest.fixture
def store(tmp_path: Path):  # noqa: ANN201
    with Store(tmp_path / "s.sqlite3") as opened:
        yield opened


# -- Kraken: the file's ids are the exchange's --------------------------------------------------

KRAKEN_LEDGERS = """\
"txid","refid","time","type","subtype","aclass","asset","amount","fee","balance"
"L1AAAA-00001","TXA111-AAAAA-BBBBBB","2024-06-01 08:00:00.5000","trade","","currency","ZUSD",-4000.0000,10.4000,1000
"L1AAAA-00002","TXA111-AAAAA-BBBBBB","2024-06-01 08:00:00.5000","trade","","currency","XXBT",0.1000000000,0.0000000000,0.1
"L1AAAA-00003","TXB222-AAAAA-BBBBBB","2024-06-02 09:00:00.1234","trade","","currency","XETH",1.0000000000,0.0000000000,1
"L1AAAA-00004","TXB222-AAAAA-BBBBBB","2024-06-02 09:00:00.1234","trade","","currency","XXBT",-0.0550000000,0.0000880000,0.04491200
"""
# the same two trades as ccxt's kraken returns them (TradesHistory's key is the trade's id); the
# ETH/BTC buy is written by the ledger the other way round (BTC spent, ETH received) and its
# synced time is a few seconds off: by id, neither matters
KRAKEN_SYNCED = (
    trade("TXA111-AAAAA-BBBBBB", "BTC/USD", "buy", 0.1, 40000.0, "2024-06-01T08:00:00.500", 10.4),
    trade("TXB222-AAAAA-BBBBBB", "ETH/BTC", "buy", 1.0, 0.055, "2024-06-02T09:00:05.123", 0.000088),
)


def test_kraken_ledgers_then_sync_stores_each_trade_once(store):
    assert import_file(store, KRAKEN_LEDGERS, "ledgers.csv").added == 2
    summary = sync(store, synced("kraken", "kraken", *KRAKEN_SYNCED), "kraken")
    assert (summary.added, summary.other_source) == (0, 2)
    assert [f[-1] for f in fills(store)] == ["file", "file"]  # the first stored is kept
    assert held(store)["kraken", "ETH"] == "1"
    again = sync(store, synced("kraken", "kraken", *KRAKEN_SYNCED), "kraken")  # a page read twice
    assert (again.added, again.other_source) == (0, 2)


def test_sync_then_kraken_ledgers_skips_the_files_trades(store):
    assert sync(store, synced("kraken", "kraken", *KRAKEN_SYNCED), "kraken").added == 2
    summary = import_file(store, KRAKEN_LEDGERS, "ledgers.csv")
    assert (summary.added, summary.duplicates, summary.other_source) == (0, 2, 2)
    assert [f[-1] for f in fills(store)] == ["sync", "sync"]
    assert held(store) == {("kraken", "BTC"): "0.044912", ("kraken", "ETH"): "1"}


def test_kraken_trades_csv_txid_is_the_synced_id(store):
    text = (
        '"txid","ordertxid","pair","time","type","ordertype","price","cost","fee","vol","margin","misc","ledgers"\n'
        '"TXA111-AAAAA-BBBBBB","O1","XXBTZUSD","2024-06-01 08:00:00.5","buy","limit",40000,4000,10.4,0.1,0,"",""\n'
    )
    sync(store, synced("kraken", "kraken", KRAKEN_SYNCED[0]), "kraken")
    summary = import_file(store, text, "trades.csv")
    assert (summary.added, summary.other_source) == (0, 1)


def test_an_id_match_needs_a_format_whose_ids_are_the_exchanges(store):
    """A harvest CSV row that happens to carry the same id but another quantity is another record."""
    sync(store, synced("kraken", "kraken", KRAKEN_SYNCED[0]), "kraken")
    text = "timestamp,account,asset,side,quantity,price,fee,trade_id\n2024-06-01T08:00:00Z,kraken,BTC,buy,0.2,40000,0,TXA111-AAAAA-BBBBBB\n"
    assert import_file(store, text, "mine.csv").added == 1


# -- Coinbase: the file's ids are its own, so the same fill is found by content -----------------

COINBASE_HEADER = (
    "ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,Subtotal,"
    "Total (inclusive of fees and/or spread),Fees and/or Spread,Notes,Sender Address,Recipient Address\n"
)
COINBASE = COINBASE_HEADER + (
    'c01,2024-03-07 11:00:00 UTC,Advanced Trade Buy,BTC,0.01,USD,"$66,000.00",$660.00,$660.66,$0.66,'
    "Bought 0.01 BTC for 660.66 USDC on BTC-USDC at 66000 USDC/BTC,,\n"
    'c02,2024-03-08 12:00:00 UTC,Advanced Trade Sell,BTC,-0.004,USD,"$67,000.00",$268.00,$267.73,$0.27,'
    "Sold 0.004 BTC for 267.73 USDC on BTC-USDC at 67000 USDC/BTC,,\n"
)
# Advanced Trade fills as ccxt's coinbase returns them: UUID ids, milliseconds (the file rounds
# its times down to the second)
COINBASE_SYNCED = (
    trade("9f1c-0001", "BTC/USDC", "buy", 0.01, 66000.0, "2024-03-07T11:00:00.734", 0.66),
    trade("9f1c-0002", "BTC/USDC", "sell", 0.004, 67000.0, "2024-03-08T12:00:01.200", 0.27),
)


@pytest.mark.parametrize("file_first", [True, False])
def test_coinbase_file_and_sync_match_by_content_in_either_order(store, file_first):
    steps = [lambda: import_file(store, COINBASE, "cb.csv"),
             lambda: sync(store, synced("coinbase", "coinbase", *COINBASE_SYNCED), "coinbase")]  # fmt: skip
    first, second = steps if file_first else steps[::-1]
    assert first().added == 2
    summary = second()
    assert (summary.added, summary.other_source) == (0, 2)
    assert len(fills(store)) == 2
    assert held(store) == {("coinbase", "BTC"): "0.006"}


def test_times_at_most_two_seconds_apart(store):
    import_file(store, COINBASE, "cb.csv")
    near = trade("9f1c-0001", "BTC/USDC", "buy", 0.01, 66000.0, "2024-03-07T11:00:01.999")
    late = trade("9f1c-0002", "BTC/USDC", "sell", 0.004, 67000.0, "2024-03-08T12:00:02.001")
    summary = sync(store, synced("coinbase", "coinbase", near, late), "coinbase")
    assert (summary.added, summary.other_source) == (1, 1)  # the late one is a fill of its own


def test_account_names_must_match(store):
    """A file lands in the format's account unless --account names the synced one."""
    sync(store, synced("coinbase", "cb-main", *COINBASE_SYNCED), "cb-main")
    assert import_file(store, COINBASE, "cb.csv").added == 2  # account `coinbase`: another account
    summary = import_file(store, COINBASE, "cb.csv", account="cb-main")
    assert (summary.added, summary.other_source) == (0, 2)


def test_two_files_never_merge_by_content(store):
    """Within files the natural keys rule: the same trade in a harvest CSV and in an export are
    two records (neither source is the exchange's); the synced fill then matches one of them."""
    import_file(store, COINBASE, "cb.csv")
    text = "timestamp,account,asset,side,quantity,price,fee,quote\n2024-03-07T11:00:00Z,coinbase,BTC,buy,0.01,66000,0,USDC\n"
    assert import_file(store, text, "mine.csv").added == 1
    assert sync(store, synced("coinbase", "coinbase", COINBASE_SYNCED[0]), "coinbase").added == 0
    assert held(store) == {("coinbase", "BTC"): "0.016"}  # the files' own double count stays theirs


# -- real repeated fills stay --------------------------------------------------------------------

REPEATED = (
    "timestamp,account,asset,side,quantity,price,fee,quote\n"
    "2024-03-07T11:00:00Z,coinbase,BTC,buy,0.01,66000,0,USDC\n"
    "2024-03-07T11:00:00Z,coinbase,BTC,buy,0.01,66000,0,USDC\n"
)
TWIN_FILLS = (
    trade("f-1", "BTC/USDC", "buy", 0.01, 66000.0, "2024-03-07T11:00:00.100"),
    trade("f-2", "BTC/USDC", "buy", 0.01, 66000.0, "2024-03-07T11:00:00.900"),
)


def test_two_identical_fills_in_a_file_and_from_sync_stay_two(store):
    assert import_file(store, REPEATED, "mine.csv").added == 2
    summary = sync(store, synced("coinbase", "coinbase", *TWIN_FILLS), "coinbase")
    assert (summary.added, summary.other_source) == (0, 2)
    assert held(store) == {("coinbase", "BTC"): "0.02"}


def test_each_stored_record_stands_for_one_fill_across_pages(store):
    """Fills of one second arriving in two pages match the file's two rows one each; a third
    identical fill (not in the file) is a fill of its own."""
    import_file(store, REPEATED, "mine.csv")
    first, second = (synced("coinbase", "coinbase", t) for t in TWIN_FILLS)
    assert sync(store, first, "coinbase").added == 0
    assert sync(store, second, "coinbase").added == 0
    assert sync(store, first, "coinbase").added == 0  # read again: remembered
    third = trade("f-3", "BTC/USDC", "buy", 0.01, 66000.0, "2024-03-07T11:00:00.500")
    assert sync(store, synced("coinbase", "coinbase", third), "coinbase").added == 1
    assert held(store) == {("coinbase", "BTC"): "0.03"}


def test_one_fill_from_each_source_at_the_same_second_is_one_fill(store):
    """The residual risk, by content: two real fills, one only in the file and one only synced,
    identical to the second and the quantity, would be taken as one (both sources list every
    fill, so each would have both)."""
    import_file(store, REPEATED.rsplit("\n", 2)[0] + "\n", "mine.csv")
    assert sync(store, synced("coinbase", "coinbase", TWIN_FILLS[0]), "coinbase").added == 0
    assert held(store) == {("coinbase", "BTC"): "0.01"}


# -- a file row that is not one fill --------------------------------------------------------------

ORDER_FILLS = (
    trade("o-1", "BTC/USDC", "buy", 0.004, 66000.0, "2024-03-07T10:59:59.800"),
    trade("o-2", "BTC/USDC", "buy", 0.006, 66000.0, "2024-03-07T11:00:00.300"),
    trade("o-3", "BTC/USDC", "sell", 0.001, 66000.0, "2024-03-09T00:00:00.000"),
)


def test_a_file_row_that_is_a_whole_order_is_kept_and_named(store):
    sync(store, synced("coinbase", "coinbase", *ORDER_FILLS), "coinbase")
    summary = import_file(store, COINBASE.split("c02")[0], "cb.csv")  # the 0.01 buy: the first two fills
    assert summary.added == 1
    at = EpochMicros(ms("2024-03-07T11:00:00") * 1000)
    assert summary.overlaps == (Overlap("coinbase", 1, at, at, against_synced=True),)
    assert summary.overlaps[0].dates() == "on 2024-03-07"
    preview = store.preview_import(keys_of(read_text(COINBASE, "cb.csv", Options(None, None, None)).events),
                                   "coinbase:cb.csv")  # fmt: skip
    # a dry run of the whole file: c01 is stored; c02 (a sale on 03-08, within a day of the synced
    # sale o-3) is new and overlaps too
    assert (preview.added, preview.duplicates, [o.rows for o in preview.overlaps]) == (1, 1, [1])


def test_fills_synced_beside_a_files_order_row_are_named_too(store):
    import_file(store, COINBASE, "cb.csv")
    far = trade("o-9", "BTC/USDC", "buy", 0.5, 66000.0, "2024-03-10T12:00:01")  # over a day from any row
    summary = sync(store, synced("coinbase", "coinbase", *ORDER_FILLS[:2], far), "coinbase")
    assert summary.added == 3
    assert [(o.account, o.rows, o.against_synced) for o in summary.overlaps] == [("coinbase", 2, False)]


def test_a_dry_run_counts_what_the_import_would(store):
    sync(store, synced("kraken", "kraken", KRAKEN_SYNCED[0]), "kraken")
    report = read_text(KRAKEN_LEDGERS, "ledgers.csv", Options(None, None, None))
    preview = store.preview_import(keys_of(report.events), batch_source(report))
    summary = import_file(store, KRAKEN_LEDGERS, "ledgers.csv")
    assert (preview.added, preview.other_source) == (summary.added, summary.other_source) == (1, 1)


def test_identical_fills_a_second_apart_all_find_their_twins(store):
    """Three identical fills at 0.999 s, 1.000 s and 2.001 s; the file cuts them to 0, 1 and 2 s.
    Matching each synced fill to its nearest file row (0.999 -> 1, then 1.000 -> the tie 0 or 2,
    taking 2) left 2.001 with only the row at 0, over two seconds away: a fill stored twice. The
    earliest row within the window, in time order, matches all three (found by hypothesis)."""
    text = (
        "timestamp,account,asset,side,quantity,price,fee,quote\n"
        "2024-06-01T08:00:01Z,acct,BTC,buy,0.1,40000,0,USD\n"
        "2024-06-01T08:00:02Z,acct,BTC,buy,0.1,40000,0,USD\n"
        "2024-06-01T08:00:00Z,acct,BTC,buy,0.1,40000,0,USD\n"
    )
    assert import_file(store, text, "f.csv").added == 3
    at = ("2024-06-01T08:00:01.000", "2024-06-01T08:00:02.001", "2024-06-01T08:00:00.999")
    trades = [trade(f"T{n}", "BTC/USD", "buy", 0.1, 40000.0, when) for n, when in enumerate(at)]
    summary = sync(store, synced("kraken", "acct", *trades), "acct")
    assert (summary.added, summary.other_source) == (0, 3)
