"""One record from two sources: an exchange's own file (`harvest import`) and `harvest sync`.

Natural keys already make re-imports and overlapping files add nothing while keeping real
repeated records (Event.natural_key). What they cannot see is the same fill, reward or transfer
arriving once from a file and once from the exchange's API, under different keys. The rules,
applied by the store as each batch lands (engine.store.cross_source_tables), whichever source
comes first:

- **Across sources only**: a file record (any import) and a synced one (source `ccxt:<exchange>`)
  in the same account, both buys or sells (here), both rewards or both transfers of one
  direction (engine.ledger.cross_source_moves). Two records of one source are never merged.
- **Same id**: where a file's id is the exchange's own trade id (SHARED_IDS), a file trade and a
  synced trade of the same pair with that id are one fill; likewise a Kraken ledger reward
  (SHARED_INCOME_IDS).
- **Same content** otherwise: the same pair, side and exact quantity of the pair's base, at times
  at most TOLERANCE apart (exports round times to the second; the API keeps milliseconds). A file
  may write a crypto-to-crypto trade the other way round (Kraken ledgers and the tax tools' files
  buy the received asset with the one sent): its subtotal is then the base's quantity.
- **One to one**: each stored record stands for at most one record of the other source, so two
  identical fills (same second, same quantity) stay two when each source has both.
- The first record stored is kept as it is (its values, a USD value it lacks included); the second
  is skipped, remembered (its natural key and the record it matched: a later re-read of it is
  known at once, and the kept record is not matched twice) and counted in the summary.

A file row that is not one fill (an order the file lists as one row, where the exchange returns
its fills) matches nothing: it is kept, and when the other source has trades of its account and
pair within NEAR (a day) it is counted as an overlap and named as a warning — never merged by
guess, never dropped (a file holds trades sync cannot fetch: Coinbase's simple buys)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from typing import NamedTuple, Protocol

from engine.core.dates import iso_utc
from engine.core.units import MICROS_PER_DAY, MICROS_PER_SECOND, Amount, EpochMicros
from engine.ledger.cross_source_moves import MOVE_SIDES, REACH, match_moves
from engine.ledger.events import EXCHANGE_SOURCE, Event

TOLERANCE = 2 * MICROS_PER_SECOND
NEAR = MICROS_PER_DAY  # an unmatched record this close to the other source's trades is named
FILL_SIDES = ("buy", "sell")
MATCHED_SIDES = frozenset({*FILL_SIDES, *MOVE_SIDES})  # the records matched across sources

# A file format's key -> the ccxt exchange ids whose trade id (ccxt's parse_trade `id`) is the
# id the file gives the same fill:
# - kraken (ledgers.csv `refid`) and kraken-trades (trades.csv `txid`): the trade's txid, the key
#   of TradesHistory that ccxt's kraken fetch_my_trades makes the trade's id;
# - coinbase-pro-fills and -account (`PRODUCT:trade id`): Coinbase Exchange's `trade_id`,
#   numbered per product, which ccxt's coinbaseexchange gives as the id (ccxt's `coinbase`,
#   Advanced Trade, gives another id: a UUID);
# - gemini (`Trade ID`): Gemini's trade id, the `tid` ccxt's gemini gives as the id.
# Not shared: Coinbase's transaction history (its own row ids, not the fills' UUIDs) and
# Binance.US (its Transaction ID is not the per-market trade id of myTrades); those go by content.
SHARED_IDS: dict[str, frozenset[str]] = {
    "kraken": frozenset({"kraken"}),
    "kraken-trades": frozenset({"kraken"}),
    "coinbase-pro-fills": frozenset({"coinbaseexchange"}),
    "coinbase-pro-account": frozenset({"coinbaseexchange"}),
    "gemini": frozenset({"gemini"}),
}
# A file format's key -> the exchange, and the prefix its synced reward's id adds to the file's:
# Kraken's ledgers.csv `txid` is the ledger entry's id, which sync keeps as `ledger:<id>`.
SHARED_INCOME_IDS: dict[str, tuple[str, str]] = {"kraken": ("kraken", "ledger:")}


def is_synced(source: str) -> bool:
    """A record fetched by `harvest sync` (its source `ccxt:<exchange id>`)."""
    return source.startswith(EXCHANGE_SOURCE)


def format_of(batch_source: str) -> str:
    """The file format a batch's source names (`kraken:ledgers.csv` -> `kraken`)."""
    return batch_source.partition(":")[0]


