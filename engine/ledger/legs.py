"""Events to ledger legs: every acquisition and disposal a record implies, valued in USD.

A buy of BTC for ETH is two legs (dispose ETH, acquire BTC); a fee paid in a crypto asset is a
disposal of that asset; a transfer is a move of lots between own accounts; a migration (MATIC ->
POL) moves lots to the new asset, basis and dates unchanged; an unclassified row has no legs.
When a record carries exact totals (`subtotal`, `value_usd`) they are used instead of quantity x
price, so a value read from a file is the value the lots get, to the last unit. Rules (Treas. Reg.
1.1012-1(h), 1.1001-7(b)): a purchase fee adds to basis, a sale fee reduces proceeds, and in a
crypto-to-crypto trade all fees reduce the disposed asset's proceeds. A leg whose USD value
cannot be known carries a `flag` and is left out of results with a warning, never valued at 0."""

from __future__ import annotations

from typing import NamedTuple

from engine.core import fixedpoint as fp
from engine.core.units import ZERO, Amount, EpochMicros
from engine.ledger.events import MIGRATE, UNCLASSIFIED, USD, Event
from engine.ledger.records import Ledger, LegExtra, LegRow

ACQUIRE = 0
DISPOSE = 1
MOVE_OUT = 2
MOVE_IN = 3
MIGRATE_OUT = 4  # the old asset's lots leave its pool ...
MIGRATE_IN = 5  # ... and arrive in the new asset's pool (the next leg), scaled to its quantity
# A user's migration decision (engine.ledger.identity), made at load, never stored: every lot the
# pool's account holds leaves it; `quantity` is the ratio (new units per old unit, fixed-point),
# and its MIGRATE_IN (the next leg, quantity unused) receives them scaled by it
MIGRATE_HELD = 6
# Kinds a user's review decision makes in memory (engine.ledger.decided), never stored: an
# acquisition whose lots date from an entered time (a gift's donor date), and lots that leave
# without a disposal (a gift given). Every kind is numbered here, so two never share a number.
ACQUIRE_AS_OF = 7
GIFT_OUT = 8


class Leg(NamedTuple):
    """One acquisition, disposal or move a record implies. (A NamedTuple: an import builds one or
    two per row, and tuples are the cheapest immutable record to build.)"""

    seq: int
    account: str
    asset: str
    kind: int  # ACQUIRE, DISPOSE, MOVE_OUT, MOVE_IN, MIGRATE_OUT or MIGRATE_IN
    timestamp: EpochMicros
    quantity: Amount
    usd: Amount | None  # basis for an acquisition, proceeds for a disposal, None if unknown
    ref: str  # lot id for an acquisition, sale id for a disposal
    identification: str | None = None
    counterpart: str | None = None
    tx_id: str | None = None
    flag: str | None = None


_USD_ONLY = frozenset({USD})


def event_ref(event: Event, event_id: int) -> str:
    """The id reports show for this event's lot or sale: the source trade id when given."""
    return event.trade_id or f"E{event_id}"


def legs_for(event: Event, event_id: int, usd_assets: frozenset[str] = _USD_ONLY) -> list[Leg]:
    side = event.side
    if side == UNCLASSIFIED:
        return []  # kept as a problem to resolve, never guessed into the lots
    ref = event_ref(event, event_id)
    account, asset, timestamp, quantity = event.account, event.asset, event.timestamp, event.quantity
    quote_is_usd = event.quote in usd_assets
    value = _usd_value(event, quote_is_usd)
    # in USD the quote's quantity is the value, worked out the same way (subtotal, else quantity x price)
    quote_quantity = value if quote_is_usd else _quote_quantity(event)
    fee_usd, fee_flag = (
        (ZERO, None) if not event.fee else _fee_value(event, value, quote_quantity, usd_assets)
    )
    # legs are built positionally (seq, account, asset, kind, timestamp, quantity, usd, ref,
    # identification, counterpart, tx_id, flag): this runs once per imported row
    legs: list[Leg] = []
    if side == MIGRATE:
        assert event.subtotal is not None  # the new asset's quantity (the importer sets it)
        return [
            Leg(0, account, asset, MIGRATE_OUT, timestamp, quantity, None, ref),
            Leg(1, account, event.quote, MIGRATE_IN, timestamp, event.subtotal, None, ref),
        ]
    if side in ("buy", "sell", "spend", "income"):
        missing = None if value is not None else f"no USD price for {asset} in {event.quote}"
        if side == "buy":
            # cash purchase: the fee is part of the cost; crypto-to-crypto: fees go to the
            # disposed quote asset instead
            basis = value
            if quote_is_usd and basis is not None:
                basis = None if fee_usd is None else Amount(basis + fee_usd)
            flag = missing or (fee_flag if quote_is_usd else None)
            legs.append(
                Leg(0, account, asset, ACQUIRE, timestamp, quantity, basis, ref, None, None, None, flag)
            )
            if not quote_is_usd:
                assert quote_quantity is not None
                proceeds = None if value is None or fee_usd is None else Amount(value - fee_usd)
                legs.append(Leg(1, account, event.quote, DISPOSE, timestamp, quote_quantity, proceeds,
                                f"{ref}:{event.quote}", None, None, None, missing or fee_flag))  # fmt: skip
        elif side == "income":
            legs.append(
                Leg(0, account, asset, ACQUIRE, timestamp, quantity, value, ref, None, None, None, missing)
            )
        else:  # sell or spend
            proceeds = None if value is None or fee_usd is None else Amount(value - fee_usd)
            legs.append(Leg(0, account, asset, DISPOSE, timestamp, quantity, proceeds, ref, event.lots, None, None,
                            missing or fee_flag))  # fmt: skip
            if side == "sell" and not quote_is_usd:
                assert quote_quantity is not None
                legs.append(Leg(1, account, event.quote, ACQUIRE, timestamp, quote_quantity, value,
                                f"{ref}:{event.quote}", None, None, None, missing))  # fmt: skip
    elif side in ("transfer_out", "transfer_in"):
        kind = MOVE_OUT if side == "transfer_out" else MOVE_IN
        legs.append(Leg(0, account, asset, kind, timestamp, quantity, None, ref, None, event.counterpart_account,
                        event.tx_id, None))  # fmt: skip
    else:  # pragma: no cover - the importer only admits SIDES
        raise ValueError(f"unknown side {side}")

    if event.fee and event.fee_asset not in usd_assets:
        # a fee paid in crypto is itself a disposal of that crypto at its market value
        legs.append(Leg(len(legs), account, event.fee_asset, DISPOSE, timestamp, event.fee, fee_usd, f"{ref}:fee",
                        None, None, None, fee_flag))  # fmt: skip
    return legs


