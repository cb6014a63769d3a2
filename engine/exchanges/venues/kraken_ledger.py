"""Kraken's ledger (ccxt `fetch_ledger`, the Ledgers endpoint) as events. Amounts come from the raw
entry (exact decimal strings); the asset from ccxt's unified code, with Kraken's staking
variants folded into the asset they stand for (`DOT.S`, `DOT28.S`, `BTC.M`, `ETH2.S` are DOT,
DOT, BTC and ETH: moving into staking changes nothing taxable). Kraken's balance is
`old + amount - fee` for every entry.

- trade: nothing here — the TradesHistory stream has every trade (the entry's refid is the trade
  id), so a trade is never counted twice.
- deposit, withdrawal: transfers (fee in the asset), `deposit:REFID` / `withdrawal:REFID` — the
  ids the deposit and withdrawal streams give the same records, so one is kept (those streams
  run first and carry the address and hash). Fiat is skipped.
- spend + receive with one refid (Buy Crypto, the Kraken app): one trade, the spent side the
  quote.
- staking, earn reward: income, valued in USD from a candle at its minute (valuation.py), else
  flagged as needing a price — never zero.
- earn allocation / deallocation / autoallocation / migration, transfers between spot and
  staking: nothing taxable.
Any other type (margin, rollover, settled, adjustment, airdrops and forks…) is rejected by name
and read again next sync, never guessed."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.core import fixedpoint as fp
from engine.core.units import EpochMillis, millis_to_micros
from engine.ledger.assets import canonical_asset
from engine.ledger.events import Event

SOURCE = "ccxt:kraken"
INTERNAL_EARN = {"allocation", "deallocation", "autoallocation", "migration"}
TRADED = "trade"
TRANSFERS = {"deposit", "withdrawal"}
INSTANT = {"spend", "receive"}


def asset_code(code: str) -> str:
    """The asset a Kraken code stands for: staking variants folded into their asset, legacy codes
    to their coin (the one table: engine.ledger.assets)."""
    return canonical_asset(code)


@dataclass(frozen=True)
class Entry:
    """One ledger entry, exact: what the conversion reads from ccxt's parsed entry."""

    id: str
    refid: str
    kind: str
    subtype: str
    asset: str  # folded (asset_code)
    amount: Decimal  # signed
    fee: Decimal
    ms: int

    @property
    def label(self) -> str:
        return f"kraken ledger {self.id} ({self.kind}{'/' + self.subtype if self.subtype else ''})"


def read_entry(record: dict[str, Any]) -> Entry | str:
    info = record.get("info") or {}
    ident = str(record.get("id") or info.get("id") or "")
    kind, subtype = str(info.get("type") or ""), str(info.get("subtype") or "")
    try:
        amount = Decimal(str(info.get("amount")))
        fee = Decimal(str(info.get("fee") or "0"))
    except (InvalidOperation, ValueError):
        return f"kraken ledger {ident} ({kind}): missing amount"
    code, ms = str(record.get("currency") or ""), record.get("timestamp")
    if not code or not amount.is_finite() or not fee.is_finite():
        return f"kraken ledger {ident} ({kind}): missing amount or asset"
    if not isinstance(ms, int) or ms <= 0:
        return f"kraken ledger {ident} ({kind}): missing or impossible time"
    return Entry(ident, str(info.get("refid") or ""), kind, subtype, asset_code(code), amount, fee, ms)


def is_internal(entry: Entry) -> bool:
    """Moves between spot and staking/earn inside the account: nothing taxable."""
    if entry.kind == "earn":
        return entry.subtype in INTERNAL_EARN
    return entry.kind == "transfer" and "staking" in entry.subtype


def is_income(entry: Entry) -> bool:
    return entry.kind == "staking" or (entry.kind == "earn" and entry.subtype == "reward")