class StoredFill(NamedTuple):
    """A record already in the store (a buy or sell, a reward, a transfer), as matching reads it."""

    event_id: int
    account: str
    asset: str
    quote: str
    side: str
    timestamp: EpochMicros
    quantity: Amount
    subtotal: Amount | None
    synced: bool
    origin: str  # the exchange id of a synced record, the format key of a file's
    fee: Amount = Amount(0)
    fee_asset: str = ""
    tx_id: str | None = None


class Overlap(NamedTuple):
    """Records of one source kept within NEAR of the other source's trades of the same account
    and pair, matching none of them: a file row may be several fills (a whole order)."""

    account: str
    rows: int
    first: EpochMicros  # when the first and the last of them happened
    last: EpochMicros
    against_synced: bool  # the other source is the exchange (these records come from a file)

    def dates(self) -> str:
        return dates_text(self.first, self.last)


def dates_text(first: EpochMicros, last: EpochMicros) -> str:
    """`on 2024-03-08` or `between 2024-03-07 and 2024-03-09` (UTC dates)."""
    start, end = iso_utc(first)[:10], iso_utc(last)[:10]
    return f"on {start}" if start == end else f"between {start} and {end}"


class Twins(NamedTuple):
    found: dict[str, int]  # incoming natural key -> the stored record of the same fill
    new: dict[str, int]  # those matched in this batch (to remember with it)
    overlaps: tuple[Overlap, ...]


NO_TWINS = Twins({}, {}, ())


class FillLookup(Protocol):
    """What matching asks of the store (engine.store.cross_source_tables answers)."""

    def may_hold_other(self, account: str, synced: bool) -> bool:
        """False when the account surely holds no records of the other source."""
        ...

    def remembered(self, keys: Sequence[str]) -> dict[str, int]: ...  # skipped before -> kept record

    def by_keys(self, keys: Sequence[str]) -> list[tuple[str, StoredFill]]: ...

    def trades_near(
        self, account: str, pair: tuple[str, str], synced: bool, start: EpochMicros, end: EpochMicros
    ) -> list[StoredFill]:
        """The account's buys and sells of this pair (either way round) from one source, in a window."""
        ...

    def moves_near(
        self, account: str, synced: bool, start: EpochMicros, end: EpochMicros
    ) -> list[StoredFill]:
        """The account's rewards and transfers from one source, in a window."""
        ...

    def taken(self, event_ids: Sequence[int]) -> set[int]: ...  # records already matched once


View = tuple[str, str, str, int]  # base, quote, side, base quantity


def views(asset: str, quote: str, side: str, quantity: Amount, subtotal: Amount | None) -> list[View]:
    """What a trade can be read as: as written and, with a subtotal (the quote's exact amount),
    the other way round."""
    found: list[View] = [(asset, quote, side, quantity)]
    if subtotal is not None:
        found.append((quote, asset, "sell" if side == "buy" else "buy", subtotal))
    return found


def synced_keys(event: Event, batch_format: str) -> list[str]:
    """The natural keys `harvest sync` gives this file trade or reward, where the file's ids are
    the exchange's (a trade's both orientations: the file may write it the other way round)."""
    if not event.trade_id:
        return []
    if event.side == "income":
        shared = SHARED_INCOME_IDS.get(batch_format)
        return [] if shared is None else [event._replace(trade_id=shared[1] + event.trade_id).natural_key()]
    if batch_format not in SHARED_IDS or event.side not in FILL_SIDES:
        return []
    trade_id = event.trade_id.rpartition(":")[2]  # Coinbase Pro's `BTC-USD:1001` is trade 1001
    synced = event._replace(source=EXCHANGE_SOURCE, trade_id=trade_id)
    return [synced.natural_key(), synced._replace(asset=event.quote, quote=event.asset).natural_key()]


