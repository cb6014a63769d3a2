"""Gemini transaction history: gemini.com → Account → Statements (or History) → Download
Transaction History (XLSX), read as it is (engine.imports.xlsx), or saved as CSV.

Seven fixed columns (`Date`, `Time (UTC)`, `Type`, `Symbol`, `Specification`, `Liquidity
Indicator`, `Trading Fee Rate (bps)`), then three for every asset the account ever held
(`BTC Amount BTC`, `Fee (BTC) BTC`, `BTC Balance BTC`), then the trade and transfer ids. A trade's
Symbol is its pair (`BTCUSD`, `ETHBTC`), split at a quote Gemini lists; its amounts are the
base's and the quote's `Amount` columns, its fee the quote's `Fee` column. A Credit is a deposit,
a Debit a withdrawal (its fee in the asset), Interest Credit income (no USD value in the file: it
needs a price). The last row, with no date, holds totals and is skipped. Amounts are numbers in
the XLSX; saved as CSV they may read `$1,234.50`, `(0.1 BTC)`. Times are UTC."""

from __future__ import annotations

import re
from datetime import UTC

from engine.core.units import Amount, EpochMicros
from engine.imports.formats import (
    INCOME,
    TRADE,
    TRANSFER,
    UNCLASSIFIED,
    Format,
    Options,
    Parsed,
    Table,
    Version,
)
from engine.imports.rows import CellError, Cells, parse_money, parse_time, unit_price
from engine.ledger.events import EARLIEST, Event
from engine.ledger.events import UNCLASSIFIED as UNCLASSIFIED_SIDE

# the quotes Gemini lists, longest first: BTCGUSD is BTC/GUSD, not BTCG/USD
QUOTES = ("RLUSD", "GUSD", "USDC", "USDT", "BCH", "BTC", "DAI", "ETH", "EUR", "FIL", "GBP", "LTC", "SGD", "SOL",
          "USD")  # fmt: skip
FIAT = {"USD", "EUR", "GBP", "SGD"}
_AMOUNT = re.compile(r"(\w+) Amount (\w+)\Z")
_EXCEL_DAY_ZERO = ("1899-12-30", "1899-12-31")  # a time-only cell read as a date-time


def split_symbol(symbol: str) -> tuple[str, str] | None:
    upper = symbol.strip().upper()
    for quote in QUOTES:
        if upper.endswith(quote) and len(upper) > len(quote):
            return upper[: -len(quote)], quote
    return None


def assets_in(header: list[str]) -> list[str]:
    """The assets with per-asset columns, in the file's order."""
    found = []
    for name in header:
        matched = _AMOUNT.match(name.strip())
        if matched is not None and matched.group(1) == matched.group(2):
            found.append(matched.group(1).upper())
    return found


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    if not cells.require(table.header_line, ("Date", "Time (UTC)", "Type", "Symbol")):
        return
    account = options.account or "gemini"
    known = set(assets_in(table.header))
    for line, row in table.rows:
        cells.start(row, line)
        kind_text = cells.get("Type")
        if not cells.get("Date") and not kind_text:
            continue  # the totals row
        before = len(parsed.problems)
        timestamp = _time(cells)
        kind, symbol = kind_text.lower(), cells.get("Symbol").upper()
        if not kind_text:
            cells.bad("Type", "missing value")
        if len(parsed.problems) > before or timestamp is None:
            continue
        base = Event(account=account, asset=symbol, side=UNCLASSIFIED_SIDE, timestamp=timestamp, quantity=Amount(0),
                     price=None, fee=Amount(0), trade_id=cells.get("Trade ID") or None, source=table.label,
                     note=" ".join(filter(None, (kind_text, cells.get("Specification")))))  # fmt: skip
        if kind in ("buy", "sell"):
            pair = split_symbol(symbol)
            if pair is None or not {pair[0], pair[1]} <= known:
                cells.bad("Symbol", f"not a pair of this file's assets: {symbol!r}")
                continue
            asset, quote = pair
            quantity, total = _amount(cells, asset), _amount(cells, quote)
            fee_asset = quote if _amount(cells, quote, "Fee", required=False) else asset
            fee = _amount(cells, fee_asset, "Fee", required=False) or Amount(0)
            if len(parsed.problems) > before or quantity is None or total is None:
                continue
            event = base._replace(side=kind, asset=asset, quantity=quantity, quote=quote, subtotal=total,
                                  price=unit_price(total, quantity), fee=fee, fee_asset=fee_asset if fee else quote)  # fmt: skip
            parsed.add(event, line, TRADE)
            continue
        if kind in ("credit", "debit", "interest credit"):
            if symbol not in known:
                cells.bad("Symbol", f"no '{symbol} Amount {symbol}' column for it")
                continue
            quantity = _amount(cells, symbol)
            fee = _amount(cells, symbol, "Fee", required=False) or Amount(0)
            if len(parsed.problems) > before or quantity is None:
                continue
            if symbol in FIAT:
                parsed.skipped[f"{kind_text} ({symbol})"] += 1
            elif kind == "interest credit":
                parsed.add(base._replace(side="income", quantity=quantity), line, INCOME)
            else:
                outgoing = kind == "debit"
                parsed.add(base._replace(
                    side="transfer_out" if outgoing else "transfer_in", quantity=quantity, fee=fee, fee_asset=symbol,
                    tx_id=cells.get("Tx Hash") or None, trade_id=None,
                    address=cells.get("Withdrawal Destination" if outgoing else "Deposit Destination") or None,
                ), line, TRANSFER)  # fmt: skip
            continue
        quantity = _amount(cells, symbol, required=False) if symbol in known else None
        parsed.add(base._replace(quantity=quantity or Amount(0), note=kind_text), line, UNCLASSIFIED)


