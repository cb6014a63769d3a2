"""Which USD prices a record without a USD value needs, and the record valued with them.

A record's legs are flagged (engine.ledger.legs) when its USD value, or its fee's, cannot be
known from what the source gave: income or a spend without a price, a crypto-to-crypto trade
without a USD value, a fee paid in a third asset, a transfer's fee in the coin sent. Each such
gap is a `Need`: one USD price at the record's time, of the first of its assets that has one (a
trade is valued by what was received or given, in that order). `priced` puts prices found into
the record the way a source that gave them would have, so the legs value it by the same rules
as every other record; the record as stored is never changed (engine.exchanges.price_fill)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from engine.core import fixedpoint as fp
from engine.core.units import Amount, EpochMicros
from engine.ledger.events import Event
from engine.ledger.legs import legs_for

VALUED_SIDES = ("buy", "sell", "spend", "income")
TRANSFERS = ("transfer_in", "transfer_out")
VALUE, FEE = "value", "fee"


class FoundPrice(NamedTuple):
    """A USD price of one asset near a record's time, and where it came from."""

    price: Amount  # USD per unit
    source: str  # the exchange's ccxt id, or `file:NAME`
    market: str | None  # the market whose candle gave it ("BTC/USD"); None for a file
    interval: str  # the candle's: 1m, 1h, 1d; `file` for a row of a prices file
    priced_at: EpochMicros  # the candle's open, or the file row's time


class Need(NamedTuple):
    part: str  # VALUE (the record's own USD value) or FEE
    assets: tuple[str, ...]  # whose USD price gives it, best first


def flags_of(event: Event, usd_assets: frozenset[str]) -> list[str]:
    """Why the record's legs have no USD value (empty when every leg is valued)."""
    return [leg.flag for leg in legs_for(event, 0, usd_assets) if leg.flag]


def needs(event: Event, usd_assets: frozenset[str]) -> list[Need]:
    """The prices that would value a record whose legs are flagged (none for a valued one)."""
    if not flags_of(event, usd_assets):
        return []
    found: list[Need] = []
    quote_is_usd = event.quote in usd_assets
    if event.side in VALUED_SIDES and not _value_known(event, quote_is_usd):
        found.append(Need(VALUE, (event.asset,) if quote_is_usd else (event.asset, event.quote)))
    # a fee in the asset, or in the quote of a known quote quantity, is valued with the record
    quote_known = event.subtotal is not None or event.price is not None
    with_value = event.fee_asset == event.asset or (event.fee_asset == event.quote and quote_known)
    fee_needs_own_price = event.side in TRANSFERS or not with_value
    if event.fee and event.fee_asset not in usd_assets and event.fee_usd is None and fee_needs_own_price:
        found.append(Need(FEE, (event.fee_asset,)))
    return found


def priced(event: Event, prices: Mapping[str, Amount], usd_assets: frozenset[str]) -> Event:
    """The record with the USD values these prices (USD per unit, by asset) give it, as its source
    would have written them: a price in USD where the quote is USD, else the USD value of what
    was received (or given), and the fee's USD value where the fee is in an asset of its own."""
    for need in needs(event, usd_assets):
        asset = next((a for a in need.assets if a in prices), None)
        if asset is None:
            continue
        unit = prices[asset]
        if need.part == FEE:
            event = event._replace(fee_usd=fp.mul(event.fee, unit))
        elif event.quote in usd_assets:
            event = event._replace(price=unit)
        elif asset == event.asset:
            event = event._replace(value_usd=fp.mul(event.quantity, unit))
        else:  # the quote's price: what was given for it
            given = event.subtotal if event.subtotal is not None else _quote_quantity(event)
            if given is not None:
                event = event._replace(value_usd=fp.mul(given, unit))
    return event


def _value_known(event: Event, quote_is_usd: bool) -> bool:
    """Whether the legs can value the record itself (engine.ledger.legs: its USD value)."""
    if quote_is_usd:
        return event.subtotal is not None or event.price is not None
    if event.value_usd is not None:
        return True
    return event.price_usd is not None and (event.price is not None or event.subtotal is not None)


def _quote_quantity(event: Event) -> Amount | None:
    return None if event.price is None else fp.mul(event.quantity, event.price)