def file_keys(event: Event) -> list[str]:
    """The natural keys a file that shares the exchange's ids gives this synced trade or reward."""
    if not event.trade_id:
        return []
    if event.side == "income":
        exchange, ident = event.source[len(EXCHANGE_SOURCE) :], event.trade_id
        return [event._replace(source="", trade_id=ident[len(prefix) :]).natural_key()
                for owner, prefix in SHARED_INCOME_IDS.values() if owner == exchange and ident.startswith(prefix)]  # fmt: skip
    if event.side not in FILL_SIDES:
        return []
    plain = event._replace(source="")
    return [
        plain.natural_key(),
        plain._replace(trade_id=f"{event.asset}-{event.quote}:{event.trade_id}").natural_key(),
    ]


def find_twins(events: Iterable[tuple[str, Event]], batch_format: str, lookup: FillLookup) -> Twins:
    """Which of a batch's new buys, sells, rewards and transfers the store already holds from the
    other source."""
    pending: dict[str, Event] = {}
    other_held: dict[tuple[str, bool], bool] = {}  # (account, synced): the other source may be there
    for key, event in events:
        if event.side not in MATCHED_SIDES:
            continue
        group = (event.account, event.source.startswith(EXCHANGE_SOURCE))
        held = other_held.get(group)
        if held is None:
            held = other_held[group] = lookup.may_hold_other(*group)
        if held:  # otherwise nothing can match (the common case: one source only), at no cost
            pending.setdefault(key, event)
    if not pending:
        return NO_TWINS
    found = lookup.remembered(list(pending))
    pending = {k: e for k, e in pending.items() if k not in found}
    new = _by_id(pending, batch_format, lookup)
    taken = set(new.values())  # grows with every match below: one to one
    fills = {k: e for k, e in pending.items() if k not in new and e.side in FILL_SIDES}
    by_content, overlaps = _by_content(fills, lookup, taken)
    new.update(by_content)
    new.update(
        _moves({k: e for k, e in pending.items() if k not in new and e.side in MOVE_SIDES}, lookup, taken)
    )
    return Twins({**found, **new}, new, overlaps)


def _by_id(pending: dict[str, Event], batch_format: str, lookup: FillLookup) -> dict[str, int]:
    wanted: dict[str, str] = {}  # a key the twin would have -> the incoming key
    for key, event in pending.items():
        for twin_key in file_keys(event) if is_synced(event.source) else synced_keys(event, batch_format):
            wanted.setdefault(twin_key, key)
    if not wanted:
        return {}
    matched: dict[str, int] = {}
    for twin_key, stored in lookup.by_keys(list(wanted)):
        key = wanted[twin_key]
        event = pending[key]
        if key in matched or stored.synced == is_synced(event.source) or stored.account != event.account:
            continue
        if is_synced(event.source):  # a synced record, the stored one from a file
            exchange, file_format = event.source[len(EXCHANGE_SOURCE) :], stored.origin
        else:
            exchange, file_format = stored.origin, batch_format
        if event.side in FILL_SIDES:
            same = {stored.asset, stored.quote} == {event.asset, event.quote} and stored.side in FILL_SIDES
            shared = exchange in SHARED_IDS.get(file_format, ())
        else:
            same = (stored.side, stored.asset) == (event.side, event.asset)
            shared = SHARED_INCOME_IDS.get(file_format, ("", ""))[0] == exchange
        if same and shared:
            matched[key] = stored.event_id
    return matched


