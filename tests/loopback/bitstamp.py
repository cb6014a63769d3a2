"""A small loopback Bitstamp for real ccxt 4.5.90 (www.bitstamp.net/api/v2): markets, balances,
user_transactions (every trade, deposit, withdrawal and reward in one list: `sort`, `limit` up
to 1,000, `offset`, and `since_id` — from that id on, 1,000 a page), tickers and candles.
Private calls are POSTs signed as Bitstamp's v2 auth wants (X-Auth, a nonce, a timestamp,
HMAC-SHA256 of them with the method, URL, content type and body), verified here."""

from __future__ import annotations

import hashlib
import hmac
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from aiohttp import web

MARKETS = {"btcusd": ("BTC", "USD"), "ethusd": ("ETH", "USD"), "ethbtc": ("ETH", "BTC"), "solusd": ("SOL", "USD"),
           "xrpusd": ("XRP", "USD"), "ltcusd": ("LTC", "USD")}  # fmt: skip
PAGE = 1000


def _when(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass
class Row:
    """One user transaction: its type code and what it moved, by lower-case currency id."""

    id: int
    kind: str  # 0 deposit, 1 withdrawal, 2 trade, 27 staking reward, 14 sub-account transfer …
    ms: int
    moved: dict[str, Decimal]
    fee: Decimal = Decimal(0)
    pair: tuple[str, Decimal, int] | None = None  # trades: (market id, price, order id)

    def body(self) -> dict[str, Any]:
        found: dict[str, Any] = {"id": self.id, "datetime": _when(self.ms), "type": self.kind, "fee": f"{self.fee:f}",
                                 **{k: f"{v:f}" for k, v in self.moved.items()}}  # fmt: skip
        if self.pair:
            market, price, order = self.pair
            base, quote = MARKETS[market]
            found |= {f"{base.lower()}_{quote.lower()}": f"{price:f}", "order_id": order}
        return found


@dataclass
class BitstampVenue:
    api_key: str = "bs-key-123"
    secret: str = "bs-secret-456"
    balances: dict[str, Decimal] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    closes: dict[str, Decimal] = field(default_factory=dict)
    tickers: dict[str, Decimal] = field(default_factory=dict)

    def _add(
        self, kind: str, ms: int, moved: dict[str, Decimal], fee: Decimal = Decimal(0), **extra: Any
    ) -> Row:
        row = Row(70_000 + 3 * len(self.rows), kind, ms, moved, fee, **extra)  # ids rise, with gaps
        self.rows.append(row)
        return row

    def move(self, currency: str, amount: Decimal) -> None:
        self.balances[currency] = self.balances.get(currency, Decimal(0)) + amount

    def trade(self, symbol: str, side: str, amount: str, price: str, ms: int, fee: str = "0") -> Row:
        base, quote = symbol.split("/")
        sign = 1 if side == "buy" else -1
        size, unit, cost = Decimal(amount), Decimal(price), Decimal(amount) * Decimal(price)
        self.move(base, sign * size)
        self.move(quote, -sign * cost - Decimal(fee))
        moved = {base.lower(): sign * size, quote.lower(): -sign * cost}
        return self._add(
            "2", ms, moved, Decimal(fee), pair=(f"{base}{quote}".lower(), unit, 900 + len(self.rows))
        )

    def transfer(self, kind: str, currency: str, amount: str, ms: int, fee: str = "0") -> Row:
        """A deposit ("0"), withdrawal ("1"), staking reward ("27") or any other type."""
        signed = Decimal(amount) if kind != "1" else -Decimal(amount)
        self.move(currency, signed - Decimal(fee))
        return self._add(kind, ms, {currency.lower(): signed}, Decimal(fee))


def _signed(venue: BitstampVenue, request: web.Request, body: str) -> bool:
    headers = request.headers
    auth = (f"BITSTAMP {venue.api_key}" + request.method + str(request.url) + headers.get("Content-Type", "")
            + headers.get("X-Auth-Nonce", "") + headers.get("X-Auth-Timestamp", "") + "v2" + body)  # fmt: skip
    expected = hmac.new(venue.secret.encode(), auth.encode(), hashlib.sha256).hexdigest()
    return headers.get("X-Auth") == f"BITSTAMP {venue.api_key}" and hmac.compare_digest(
        headers.get("X-Auth-Signature", ""), expected
    )


async def handle(venue: BitstampVenue, request: web.Request, path: str) -> web.StreamResponse:
    if path == "/api/v2/markets/":
        return web.json_response([
            {"market_symbol": m, "base_currency": b, "counter_currency": q, "market_type": "SPOT", "trading": "Enabled",
             "description": f"{b} / {q}", "minimum_order_value": f"10.00 {q}", "base_decimals": 8,
             "counter_decimals": 2, "minimum_order_amount": "0.0001"} for m, (b, q) in MARKETS.items()
        ])  # fmt: skip
    if path == "/api/v2/ticker/":
        return web.json_response([{"pair": f"{b}/{q}", "market_symbol": m, "last": f"{venue.tickers[f'{b}/{q}']:f}",
                                   "timestamp": "1767225600", "volume": "1"}
                                  for m, (b, q) in MARKETS.items() if f"{b}/{q}" in venue.tickers])  # fmt: skip
    if path.startswith("/api/v2/ohlc/"):
        base, quote = MARKETS[path.split("/")[4]]
        close, start = venue.closes.get(f"{base}/{quote}"), int(request.query.get("start", 0))
        rows = [] if close is None else [{"timestamp": str(start + 60 * n), "open": f"{close:f}", "high": f"{close:f}",
                                          "low": f"{close:f}", "close": f"{close:f}", "volume": "1"} for n in range(300)]  # fmt: skip
        return web.json_response({"data": {"pair": f"{base}/{quote}", "ohlc": rows}})
    body = (await request.read()).decode()
    if request.method != "POST" or not _signed(venue, request, body):
        return web.json_response(
            {"status": "error", "reason": "Invalid signature", "code": "API0005"}, status=403
        )
    form = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
    if path == "/api/v2/account_balances/":
        return web.json_response([{"currency": c.lower(), "total": f"{v:f}", "available": f"{v:f}", "reserved": "0"}
                                  for c, v in venue.balances.items()])  # fmt: skip
    if path == "/api/v2/user_transactions/":
        rows = sorted(venue.rows, key=lambda r: r.id, reverse=form.get("sort", "desc") == "desc")
        if "since_id" in form:
            rows = [r for r in rows if r.id >= int(form["since_id"])]
            limit = PAGE
        else:
            limit = min(int(form.get("limit", 100)), PAGE)
        offset = int(form.get("offset", 0))
        return web.json_response([r.body() for r in rows[offset : offset + limit]])
    return web.json_response({"status": "error", "reason": f"not emulated: {path}"}, status=404)