def _amount(cells: Cells, asset: str, what: str = "Amount", required: bool = True) -> Amount | None:
    """|amount| of an asset's column: a number, or text as a CSV save prints it (`(0.1 BTC)`)."""
    column = f"{asset} Amount {asset}" if what == "Amount" else f"Fee ({asset}) {asset}"
    raw = cells.get(column)
    if not raw:
        if required:
            cells.bad(column, "missing value")
        return None
    text = raw.strip()
    inner = text[1:-1].strip() if text.startswith("(") and text.endswith(")") else text
    if inner.upper().endswith(f" {asset}"):
        inner = inner[: -len(asset) - 1]
    try:
        value = parse_money(inner)
    except CellError as exc:
        cells.bad(column, str(exc))
        return None
    return Amount(abs(value))


def _time(cells: Cells) -> EpochMicros | None:
    """Date (a date, or its text) and Time (UTC) (a time, which a spreadsheet reader may give on
    day zero, 1899-12-30/31) into one UTC moment."""
    day, clock = cells.get("Date"), cells.get("Time (UTC)")
    if clock[:10] in _EXCEL_DAY_ZERO:
        clock = clock[11:]
    if " " in day and day[:4].isdigit():
        day = day.split(" ", 1)[0]
    if not day or not clock:
        cells.bad("Date" if not day else "Time (UTC)", "missing value")
        return None
    try:
        moment = parse_time(f"{day}T{clock}" if day[:4].isdigit() else f"{day} {clock}", UTC)
    except CellError as exc:
        cells.bad("Date", str(exc))
        return None
    if moment > cells.latest or moment < EARLIEST:
        cells.bad("Date", f"out of range (before 2009 or in the future): {day} {clock}")
        return None
    return moment


def _layout(header: list[str]) -> str | None:
    assets = assets_in(header)
    return f"assets {', '.join(assets)}" if assets else None


GEMINI = Format(
    key="gemini",
    name="Gemini transaction history",
    export_path="gemini.com → Account → Statements → Transaction history → Download (XLSX)",
    reads="buys and sells (the pair from Symbol, the fee in the quote), crypto Credits and Debits "
    "(deposits and withdrawals, the fee in the asset), Interest Credit (income, needs a price)",
    skips="USD and other cash credits and debits; the totals row",
    versions=(Version("the fixed columns and three per asset", ()),),
    parse=parse,
    core=frozenset({"date", "time (utc)", "type", "symbol", "specification"}),
    default_account="gemini",
    zone="UTC",
    layout=_layout,
)
