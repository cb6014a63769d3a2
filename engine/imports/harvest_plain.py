"""The harvest CSV's plain rows, read by position: the commonest row (a zoned time, an asset, a
side, unsigned plain-digit amounts within the limits, no subtotal, total, lots, price_usd or
fee_usd) becomes its Event here without the general reader's per-row dict and checks.

Any row that is not plain in that sense gives None, and the general reader
(generic_csv._RowReader.event) reads it as it reads every row, problems included: this path never
decides a problem, it only recognises rows that have none, and gives the very Event the general
reader would (tests/engine/imports/test_harvest_plain.py holds the two equal)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from operator import itemgetter

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
