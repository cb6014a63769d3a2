"""Bitstamp: one history holds every trade, deposit, withdrawal and reward — user_transactions —
read forward by id (`since_id`, ascending, 1,000 a page; the stored id re-read, ids dedupe). The
generic venue asked for the newest 100 (deposits, withdrawals) and 1,000 (trades) only, and
ccxt 4.5.90 finds a deposit's currency by a whole-number test that misses any amount below 1, so
deposits, withdrawals and rewards are read from the raw record here; trades go through ccxt's
parse_trade.

- type 0 deposit, 1 withdrawal (its fee in the asset): transfers; fiat skipped. The API gives no
  address or hash for them.
- type 2: a trade.
- type 27, a staking reward: income valued from its minute's candle (else flagged, never 0).
- types 25 and 26, assets into and out of staking: nothing taxable.
Any other type (sub-account and inter-account transfers, referral rewards …) is rejected by name
and read again next sync."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from engine.core import fixedpoint as fp
from engine.core.units import EpochMillis, millis_to_micros
from engine.exchanges.paging import Record
from engine.exchanges.streams import Balance, Markets, Stream, SyncContext, Venue
from engine.ledger.events import Event

PAGE = 1000  # with since_id, Bitstamp answers 1,000 a page
TRANSFERS = {"0": "deposit", "1": "withdrawal"}
TRADE, REWARD = "2", "27"
STAKING_MOVES = {"25", "26"}
NOT_AMOUNTS = {"id", "datetime", "type", "fee", "order_id", "status", "price"}


def amount_of(record: Record) -> tuple[str, Decimal] | str:
    """The one currency a deposit, withdrawal or reward moved, signed; or why not."""
    moved = []
    for key, value in record.items():
        if key in NOT_AMOUNTS or "_" in key:
            continue
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            continue
        if number.is_finite() and number != 0:
            moved.append((key, number))
    if len(moved) != 1:
        return f"moves {len(moved)} currencies"
    return moved[0]


@dataclass
class Transactions:
    name: str = "transactions (trades, deposits, withdrawals, rewards)"

    def run(self, ctx: SyncContext) -> None:
        stream = "transactions"
        since_id = int(ctx.cursor(stream) or 0)
        held = False  # once a record is rejected the cursor stays below it for this run
        while True:
            params = {"since_id": since_id, "sort": "asc", "limit": PAGE}
            page = ctx.client.method("privatePostUserTransactions", params)
            records = [r for r in page or [] if isinstance(r, dict) and str(r.get("id", "")).isdigit()]
            if not records:
                return
            events: list[Event] = []
            for record in records:
                converted = self.event(ctx, record)
                if isinstance(converted, str):
                    ctx.report.rejected.append(converted)
                    held = True
                elif converted is not None:
                    events.append(converted)
            last = max(int(r["id"]) for r in records)
            ctx.report.fetched += len(records)
            ctx.commit(events, stream, None if held else str(last))
            if len(records) < PAGE or last <= since_id:
                return
            since_id = last

    def event(self, ctx: SyncContext, record: Record) -> Event | str | None:
        kind, ident = str(record.get("type")), str(record.get("id"))
        label = f"bitstamp transaction {ident} (type {kind})"
        if kind in STAKING_MOVES:
            return None
        if kind == TRADE:
            try:
                trade = ctx.client.exchange.parse_trade(record)
            except Exception as exc:  # ccxt trips over a record it cannot place in a market
                return f"{label}: {type(exc).__name__}: {exc}"
            return ctx.client.trade_event(trade)
        if kind not in TRANSFERS and kind != REWARD:
            return f"{label}: this type is not synced; import Bitstamp's transaction export for it"
        moved = amount_of(record)
        ms = ctx.client.exchange.parse8601(str(record.get("datetime") or ""))
        if isinstance(moved, str) or not isinstance(ms, int):
            return f"{label}: {moved if isinstance(moved, str) else 'no time'}"
        code = str(ctx.client.exchange.safe_currency_code(moved[0]))
        if code in ctx.usd_assets:
            return None  # fiat in and out is not a lot
        try:
            fee = Decimal(str(record.get("fee") or "0"))
            event = Event(
                account=ctx.account.name,
                asset=code,
                side="income" if kind == REWARD else "transfer_in" if moved[1] > 0 else "transfer_out",
                timestamp=millis_to_micros(EpochMillis(ms)),
                quantity=fp.from_decimal(abs(moved[1])),
                price=None,
                fee=fp.from_decimal(fee),
                fee_asset=code,
                trade_id=f"{TRANSFERS.get(kind, 'reward')}:{ident}",
                source="ccxt:bitstamp",
            )
        except (fp.FixedPointError, InvalidOperation) as exc:
            return f"{label}: {exc}"
        if kind == REWARD and moved[1] < 0:
            return f"{label}: a negative reward"
        beyond = event.out_of_range()
        return event if beyond is None else f"{label}: {beyond}"


def streams(ctx: SyncContext, markets: Markets, balance: Balance) -> list[Stream]:
    return [Transactions()]


VENUE = Venue(streams)
