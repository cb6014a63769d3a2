"""The oracle: engine/ledger/legs.py as it was before the speed work (commit e5011f3), kept
unchanged so the fast import can be checked against it; not used by harvest.

Events to ledger legs: every acquisition and disposal a record implies, valued in USD.

A buy of BTC for ETH is two legs (dispose ETH, acquire BTC); a fee paid in a crypto asset is a
disposal of that asset; a transfer is a move of lots between own accounts; a migration (MATIC ->
POL) moves lots to the new asset, basis and dates unchanged; an unclassified row has no legs.
When a record carries exact totals (`subtotal`, `value_usd`) they are used instead of quantity x
price, so a value read from a file is the value the lots get, to the last unit. Rules (Treas. Reg.
1.1012-1(h), 1.1001-7(b)): a purchase fee adds to basis, a sale fee reduces proceeds, and in a
crypto-to-crypto trade all fees reduce the disposed asset's proceeds. A leg whose USD value
cannot be known carries a `flag` and is left out of results with a warning, never valued at 0."""

from __future__ import annotations

from dataclasses import dataclass

from engine.core import fixedpoint as fp
from engine.core.units import Amount, EpochMicros
from engine.ledger.events import MIGRATE, UNCLASSIFIED, USD, Event

ACQUIRE = 0
DISPOSE = 1
MOVE_OUT = 2
MOVE_IN = 3
MIGRATE_OUT = 4  # the old asset's lots leave its pool ...
MIGRATE_IN = 5  # ... and arrive in the new asset's pool (the next leg), scaled to its quantity


@dataclass(frozen=True, slots=True)
class Leg:
    seq: int
    account: str
    asset: str
    kind: int  # ACQUIRE, DISPOSE, MOVE_OUT or MOVE_IN
    timestamp: EpochMicros
    quantity: Amount
    usd: Amount | None  # basis for an acquisition, proceeds for a disposal, None if unknown
    ref: str  # lot id for an acquisition, sale id for a disposal
    identification: str | None = None
    counterpart: str | None = None
    tx_id: str | None = None
    flag: str | None = None


def event_ref(event: Event, event_id: int) -> str:
    """The id reports show for this event's lot or sale: the source trade id when given."""
    return event.trade_id or f"E{event_id}"


def legs_for(event: Event, event_id: int, usd_assets: frozenset[str] = frozenset({USD})) -> list[Leg]:
    ref = event_ref(event, event_id)
    side = event.side
    if side == UNCLASSIFIED:
        return []  # kept as a problem to resolve, never guessed into the lots
    quote_is_usd = event.quote in usd_assets
    value = _usd_value(event, quote_is_usd)
    quote_quantity = _quote_quantity(event)
    fee_usd, fee_flag = _fee_value(event, value, quote_quantity, usd_assets)
    legs: list[Leg] = []

    def add(
        kind: int,
        asset: str,
        quantity: Amount,
        usd: Amount | None,
        leg_ref: str,
        *,
        flag: str | None = None,
        identification: str | None = None,
        counterpart: str | None = None,
        tx_id: str | None = None,
    ) -> None:
        legs.append(
            Leg(
                seq=len(legs),
                account=event.account,
                asset=asset,
                kind=kind,
                timestamp=event.timestamp,
                quantity=quantity,
                usd=usd,
                ref=leg_ref,
                identification=identification,
                counterpart=counterpart,
                tx_id=tx_id,
                flag=flag,
            )
        )

    if side == MIGRATE:
        assert event.subtotal is not None  # the new asset's quantity (the importer sets it)
        add(MIGRATE_OUT, event.asset, event.quantity, None, ref)
        add(MIGRATE_IN, event.quote, event.subtotal, None, ref)
        return legs
    if side in ("buy", "sell", "spend", "income"):
        missing = None if value is not None else f"no USD price for {event.asset} in {event.quote}"
        if side == "buy":
            # cash purchase: the fee is part of the cost; crypto-to-crypto: fees go to the
            # disposed quote asset instead
            basis = value
            if quote_is_usd and basis is not None:
                basis = None if fee_usd is None else Amount(basis + fee_usd)
            add(
                ACQUIRE,
                event.asset,
                event.quantity,
                basis,
                ref,
                flag=missing or (fee_flag if quote_is_usd else None),
            )
            if not quote_is_usd:
                assert quote_quantity is not None
                proceeds = None if value is None or fee_usd is None else Amount(value - fee_usd)
                add(
                    DISPOSE,
                    event.quote,
                    quote_quantity,
                    proceeds,
                    f"{ref}:{event.quote}",
                    flag=missing or fee_flag,
                )
        elif side == "income":
            add(ACQUIRE, event.asset, event.quantity, value, ref, flag=missing)
        else:  # sell or spend
            proceeds = None if value is None or fee_usd is None else Amount(value - fee_usd)
            add(
                DISPOSE,
                event.asset,
                event.quantity,
                proceeds,
                ref,
                identification=event.lots,
                flag=missing or fee_flag,
            )
            if side == "sell" and not quote_is_usd:
                assert quote_quantity is not None
                add(
                    ACQUIRE,
                    event.quote,
                    quote_quantity,
                    value,
                    f"{ref}:{event.quote}",
                    flag=missing,
                )
    elif side in ("transfer_out", "transfer_in"):
        add(
            MOVE_OUT if side == "transfer_out" else MOVE_IN,
            event.asset,
            event.quantity,
            None,
            ref,
            counterpart=event.counterpart_account,
            tx_id=event.tx_id,
        )
    else:  # pragma: no cover - the importer only admits SIDES
        raise ValueError(f"unknown side {side}")

    if event.fee and event.fee_asset not in usd_assets:
        # a fee paid in crypto is itself a disposal of that crypto at its market value
        add(DISPOSE, event.fee_asset, event.fee, fee_usd, f"{ref}:fee", flag=fee_flag)
    return legs


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
