"""A loopback Gemini for real ccxt 4.5.90: the endpoints its gemini class calls for markets
(`/v1/symbols`, symbol details, and the exchange page's `currencyData` it reads trading pairs
from), balances, trades, transfers, candles and the price feed. Private calls are POSTs whose
base64 JSON payload (`request` = the path, a rising `nonce`) is signed with HMAC-SHA384 of the
API secret, verified here; an API key must be an account key (`account-…`). Trades and transfers
page as Gemini documents: from `timestamp` (ms or s), the oldest `limit` records on or after it,
listed newest first (mytrades: 50 by default, 500 at most; transfers: 10 and 50). Staking: in
gemini_staking.py."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aiohttp import web

from tests.loopback import gemini_staking

QUOTES = ("USDT", "GUSD", "USD", "DAI", "EUR", "GBP", "SGD", "BTC", "ETH", "LTC", "BCH", "SOL", "USDC")
# many markets, most never touched: the sync must not ask each one for trades
BASES = ("BTC", "ETH", "SOL", "LTC", "DOGE", "LINK", "AAVE", "UNI", "MATIC", "DOT", "AVAX", "ATOM", "FIL",
         "XTZ", "ZEC", "BCH", "SHIB", "PEPE", "APE", "CRV", "GRT", "MKR", "SUSHI", "YFI", "COMP")  # fmt: skip
MARKETS = {f"{b}USD".lower(): (b, "USD") for b in BASES} | {"ethbtc": ("ETH", "BTC"), "solbtc": ("SOL", "BTC"),
                                                            "btcgusd": ("BTC", "GUSD")}  # fmt: skip
FIAT = {"USD", "EUR", "GBP", "SGD"}
MINUTE = 60_000
CANDLES = 1_440  # the 1-minute candles Gemini serves: the latest day's


@dataclass
class Fill:
    tid: int
    market: str  # btcusd
    side: str  # Buy | Sell
    amount: Decimal
    price: Decimal
    fee: Decimal
    fee_currency: str
    ms: int
    broken: str | None = None  # "full": reversed, not to be counted; "manual": counted

    def body(self) -> dict[str, Any]:
        return {"price": f"{self.price:f}", "amount": f"{self.amount:f}", "timestamp": self.ms // 1000,
                "timestampms": self.ms, "type": self.side, "aggressor": True, "fee_currency": self.fee_currency,
                "fee_amount": f"{self.fee:f}", "tid": self.tid, "order_id": str(self.tid + 10**6),
                "exchange": "gemini", "is_auction_fill": False, "is_clearing_fill": False,
                "symbol": self.market.upper(), **({"break": self.broken} if self.broken else {})}  # fmt: skip


@dataclass
class Movement:
    eid: int
    kind: str  # Deposit | Withdrawal | Reward …
    currency: str
    amount: Decimal
    fee: Decimal
    ms: int
    tx_hash: str | None
    address: str | None
    status: str = "Complete"  # Advanced, Complete: done; Pending

    def body(self) -> dict[str, Any]:
        found = {"type": self.kind, "status": self.status, "timestampms": self.ms, "eid": self.eid,
                 "currency": self.currency, "amount": f"{self.amount:f}"}  # fmt: skip
        if self.currency in FIAT:
            return {**found, "method": "ACH"}
        if self.kind == "Withdrawal":
            found |= {
                "withdrawalId": f"w-{self.eid}",
                "feeAmount": f"{self.fee:f}",
                "feeCurrency": self.currency,
            }
        return {**found, "txHash": self.tx_hash, "outputIdx": 0, "destination": self.address}


@dataclass
class GeminiVenue:
    api_key: str = "account-gm0123456789abcdef"
    secret: str = "gm-secret-0123456789abcdef0123"
    balances: dict[str, Decimal] = field(default_factory=dict)
    fills: list[Fill] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)
    closes: dict[str, Decimal] = field(default_factory=dict)  # symbol -> the 1m close of every minute
    tickers: dict[str, Decimal] = field(default_factory=dict)
    now_ms: int = 0  # the venue's clock: candles are its latest day's
    nonces: list[int] = field(default_factory=list)  # every verified payload's nonce
    forms: list[dict[str, Any]] = field(default_factory=list)  # every verified payload, in order
    staking: list[Any] = field(default_factory=list)  # staking transactions (gemini_staking.py)
    # path (mytrades: `path?symbol=btcusd`) -> a recorded real body, served as is
    recorded: dict[str, Any] = field(default_factory=dict)

    def move(self, currency: str, amount: Decimal) -> None:
        self.balances[currency] = self.balances.get(currency, Decimal(0)) + amount

    def trade(self, symbol: str, side: str, amount: str, price: str, ms: int, fee: str = "0",
              broken: str | None = None) -> Fill:  # fmt: skip
        base, quote = symbol.split("/")
        made = Fill(10_000 + len(self.fills), f"{base}{quote}".lower(), side.capitalize(), Decimal(amount),
                    Decimal(price), Decimal(fee), quote, ms, broken)  # fmt: skip
        self.fills.append(made)
        if broken != "full":  # a fully broken trade never moved funds
            sign = 1 if side == "buy" else -1
            self.move(base, sign * made.amount)
            self.move(quote, -sign * made.amount * made.price - made.fee)
        return made

    def transfer(self, kind: str, currency: str, amount: str, ms: int, fee: str = "0", tx_hash: str | None = None,
                 address: str | None = None, status: str = "Complete") -> Movement:  # fmt: skip
        made = Movement(5_000 + len(self.movements), kind, currency, Decimal(amount), Decimal(fee), ms, tx_hash,
                        address, status)  # fmt: skip
        self.movements.append(made)
        if status in ("Complete", "Advanced"):
            sign = 1 if kind == "Deposit" else -1
            self.move(currency, sign * made.amount - made.fee)
        return made


def _page(records: list[Any], form: dict[str, Any], limit_key: str, default: int, cap: int) -> list[Any]:
    """Gemini's paging: the oldest `limit` on or after `timestamp` (s or ms), newest first; without
    a timestamp, the newest `limit`."""
    limit = min(int(form.get(limit_key, default)), cap)
    ordered = sorted(records, key=lambda r: (r.ms, getattr(r, "tid", getattr(r, "eid", 0))))
    if "timestamp" in form:
        since = int(form["timestamp"])
        since = since * 1000 if since < 10**11 else since  # seconds or milliseconds
        chosen = [r for r in ordered if r.ms >= since][:limit]
    else:
        chosen = ordered[-limit:]
    return list(reversed(chosen))


def _error(reason: str, status: int = 400) -> web.Response:
    return web.json_response({"result": "error", "reason": reason, "message": reason}, status=status)


def _verified(venue: GeminiVenue, request: web.Request, path: str) -> dict[str, Any] | web.Response:
    payload = request.headers.get("X-GEMINI-PAYLOAD", "")
    if request.headers.get("X-GEMINI-APIKEY") != venue.api_key:
        return _error("InvalidApiKey")
    expected = hmac.new(venue.secret.encode(), payload.encode(), hashlib.sha384).hexdigest()
    if not hmac.compare_digest(request.headers.get("X-GEMINI-SIGNATURE", ""), expected):
        return _error("InvalidSignature")
    form = json.loads(base64.b64decode(payload))
    if form.get("request") != path:
        return _error("EndpointMismatch")
    nonce = int(form.get("nonce", 0))
    if venue.nonces and nonce <= venue.nonces[-1]:
        return _error("InvalidNonce")
    venue.nonces.append(nonce)
    venue.forms.append(form)
    return dict(form)


def _currency_page() -> str:
    codes = sorted({c for pair in MARKETS.values() for c in pair})
    data = {"tradingPairs": [[m.upper(), 2, 8, "0.00001", 10, True] for m in MARKETS],
            "currencies": [[c, c, 1, "", "", 2 if c in FIAT else 8, "", "fiat" if c in FIAT else "", "", ""]
                           for c in codes]}  # fmt: skip
    return f'<html><script type="application/json" id="currencyData">{json.dumps(data)}</script></html>'


async def handle(venue: GeminiVenue, request: web.Request, host: str, path: str) -> web.StreamResponse:
    if path in venue.recorded and request.method != "POST":
        return web.json_response(venue.recorded[path])
    if host == "exchange.gemini.com":
        return web.Response(text=_currency_page(), content_type="text/html")
    if path == "/v1/symbols":
        return web.json_response(list(MARKETS))
    if path.startswith("/v1/symbols/details/"):
        base, quote = MARKETS[path.rsplit("/", 1)[1].lower()]
        return web.json_response({"symbol": f"{base}{quote}", "base_currency": base, "quote_currency": quote,
                                  "tick_size": 1e-8, "quote_increment": 0.01, "min_order_size": "0.00001",
                                  "status": "open", "wrap_enabled": False, "product_type": "spot",
                                  "contract_type": "vanilla"})  # fmt: skip
    if path == "/v1/pricefeed":
        return web.json_response([{"pair": f"{b}{q}", "price": f"{venue.tickers[f'{b}/{q}']:f}", "percentChange24h": "0"}
                                  for b, q in MARKETS.values() if f"{b}/{q}" in venue.tickers])  # fmt: skip
    if path.startswith("/v2/candles/"):
        _, _, _, market, _frame = path.split("/")
        base, quote = MARKETS[market]
        close = venue.closes.get(f"{base}/{quote}")
        last = venue.now_ms // MINUTE * MINUTE
        rows = (
            [] if close is None else [[last - n * MINUTE, *[float(close)] * 4, 1.0] for n in range(CANDLES)]
        )
        return web.json_response(rows)
    if not path.startswith("/v1/") or request.method != "POST":
        return _error("EndpointNotFound", 404)
    form = _verified(venue, request, path)
    if isinstance(form, web.Response):
        return form
    # a recorded private body answers the signed request (trades by market: `path?symbol=btcusd`)
    recorded = venue.recorded.get(f"{path}?symbol={form['symbol']}" if "symbol" in form else path)
    if recorded is not None:
        return web.json_response(recorded)
    if path in gemini_staking.PATHS:
        return web.json_response(gemini_staking.answer(venue, path, form))
    if path == "/v1/balances":
        return web.json_response([{"type": "exchange", "currency": c, "amount": f"{v:f}", "available": f"{v:f}",
                                   "availableForWithdrawal": f"{v:f}"} for c, v in venue.balances.items()])  # fmt: skip
    if path == "/v1/mytrades":
        fills = [f for f in venue.fills if f.market == str(form.get("symbol", "")).lower()]
        return web.json_response([f.body() for f in _page(fills, form, "limit_trades", 50, 500)])
    if path == "/v1/transfers":
        return web.json_response([m.body() for m in _page(venue.movements, form, "limit_transfers", 10, 50)])
    return _error("EndpointNotFound", 404)
