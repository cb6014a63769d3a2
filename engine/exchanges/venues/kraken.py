"""Kraken: trades newest first, 50 a page by `ofs` offsets (ccxt does not page them), in passes
whose watermark moves only once a pass is whole; deposits and withdrawals by time (with their
address and hash); then the ledger (Ledgers, newest first by `ofs` too) for what trades and
transfers do not hold — rewards, instant buys, staking moves, and transfers older than the
deposit and withdrawal endpoints reach (kraken_ledger.py). The balance folds the staking
variants (`DOT.S`, `BTC.M`…) into their asset, as the ledger does."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.core.units import EpochMillis
from engine.exchanges.paging import Record, newest_first_pass, trades_by_offset
from engine.exchanges.streams import Balance, Markets, Stream, SyncContext, Venue
from engine.exchanges.venues.generic import transfer_streams
from engine.exchanges.venues.kraken_ledger import INSTANT, LedgerConverter, asset_code
from engine.ledger.events import Event

PAGE = 50  # TradesHistory's and Ledgers' page: a shorter one is the last
LEDGER = "ledger"


@dataclass
class Trades:
    name: str = "trades"

    def run(self, ctx: SyncContext) -> None:
        trades_by_offset(ctx, PAGE)


@dataclass
class Ledger:
    name: str = "ledger"

    def run(self, ctx: SyncContext) -> None:
        converter = LedgerConverter(ctx.account.name, ctx.usd_assets)
        last_page = False

        def fetch(start: EpochMillis | None, after: str | None) -> tuple[list[Record], str | None]:
            nonlocal last_page
            offset = int(after or 0)
            page: list[Record] = ctx.client.method("fetch_ledger", None, start, None, {"ofs": offset})
            last_page = len(page) < PAGE
            if last_page:
                return page, None
            # a page ends before an instant buy whose other half is on the next one, so a pass
            # killed between the two pages never stores one half without the other. ccxt sorts
            # the page oldest first (stably): newest first again, it is in the API's order.
            listed = sorted(page, key=lambda entry: -int(entry.get("timestamp") or 0))
            cut = first_lone_half(listed, set(converter.halves))
            kept = listed[:cut] if cut else listed
            return kept, str(offset + len(kept))

        def convert(page: list[Record]) -> tuple[list[Event], int | None]:
            events, held = converter.convert(page, last_page)
            ctx.report.rejected.extend(converter.rejected)
            converter.rejected.clear()
            return events, held

        stamp = lambda entry: int(entry.get("timestamp") or 0)  # noqa: E731
        newest_first_pass(ctx, LEDGER, fetch, convert, stamp)


def first_lone_half(page: list[Record], waiting: set[str]) -> int | None:
    """Where the first spend/receive whose other half is not on the page (nor waiting) sits."""
    halves = [str((r.get("info") or {}).get("refid")) if (r.get("info") or {}).get("type") in INSTANT else None
              for r in page]  # fmt: skip
    for index, refid in enumerate(halves):
        if refid is not None and refid not in waiting and halves.count(refid) == 1:
            return index
    return None


def balance(ctx: SyncContext) -> Balance:
    totals: Balance = {}
    for code, amount in ctx.client.balance().items():
        asset = asset_code(code)
        totals[asset] = totals.get(asset, Decimal(0)) + amount
    return totals


def streams(ctx: SyncContext, markets: Markets, balance: Balance) -> list[Stream]:
    found: list[Stream] = [*transfer_streams(ctx.client), Trades()]
    if ctx.client.has("fetchLedger"):
        found.append(Ledger())
    return found


VENUE = Venue(streams, balance)
