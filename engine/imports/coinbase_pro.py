"""Coinbase Pro / Advanced Trade statements: the fills report (one row per fill) and the account
statement (one row per balance change: a fill is two `match` rows and a `fee` row sharing a
trade id and order id). Both from pro.coinbase.com → Statements (or the Advanced Trade
statements that replaced it), CSV.

Coinbase numbers trades per product, so a fill is known as `PRODUCT:TRADE ID` (`BTC-USD:1001`)
in both reports: importing both into one account counts each fill once. A fill's `total` is
signed (negative for a buy: size x price + fee paid; positive for a sale: size x price - fee
received), so the exact subtotal is the total with the fee taken back out. Times are ISO 8601 with
`Z`."""

from __future__ import annotations

from typing import Any

from engine.core.units import Amount, EpochMicros
from engine.imports.formats import TRADE, TRANSFER, UNCLASSIFIED, Format, Options, Parsed, Table, Version
from engine.imports.rows import Cells, unit_price
from engine.ledger.events import UNCLASSIFIED as UNCLASSIFIED_SIDE
from engine.ledger.events import Event

FIAT = {"USD", "EUR", "GBP"}
QUOTE_ORDER = ("USD", "EUR", "GBP", "USDC", "USDT", "DAI", "BTC", "ETH")  # which side of a pair is the quote
_FILLS = ("trade id", "product", "side", "created at", "size", "size unit", "price", "fee", "total",
          "price/fee/total unit")  # fmt: skip
_ACCOUNT = ("type", "time", "amount", "balance", "amount/balance unit", "transfer id", "trade id", "order id")