def _moves(pending: dict[str, Event], lookup: FillLookup, taken: set[int]) -> dict[str, int]:
    """Rewards and transfers by content (engine.ledger.cross_source_moves), per account."""
    groups: dict[tuple[str, bool], list[tuple[str, Event]]] = {}
    for key, event in pending.items():
        groups.setdefault((event.account, is_synced(event.source)), []).append((key, event))
    matched: dict[str, int] = {}
    for (account, synced), members in groups.items():
        start = EpochMicros(min(e.timestamp for _, e in members) - REACH)
        end = EpochMicros(max(e.timestamp for _, e in members) + REACH)
        stored = lookup.moves_near(account, not synced, start, end)
        if stored:
            taken |= lookup.taken([s.event_id for s in stored])
            matched.update(match_moves(members, stored, taken))
    return matched


def _by_content(
    pending: dict[str, Event], lookup: FillLookup, taken: set[int]
) -> tuple[dict[str, int], tuple[Overlap, ...]]:
    """Matches in time order, one to one, within each account and pair: first to a free twin in
    the same second, then each left to the earliest free twin within TOLERANCE (so as many match
    as can); and the records left unmatched within NEAR of the other source's trades."""
    groups: dict[tuple[str, bool, tuple[str, str]], list[tuple[str, Event]]] = {}
    for key, event in pending.items():
        pair = (event.asset, event.quote) if event.asset < event.quote else (event.quote, event.asset)
        groups.setdefault((event.account, is_synced(event.source), pair), []).append((key, event))
    matched: dict[str, int] = {}
    near: dict[tuple[str, bool], list[int]] = {}  # (account, synced) -> times of unmatched records
    for (account, synced, pair), members in groups.items():
        start = EpochMicros(min(e.timestamp for _, e in members) - NEAR)
        end = EpochMicros(max(e.timestamp for _, e in members) + NEAR)
        stored = lookup.trades_near(account, pair, not synced, start, end)
        if not stored:
            continue
        taken |= lookup.taken([s.event_id for s in stored])
        index: dict[View, list[StoredFill]] = {}
        for fill in stored:
            for view in views(fill.asset, fill.quote, fill.side, fill.quantity, fill.subtotal):
                index.setdefault(view, []).append(fill)
        times = sorted(fill.timestamp for fill in stored)
        in_order = sorted(members, key=lambda m: m[1].timestamp)
        # same second first: a file's times are often the exchange's cut to the second, so a
        # twin in the same second is the likeliest; a page taking a record a second or two away
        # instead left a later page's fill of that very second without its twin (a duplicate)
        for same_second in (True, False):
            for key, event in in_order:
                if key in matched:
                    continue
                close = [
                    fill
                    for view in views(event.asset, event.quote, event.side, event.quantity, event.subtotal)
                    for fill in index.get(view, ())
                    if fill.event_id not in taken
                    and (
                        fill.timestamp // MICROS_PER_SECOND == event.timestamp // MICROS_PER_SECOND
                        if same_second
                        else abs(fill.timestamp - event.timestamp) <= TOLERANCE
                    )
                ]
                if close:
                    # the earliest free record in the window, taken in time order, matches as many
                    # as can match (windows of one width); the nearest would leave a later twin none
                    twin = min(close, key=lambda f: (f.timestamp, f.event_id))
                    matched[key] = twin.event_id
                    taken.add(twin.event_id)
        for key, event in in_order:
            if key not in matched and _within(times, event.timestamp, NEAR):
                near.setdefault((account, synced), []).append(event.timestamp)
    overlaps = tuple(
        Overlap(account, len(hits), EpochMicros(min(hits)), EpochMicros(max(hits)), against_synced=not synced)
        for (account, synced), hits in sorted(near.items())
    )
    return matched, overlaps


def _within(times: Sequence[int], moment: int, distance: int) -> bool:
    """Is any of the sorted `times` at most `distance` from `moment`?"""
    at = bisect_left(times, moment - distance)
    return at < len(times) and times[at] <= moment + distance
