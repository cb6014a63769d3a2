"""Prices at past minutes from public candles: real ccxt (no keys) against the loopback Kraken and
Coinbase serving candle books (tests/loopback/candles.py). The 1-minute candle of the minute over
one a minute off, the nearest one when the minute has none, a coarser interval (recorded) when
Kraken no longer serves 1-minute candles that old, one request for many minutes, sources in order,
the cache answering a second lookup with no request, and an outage named with nothing cached."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
from engine.core.units import MICROS_PER_MINUTE, Amount, EpochMicros
from engine.exchanges.history_prices import Candle, CandleHistory, nearest, public_client
from engine.ledger.price_needs import FoundPrice
from engine.store.store import Store
from tests.loopback import LoopbackExchange, ccxt_urls

MIN, HOUR, DAY = 60_000, 3_600_000, 86_400_000  # ms
T = 1_717_257_600_000  # 2024-06-01T16:00:00Z, in ms
QUOTES = ["USD", "USDC", "USDT"]


def at(ms: int) -> EpochMicros:
    return EpochMicros(ms * 1000)


@pytest.fixture
def fx() -> Iterator[LoopbackExchange]:
    with LoopbackExchange() as exchange:
        yield exchange


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "store.sqlite3") as opened:
        yield opened


def history(store: Store, fx: LoopbackExchange, sources: list[str], **kwargs: object) -> CandleHistory:
    def factory(source: str):  # noqa: ANN202
        settings = {"urls": ccxt_urls(source, fx.base_url), "enableRateLimit": False}
        return public_client(source, settings, sleep=lambda seconds: None)

    return CandleHistory(store, sources, QUOTES, factory, lambda: EpochMicros(0), **kwargs)  # type: ignore[arg-type]


def candle_requests(fx: LoopbackExchange) -> list[str]:
    return [r for r in fx.requests if "/OHLC" in r or "/candles" in r]


def test_the_candle_of_the_minute_wins_over_one_a_minute_off(fx: LoopbackExchange, store: Store):
    fx.kraken.candles.add("SOL/USD", "1m", T - MIN, "100")
    fx.kraken.candles.add("SOL/USD", "1m", T, "200", open_="190")
    found = history(store, fx, ["kraken"]).lookup([("SOL", at(T))])[("SOL", at(T))]
    assert found == FoundPrice(fp.parse("200"), "kraken", "SOL/USD", "1m", at(T))


def test_without_a_candle_in_the_minute_the_nearest_gives_its_nearest_price(
    fx: LoopbackExchange, store: Store
):
    fx.kraken.candles.add("SOL/USD", "1m", T - 3 * MIN, "100")  # ended 2 minutes before
    fx.kraken.candles.add("SOL/USD", "1m", T + MIN, "300", open_="290")  # opens 1 minute after: its open
    found = history(store, fx, ["kraken"]).lookup([("SOL", at(T))])[("SOL", at(T))]
    assert found == FoundPrice(fp.parse("290"), "kraken", "SOL/USD", "1m", at(T + MIN))


def test_a_coarser_candle_when_kraken_serves_no_1_minute_candles_that_old(fx: LoopbackExchange, store: Store):
    now = T + 10 * DAY
    for n in range(800):  # Kraken gives only its latest 720 1-minute candles, whatever `since` asks
        fx.kraken.candles.add("SOL/USD", "1m", now - n * MIN, "999")
    fx.kraken.candles.add("SOL/USD", "1h", T - HOUR, "150")
    fx.kraken.candles.add("SOL/USD", "1h", T, "155")
    found = history(store, fx, ["kraken"]).lookup([("SOL", at(T + 20 * MIN))])[("SOL", at(T + 20 * MIN))]
    assert found == FoundPrice(fp.parse("155"), "kraken", "SOL/USD", "1h", at(T))
    assert [r.split("interval=")[1].split("&")[0] for r in candle_requests(fx)] == ["1", "60"]


def test_minutes_near_each_other_take_one_request(fx: LoopbackExchange, store: Store):
    for n in range(240):
        fx.kraken.candles.add("SOL/USD", "1m", T + n * MIN, str(100 + n))
    keys = [("SOL", at(T + n * 5 * MIN)) for n in range(48)]  # four hours of minutes
    found = history(store, fx, ["kraken"]).lookup(keys)
    assert [found[key].price for key in keys] == [fp.parse(str(100 + 5 * n)) for n in range(48)]  # type: ignore[union-attr]
    assert len(candle_requests(fx)) == 1


def test_sources_in_order_and_each_ones_reason_when_none_prices_it(fx: LoopbackExchange, store: Store):
    fx.coinbase.candles.add("ADA/USD", "1m", T, "0.45")  # Kraken lists no ADA market
    fx.kraken.candles.add("SOL/USD", "1m", T, "150")
    fx.coinbase.candles.add("SOL/USD", "1m", T, "777")
    found = history(store, fx, ["kraken", "coinbase"]).lookup(
        [("ADA", at(T)), ("SOL", at(T)), ("DOT", at(T))]
    )
    assert found[("ADA", at(T))] == FoundPrice(fp.parse("0.45"), "coinbase", "ADA/USD", "1m", at(T))
    assert found[("SOL", at(T))].source == "kraken"  # type: ignore[union-attr]
    assert found[("DOT", at(T))] == (
        "kraken: no DOT/USD candle within a day; coinbase: no DOT market in USD, USDC, USDT"
    )


def test_a_second_lookup_is_answered_by_the_cache_with_no_request(fx: LoopbackExchange, store: Store):
    fx.kraken.candles.add("SOL/USD", "1m", T, "150")
    keys = [("SOL", at(T)), ("ADA", at(T))]  # one found, one without a market
    first = history(store, fx, ["kraken"]).lookup(keys)
    asked = len(fx.requests)
    assert asked > 0
    assert history(store, fx, ["kraken"]).lookup(keys) == first
    assert len(fx.requests) == asked
    history(store, fx, ["kraken"], retry_missing=True).lookup(keys)  # asks again where none was found
    assert len(fx.requests) > asked


def test_an_outage_is_named_leaves_the_value_unpriced_and_caches_nothing(fx: LoopbackExchange, store: Store):
    fx.kraken.candles.add("SOL/USD", "1m", T, "150")
    fx.coinbase.candles.add("SOL/USD", "1m", T, "777")
    fx.inject("/0/public/OHLC", "status", times=4, status=503, body="Service Unavailable")
    down = history(store, fx, ["kraken", "coinbase"])
    assert down.lookup([("SOL", at(T))]) == {("SOL", at(T)): "kraken unreachable"}
    assert "unreachable after 4 tries" in down.failures["kraken"]
    assert not [r for r in fx.requests if "/api.coinbase.com/" in r]  # the next source does not stand in
    back = history(store, fx, ["kraken", "coinbase"]).lookup([("SOL", at(T))])
    assert back[("SOL", at(T))] == FoundPrice(fp.parse("150"), "kraken", "SOL/USD", "1m", at(T))


def test_a_refused_connection_is_an_outage_too(store: Store):
    with socket.socket() as probe:  # a port just freed: nothing listens there
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"

    def factory(source: str):  # noqa: ANN202
        settings = {"urls": ccxt_urls(source, closed), "timeout": 2000, "enableRateLimit": False}
        return public_client(source, settings, sleep=lambda s: None)

    down = CandleHistory(store, ["kraken"], QUOTES, factory, lambda: EpochMicros(0))
    assert down.lookup([("SOL", at(T))]) == {("SOL", at(T)): "kraken unreachable"}
    assert "kraken" in down.failures


def test_a_stablecoin_quote_is_recorded_with_the_price(fx: LoopbackExchange, store: Store):
    fx.kraken.candles.add("BTC/USDT", "1m", T, "64000")
    lookup = history(store, fx, ["kraken"])
    lookup.quotes = ["USDT", "USD"]
    found = lookup.lookup([("BTC", at(T))])[("BTC", at(T))]
    assert found == FoundPrice(fp.parse("64000"), "kraken", "BTC/USDT", "1m", at(T))


WIDTH, REACH = MICROS_PER_MINUTE, 15 * MICROS_PER_MINUTE


@settings(max_examples=300, deadline=None)
@given(st.sets(st.integers(0, 120), max_size=12), st.integers(0, 120 * 60))
def test_the_nearest_candle_is_the_one_containing_the_time_else_the_closest(opens: set[int], second: int):
    candles = [Candle(EpochMicros(m * WIDTH), Amount(m + 1), Amount(m + 1001)) for m in sorted(opens)]
    moment = EpochMicros(second * 1_000_000)
    chosen = nearest(candles, moment, WIDTH, REACH)

    def gap(c: Candle) -> int:
        return max(0, c.opened - moment, moment - (c.opened + WIDTH))

    reachable = [c for c in candles if gap(c) <= REACH]
    if not reachable:
        assert chosen is None
        return
    assert chosen is not None
    candle, price = chosen
    assert gap(candle) == min(gap(c) for c in candles)
    containing = [c for c in candles if c.opened <= moment < c.opened + WIDTH]
    if containing:
        assert (candle, price) == (containing[0], containing[0].close)
    else:
        assert price == (candle.open if moment < candle.opened else candle.close)


def test_a_broken_candle_never_prices_at_zero(fx: LoopbackExchange, store: Store):
    fx.kraken.candles.add("SOL/USD", "1m", T, "0")
    fx.kraken.candles.add("SOL/USD", "1m", T + MIN, "151", open_=str(Decimal("150.5")))
    found = history(store, fx, ["kraken"]).lookup([("SOL", at(T))])[("SOL", at(T))]
    assert found == FoundPrice(fp.parse("150.5"), "kraken", "SOL/USD", "1m", at(T + MIN))
