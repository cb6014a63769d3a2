"""Coinbase (Advanced Trade + the v2 app API) over HTTP as ccxt 4.5.90 calls it, built from
ccxt's coinbase.py and Coinbase's API docs: CDP keys (a JWT signed ES256, verified here: the
signature, key name, issuer, `uri` = "METHOD host/path", nbf/exp); products, currencies and
exchange rates for load_markets; fills newest first, paged by `cursor` with a page cap; v2 accounts
and per-account transactions (`starting_after` / `ending_before`, newest first); candles and
tickers. The user behind it is a `CoinbaseVenue` (coinbase.py)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.loopback import candles
from tests.loopback.coinbase import FIAT, PRODUCTS, CoinbaseVenue, Fill, Wallet, iso, money

HOST = "api.coinbase.com"


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def refused(venue: CoinbaseVenue, request: web.Request, path: str, base_url: str) -> web.Response | None:
    """None when the bearer token is a valid CDP JWT for this request."""
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    try:
        head, body, signature = token.split(".")
        header, claims = json.loads(_b64url(head)), json.loads(_b64url(body))
        raw = _b64url(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        venue.private_key.public_key().verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    except (ValueError, InvalidSignature, json.JSONDecodeError):
        return _unauthorized("invalid signature")
    now = time.time()
    # the uri names the real host; ccxt's names the loopback prefix in front of it
    uri = (
        str(claims.get("uri", "")).replace(base_url.removeprefix("http://") + "/", "").replace("http://", "")
    )
    problems = [
        header.get("alg") != "ES256" and "alg",
        header.get("kid") != venue.key_name and "kid",
        claims.get("sub") != venue.key_name and "sub",
        claims.get("iss") not in ("cdp", "coinbase-cloud") and "iss",  # docs name both over time
        uri != f"{request.method} {HOST}{path}" and f"uri {uri!r}",
        not (claims.get("nbf", now + 99) <= now + 5 and now < claims.get("exp", 0)) and "expired",
        claims.get("exp", 0) - claims.get("nbf", 0) > 120 and "lifetime",
    ]
    wrong = [p for p in problems if p]
    if wrong:
        return _unauthorized(f"bad claims: {wrong}")
    venue.jwt_claims.append(claims)
    return None


def _unauthorized(message: str) -> web.Response:
    return web.json_response({"errors": [{"id": "authentication_error", "message": message}]}, status=401)


def _page(items: list[Any], q: Any, cap: int, key: Any) -> tuple[list[Any], dict[str, Any]]:
    """v2 pagination over newest-first `items`: `starting_after` (older), `ending_before`
    (newer: the `limit` just before that id), `limit` capped, `order`."""
    ordered = sorted(items, key=key, reverse=q.get("order", "desc") == "desc")
    ids = [item.id for item in ordered]
    limit = min(int(q.get("limit", 25)), cap)
    if "starting_after" in q:
        rest = ordered[ids.index(q["starting_after"]) + 1 :] if q["starting_after"] in ids else []
        chosen = rest[:limit]
    elif "ending_before" in q:
        rest = ordered[: ids.index(q["ending_before"])] if q["ending_before"] in ids else []
        chosen = rest[-limit:]
        rest = chosen
    else:
        rest = ordered
        chosen = rest[:limit]
    more = len(rest) > len(chosen) and bool(chosen)
    following = chosen[-1].id if more else None
    return chosen, {"ending_before": q.get("ending_before"), "starting_after": q.get("starting_after"),
                    "limit": limit, "order": q.get("order", "desc"), "previous_uri": None,
                    "next_uri": None if following is None else f"/v2/...?starting_after={following}",
                    "next_starting_after": following}  # fmt: skip


def _product(venue: CoinbaseVenue, product_id: str) -> dict[str, Any]:
    base, quote = PRODUCTS[product_id]
    price = venue.tickers.get(f"{base}/{quote}")
    return {"product_id": product_id, "price": "" if price is None else f"{price:f}", "base_currency_id": base,
            "quote_currency_id": quote, "product_type": "SPOT", "status": "online", "trading_disabled": False,
            "base_increment": "0.00000001", "quote_increment": "0.01", "price_increment": "0.01",
            "base_min_size": "0.00000001", "base_max_size": "1000000", "quote_min_size": "1",
            "quote_max_size": "10000000", "volume_24h": "1", "price_percentage_change_24h": "0"}  # fmt: skip


def _fill_body(f: Fill) -> dict[str, Any]:
    return {"entry_id": f"e{f.seq}", "trade_id": f.trade_id, "order_id": f"o{f.seq}", "trade_time": iso(f.ms),
            "trade_type": "FILL", "price": f"{f.price:f}", "size": f"{f.size:f}", "commission": f"{f.commission:f}",
            "product_id": f.product_id, "sequence_timestamp": iso(f.ms), "liquidity_indicator": "TAKER",
            "size_in_quote": False, "user_id": "u1", "side": f.side}  # fmt: skip


def _fills(venue: CoinbaseVenue, q: Any) -> web.Response:
    """Newest first; `cursor` is the sequence of the next (older) fill to return."""
    wanted = [f for f in venue.fills if ("product_ids" not in q or f.product_id in q.getall("product_ids"))]
    if "start_sequence_timestamp" in q:
        wanted = [f for f in wanted if iso(f.ms) >= q["start_sequence_timestamp"]]
    if "end_sequence_timestamp" in q:
        wanted = [f for f in wanted if iso(f.ms) <= q["end_sequence_timestamp"]]
    wanted.sort(key=lambda f: -f.seq)
    if q.get("cursor"):
        wanted = [f for f in wanted if f.seq <= int(q["cursor"])]
    limit = min(int(q.get("limit", 100)), venue.fill_page_cap)
    chosen = wanted[:limit]
    following = str(wanted[limit].seq) if len(wanted) > limit else ""
    return web.json_response({"fills": [_fill_body(f) for f in chosen], "cursor": following,
                              "has_next": bool(following)})  # fmt: skip


def _wallet_body(w: Wallet) -> dict[str, Any]:
    return {"id": w.id, "name": w.name, "primary": True, "type": w.type, "balance": money(w.balance, w.currency),
            "currency": {"code": w.currency, "name": w.currency, "type": "fiat" if w.currency in FIAT else "crypto"},
            "created_at": "2020-01-01T00:00:00Z", "updated_at": iso(w.updated_ms or 1)[:-5] + "Z",
            "resource": "account", "resource_path": f"/v2/accounts/{w.id}",
            "allow_deposits": True, "allow_withdrawals": True}  # fmt: skip


PRIVATE = (
    "/api/v3/brokerage/transaction_summary",
    "/api/v3/brokerage/orders/historical/fills",
    "/v2/accounts",
)


async def handle(venue: CoinbaseVenue, request: web.Request, path: str, base_url: str) -> web.StreamResponse:
    q = request.query
    if path.startswith(PRIVATE):
        answer = refused(venue, request, path, base_url)
        if answer is not None:
            return answer
    if path in venue.recorded and not (q.get("starting_after") or q.get("cursor")):
        return web.json_response(
            venue.recorded[path]
        )  # the first page as recorded; later ones are the fake's
    if path == "/api/v3/brokerage/market/products":
        if q.get("product_type") == "FUTURE":
            return web.json_response({"products": [], "num_products": 0})
        ids = q.getall("product_ids") if "product_ids" in q else list(PRODUCTS)
        return web.json_response({"products": [_product(venue, i) for i in ids if i in PRODUCTS]})
    if path == "/api/v3/brokerage/transaction_summary":
        return web.json_response({"fee_tier": {"pricing_tier": "Advanced 1", "taker_fee_rate": "0.012",
                                               "maker_fee_rate": "0.006"}})  # fmt: skip
    if path == "/v2/currencies":
        return web.json_response({"data": [{"id": "USD", "name": "US Dollar", "min_size": "0.01"}]})
    if path == "/v2/currencies/crypto":
        codes = sorted({c for pair in PRODUCTS.values() for c in pair} - FIAT)
        return web.json_response({"data": [{"asset_id": f"a-{c}", "code": c, "name": c, "type": "crypto"}
                                           for c in codes]})  # fmt: skip
    if path == "/v2/exchange-rates":
        return web.json_response({"data": {"currency": "USD", "rates": {c: "1" for pair in PRODUCTS.values()
                                                                         for c in pair}}})  # fmt: skip
    if path == "/api/v3/brokerage/orders/historical/fills":
        return _fills(venue, q)
    if path == "/v2/accounts":
        chosen, pagination = _page(venue.wallets, q, venue.v2_page_cap, key=lambda w: w.name)
        return web.json_response({"pagination": pagination, "data": [_wallet_body(w) for w in chosen]})
    if path.startswith("/v2/accounts/") and path.endswith("/transactions"):
        wallet = path.split("/")[3]
        mine = [t for t in venue.transactions if t.wallet == wallet]
        chosen, pagination = _page(mine, q, venue.v2_page_cap, key=lambda t: (t.ms, t.seq))
        return web.json_response({"pagination": pagination, "data": [t.body() for t in chosen]})
    if path.startswith("/api/v3/brokerage/market/products/") and path.endswith("/candles"):
        base, quote = PRODUCTS[path.split("/")[6]]
        if venue.candles.serves(f"{base}/{quote}"):
            rows = candles.coinbase_candles(
                venue.candles, f"{base}/{quote}", q["granularity"], int(q["start"]), int(q["end"])
            )
            return web.json_response({"candles": rows})
        close = venue.closes.get(f"{base}/{quote}")
        start, end = int(q["start"]), int(q["end"])
        c = "" if close is None else f"{close:f}"
        # newest first, one a minute, at most 300 (Coinbase's cap)
        minutes = range(end - 60, start - 1, -60)[:300]
        rows = [] if close is None else [{"start": str(m), "low": c, "high": c, "open": c, "close": c, "volume": "1"}
                                         for m in minutes]  # fmt: skip
        return web.json_response({"candles": rows})
    return web.json_response(
        {"errors": [{"id": "not_found", "message": f"not emulated: {path}"}]}, status=404
    )