@dataclass
class LedgerConverter:
    """Entries to events, page after page of one pass; a spend waits for its receive (the two
    halves of an instant buy may straddle a page) until the pass's last page, then it is held."""

    account: str
    usd_assets: frozenset[str]
    halves: dict[str, Entry] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)

    def convert(self, records: list[dict[str, Any]], last_page: bool) -> tuple[list[Event], int | None]:
        """(events, the time below which the pass must be read again, or None)."""
        events: list[Event] = []
        held: int | None = None

        def hold(ms: int) -> None:
            nonlocal held
            held = ms - 1 if held is None else min(held, ms - 1)

        for record in records:
            entry = read_entry(record)
            if isinstance(entry, str):
                self.rejected.append(entry)
                hold(int(record.get("timestamp") or 1))
                continue
            converted = self.event(entry)
            if isinstance(converted, str):
                self.rejected.append(converted)
                hold(entry.ms)
            elif converted is not None:
                beyond = converted.out_of_range()
                if beyond is None:
                    events.append(converted)
                else:
                    self.rejected.append(f"{entry.label}: {beyond}")
                    hold(entry.ms)
        if last_page:
            for half in self.halves.values():  # its other half is not in this pass: read again
                hold(half.ms)
            self.halves.clear()
        return events, held

    def event(self, entry: Entry) -> Event | str | None:
        if entry.kind == TRADED or is_internal(entry):
            return None
        try:
            if entry.kind in TRANSFERS:
                return None if entry.asset in self.usd_assets else self.transfer(entry)
            if entry.kind in INSTANT:
                other = self.halves.pop(entry.refid, None)
                if other is None:
                    self.halves[entry.refid] = entry
                    return None
                return self.instant(entry, other)
            if is_income(entry):
                return self.income(entry)
        except fp.FixedPointError as exc:
            return f"{entry.label}: {exc}"
        return f"{entry.label}: this type is not synced; import Kraken's ledgers export for it"

    def base(self, entry: Entry, side: str, quantity: Decimal) -> Event:
        return Event(
            account=self.account,
            asset=entry.asset,
            side=side,
            timestamp=millis_to_micros(EpochMillis(entry.ms)),
            quantity=fp.from_decimal(quantity),
            price=None,
            fee=fp.from_decimal(entry.fee),
            quote="USD",
            fee_asset=entry.asset,
            source=SOURCE,
        )

    def transfer(self, entry: Entry) -> Event | str:
        if entry.amount == 0:
            return f"{entry.label}: missing amount"
        side = "transfer_in" if entry.amount > 0 else "transfer_out"
        event = self.base(entry, side, abs(entry.amount))
        return event._replace(trade_id=f"{entry.kind}:{entry.refid or entry.id}")

    def income(self, entry: Entry) -> Event | str:
        if entry.amount <= 0:
            return f"{entry.label}: not a positive reward"
        # no price: valued from a candle as it is stored, else flagged (never zero)
        return self.base(entry, "income", entry.amount)._replace(trade_id=f"ledger:{entry.id}")

    def instant(self, one: Entry, other: Entry) -> Event | str:
        spend, receive = (one, other) if one.amount < 0 else (other, one)
        if not (spend.amount < 0 < receive.amount):
            return f"{one.label}: spend and receive {one.refid} do not pair (one must leave, one arrive)"
        if spend.fee and receive.fee:
            return f"{one.label}: fees on both sides of {one.refid}"
        spent, received = -spend.amount, receive.amount
        if receive.asset in self.usd_assets and spend.asset not in self.usd_assets:
            asset, quote, side, quantity, value = spend.asset, receive.asset, "sell", spent, received
        else:  # bought with cash, or crypto for crypto: the spent side is the quote
            asset, quote, side, quantity, value = receive.asset, spend.asset, "buy", received, spent
        charged = spend if spend.fee else receive if receive.fee else None
        fee, fee_asset = (charged.fee, charged.asset) if charged else (Decimal(0), quote)
        units = fp.from_decimal(quantity)
        return Event(
            account=self.account,
            asset=asset,
            side=side,
            timestamp=millis_to_micros(EpochMillis(max(spend.ms, receive.ms))),
            quantity=units,
            price=fp.unit_price(fp.from_decimal(value), units),
            fee=fp.from_decimal(fee),
            quote=quote,
            fee_asset=fee_asset,
            trade_id=one.refid,
            source=SOURCE,
        )