def parse_fills(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    if not _required(cells, table, parsed, ("trade id", "product", "side", "created at", "size", "size unit",
                                            "fee", "total", "price/fee/total unit")):  # fmt: skip
        return
    account = options.account or "coinbase-pro"
    for line, values in table.rows:
        cells.start(values, line)
        before = len(parsed.problems)
        time = cells.time("created at", options.zone)
        size, fee, total = cells.number("size"), cells.number("fee"), cells.number("total")
        side = cells.get("side").lower()
        if side not in ("buy", "sell"):
            cells.bad("side", f"expected BUY or SELL; got {cells.get('side') or '(blank)'}")
        base, quote = cells.get("size unit").upper(), cells.get("price/fee/total unit").upper()
        if not base or not quote:
            cells.bad("size unit" if not base else "price/fee/total unit", "missing value")
        if len(parsed.problems) > before or time is None or size is None or fee is None or total is None:
            continue
        fee = Amount(abs(fee))
        subtotal = Amount(abs(total) - fee if side == "buy" else abs(total) + fee)
        if size <= 0 or subtotal <= 0:
            cells.bad("size" if size <= 0 else "total", "must be positive after the fee")
            continue
        trade_id = f"{cells.get('product')}:{cells.get('trade id')}"
        parsed.add(
            _fill(account, base, side, time, size, quote, subtotal, fee, trade_id, table.label), line, TRADE
        )


def _fill(account: str, base: str, side: str, time: EpochMicros, size: Amount, quote: str, subtotal: Amount,
          fee: Amount, trade_id: str, label: str) -> Event:  # fmt: skip
    return Event(account=account, asset=base, side=side, timestamp=time, quantity=size,
                 price=unit_price(subtotal, size), fee=fee, quote=quote, fee_asset=quote, trade_id=trade_id,
                 source=label, subtotal=subtotal)  # fmt: skip


def parse_account(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    if not _required(cells, table, parsed, ("type", "time", "amount", "amount/balance unit", "trade id")):
        return
    account = options.account or "coinbase-pro"
    fills: dict[tuple[str, str], list[tuple[int, str, EpochMicros, str, Amount]]] = {}
    for line, values in table.rows:
        cells.start(values, line)
        before = len(parsed.problems)
        time = cells.time("time", options.zone)
        amount = cells.number("amount")
        unit = cells.get("amount/balance unit").upper()
        kind = cells.get("type")
        if not unit or not kind:
            cells.bad("amount/balance unit" if not unit else "type", "missing value")
        if len(parsed.problems) > before or time is None or amount is None:
            continue
        low = kind.lower()
        if low in ("match", "fee"):
            fills.setdefault((cells.get("order id"), cells.get("trade id")), []).append(
                (line, low, time, unit, amount)
            )
        elif low in ("deposit", "withdrawal") and unit in FIAT:
            parsed.skipped[f"{kind} ({unit})"] += 1
        elif low in ("deposit", "withdrawal") and amount:
            event = _event(account, unit, "transfer_out" if amount < 0 else "transfer_in", time, amount,
                           table.label, trade_id=cells.get("transfer id") or None, note=kind)  # fmt: skip
            parsed.add(event, line, TRANSFER)
        else:
            parsed.add(
                _event(account, unit, UNCLASSIFIED_SIDE, time, amount, table.label, note=kind),
                line,
                UNCLASSIFIED,
            )
    for (_order, trade), rows in sorted(fills.items()):
        _account_fill(rows, trade, account, table.label, parsed)


def _event(
    account: str, asset: str, side: str, time: EpochMicros, amount: Amount, label: str, **fields: Any
) -> Event:
    event = Event(account=account, asset=asset, side=side, timestamp=time, quantity=Amount(abs(amount)), price=None,
                  fee=Amount(0), source=label)  # fmt: skip
    return event._replace(**fields) if fields else event


def _account_fill(
    rows: list[tuple[int, str, EpochMicros, str, Amount]],
    trade: str,
    account: str,
    label: str,
    parsed: Parsed,
) -> None:
    """One fill from its `match` rows (the base and the quote changing hands) and its `fee` row."""
    matches = [r for r in rows if r[1] == "match"]
    fees = [r for r in rows if r[1] == "fee"]
    units = {r[3] for r in matches}
    if len(matches) != 2 or len(units) != 2 or len({r[3] for r in fees}) > 1:
        for line, kind, time, unit, amount in rows:
            note = f"{kind} (trade {trade}: not one fill of two assets in this file)"
            parsed.add(
                _event(account, unit, UNCLASSIFIED_SIDE, time, amount, label, note=note), line, UNCLASSIFIED
            )
        return
    quote = fees[0][3] if fees else min(units, key=lambda u: QUOTE_ORDER.index(u) if u in QUOTE_ORDER else 99)
    base_row = next((r for r in matches if r[3] != quote), matches[0])
    quote_row = next(r for r in matches if r is not base_row)
    size, subtotal = Amount(abs(base_row[4])), Amount(abs(quote_row[4]))
    side = "buy" if base_row[4] > 0 else "sell"
    fee = Amount(sum(abs(r[4]) for r in fees))
    event = _fill(account, base_row[3], side, base_row[2], size, quote_row[3], subtotal, fee,
                  f"{base_row[3]}-{quote_row[3]}:{trade}", label)  # fmt: skip
    parsed.add(event, min(r[0] for r in rows), TRADE)


def _required(cells: Cells, table: Table, parsed: Parsed, names: tuple[str, ...]) -> bool:
    return cells.require(table.header_line, names) and not parsed.problems


_EXPORT = "pro.coinbase.com (or Advanced Trade) → Statements → Generate → {} (CSV)"
COINBASE_PRO_FILLS = Format(
    key="coinbase-pro-fills",
    name="Coinbase Pro fills",
    export_path=_EXPORT.format("Fills"),
    reads="fills (buys and sells of a product's base; fee and total in the quote)",
    skips="nothing",
    versions=(Version("with portfolio", ("portfolio", *_FILLS)), Version("classic", _FILLS)),
    parse=parse_fills,
    core=frozenset({"trade id", "product", "side", "created at", "size", "size unit", "total"}),
    default_account="coinbase-pro",
    zone="UTC",
)
COINBASE_PRO_ACCOUNT = Format(
    key="coinbase-pro-account",
    name="Coinbase Pro account statement",
    export_path=_EXPORT.format("Account"),
    reads="fills (match and fee rows by trade id), crypto deposits and withdrawals",
    skips="USD deposits and withdrawals",
    versions=(Version("with portfolio", ("portfolio", *_ACCOUNT)), Version("classic", _ACCOUNT)),
    parse=parse_account,
    core=frozenset({"type", "time", "amount", "balance", "amount/balance unit", "trade id"}),
    default_account="coinbase-pro",
    zone="UTC",
)
