"""The harvest CSV's plain rows, read by position: the commonest row (a zoned time, an asset, a
side, unsigned plain-digit amounts within the limits, no subtotal, total, lots, price_usd or
fee_usd) becomes its Event here without the general reader's per-row dict and checks.

Any row that is not plain in that sense gives None, and the general reader
(generic_csv._RowReader.event) reads it as it reads every row, problems included: this path never
decides a problem, it only recognises rows that have none, and gives the very Event the general
reader would (tests/engine/imports/test_harvest_plain.py holds the two equal).

plain_table reads a whole file of plain rows a column at a time (the per-cell work in C: splits,
maps, min and max over a column), and gives None as soon as one row is not plain — or the text
has a quote, a lone carriage return or a cell longer than the csv module reads — so that the file
is read row by row as before."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from itertools import repeat
from operator import eq, floordiv, itemgetter, sub
from operator import mul as times_

from engine.core.dates import parse_timestamp
from engine.core.fixedpoint import DIGITS, SCALE, mul
from engine.core.units import Amount
from engine.ledger.events import EARLIEST, MAX_PRICE, MAX_QUANTITY, MAX_VALUE, SIDES, USD, Event

PlainRow = Callable[[list[str]], Event | None]
_TRANSFERS = ("transfer_in", "transfer_out")
_TEXTS = ("account", "quote", "fee_asset", "trade_id", "tx_id", "address", "note", "counterpart_account")
_RARE = ("price_usd", "fee_usd", "lots", "subtotal", "total")  # a row with any of them: the general reader
_PAD = ["0" * n for n in range(DIGITS + 1)]
_PRODUCT = MAX_VALUE * SCALE  # quantity x price (both scaled) at most this: mul(...) <= MAX_VALUE
_FILL = ["0" * (DIGITS - n) for n in range(DIGITS + 1)]  # n decimal places padded to DIGITS
_SIDES = frozenset(SIDES)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = _EPOCH.replace(tzinfo=None)  # UTC's times read without their zone
_MICRO = timedelta(microseconds=1)
_NUMBERS = re.compile(rf"(?:[0-9]+(?:\.[0-9]{{0,{DIGITS}}})?\n)*")  # what _amount reads, a cell a line
_UTC_SECONDS = re.compile(
    r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\n)*"
)  # 2026-01-31T09:30:00Z
_POINTS = repeat(".")
# what str.strip() takes from an ASCII cell (the line breaks aside: no cell holds one once split)
_PADDING = tuple(c for c in map(chr, range(128)) if c.isspace() and c not in "\r\n")


def _amount(text: str) -> int | None:
    """fp.parse's first form (unsigned ASCII digits, at most 18 places) and its value; None for
    any other text (the general reader then parses it, or says what is wrong with it)."""
    whole, _, frac = text.partition(".")
    if whole.isdigit() and (frac.isdigit() or not frac) and len(frac) <= DIGITS and text.isascii():
        return int(whole + frac + _PAD[DIGITS - len(frac)])
    return None


def plain_rows(
    names: list[str], label: str, default_account: str | None, latest: int, zone: tzinfo | None
) -> PlainRow | None:
    """A reader of the plain rows of a file with these (checked) columns, or None when no row can
    be plain (times without a zone are read in `zone`: the general reader's)."""
    if zone is not None:
        return None
    blank = len(names)  # a column the file lacks reads the blank cell appended to each row
    at = {name: index for index, name in enumerate(names)}
    pick = itemgetter(
        *(at[name] for name in ("timestamp", "asset", "side", "quantity", "price", "fee")),
        *(at.get(name, blank) for name in _TEXTS),
    )
    rare = [at[name] for name in _RARE if name in at]
    rare_cells = itemgetter(*rare, blank) if rare else None  # (the blank: a tuple even for one column)
    new = tuple.__new__
    strip = str.strip

    def plain(cells: list[str]) -> Event | None:
        row = list(map(strip, cells))
        row.append("")
        (raw_ts, asset, side, raw_quantity, raw_price, raw_fee, account, quote, fee_asset, trade_id, tx_id,
         address, note, counterpart) = pick(row)  # fmt: skip
        if not raw_ts or not asset or (rare_cells is not None and any(rare_cells(row))):
            return None
        side = side.lower()
        account = account or default_account
        if side not in SIDES or not account:
            return None
        try:
            timestamp = parse_timestamp(raw_ts)
        except (ValueError, OverflowError):
            return None
        if timestamp > latest or timestamp < EARLIEST:
            return None
        quantity = _amount(raw_quantity)
        fee = _amount(raw_fee)
        if quantity is None or not 0 < quantity <= MAX_QUANTITY or fee is None or fee > MAX_VALUE:
            return None
        if raw_price:
            price = _amount(raw_price)
            # mul rounds to the nearest: a product within MAX_VALUE (scaled) is within it rounded
            if (
                price is None
                or price > MAX_PRICE
                or (quantity * price > _PRODUCT and mul(quantity, price) > MAX_VALUE)
            ):
                return None
        elif side in _TRANSFERS:
            price = None
        else:
            return None
        asset = asset.upper()
        quote = quote.upper() if quote else USD
        if quote == asset and side not in _TRANSFERS:
            return None
        fee_asset = fee_asset.upper() if fee_asset else quote
        event: Event = new(Event, (
            account, asset, side, timestamp, Amount(quantity), price, Amount(fee), quote, fee_asset, None, None,
            trade_id or None, tx_id or None, address or None, note or None, counterpart or None, None, label,
            None, None,
        ))  # fmt: skip
        return event

    return plain


def plain_table(
    text: str, names: list[str], label: str, default_account: str | None, latest: int
) -> tuple[list[Event], list[int]] | None:
    """The events and lines of a harvest CSV's text (its header `names`, checked) when every row
    after the header is plain and on a line of its own; None otherwise (the file is then read row
    by row). The events are those plain() gives row by row; times without a zone: None."""
    if '"' in text:  # a quoted cell: the csv module's to read
        return None
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):  # a lone carriage return ends a row for csv
            return None
        lines = text.split("\r\n")
    else:
        lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    del lines[0]  # the header: line 1 (the csv module read it from the same text)
    if not lines or max(map(len, lines)) > csv.field_size_limit():  # the csv module refuses such a cell
        return None
    table = list(map(str.split, lines, repeat(",")))
    if set(map(len, table)) != {len(names)}:  # a blank line, a row that does not fit: row by row
        return None
    if text.isascii() and not any(space in text for space in _PADDING):  # no cell to strip
        columns = dict(zip(names, zip(*table, strict=True), strict=True))
    else:
        strip = str.strip
        columns = {
            name: tuple(map(strip, cells))
            for name, cells in zip(names, zip(*table, strict=True), strict=True)
        }
    if any(any(columns[name]) for name in _RARE if name in columns):
        return None
    raw_times, raw_assets = columns["timestamp"], columns["asset"]
    sides = list(map(str.lower, columns["side"]))
    if "" in raw_times or "" in raw_assets or not _SIDES.issuperset(sides):
        return None
    accounts: Sequence[str] | None = columns.get("account")
    if accounts is None or "" in accounts:
        if not default_account:
            return None
        accounts = (
            [default_account] * len(table) if accounts is None else [a or default_account for a in accounts]
        )
    times = _times(raw_times)
    quantities, prices, fees = (_amounts(columns[name]) for name in ("quantity", "price", "fee"))
    if (
        times is None
        or quantities is None
        or prices is None  # a blank price too (a transfer's): row by row
        or fees is None
        or min(times) < EARLIEST
        or max(times) > latest
        or min(quantities) <= 0
        or max(quantities) > MAX_QUANTITY
        or max(fees) > MAX_VALUE
        or max(prices) > MAX_PRICE
        or max(map(times_, quantities, prices)) > _PRODUCT  # near the limit: plain() rounds and decides
    ):
        return None
    assets = list(map(str.upper, raw_assets))
    quotes = _upper_or(columns.get("quote"), [USD] * len(table))
    if any(map(eq, quotes, assets)):  # allowed on a transfer only: row by row
        return None
    fee_assets = _upper_or(columns.get("fee_asset"), quotes)
    trade_ids, tx_ids, addresses, notes, counterparts = (
        [cell or None for cell in columns[name]] if name in columns else repeat(None)
        for name in ("trade_id", "tx_id", "address", "note", "counterpart_account")
    )
    nothing = repeat(None)
    rows = zip(accounts, assets, sides, times, quantities, prices, fees, quotes, fee_assets, nothing, nothing,
               trade_ids, tx_ids, addresses, notes, counterparts, nothing, repeat(label), nothing, nothing)  # fmt: skip
    events: list[Event] = list(map(tuple.__new__, repeat(Event), rows))
    return events, list(range(2, len(events) + 2))


