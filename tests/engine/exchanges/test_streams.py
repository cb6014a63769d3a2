"""The per-stream framework: streams chosen from what each exchange's API offers, a stream that
cannot be fetched named while the others go on (the account incomplete, `harvest sync` exit 1),
and newest-first passes whose watermark moves only once a pass is whole."""

from __future__ import annotations

import ccxt
import pytest

from engine.config.load import AccountConfig, load_config
from engine.core import fixedpoint as fp
from engine.core.units import EpochMicros
from engine.exchanges.ccxt_adapter import ExchangeClient
from engine.exchanges.paging import PassState, TradesByTime, TransfersByTime, Unavailable, newest_first_pass
from engine.exchanges.streams import AccountReport, SyncContext
from engine.exchanges.sync import sync_accounts
from engine.exchanges.venues.generic import PerMarket, transfer_streams
from engine.exchanges.venues.registry import venue_for
from engine.ledger.events import Event
from engine.store.store import Store
from tests.engine.exchanges.test_sync import config_file, fill, no_wait
from tests.loopback import LoopbackExchange

T0 = 1_767_225_600_000


def offline(exchange: str) -> ExchangeClient:
    return ExchangeClient(AccountConfig(name=exchange, exchange=exchange), {}, sleep=lambda s: None)


def test_transfers_are_read_the_way_each_api_offers_them():
    # Gemini has only fetchDepositsWithdrawals; Bitstamp has no fetchDeposits but the combined call
    assert transfer_streams(offline("gemini")) == [TransfersByTime(None)]
    assert transfer_streams(offline("bitstamp")) == [TransfersByTime(None)]
    assert transfer_streams(offline("kraken")) == [TransfersByTime("deposit"), TransfersByTime("withdrawal")]


def test_an_api_without_a_history_gives_an_unavailable_stream(monkeypatch):
    client = offline("gemini")
    monkeypatch.setitem(client.exchange.has, "fetchDepositsWithdrawals", None)
    (deposits, withdrawals) = transfer_streams(client)
    assert isinstance(deposits, Unavailable)
    assert deposits.name == "deposits"
    assert "gives no deposit history" in deposits.reason
    assert isinstance(withdrawals, Unavailable)


def test_symbol_required_exchanges_page_per_market_by_time_in_their_windows(tmp_path):
    client = offline("kucoin")  # symbol required, 7-day windows (ccxt untilDays)
    store = Store(tmp_path / "s.sqlite3")
    ctx = SyncContext(store, client.account, client, AccountReport("kucoin"), lambda *_: None, lambda: T0)
    (_deposits, _withdrawals, trades) = venue_for("kucoin").streams(ctx, {}, {})
    assert isinstance(trades, PerMarket)
    market = trades.market_stream("BTC/USDT")
    assert market == TradesByTime("BTC/USDT", None, 7)


def test_a_stream_that_cannot_be_fetched_is_named_and_the_others_are_synced(tmp_path, monkeypatch, capsys):
    from tui.cli.main import main

    def not_supported(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        raise ccxt.NotSupported("kraken fetchWithdrawals() is not supported yet")

    monkeypatch.setattr(ccxt.kraken, "fetch_withdrawals", not_supported)
    with LoopbackExchange() as fx:
        fill(fx)
        path = config_file(tmp_path, fx, monkeypatch)
        config = load_config(str(path))
        store = Store(tmp_path / "s.sqlite3")
        (report,) = sync_accounts(config, store, only="kraken", client_factory=no_wait)
        assert report.ok
        assert not report.complete
        assert report.incomplete == [
            "withdrawals: fetch_withdrawals: NotSupported: kraken fetchWithdrawals() is not supported yet"
        ]
        assert report.added == 121  # the deposit and every trade: the stream alone was skipped
        monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
        assert main(["--config", str(path), "sync", "--account", "kraken"]) == 1
        out = capsys.readouterr().out
        # fetched: 121 from the trades and the deposit, and the ledger's 241 rows (two a trade)
        assert "kraken: INCOMPLETE: 121 new record(s) of 362 fetched; 1 stream(s) not read\n" in out
        assert "  not read: withdrawals: fetch_withdrawals: NotSupported" in out


def event(n: int) -> Event:
    return Event(account="x", asset="BTC", side="buy", timestamp=EpochMicros((T0 + n) * 1000),
                 quantity=fp.parse("1"), price=fp.parse("10"), fee=fp.parse("0"), trade_id=f"t{n}",
                 source="ccxt:x")  # fmt: skip


class Killed(Exception):
    pass


def test_a_newest_first_pass_moves_its_watermark_only_when_whole_and_resumes_mid_pass(tmp_path):
    """Ten pages of ten records, newest first; the run dies at page 4, the next resumes at page 4
    (not from the newest), and only the whole pass sets the watermark."""
    store = Store(tmp_path / "s.sqlite3")
    client = offline("coinbase")
    ctx = SyncContext(store, client.account, client, AccountReport("x"), lambda *_: None, lambda: T0)
    records = [{"n": n} for n in range(100, 0, -1)]  # newest first
    asked: list[tuple[int | None, str | None]] = []
    die_at: list[str] = ["40"]

    def fetch(start, after):  # noqa: ANN001, ANN202
        asked.append((start, after))
        if after in die_at:
            die_at.clear()
            raise Killed
        offset = int(after or 0)
        wanted = [r for r in records if start is None or r["n"] >= start]
        return wanted[offset : offset + 10], str(offset + 10) if offset + 10 < len(wanted) else None

    def convert(page):  # noqa: ANN001, ANN202
        return [event(r["n"]) for r in page], None

    def stamp(record):  # noqa: ANN001, ANN202
        return int(record["n"])

    with pytest.raises(Killed):
        newest_first_pass(ctx, "s", fetch, convert, stamp)
    state = PassState.parse(store.cursor("coinbase", "s"))
    assert (state.since, state.next, state.newest) == (None, "40", 100)  # in progress, no watermark
    assert store.event_count() == 40
    asked.clear()
    newest_first_pass(ctx, "s", fetch, convert, stamp)
    assert asked[0] == (None, "40")  # resumed where it died
    assert PassState.parse(store.cursor("coinbase", "s")).since == 100
    assert store.event_count() == 100
    # a later pass reads down to the watermark less its overlap, then stops
    records.insert(0, {"n": 101})
    asked.clear()
    newest_first_pass(ctx, "s", fetch, convert, stamp, overlap_ms=0)
    assert asked == [(100, None)]
    assert store.event_count() == 101


def test_a_held_record_keeps_the_watermark_below_it_until_it_is_read_whole(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    client = offline("coinbase")
    ctx = SyncContext(store, client.account, client, AccountReport("x"), lambda *_: None, lambda: T0)
    pending = {30}

    def fetch(start, after):  # noqa: ANN001, ANN202
        return [{"n": n} for n in (50, 40, 30, 20) if start is None or n >= start], None

    def convert(page):  # noqa: ANN001, ANN202
        held = [r["n"] - 1 for r in page if r["n"] in pending]
        return [event(r["n"]) for r in page if r["n"] not in pending], min(held, default=None)

    newest_first_pass(ctx, "s", fetch, convert, lambda r: int(r["n"]), overlap_ms=0)
    assert PassState.parse(store.cursor("coinbase", "s")).since == 29  # below the pending record
    pending.clear()
    newest_first_pass(ctx, "s", fetch, convert, lambda r: int(r["n"]), overlap_ms=0)
    assert PassState.parse(store.cursor("coinbase", "s")).since == 50
    assert store.event_count() == 4
