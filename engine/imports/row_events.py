"""The events a row of a tax tool's or an app's export becomes, built one way for every format
that describes a row as what was sent, what was received and a fee (Koinly, CoinTracker,
CoinLedger, Crypto.com, Binance.US, Cash App, Robinhood).

Rules shared by those formats:
- a trade with USD on one side is a buy or sell in USD, its subtotal the USD amount exactly;
  one with another cash currency (EUR) is a buy or sell in USD at the USD value the file gives
  (harvest keeps no lots of foreign cash); crypto for crypto is a sale of what was sent with the
  received asset as its quote (two legs: a disposal and an acquisition), valued at the USD value
  the file gives; without a USD value either is kept and flagged as needing a price;
- a fee is its own amount in its own asset (never taken out of the quantities), with its USD
  value when the file gives one;
- income is valued at the USD value the file gives, else flagged (never zero)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from engine.core.units import Amount, EpochMicros
from engine.imports.rows import Cells, unit_price
from engine.ledger.events import MIGRATE, UNCLASSIFIED, USD, Event

# currencies that are cash, not crypto: moving them in or out of an app is not a crypto event
FIAT = frozenset({"USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF", "SGD", "NZD", "HKD", "MXN", "BRL"})


@dataclass(frozen=True, slots=True)
class Flow:
    """An amount of one asset moving (always positive), with its USD value when the file says."""

    asset: str
    quantity: Amount
    usd: Amount | None = None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where and when a row happened, and the ids it carries."""

    account: str
    timestamp: EpochMicros
    source: str
    trade_id: str | None = None
    tx_id: str | None = None
    note: str | None = None

    def with_id(self, suffix: str) -> Origin:
        """The same origin for a second event of one row (its id told apart by a suffix)."""
        return replace(self, trade_id=f"{self.trade_id}:{suffix}") if self.trade_id else self


def read_flow(cells: Cells, amount: str, currency: str, usd: Amount | None = None) -> Flow | None:
    """The amount of one asset a pair of columns holds (its sign dropped), or None when both are
    blank or the amount is zero; half of a pair, or a cell that is not a number, is a problem."""
    raw_amount, asset = cells.get(amount), cells.get(currency).upper()
    if not raw_amount and not asset:
        return None
    quantity = cells.number(amount)
    if not asset:
        cells.bad(currency, f"missing value (the amount {raw_amount} has no currency)")
        return None
    if not quantity:
        return None
    return Flow(asset, Amount(abs(quantity)), usd)


def _event(origin: Origin, flow: Flow, side: str, **fields: Any) -> Event:
    event = Event(account=origin.account, asset=flow.asset, side=side, timestamp=origin.timestamp,
                  quantity=flow.quantity, price=None, fee=Amount(0), trade_id=origin.trade_id,
                  tx_id=origin.tx_id, note=origin.note, source=origin.source)  # fmt: skip
    return event._replace(**fields) if fields else event


def fee_fields(fee: Flow | None) -> dict[str, Any]:
    """The Event fields of a fee: its amount, its asset and (for crypto) its USD value."""
    if fee is None or fee.quantity == 0:
        return {}
    fields: dict[str, Any] = {"fee": fee.quantity, "fee_asset": fee.asset}
    if fee.asset != USD and fee.usd is not None:
        fields["fee_usd"] = fee.usd
    return fields


def trade(origin: Origin, sent: Flow, received: Flow, fee: Flow | None = None) -> Event | None:
    """One trade from what was sent and what was received; None for cash for cash."""
    if sent.asset in FIAT and received.asset in FIAT:
        return None
    value = sent.usd if sent.usd is not None else received.usd
    if value is not None and sent.asset in FIAT and sent.asset != USD:  # paid in EUR: at its USD value
        sent = Flow(USD, value)
    elif value is not None and received.asset in FIAT and received.asset != USD:
        received = Flow(USD, value)
    if sent.asset == USD:
        return _event(origin, received, "buy", price=unit_price(sent.quantity, received.quantity),
                      subtotal=sent.quantity, **fee_fields(fee))  # fmt: skip
    if received.asset == USD:
        return _event(origin, sent, "sell", price=unit_price(received.quantity, sent.quantity),
                      subtotal=received.quantity, **fee_fields(fee))  # fmt: skip
    if sent.asset in FIAT:  # another cash currency and no USD value: the crypto is the asset (flagged)
        return _event(origin, received, "buy", price=unit_price(sent.quantity, received.quantity),
                      quote=sent.asset, subtotal=sent.quantity, **fee_fields(fee))  # fmt: skip
    return _event(origin, sent, "sell", price=unit_price(received.quantity, sent.quantity), quote=received.asset,
                  subtotal=received.quantity, value_usd=value, **fee_fields(fee))  # fmt: skip


def income(origin: Origin, got: Flow, fee: Flow | None = None) -> Event:
    """A reward, interest, airdrop or mining income at its fair market value (None: flagged)."""
    price = unit_price(got.usd, got.quantity) if got.usd is not None else None
    return _event(origin, got, "income", price=price, subtotal=got.usd, **fee_fields(fee))


def spend(origin: Origin, spent: Flow, fee: Flow | None = None) -> Event:
    """A disposal for goods, services or a fee, at the USD value the file gives (None: flagged)."""
    price = unit_price(spent.usd, spent.quantity) if spent.usd is not None else None
    return _event(origin, spent, "spend", price=price, subtotal=spent.usd, **fee_fields(fee))


def transfer(
    origin: Origin,
    moved: Flow,
    *,
    outgoing: bool,
    fee: Flow | None = None,
    address: str | None = None,
    counterpart: str | None = None,
) -> Event:
    """A move in or out of the account (a fee paid on the way out is in its own asset)."""
    side = "transfer_out" if outgoing else "transfer_in"
    return _event(origin, moved, side, address=address or None, counterpart_account=counterpart,
                  **fee_fields(fee))  # fmt: skip


def migration(origin: Origin, old: Flow, new: Flow) -> Event:
    """A non-taxable swap of one token for its successor: lots move with basis and dates."""
    return _event(origin, old, MIGRATE, price=unit_price(new.quantity, old.quantity), quote=new.asset,
                  subtotal=new.quantity)  # fmt: skip


def unclassified(origin: Origin, flow: Flow) -> Event:
    """A row harvest cannot classify: kept with its type in the note, out of results."""
    return _event(origin, flow, UNCLASSIFIED)
