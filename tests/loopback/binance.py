"""Binance spot endpoints ccxt 4.5.90 calls for markets, balance, trades, transfers, candles and
tickers (markets limited to spot: tests pass fetchMarkets types [spot], no margins/currencies),
and Binance.US's staking (binanceus_staking.py).
A recorded real body (`venue.recorded`, by path) answers a signed request in place of the
fake's own rendering."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from decimal import Decimal
from typing import Any

from aiohttp import web

from tests.loopback import binanceus_staking

SYMBOLS = {"BTCUSDT": ("BTC", "USDT"), "ETHUSDT": ("ETH", "USDT"), "SOLUSDT": ("SOL", "USDT"), "ETHBTC": ("ETH", "BTC"),
           "BNBUSDT": ("BNB", "USDT"), "LTCUSDT": ("LTC", "USDT")}  # fmt: skip
OPTIONS = {"fetchMarkets": {"types": ["spot"]}, "fetchMargins": False, "fetchCurrencies": False}


def _market(market_id: str, base: str, quote: str) -> dict[str, Any]:
    return {
        "symbol": market_id, "status": "TRADING", "baseAsset": base, "baseAssetPrecision": 8, "quoteAsset": quote,
        "quotePrecision": 8, "quoteAssetPrecision": 8, "orderTypes": ["LIMIT", "MARKET"], "icebergAllowed": True,
        "ocoAllowed": True, "isSpotTradingAllowed": True, "isMarginTradingAllowed": False,
        "permissions": [], "permissionSets": [["SPOT"]],
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": "0.00000100", "maxPrice": "1000000.00", "tickSize": "0.00000100"},
            {"filterType": "LOT_SIZE", "minQty": "0.00000100", "maxQty": "90000.00", "stepSize": "0.00000100"},
        ],
    }  # fmt: skip


def _unified(market_id: str) -> str:
    base, quote = SYMBOLS[market_id]
    return f"{base}/{quote}"


def _signed(venue: Any, request: web.Request) -> web.Response | None:
    if request.headers.get("X-MBX-APIKEY") != venue.api_key:
        return web.json_response(
            {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}, status=401
        )
    query = request.query_string
    payload, _, signature = query.rpartition("&signature=")
    expected = hmac.new(venue.secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    if signature != expected:
        return web.json_response(
            {"code": -1022, "msg": "Signature for this request is not valid."}, status=400
        )
    return None


async def handle(venue: Any, request: web.Request, path: str) -> web.StreamResponse:
    q = request.query
    if path == "/api/v3/exchangeInfo":
        symbols = [_market(m, *pair) for m, pair in SYMBOLS.items()]
        return web.json_response(
            {"timezone": "UTC", "serverTime": int(time.time() * 1000), "symbols": symbols}
        )
    if path in (
        "/api/v3/account",
        "/api/v3/myTrades",
        "/sapi/v1/capital/deposit/hisrec",
        "/sapi/v1/capital/withdraw/history",
        *binanceus_staking.PATHS,
    ):
        refused = _signed(venue, request)
        if refused is not None:
            return refused
        if path in venue.recorded:
            return web.json_response(_recorded(venue.recorded[path], path, q))
    if path in binanceus_staking.PATHS:
        return binanceus_staking.handle(venue, path, q)
    if path == "/api/v3/account":
        balances = [{"asset": a, "free": str(v), "locked": "0"} for a, v in venue.balances.items()]
        return web.json_response({"makerCommission": 10, "canTrade": True, "accountType": "SPOT", "balances": balances,
                                  "updateTime": int(time.time() * 1000)})  # fmt: skip
    if path == "/api/v3/myTrades":
        symbol = _unified(q["symbol"])
        start = int(q.get("fromId", 0))
        limit = min(int(q.get("limit", 500)), 1000)
        chosen = [t for t in venue.trades if t.symbol == symbol and t.id >= start][:limit]
        return web.json_response([
            {"symbol": q["symbol"], "id": t.id, "orderId": 1000 + t.id, "price": str(t.price), "qty": str(t.amount),
             "quoteQty": str(t.price * t.amount), "commission": str(t.fee), "commissionAsset": t.fee_currency,
             "time": t.ms, "isBuyer": t.side == "buy", "isMaker": False, "isBestMatch": True}
            for t in chosen
        ])  # fmt: skip
    if path in ("/sapi/v1/capital/deposit/hisrec", "/sapi/v1/capital/withdraw/history"):
        window = _transfer_window(venue, q)
        if isinstance(window, web.Response):
            return window
        start, end = window
        if path.endswith("hisrec"):
            return web.json_response([
                {"id": d.id, "amount": str(d.amount), "coin": d.currency, "network": d.currency,
                 "status": 1 if d.complete else 0, "address": d.address, "txId": d.txid, "insertTime": d.ms,
                 "transferType": 0, "confirmTimes": "1/1" if d.complete else "0/1"}
                for d in venue.deposits if start <= d.ms <= end
            ])  # fmt: skip
        return web.json_response([
            {"id": w.id, "amount": str(w.amount), "transactionFee": str(w.fee), "coin": w.currency,
             "status": 6 if w.complete else 4, "address": w.address, "txId": w.txid, "applyTime": _iso(w.ms),
             **({"completeTime": _iso(w.ms)} if w.complete else {}), "network": w.currency, "transferType": 0}
            for w in venue.withdrawals if start <= w.ms <= end
        ])  # fmt: skip
    if path == "/api/v3/klines":
        close = venue.closes.get(_unified(q["symbol"]))
        if close is None:
            return web.json_response([])
        start = int(q["startTime"])
        c = str(close)
        return web.json_response([[start, c, c, c, c, "1", start + 59_999, c, 1, "0", "0", "0"]])
    if path == "/api/v3/ticker/24hr":
        wanted = json.loads(q["symbols"]) if "symbols" in q else [q["symbol"]]
        now = int(time.time() * 1000)
        return web.json_response([
            {"symbol": m, "lastPrice": str(venue.tickers[_unified(m)]), "openTime": now - 86_400_000, "closeTime": now,
             "volume": "1", "quoteVolume": str(venue.tickers[_unified(m)])}
            for m in wanted if _unified(m) in venue.tickers
        ])  # fmt: skip
    return web.json_response({"code": -1, "msg": f"not emulated: {path}"}, status=404)


def _recorded(body: Any, path: str, q: Any) -> Any:
    """A recorded real body, as is; recorded fills answered as the API pages them (the
    request's market, from `fromId` on)."""
    if path != "/api/v3/myTrades":
        return body
    start = int(q.get("fromId", 0))
    return [fill for fill in body if fill["symbol"] == q["symbol"] and int(fill["id"]) >= start]


def _transfer_window(venue: Any, q: Any) -> tuple[int, int] | web.Response:
    """Binance's history windows: without startTime the last 90 days; a request may span 90
    days at most (ccxt sets endTime = startTime + 90 days itself)."""
    now = venue.now_ms or int(time.time() * 1000)
    days = venue.transfer_window_days
    if days is None:
        return int(q.get("startTime", 0)), int(q.get("endTime", now))
    span = days * 86_400_000
    if "startTime" not in q:
        end = int(q.get("endTime", now))
        return end - span, end
    start = int(q["startTime"])
    end = int(q.get("endTime", start + span))
    if end - start > span:
        return web.json_response({"code": -1127, "msg": "More than 90 days between startTime and endTime."},
                                 status=400)  # fmt: skip
    return start, end


def _iso(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms / 1000))


__all__ = ["OPTIONS", "handle", "Decimal"]
