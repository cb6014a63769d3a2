"""Coinbase (ccxt `coinbase`: Advanced Trade with CDP API keys, and the v2 app API).

- Fills (`fetch_my_trades`, Advanced Trade) come newest first with a `cursor` to older pages:
  each sync walks them from the newest down to the last pass's watermark (by sequence time), and
  the watermark moves only once the pass is whole (a killed pass resumes at its cursor).
- Balances come from every v2 wallet, all pages (ccxt's fetch_balance reads one page).
- Each crypto wallet's v2 transactions (`fetch_ledger` with its account id — never
  `fetch_deposits(None)`, which needs one) hold what fills do not: sends and receives, staking
  rewards, Convert trades, simple-app buys and sells (coinbase_transactions.py). Newest first,
  `starting_after` pages, walked down to the last watermark; a wallet whose balance and update
  time are as the last complete pass left them, with nothing held, is not read again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.core.units import EpochMillis
from engine.exchanges.paging import PassState, Record, newest_first_pass, trade_converter
from engine.exchanges.streams import Balance, Markets, Stream, SyncContext, Venue
from engine.exchanges.venues.coinbase_transactions import iso_millis, needs_reading, transaction_event
from engine.ledger.events import Event

FILLS = "fills"  # a new stream: the time cursor ("trades:*") older versions kept skipped history
FILLS_LIMIT = 3000  # ccxt's features: what a page may ask; Coinbase caps it lower
FILL_OVERLAP_MS = 60_000
V2_LIMIT = 100  # v2 pages: 1..100
LEDGER_OVERLAP_MS = 60_000


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def fill_time(trade: Record) -> int:
    """The fill's sequence time (what the API filters on), else its trade time."""
    info = trade.get("info") or {}
    return iso_millis(info.get("sequence_timestamp")) or int(trade.get("timestamp") or 0)


@dataclass
class Fills:
    name: str = "trades (Advanced Trade fills)"

    def run(self, ctx: SyncContext) -> None:
        def fetch(start: EpochMillis | None, after: str | None) -> tuple[list[Record], str | None]:
            params: dict[str, Any] = {}
            if start is not None:  # as a param, not `since`: ccxt would filter by trade time too
                params["start_sequence_timestamp"] = _iso(start)
            if after:
                params["cursor"] = after
            page = ctx.client.my_trades(None, None, FILLS_LIMIT, params)
            # ccxt puts the response's cursor on the newest fill's info (the list is re-sorted)
            cursors = [str(t["info"]["cursor"]) for t in page if (t.get("info") or {}).get("cursor")]
            return page, cursors[0] if cursors else None

        newest_first_pass(ctx, FILLS, fetch, trade_converter(ctx), fill_time, overlap_ms=FILL_OVERLAP_MS)


@dataclass
class WalletTransactions:
    wallet: dict[str, Any]

    @property
    def name(self) -> str:
        return f"transactions {self.wallet.get('name') or self.wallet.get('id')}"

    def seen(self) -> str:
        """What says the wallet changed: its balance and its update time."""
        balance = self.wallet.get("balance") or {}
        return f"{balance.get('amount')}|{self.wallet.get('updated_at')}"

    def run(self, ctx: SyncContext) -> None:
        wallet_id = str(self.wallet["id"])
        stream = f"transactions:{wallet_id}"
        state = PassState.parse(ctx.cursor(stream))
        if (
            state.since is not None
            and state.next is None
            and state.hold is None
            and state.extra.get("seen") == self.seen()
        ):
            return  # unchanged since a complete pass, nothing held: no request

        def fetch(start: EpochMillis | None, after: str | None) -> tuple[list[Record], str | None]:
            params: dict[str, Any] = {"account_id": wallet_id}
            if after:
                params["starting_after"] = after
            page: list[Record] = ctx.client.method("fetch_ledger", None, None, V2_LIMIT, params)
            cursors = [
                str(e["info"]["next_starting_after"])
                for e in page
                if (e.get("info") or {}).get("next_starting_after")
            ]
            return page, cursors[0] if cursors else None

        def convert(page: list[Record]) -> tuple[list[Event], int | None]:
            events: list[Event] = []
            held: int | None = None
            for entry in page:
                info = entry.get("info") or {}
                at = int(entry.get("timestamp") or 0) - 1
                if not needs_reading(info):
                    continue
                if info.get("status") != "completed":
                    ctx.report.pending += 1
                    held = at if held is None else min(held, at)
                    continue
                converted = transaction_event(info, ctx.account.name, ctx.usd_assets)
                if isinstance(converted, str):
                    ctx.report.rejected.append(converted)
                    held = at if held is None else min(held, at)
                elif converted is not None:
                    events.append(converted)
            return events, held

        stamp = lambda entry: int(entry.get("timestamp") or 0)  # noqa: E731
        newest_first_pass(ctx, stream, fetch, convert, stamp, overlap_ms=LEDGER_OVERLAP_MS,
                          done_extra={"seen": self.seen()})  # fmt: skip


def wallets(ctx: SyncContext) -> list[dict[str, Any]]:
    """Every v2 wallet, page after page."""
    found: dict[str, dict[str, Any]] = {}
    after: str | None = None
    while True:
        params: dict[str, Any] = {"limit": V2_LIMIT, **({"starting_after": after} if after else {})}
        response = ctx.client.method("v2PrivateGetAccounts", params)
        page = [w for w in response.get("data") or [] if isinstance(w, dict) and w.get("id")]
        fresh = [w for w in page if str(w["id"]) not in found]
        found.update((str(w["id"]), w) for w in fresh)
        after = (response.get("pagination") or {}).get("next_starting_after")
        if not after or not fresh:  # the end, or a page that brings nothing new: never loop
            return list(found.values())


def balance(ctx: SyncContext) -> Balance:
    listed = ctx.scratch["wallets"] = wallets(ctx)
    totals: Balance = {}
    for wallet in listed:
        money = wallet.get("balance") or {}
        try:
            amount = Decimal(str(money.get("amount")))
        except (InvalidOperation, ValueError):
            continue
        code = str(money.get("currency") or "")
        if code and amount.is_finite():
            totals[code] = totals.get(code, Decimal(0)) + amount
    return totals


def streams(ctx: SyncContext, markets: Markets, balance: Balance) -> list[Stream]:
    found: list[Stream] = [Fills()]
    for wallet in ctx.scratch.get("wallets") or []:
        currency = str((wallet.get("balance") or {}).get("currency") or "")
        if wallet.get("type") == "fiat" or currency in ctx.usd_assets:
            continue  # cash: nothing there is a lot
        found.append(WalletTransactions(wallet))
    return found


VENUE = Venue(streams, balance)