def _amounts(cells: Sequence[str]) -> list[int] | None:
    """_amount of every cell (ASCII digits, a point and at most 18 places: one regex over the
    column), or None when one is not such a number. A column whose cells all have as many places
    as its first (prices and fees in cents, whole numbers) is read in C: each cell's digits without
    the point, times the power of ten its places leave."""
    joined = "\n".join(cells) + "\n"
    first = cells[0] if cells else ""
    places = len(first) - first.find(".") - 1 if "." in first else 0
    if places <= DIGITS and _fixed(places).fullmatch(joined) is not None:
        digits = map(str.replace, cells, _POINTS, repeat("")) if places else cells
        return list(map(times_, map(int, digits), repeat(10 ** (DIGITS - places))))
    if _NUMBERS.fullmatch(joined) is None:
        return None
    fill = _FILL
    return [
        int(whole + fraction + fill[len(fraction)])
        for whole, _, fraction in map(str.partition, cells, _POINTS)
    ]


@cache
def _fixed(places: int) -> re.Pattern[str]:
    """Cells of ASCII digits with exactly `places` decimal places (none: no point), a cell a line."""
    return re.compile(rf"(?:[0-9]+\.[0-9]{{{places}}}\n)*" if places else r"(?:[0-9]+\n)*")


def _times(cells: Sequence[str]) -> list[int] | None:
    """parse_timestamp of every cell, or None when one has no zone or is not a time. The commonest
    layout, whole seconds in UTC (`Z`), is read without its zone: no offset asked for per cell."""
    try:
        if _UTC_SECONDS.fullmatch("\n".join(cells) + "\n") is not None:
            naive = map(datetime.fromisoformat, map(str.rstrip, cells, repeat("Z")))
            return list(map(floordiv, map(sub, naive, repeat(_NAIVE_EPOCH)), repeat(_MICRO)))
        moments = list(map(datetime.fromisoformat, cells))
    except (ValueError, OverflowError):
        return None
    if None in map(datetime.utcoffset, moments):  # no zone: the general reader's (or --timezone's)
        return None
    return list(map(floordiv, map(sub, moments, repeat(_EPOCH)), repeat(_MICRO)))


def _upper_or(cells: Sequence[str] | None, instead: list[str]) -> list[str]:
    """Each cell in capitals, `instead`'s value where it is blank (or the column is missing)."""
    if cells is None or not any(cells):
        return instead
    return [cell.upper() if cell else other for cell, other in zip(cells, instead, strict=True)]
