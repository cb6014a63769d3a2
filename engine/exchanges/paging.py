"""How a history is paged, one strategy per way exchange APIs really page; a venue module
(venues/<exchange>.py) picks one per stream.

- `TradesById`: ascending ids (`fromId`, Binance); the cursor is the next id.
- `TradesByTime`: ascending by time from the cursor, in windows where the exchange caps a
  request's span (ccxt's `untilDays`).
- `TransfersByTime`: deposits/withdrawals by time, walked in windows where the exchange serves
  history only so (Binance: 90 days); a pending record holds the cursor.
- `newest_first_pass`: newest-first pages chained by a cursor or an offset (Coinbase fills and
  transactions, Kraken's `ofs`). The stored watermark moves only once a whole pass is stored;
  until then the stream's state records the pass in progress (its next cursor), so a sync killed
  mid-pass resumes at the page it stopped at, and records held (pending, rejected) are read
  again by the next pass.
- `Unavailable`: a stream the exchange's API cannot give; it marks the account incomplete."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.core.units import EpochMillis
from engine.exchanges.ccxt_adapter import StreamUnavailable
from engine.exchanges.streams import (
    DAY_MS,
    FIRST_SINCE_MS,
    SETTLE_MS,
    SINCE_OVERLAP_MS,
    SyncContext,
)
from engine.ledger.events import Event

Record = dict[str, Any]


@dataclass
class Unavailable:
    """A stream that cannot be fetched from this exchange, and why."""

    name: str
    reason: str

    def run(self, ctx: SyncContext) -> None:
        raise StreamUnavailable(ctx.account.name, self.reason)


@dataclass
class TradesById:
    """Ascending `fromId` pages, ids counted per market; the cursor is the next id. `traded`
    says whether the market has any trade (stored before or now)."""

    symbol: str
    limit: int
    traded: bool = False

    @property
    def name(self) -> str:
        return f"trades {self.symbol}"

    def run(self, ctx: SyncContext) -> None:
        stream = f"trades:{self.symbol}"
        cursor = int(ctx.cursor(stream) or 0)
        self.traded = cursor > 0
        while True:
            page = ctx.client.my_trades(self.symbol, None, self.limit, {"fromId": cursor})
            if not page:
                return
            self.traded = True
            ids = [int(t["id"]) for t in page if str(t.get("id", "")).isdigit()]
            if not ids:  # ids that are not numbers: fromId paging cannot go on; keep what came
                ctx.store_trades(page, stream, None)
                return
            cursor = max(ids) + 1
            ctx.store_trades(page, stream, str(cursor))
            if len(page) < self.limit:
                return


@dataclass
class TradesByTime:
    """Ascending by time from the cursor, page after page; where the exchange caps a request's
    span (`window_days`), window after window up to now, the cursor moving through quiet ones."""

    symbol: str | None
    limit: int | None
    window_days: int | None = None
    traded: bool = False

    @property
    def name(self) -> str:
        return f"trades {self.symbol}" if self.symbol else "trades"

    def run(self, ctx: SyncContext) -> None:
        stream = f"trades:{self.symbol or '*'}"
        since_text = ctx.cursor(stream)
        self.traded = since_text is not None
        since = EpochMillis(int(since_text) - SINCE_OVERLAP_MS) if since_text else FIRST_SINCE_MS
        if not self.window_days:
            self.pages(ctx, stream, since, None)
            return
        now = ctx.now_ms()
        while since <= now:
            end = EpochMillis(min(since + self.window_days * DAY_MS - 1, now))
            newest = self.pages(ctx, stream, since, end)
            settled = min(end, now - SETTLE_MS)  # the last day may still gain late records
            if settled > newest:
                ctx.set_cursor(stream, str(settled))
            since = EpochMillis(end + 1)

    def pages(self, ctx: SyncContext, stream: str, since: EpochMillis, until: EpochMillis | None) -> int:
        """Pages from `since` (to `until`); returns the newest time stored (or `since`)."""
        params = {} if until is None else {"until": until}
        newest = int(since)
        while True:
            page = ctx.client.my_trades(self.symbol, since, self.limit, params)
            fresh = [t for t in page if int(t.get("timestamp") or 0) >= since]
            if not fresh:
                return newest
            self.traded = True
            newest = max(int(t.get("timestamp") or 0) for t in fresh)
            ctx.store_trades(fresh, stream, str(newest))
            if newest <= since or (self.limit and len(page) < self.limit):
                return newest
            since = EpochMillis(newest)


@dataclass
class TransfersByTime:
    """Deposits or withdrawals (`kind` None: both, from `fetchDepositsWithdrawals`). The cursor
    (a time) never passes a record still pending or rejected; where the exchange serves history
    in windows (`history`: first day worth asking, days a request) the whole history is walked
    window by window, the cursor moving with each."""

    kind: str | None
    history: tuple[int, int] | None = None

    @property
    def name(self) -> str:
        return f"{self.kind}s" if self.kind else "deposits and withdrawals"

    def run(self, ctx: SyncContext) -> None:
        stream = f"{self.kind}s" if self.kind else "transfers"
        since_text = ctx.cursor(stream)
        if self.history is None:
            since = EpochMillis(int(since_text) - SINCE_OVERLAP_MS) if since_text else None
            records = ctx.client.transfers(self.kind or "transfer", since, None)
            ctx.store_transfers(records, self.kind, stream, since, int(since_text or 0), None)
            return
        first_ms, days = self.history
        now = ctx.now_ms()
        start = EpochMillis(int(since_text) - SINCE_OVERLAP_MS if since_text else first_ms)
        ceiling: int | None = None  # the cursor stays below the first pending or rejected record
        while start <= now:
            end = EpochMillis(min(start + days * DAY_MS - 1, now))
            settled = min(end, now - SETTLE_MS)  # the last day may still gain late records
            records = ctx.client.transfers(self.kind or "transfer", start, end)
            ceiling = ctx.store_transfers(records, self.kind, stream, start, settled, ceiling)
            start = EpochMillis(end + 1)


@dataclass
class PassState:
    """A newest-first stream's stored state: the watermark of the last complete pass, and the
    pass in progress (its next page, the newest time seen, the oldest time held)."""

    since: int | None = None
    next: str | None = None
    newest: int = 0
    hold: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str | None) -> PassState:
        if not text:
            return cls()
        if text.lstrip("-").isdigit():  # before passes kept state: the watermark alone
            return cls(since=int(text), newest=int(text))
        try:
            data = json.loads(text)
        except json.JSONDecodeError:  # a state this version cannot read: walk the stream again
            return cls()
        if not isinstance(data, dict):
            return cls()
        known = {"since", "next", "newest", "hold"}
        return cls(
            since=data.get("since"),
            next=data.get("next"),
            newest=int(data.get("newest") or data.get("since") or 0),
            hold=data.get("hold"),
            extra={k: v for k, v in data.items() if k not in known},
        )

    def text(self) -> str:
        data: dict[str, Any] = {"since": self.since, **self.extra}
        if self.next is not None:
            data.update(next=self.next, newest=self.newest)
        if self.hold is not None:
            data.update(hold=self.hold)
        return json.dumps(data, sort_keys=True)


# fetch(start, after) -> (page, the cursor of the next page or None); start is the lowest time
# wanted (None: all), after the cursor of the page wanted (None: the newest)
PageFetch = Callable[[EpochMillis | None, str | None], tuple[list[Record], str | None]]
# convert(page) -> (events, the time from which records must be read again, or None)
PageConvert = Callable[[list[Record]], tuple[list[Event], int | None]]


def newest_first_pass(
    ctx: SyncContext,
    stream: str,
    fetch: PageFetch,
    convert: PageConvert,
    stamp: Callable[[Record], int],
    *,
    overlap_ms: int = SINCE_OVERLAP_MS,
    done_extra: dict[str, Any] | None = None,
) -> None:
    """Walk newest-first pages from the newest down to the last pass's watermark (less an
    overlap; natural keys dedupe it), storing each page with the pass's progress; the
    watermark moves to the newest time seen (never past a held record) only at the end."""
    state = PassState.parse(ctx.cursor(stream))
    since = state.since
    start = None if since is None else EpochMillis(max(0, since - overlap_ms))
    after, newest = state.next, max(state.newest, since or 0)
    hold = state.hold if after is not None else None  # a new pass judges held records afresh
    visited = {after} if after else set()
    while True:
        page, following = fetch(start, after)
        stamps = [stamp(record) for record in page]
        events, held = convert(page)
        ctx.report.fetched += len(page)
        if held is not None:
            hold = held if hold is None else min(hold, held)
        newest = max([newest, *stamps])
        reached = start is not None and bool(stamps) and min(stamps) < start
        stalled = following in visited  # a cursor met before this run: never loop
        visited.add(str(following))
        if not page or not following or stalled or reached:
            watermark = newest if hold is None else min(newest, hold)
            done = PassState(since=watermark if watermark > 0 else None, hold=hold, extra=done_extra or {})
            ctx.commit(events, stream, done.text())
            return
        progress = PassState(since, following, newest, hold, state.extra)
        ctx.commit(events, stream, progress.text())
        after = following


def trade_converter(ctx: SyncContext) -> PageConvert:
    """Unified trades to events; a rejected trade is held (read again by the next pass)."""

    def convert(page: list[Record]) -> tuple[list[Event], int | None]:
        events: list[Event] = []
        held: int | None = None
        for trade in page:
            converted = ctx.client.trade_event(trade)
            if isinstance(converted, str):
                ctx.report.rejected.append(converted)
                at = int(trade.get("timestamp") or 0) - 1
                held = at if held is None else min(held, at)
            else:
                events.append(converted)
        return events, held

    return convert


def trades_by_offset(ctx: SyncContext, page_size: int) -> None:
    """Newest first, `ofs` offsets (Kraken: 50 a page, `start` exclusive in seconds)."""

    def fetch(start: EpochMillis | None, after: str | None) -> tuple[list[Record], str | None]:
        offset = int(after or 0)
        page = ctx.client.my_trades(None, start, None, {"ofs": offset})
        return page, str(offset + len(page)) if len(page) >= page_size else None

    newest_first_pass(ctx, "trades", fetch, trade_converter(ctx), lambda t: int(t.get("timestamp") or 0))