_USD_TRADE_KINDS = {"buy": ACQUIRE, "sell": DISPOSE}


def usd_trade_leg(event: Event, usd_assets: frozenset[str] = _USD_ONLY) -> tuple[int, Amount] | None:
    """The kind and USD value of the one leg legs_for gives the commonest record — a buy or sell
    priced in a USD asset, no subtotal, no lots named, its fee none or in a USD asset: quantity x
    price, the fee added to the basis or taken off the proceeds — worked out without building the
    legs (an import asks once per row). None for any other record: legs_for then builds them."""
    kind = _USD_TRADE_KINDS.get(event.side)
    price = event.price
    if (
        kind is None
        or price is None
        or event.subtotal is not None
        or event.lots is not None
        or event.quote not in usd_assets
    ):
        return None
    fee = event.fee
    if fee and event.fee_asset not in usd_assets:
        return None
    value = fp.mul(event.quantity, price)
    return kind, Amount(value + fee if kind == ACQUIRE else value - fee)


def _usd_value(event: Event, quote_is_usd: bool) -> Amount | None:
    """USD value of the record's quantity: the exact total when the source gave one."""
    if quote_is_usd:
        if event.subtotal is not None:
            return event.subtotal
        return None if event.price is None else fp.mul(event.quantity, event.price)
    if event.value_usd is not None:
        return event.value_usd
    if event.price_usd is None or (event.price is None and event.subtotal is None):
        return None
    return fp.mul(event.quantity, event.price_usd)


def _quote_quantity(event: Event) -> Amount | None:
    """How much of the quote asset changed hands: the exact total when the source gave one."""
    if event.subtotal is not None:
        return event.subtotal
    return None if event.price is None else fp.mul(event.quantity, event.price)


def _fee_value(
    event: Event, value: Amount | None, quote_quantity: Amount | None, usd_assets: frozenset[str]
) -> tuple[Amount | None, str | None]:
    """USD value of the fee and, when it cannot be known, why."""
    if event.fee == 0:
        return Amount(0), None
    if event.fee_asset in usd_assets:
        return event.fee, None
    if event.fee_usd is not None:
        return event.fee_usd, None
    unit_usd = event.price if event.quote in usd_assets else event.price_usd
    exact = event.subtotal is not None or event.value_usd is not None
    if event.fee_asset == event.asset:
        if unit_usd is not None and not exact:
            return fp.mul(event.fee, unit_usd), None
        if value is not None and event.quantity:
            # the fee's share of the exact value: fee / quantity of it
            return Amount(fp.div_round(event.fee * value, event.quantity)), None
    if event.fee_asset == event.quote and value is not None:
        if exact and quote_quantity:
            return Amount(fp.div_round(event.fee * value, quote_quantity)), None
        if unit_usd is not None and event.price:
            # the quote's USD price is the asset's USD price divided by its price in the quote
            return Amount(fp.div_round(event.fee * unit_usd, event.price)), None
    return None, f"no USD value for the fee in {event.fee_asset}"


def build_ledger(events: list[Event], usd_assets: frozenset[str] = _USD_ONLY) -> Ledger:
    """An in-memory ledger (no store), in the order the store would give: for scripts and tests."""
    pools: dict[tuple[str, str], int] = {}
    keyed: list[tuple[int, int, int, LegRow]] = []
    for event_id, event in enumerate(events, start=1):
        for leg in legs_for(event, event_id, usd_assets):
            pool_id = pools.setdefault((leg.account, leg.asset), len(pools) + 1)
            has_extra = leg.identification or leg.counterpart or leg.tx_id or leg.flag
            extra = LegExtra(leg.identification, leg.counterpart, leg.tx_id, leg.flag) if has_extra else None
            row: LegRow = (pool_id, leg.kind, leg.timestamp, leg.quantity, leg.usd, leg.ref, extra)
            keyed.append((leg.timestamp, event_id, leg.seq, row))
    keyed.sort(key=lambda item: item[:3])
    return Ledger({pool_id: names for names, pool_id in pools.items()}, [item[3] for item in keyed])
