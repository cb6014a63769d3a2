"""An aiohttp server on its own loop in a daemon thread, answering for api.binance.com,
api.binance.us, api.kraken.com, api.coinbase.com, api.gemini.com and www.bitstamp.net under a host-in-path scheme (http://127.0.0.1:PORT/api.binance.com/api/v3/...),
with faults to inject. Real ccxt builds, signs and parses every request."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aiohttp import WSMsgType, web

from tests.loopback import binance, bitstamp, coinbase, coinbase_http, gemini, kraken
from tests.loopback.candles import CandleBook


@dataclass
class Trade:
    id: int
    symbol: str  # unified, e.g. BTC/USDT
    side: str
    amount: Decimal
    price: Decimal
    fee: Decimal
    fee_currency: str
    ms: int


@dataclass
class Transfer:
    id: str
    txid: str
    currency: str
    amount: Decimal
    fee: Decimal
    ms: int
    address: str = "addr-1"
    complete: bool = True  # False: still pending (confirming on chain, or processing)


@dataclass
class Venue:
    api_key: str
    secret: str
    balances: dict[str, Decimal] = field(default_factory=dict)
    trades: list[Trade] = field(default_factory=list)
    deposits: list[Transfer] = field(default_factory=list)
    withdrawals: list[Transfer] = field(default_factory=list)
    closes: dict[str, Decimal] = field(default_factory=dict)  # symbol -> 1m close used for any minute
    candles: CandleBook = field(default_factory=CandleBook)  # candles by market and timeframe (Kraken)
    tickers: dict[str, Decimal] = field(default_factory=dict)
    # how the venue numbers trades: "market" (Binance: each market counts from 1, so one id
    # appears in several markets) or "global"
    trade_ids: str = "global"
    # deposit/withdrawal history: a request spans at most this many days, and without a start
    # time only the last this-many days come back (Binance: 90); None: no limit
    transfer_window_days: int | None = None
    now_ms: int | None = None  # the venue's clock for those windows (None: the real time)
    ledger: list[Any] = field(default_factory=list)  # what only a ledger holds (Kraken: kraken.py)
    recorded: dict[str, Any] = field(default_factory=dict)  # path -> a recorded real body, served as is

    def trade(
        self, symbol: str, side: str, amount: str, price: str, ms: int, fee: str = "0", fee_currency: str = ""
    ) -> Trade:
        quote = symbol.split("/")[1]
        number = 1 + (
            sum(t.symbol == symbol for t in self.trades) if self.trade_ids == "market" else len(self.trades)
        )
        made = Trade(number, symbol, side, Decimal(amount), Decimal(price), Decimal(fee),
                     fee_currency or quote, ms)  # fmt: skip
        self.trades.append(made)
        base = symbol.split("/")[0]
        sign = 1 if side == "buy" else -1
        self.move(base, sign * made.amount)
        self.move(quote, -sign * made.amount * made.price)
        self.move(made.fee_currency, -made.fee)
        return made

    def move(self, currency: str, amount: Decimal) -> None:
        self.balances[currency] = self.balances.get(currency, Decimal(0)) + amount


@dataclass
class Fault:
    pattern: str
    kind: str  # status | html (a status with an HTML page) | reset | delay | badjson
    status: int = 429
    body: str = '{"code":-1003,"msg":"Too many requests"}'
    times: int = 1


class LoopbackExchange:
    def __init__(self) -> None:
        self.binance = Venue("bn-key-123", "bn-secret-456", trade_ids="market", transfer_window_days=90)
        # Binance.US: the Binance API on its own hosts (api.binance.us), its own keys and history
        self.binanceus = Venue("bnus-key-123", "bnus-secret-456", trade_ids="market", transfer_window_days=90)
        self.kraken = Venue("kr-key-123", "c2VjcmV0LWtyYWtlbi1zZWNyZXQ=")
        self.coinbase = coinbase.CoinbaseVenue()
        self.gemini = gemini.GeminiVenue()
        self.bitstamp = bitstamp.BitstampVenue()
        self.faults: list[Fault] = []
        self.requests: list[str] = []
        self.latency = 0.0  # seconds added to every request (to catch a sync mid-way)
        # called with (number, "METHOD path?query") before each request is answered: a test can
        # kill its client at a chosen request
        self.on_request: Callable[[int, str], None] | None = None
        self.sockets: list[tuple[web.WebSocketResponse, set[str]]] = []
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def inject(
        self, pattern: str, kind: str = "status", times: int = 1, status: int = 429, body: str | None = None
    ) -> None:
        self.faults.append(Fault(pattern, kind, status, body or Fault.body, times))

    def __enter__(self) -> LoopbackExchange:
        thread = threading.Thread(target=self._serve, daemon=True)
        thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("loopback exchange did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            assert self._runner is not None
            for socket, _streams in list(self.sockets):  # open streams would hold the shutdown
                await socket.close()
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        self._loop.run_forever()

    # -- Binance websocket tickers (ccxt.pro watch_tickers) ---------------------------------

    def set_ticker(self, symbol: str, price: str) -> None:
        """A new Binance price: stored, and pushed to every subscribed stream."""
        self.binance.tickers[symbol] = Decimal(price)
        asyncio.run_coroutine_threadsafe(self._push(symbol), self._loop).result(5)

    def drop_websockets(self) -> None:
        async def close_all() -> None:
            for socket, _streams in list(self.sockets):
                await socket.close()
            self.sockets.clear()

        asyncio.run_coroutine_threadsafe(close_all(), self._loop).result(5)

    async def _push(self, symbol: str) -> None:
        market = symbol.replace("/", "")
        price = str(self.binance.tickers[symbol])
        message = {"e": "24hrMiniTicker", "E": int(time.time() * 1000), "s": market, "c": price, "o": price,
                   "h": price, "l": price, "v": "1", "q": price}  # fmt: skip
        for socket, streams in list(self.sockets):
            if any(stream.startswith(market.lower() + "@") for stream in streams) and not socket.closed:
                await socket.send_json(message)

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        streams: set[str] = set()
        self.sockets.append((socket, streams))
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if data.get("method") == "SUBSCRIBE":
                streams.update(data.get("params", []))
                await socket.send_json({"result": None, "id": data.get("id")})
                for symbol in list(self.binance.tickers):
                    await self._push(symbol)
        return socket

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        if (
            path.startswith("/stream.binance.com")
            and request.headers.get("Upgrade", "").lower() == "websocket"
        ):
            return await self._websocket(request)
        self.requests.append(f"{request.method} {path}?{request.query_string}")
        if self.on_request is not None:
            self.on_request(len(self.requests), self.requests[-1])
        if self.latency:
            await asyncio.sleep(self.latency)
        for fault in self.faults:
            if fault.times > 0 and fault.pattern in path:
                fault.times -= 1
                if fault.kind == "reset":
                    assert request.transport is not None
                    request.transport.close()
                    raise ConnectionResetError
                if fault.kind == "delay":
                    await asyncio.sleep(3)
                if fault.kind == "badjson":
                    return web.Response(text="not json{", content_type="application/json")
                if fault.kind == "html":
                    return web.Response(status=fault.status, text=fault.body, content_type="text/html")
                if fault.kind == "status":
                    return web.Response(status=fault.status, text=fault.body, content_type="application/json")
        if path.startswith("/api.binance.com/"):
            return await binance.handle(self.binance, request, path[len("/api.binance.com") :])
        if path.startswith("/api.binance.us/"):
            return await binance.handle(self.binanceus, request, path[len("/api.binance.us") :])
        if path.startswith("/api.kraken.com/"):
            return await kraken.handle(self.kraken, request, path[len("/api.kraken.com") :])
        if path.startswith("/www.bitstamp.net/"):
            return await bitstamp.handle(self.bitstamp, request, path[len("/www.bitstamp.net") :])
        if path.startswith(("/api.gemini.com/", "/exchange.gemini.com/")):
            host, _, rest = path[1:].partition("/")
            return await gemini.handle(self.gemini, request, host, "/" + rest)
        if path.startswith("/api.coinbase.com/"):
            return await coinbase_http.handle(
                self.coinbase, request, path[len("/api.coinbase.com") :], self.base_url
            )
        return web.Response(status=404, text="unknown host")


def ccxt_urls(exchange_id: str, base_url: str) -> dict[str, Any]:
    """The `urls` override pointing a real ccxt exchange at the loopback server."""
    import ccxt.pro

    api = getattr(ccxt.pro, exchange_id)().urls["api"]  # the pro class also lists the websocket urls

    def rewrite(value: Any) -> Any:
        if isinstance(value, str):
            return re.sub(
                r"^wss://", base_url.replace("http", "ws") + "/", re.sub(r"^https://", base_url + "/", value)
            )
        if isinstance(value, dict):
            return {k: rewrite(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rewrite(v) for v in value]
        return value

    return {"api": rewrite(api)}
