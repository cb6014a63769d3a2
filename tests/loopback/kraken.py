"""Kraken endpoints ccxt 4.5.90 calls: assets and pairs, balance, trade history and ledgers
(newest first, 50 a page, `ofs`; kraken_ledger.py builds the ledger), deposits and withdrawals,
candles and tickers; private calls are signed. A recorded real body (`venue.recorded`, by path)
is served as is."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from typing import Any

from aiohttp import web

from tests.loopback import candles, kraken_ledger

ASSETS = {"XXBT": "BTC", "ZUSD": "USD", "XETH": "ETH", "SOL": "SOL", "DOT": "DOT", "USDT": "USDT"}
VARIANTS = ["DOT.S", "DOT28.S", "XBT.M", "ETH2.S", "ETH2"]  # staking variants Kraken lists as assets
PAIRS = {"XXBTZUSD": ("XXBT", "ZUSD", "XBT/USD"), "XETHZUSD": ("XETH", "ZUSD", "ETH/USD"),
         "SOLUSD": ("SOL", "ZUSD", "SOL/USD"), "XETHXXBT": ("XETH", "XXBT", "ETH/XBT"),
         "DOTUSD": ("DOT", "ZUSD", "DOT/USD"), "XBTUSDT": ("XXBT", "USDT", "XBT/USDT")}  # fmt: skip
PAGE = 50


def _code(asset_id: str) -> str:
    return ASSETS[asset_id]


def _unified(pair: str) -> str:
    base, quote, _ = PAIRS[pair]
    return f"{_code(base)}/{_code(quote)}"


def _pair_id(symbol: str) -> str:
    return next(p for p in PAIRS if _unified(p) == symbol)


def _ok(result: Any) -> web.Response:
    return web.json_response({"error": [], "result": result})


def _signed(venue: Any, request: web.Request, body: bytes, path: str) -> bool:
    if request.headers.get("API-Key") != venue.api_key:
        return False
    nonce = urllib.parse.parse_qs(body.decode()).get("nonce", [""])[0]
    digest = hashlib.sha256((nonce + body.decode()).encode()).digest()
    expected = base64.b64encode(
        hmac.new(base64.b64decode(venue.secret), path.encode() + digest, hashlib.sha512).digest()
    ).decode()
    return request.headers.get("API-Sign") == expected


async def handle(venue: Any, request: web.Request, path: str) -> web.StreamResponse:
    body = await request.read()
    form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
    q = request.query
    if path in venue.recorded:
        return web.json_response(venue.recorded[path])
    if path == "/0/public/Assets":
        return _ok({a: {"aclass": "currency", "altname": "XBT" if a == "XXBT" else a if a in VARIANTS else _code(a),
                        "decimals": 10, "display_decimals": 5, "status": "enabled"}
                    for a in [*ASSETS, *VARIANTS]})  # fmt: skip
    if path == "/0/public/AssetPairs":
        return _ok({p: {"altname": p, "wsname": ws, "aclass_base": "currency", "base": b, "aclass_quote": "currency",
                        "quote": qu, "lot": "unit", "cost_decimals": 5, "pair_decimals": 5, "lot_decimals": 8,
                        "lot_multiplier": 1, "leverage_buy": [], "leverage_sell": [], "fees": [[0, 0.26]],
                        "fees_maker": [[0, 0.16]], "fee_volume_currency": "ZUSD", "margin_call": 80, "margin_stop": 40,
                        "ordermin": "0.0001", "costmin": "0.5", "tick_size": "0.00001", "status": "online"}
                    for p, (b, qu, ws) in PAIRS.items()})  # fmt: skip
    if path == "/0/public/Ticker":
        pairs = q.get("pair", "").split(",")
        now = str(1)
        return _ok({p: {"a": ["1", "1", "1.0"], "b": ["1", "1", "1.0"], "c": [str(venue.tickers[_unified(p)]), "1"],
                        "v": [now, now], "p": ["1", "1"], "t": [1, 1], "l": ["1", "1"], "h": ["1", "1"], "o": "1"}
                    for p in pairs if p in PAIRS and _unified(p) in venue.tickers})  # fmt: skip
    if path == "/0/public/OHLC" and venue.candles.serves(_unified(q["pair"])):
        rows = candles.kraken_ohlc(
            venue.candles, _unified(q["pair"]), int(q.get("interval", 1)), int(q.get("since", 0))
        )
        return _ok({q["pair"]: rows, "last": rows[-1][0] if rows else int(q.get("since", 0))})
    if path == "/0/public/OHLC":
        close = venue.closes.get(_unified(q["pair"]))
        since = int(q.get("since", 0))  # exclusive: the first candle is the next interval's
        first = since + 60 * int(q.get("interval", 1))
        rows = (
            []
            if close is None
            else [[first, str(close), str(close), str(close), str(close), str(close), "1", 1]]
        )
        return _ok({q["pair"]: rows, "last": first})
    if path.startswith("/0/private/") and not _signed(venue, request, body, path):
        return web.json_response({"error": ["EAPI:Invalid key"], "result": {}})
    if path in ("/0/private/BalanceEx", "/0/private/Balance"):
        return _ok({kraken_ledger.asset_id(c): {"balance": str(v), "hold_trade": "0"}
                    for c, v in venue.balances.items()})  # fmt: skip
    if path == "/0/private/Ledgers":
        start, end = float(form.get("start", 0)), float(form.get("end", 10**12))  # seconds, start exclusive
        trade_ids = {t.id: _trade_id(t.id) for t in venue.trades}
        rows = [
            r for r in kraken_ledger.render(kraken_ledger.rows(venue, trade_ids)) if start < r["time"] <= end
        ]
        offset = int(form.get("ofs", 0))
        return _ok({"ledger": {r["id"]: r for r in rows[offset : offset + PAGE]}, "count": len(rows)})
    if path == "/0/private/TradesHistory":
        start = int(form.get("start", 0))  # seconds, exclusive
        matching = [t for t in venue.trades if t.ms / 1000 > start]
        newest_first = sorted(matching, key=lambda t: -t.ms)
        offset = int(form.get("ofs", 0))
        page = newest_first[offset : offset + PAGE]
        return _ok({"count": len(matching), "trades": {
            _trade_id(t.id): {"ordertxid": f"O{t.id}", "pair": _pair_id(t.symbol), "time": t.ms / 1000, "type": t.side,
                             "ordertype": "limit", "price": str(t.price), "cost": str(t.price * t.amount),
                             "fee": str(t.fee), "vol": str(t.amount), "margin": "0", "misc": ""}
            for t in page}})  # fmt: skip
    if path in ("/0/private/DepositStatus", "/0/private/WithdrawStatus"):
        records = venue.deposits if "Deposit" in path else venue.withdrawals
        ids = {code: a for a, code in ASSETS.items()}
        return _ok([{"method": "Bitcoin", "aclass": "currency", "asset": ids.get(r.currency, r.currency), "refid": r.id,
                     "txid": r.txid, "info": r.address, "amount": str(r.amount), "fee": str(r.fee),
                     "time": r.ms // 1000, "status": "Success"} for r in records])  # fmt: skip
    return web.json_response({"error": [f"EGeneral:Unknown method {path}"], "result": {}})


def _trade_id(number: int) -> str:
    return f"T{number:05d}"


__all__ = ["handle", "time"]
