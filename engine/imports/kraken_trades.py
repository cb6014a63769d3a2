"""Kraken trades.csv: kraken.com → Documents → Data exports → Trades (CSV). One row per trade:
`pair` (XXBTZUSD, XETHXXBT, SOLUSD or BTC/USD), `type` buy or sell of the pair's base, `vol` of
the base, `cost` in the quote (exact, before the fee) and `fee` in the quote. The `txid` is the
`refid` of the same trade's rows in ledgers.csv, so importing both files into one account counts
each trade once. Times are UTC without a zone. Margin trades are kept unclassified."""

from __future__ import annotations

from engine.core.units import Amount
from engine.imports.formats import TRADE, UNCLASSIFIED, Format, Options, Parsed, Table, Version
from engine.imports.kraken import kraken_asset
from engine.imports.rows import Cells, unit_price
from engine.ledger.events import UNCLASSIFIED as UNCLASSIFIED_SIDE
from engine.ledger.events import Event

# quote codes a pair can end with, longest first (XETHXXBT ends with XXBT, not XBT)
QUOTES = sorted(["ZUSD", "ZEUR", "ZGBP", "ZCAD", "ZJPY", "ZAUD", "ZCHF", "XXBT", "XETH", "USDT", "USDC", "PYUSD",
                 "USD", "EUR", "GBP", "CAD", "JPY", "AUD", "CHF", "XBT", "ETH", "DAI", "DOT", "SOL"],
                key=len, reverse=True)  # fmt: skip
_BASE = ("txid", "ordertxid", "pair", "time", "type", "ordertype", "price", "cost", "fee", "vol", "margin", "misc",
         "ledgers")  # fmt: skip
_POSITIONS = ("postxid", "posstatus", "cprice", "ccost", "cfee", "cvol", "cmargin", "net", "trades")
VERSIONS = (Version("with positions", (*_BASE, *_POSITIONS)), Version("classic", _BASE))


def split_pair(pair: str) -> tuple[str, str] | None:
    """(base, quote) coins of a Kraken pair, or None when it cannot be split."""
    text = pair.strip().upper()
    if "/" in text:
        base, _, quote = text.partition("/")
        return (kraken_asset(base), kraken_asset(quote)) if base and quote else None
    for quote in QUOTES:
        if text.endswith(quote) and len(text) > len(quote):
            return kraken_asset(text[: -len(quote)]), kraken_asset(quote)
    return None


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    if not cells.require(table.header_line, ("txid", "pair", "time", "type", "cost", "fee", "vol")):
        return
    account = options.account or "kraken"
    for line, values in table.rows:
        cells.start(values, line)
        before = len(parsed.problems)
        time = cells.time("time", options.zone)
        cost = cells.number("cost")
        fee = cells.number("fee")
        vol = cells.number("vol")
        margin = cells.number("margin", required=False)
        side = cells.get("type").lower()
        pair = split_pair(cells.get("pair"))
        if pair is None:
            cells.bad("pair", f"not a Kraken pair: {cells.get('pair')!r}")
        if side not in ("buy", "sell"):
            cells.bad("type", f"expected buy or sell; got {cells.get('type') or '(blank)'}")
        for name, value in (("cost", cost), ("fee", fee), ("vol", vol)):
            if value is not None and (value < 0 or (name == "vol" and value == 0)):
                cells.bad(
                    name, f"must be {'positive' if name == 'vol' else 'zero or more'}, got {cells.get(name)}"
                )
        if len(parsed.problems) > before or time is None or cost is None or fee is None or vol is None:
            continue
        if pair is None:
            continue
        base, quote = pair
        txid = cells.get("txid") or None
        if margin:  # a leveraged position: not something the lots can hold
            event = Event(account=account, asset=base, side=UNCLASSIFIED_SIDE, timestamp=time, quantity=vol,
                          price=None, fee=Amount(0), trade_id=txid, note=f"margin {side}", source=table.label)  # fmt: skip
            parsed.add(event, line, UNCLASSIFIED)
            continue
        event = Event(account=account, asset=base, side=side, timestamp=time, quantity=vol,
                      price=unit_price(cost, vol), fee=fee, quote=quote, fee_asset=quote, trade_id=txid,
                      source=table.label, subtotal=cost, note=cells.get("ordertype") or None)  # fmt: skip
        parsed.add(event, line, TRADE)


KRAKEN_TRADES = Format(
    key="kraken-trades",
    name="Kraken trades",
    export_path="kraken.com → Documents → Data exports → Create export → Trades (CSV)",
    reads="spot trades (buys and sells of a pair's base, cost and fee in the quote)",
    skips="nothing (margin trades are kept unclassified)",
    versions=VERSIONS,
    parse=parse,
    core=frozenset({"txid", "ordertxid", "pair", "time", "type", "cost", "fee", "vol"}),
    default_account="kraken",
    zone="UTC",
)
