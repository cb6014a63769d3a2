"""Events and their ledger legs in the store: importing a batch (all or nothing, known natural
keys skipped), and reading the legs back in processing order for the lot matcher."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import partial
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from engine.core.collector import paused_gc
from engine.core.errors import StoreError
from engine.core.fixedpoint import parse
from engine.core.lean_dataclass import lean_dataclass
from engine.core.units import Amount, EpochMicros, EpochSeconds
from engine.ledger.cross_source import NO_TWINS, Overlap
from engine.ledger.events import EXCHANGE_SOURCE, Event
from engine.ledger.identity import apply_identity
from engine.ledger.legs import DISPOSE, event_ref, legs_for, usd_trade_leg
from engine.ledger.records import Ledger, LegExtra, LegRow
from engine.store import forked_fetch, forking, legs_cache, legs_query
from engine.store.asset_tables import asset_identity
from engine.store.connection import begin_immediate, read_snapshot
from engine.store.cross_source_tables import remember, twins_in_store
from engine.store.encoding import INT64, UNITS_EVENTS_SINCE, optional_units_text, pack, read_units, units_text
from engine.store.plain_batch import batch_rows
from engine.store.sparse_rows import SparseRows

# page cache while a batch is written (negative: KiB); measured at 1M rows (bench_import.py): 32 MiB
# writes as fast as 128 MiB did, and keeps a large import under its memory target
IMPORT_CACHE_KIB = -32_768


@lean_dataclass(frozen=True)
class ImportSummary:
    """What one import batch did: rows read, events added, and what was kept as it was."""

    batch_id: int | None
    rows: int
    added: int
    # records whose id the store already holds with other values (kept as stored; say so)
    conflicts: tuple[str, ...] = ()
    # of the rows not added: fills the store holds from the other source (a file / sync)
    other_source: int = 0
    overlaps: tuple[Overlap, ...] = ()  # rows kept beside the other source's trades (see cross_source)

    @property
    def duplicates(self) -> int:
        return self.rows - self.added


_ACCOUNT, _TRADE_ID, _SOURCE = itemgetter(0), itemgetter(11), itemgetter(17)  # Event's fields
_ID_KEY = "|id|".join  # Event.natural_key of a record from a file with a trade id, of (account, trade id)


def keys_of(events: Iterable[Event]) -> list[tuple[str, Event]]:
    """Natural keys for a batch, numbering identical rows so real repeats are all kept."""
    events = events if isinstance(events, list) else list(events)
    trade_ids = list(map(_TRADE_ID, events))
    exchange = any(map(str.startswith, map(_SOURCE, events), repeat(EXCHANGE_SOURCE)))
    if None not in trade_ids and "" not in trade_ids and not exchange:
        # each from a file and with its trade id (the commonest batch): Event.natural_key's first
        # form, account|id|trade id, a column at a time (never numbered: a trade id is the record)
        return list(
            zip(map(_ID_KEY, zip(map(_ACCOUNT, events), trade_ids, strict=True)), events, strict=True)
        )
    seen: dict[str, int] = {}
    keyed: list[tuple[str, Event]] = []
    with paused_gc():
        for event in events:
            base = event.natural_key(0)
            occurrence = seen.get(base, 0)
            seen[base] = occurrence + 1
            keyed.append(
                (base if occurrence == 0 or event.trade_id else event.natural_key(occurrence), event)
            )
    return keyed


def import_events(
    conn: sqlite3.Connection,
    path: Path,
    events: Sequence[tuple[str, Event]],
    source: str,
    usd_assets: frozenset[str],
    also: Callable[[sqlite3.Connection], None] | None = None,
) -> ImportSummary:
    """Add (natural_key, event) pairs in one transaction; known natural keys are skipped.
    `also` runs inside the same transaction (a sync cursor moves with its page), where SQLite's
    foreign-key checks are off: what it writes must reference rows that exist."""
    with paused_gc():  # two or three tuples per event, none of them cyclic
        return _import_events(conn, path, events, source, usd_assets, also)


@contextmanager
def batch_writing(conn: sqlite3.Connection, path: Path) -> Iterator[None]:
    """One import batch's transaction, all or nothing (sqlite3.Error: StoreError, rolled back).
    Every id a row refers to (its batch, its event, its pool) is made or read in this same
    transaction under the write lock, so SQLite's per-row foreign-key lookups can only pass:
    they are skipped for the batch (measured: a sixth of the write) and restored after it."""
    checking = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    if checking:
        conn.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction: set before it
    # a larger page cache for the batch (IMPORT_CACHE_KIB), restored after it
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {IMPORT_CACHE_KIB}")
    try:
        begin_immediate(conn)
        yield
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise StoreError(f"{path}: import failed, nothing written: {exc}") from None
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
        if checking:
            conn.execute("PRAGMA foreign_keys = ON")


def new_batch(conn: sqlite3.Connection, source: str, rows: int) -> int:
    batch_id = conn.execute(
        "INSERT INTO batches (source, imported_at, rows, added) VALUES (?, ?, ?, 0)",
        (source, EpochSeconds(int(time.time())), rows),
    ).lastrowid
    assert batch_id is not None
    return batch_id


def next_event_id(conn: sqlite3.Connection) -> int:
    """The id the batch's first new event gets (ids are assigned here, under the write lock, so
    both tables load with executemany)."""
    return int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM events").fetchone()[0])


def _import_events(
    conn: sqlite3.Connection,
    path: Path,
    events: Sequence[tuple[str, Event]],
    source: str,
    usd_assets: frozenset[str],
    also: Callable[[sqlite3.Connection], None] | None,
) -> ImportSummary:
    added = 0
    with batch_writing(conn, path):
        batch_id = new_batch(conn, source, len(events))
        # a first import (the store holds no record): nothing to look up by key, no twin to find
        first = not has_events(conn)
        stored = {} if first else stored_records(conn, [key for key, _ in events])
        known = set(stored)
        twins = (
            NO_TWINS if first else twins_in_store(conn, [(k, e) for k, e in events if k not in known], source)
        )
        known |= twins.found.keys()  # the same fill, already stored from the other source
        conflicts = tuple(
            key for key, event in events if key in stored and stored[key] != _record_values(event)
        )
        next_id = next_event_id(conn)
        event_rows = SparseRows("events", EVENT_COLUMNS)
        leg_rows = SparseRows("legs", LEG_COLUMNS)
        pools = pool_ids(conn)
        add_event, add_event_shaped = event_rows.add, event_rows.add_shaped
        add_leg, add_valued_leg = leg_rows.add, leg_rows.add_shaped
        # a batch of the commonest records only, all new: its rows made a column at a time
        plain = (
            None
            if known
            else batch_rows(events, batch_id, next_id, usd_assets, pools, partial(new_pool, conn))
        )
        if plain is not None:
            event_rows.extend_shaped(_PLAIN_EVENT, plain[0])
            leg_rows.extend_shaped(_VALUED_LEG, plain[1])
            added = len(events)
        # else once per row: the event and its legs are unpacked rather than read field by field,
        # and the optional amounts' text and the legs' packing (encoding.pack) are written inline
        for key, e in events if plain is None else ():
            if key in known:
                continue
            known.add(key)
            event_id = next_id + added
            added += 1
            (account, asset, side, timestamp, quantity, price, fee, quote, fee_asset, price_usd, fee_usd, trade_id,
             tx_id, address, note, counterpart_account, lots, source, subtotal, value_usd) = e  # fmt: skip
            if (price is not None and trade_id is not None and price_usd is None and fee_usd is None
                    and tx_id is None and address is None and note is None and counterpart_account is None
                    and lots is None and subtotal is None and value_usd is None):  # fmt: skip
                # priced, with a trade id and nothing rarely set (the commonest row): its shape is known
                add_event_shaped(_PLAIN_EVENT, (event_id, key, batch_id, account, asset, side, timestamp,
                                                str(quantity), str(price), quote, str(fee), fee_asset, trade_id,
                                                source))  # fmt: skip
            else:
                add_event((event_id, key, batch_id, account, asset, side, timestamp, str(quantity),
                           None if price is None else str(price), quote, str(fee), fee_asset,
                           None if price_usd is None else str(price_usd), None if fee_usd is None else str(fee_usd),
                           trade_id, tx_id, address, note, counterpart_account, lots, source,
                           None if subtotal is None else str(subtotal),
                           None if value_usd is None else str(value_usd)))  # fmt: skip
            valued = usd_trade_leg(e, usd_assets)
            if valued is not None:  # the one leg of a plain USD trade: the commonest row
                kind, value = valued
                pool_id = pools.get((account, asset))
                if pool_id is None:
                    pool_id = pools[(account, asset)] = new_pool(conn, account, asset)
                add_valued_leg(_VALUED_LEG, (event_id, 0, pool_id, kind, timestamp,
                                             quantity if -INT64 <= quantity < INT64 else str(quantity),
                                             value if -INT64 <= value < INT64 else str(value),
                                             event_ref(e, event_id)))  # fmt: skip
                continue
            for leg in legs_for(e, event_id, usd_assets):
                seq, leg_account, leg_asset, kind, leg_ts, leg_quantity, usd, ref, *extra = leg
                pool_id = pools.get((leg_account, leg_asset))
                if pool_id is None:
                    pool_id = pools[(leg_account, leg_asset)] = new_pool(conn, leg_account, leg_asset)
                packed = leg_quantity if -INT64 <= leg_quantity < INT64 else str(leg_quantity)
                if usd is not None and extra == _NO_EXTRA:  # valued, nothing rarely set: most legs
                    add_valued_leg(_VALUED_LEG, (event_id, seq, pool_id, kind, leg_ts, packed,
                                                 usd if -INT64 <= usd < INT64 else str(usd), ref))  # fmt: skip
                    continue
                add_leg((event_id, seq, pool_id, kind, leg_ts, packed, pack(usd), ref, *extra))
        event_rows.insert(conn)
        leg_rows.insert(conn)
        conn.execute("UPDATE batches SET added = ? WHERE id = ?", (added, batch_id))
        remember(conn, twins.new)
        if also is not None:
            also(conn)
    other = sum(1 for key, _ in events if key in twins.found)
    return ImportSummary(batch_id, len(events), added, conflicts, other, twins.overlaps)


def new_pool(conn: sqlite3.Connection, account: str, asset: str) -> int:
    pool_id = conn.execute("INSERT INTO pools (account, asset) VALUES (?, ?)", (account, asset)).lastrowid
    assert pool_id is not None
    return pool_id


_RECORD_COLUMNS = "asset, side, ts, quantity, price, quote, fee, fee_asset, subtotal, value_usd"


def _record_values(e: Event) -> tuple[object, ...]:
    """What makes a record the same record (the trade itself, not its notes), as stored."""
    return (e.asset, e.side, e.timestamp, units_text(e.quantity), optional_units_text(e.price), e.quote,
            units_text(e.fee), e.fee_asset, optional_units_text(e.subtotal),
            optional_units_text(e.value_usd))  # fmt: skip


def stored_records(conn: sqlite3.Connection, keys: list[str]) -> dict[str, tuple[object, ...]]:
    found: dict[str, tuple[object, ...]] = {}
    if not has_events(conn):
        return found  # a first import: nothing to look up, key by key
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        marks = ",".join("?" * len(chunk))
        for key, *values in conn.execute(
            f"SELECT natural_key, {_RECORD_COLUMNS} FROM events WHERE natural_key IN ({marks})", chunk
        ):
            found[key] = tuple(values)
    return found


def has_events(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM events LIMIT 1").fetchone() is not None


def known_keys(conn: sqlite3.Connection, keys: list[str]) -> set[str]:
    """Which of these natural keys the store holds (what a dry run would skip)."""
    found: set[str] = set()
    with read_snapshot(conn):
        for start in range(0, len(keys), 900):
            chunk = keys[start : start + 900]
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in conn.execute(f"SELECT natural_key FROM events WHERE natural_key IN ({marks})", chunk)
            )
    return found


def preview_import(
    conn: sqlite3.Connection, events: Sequence[tuple[str, Event]], source: str
) -> ImportSummary:
    """What import_events would add, from the store as it is, writing nothing (a dry run)."""
    with read_snapshot(conn):
        known = known_keys(conn, [key for key, _ in events])
        twins = twins_in_store(conn, [(k, e) for k, e in events if k not in known], source)
    other = sum(1 for key, _ in events if key in twins.found)
    already = sum(1 for key, _ in events if key in known)
    return ImportSummary(None, len(events), len(events) - already - other, (), other, twins.overlaps)


def pool_ids(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    return {(a, b): i for i, a, b in conn.execute("SELECT id, account, asset FROM pools")}


_EXTRA = itemgetter(6)  # a leg row's has_extra (1 or None)


def load_ledger(conn: sqlite3.Connection, cache: Path | None = None, write_cache: bool = True) -> Ledger:
    """Every ledger leg in processing order, amounts as fixed-point ints (or their digits).

    The rarely-set columns come from a second query over the few legs that have them,
    walked in the same order, which keeps the main fetch narrow and fast. The user's asset
    aliases and migrations (engine.ledger.identity) are applied to what is read. `cache`: the
    legs cache's file beside the store (engine.store.legs_cache), read when it holds the legs
    as they are and (`write_cache`) written after a large fetch (at once, or left to the process's
    end: legs_cache.defer_writes)."""
    # one read transaction: every query below sees the same snapshot (WAL), so a writer
    # committing meanwhile can never tear the legs from their extras (or from the cache's key)
    with read_snapshot(conn):
        legs, extras = _fetch_legs(conn, cache, write_cache)
        if extras:
            pending = iter(extras)
            legs = [r if r[6] is None else (*r[:6], LegExtra(*next(pending))) for r in legs]
        recorded = dict(
            conn.execute("SELECT sale_ref, lots FROM identifications WHERE sale_ref IS NOT NULL").fetchall()
        )
        if recorded:
            legs = [_with_identification(leg, recorded) for leg in legs]
        pools = {i: (a, b) for (a, b), i in pool_ids(conn).items()}
        identity = asset_identity(conn)  # the user's aliases and migrations, from the same snapshot
    return apply_identity(Ledger(pools, legs), identity)


def _fetch_legs(conn: sqlite3.Connection, cache: Path | None, write_cache: bool) -> legs_cache.Fetched:
    """The legs table's rows and the extras of those that have them (load_ledger's two reads),
    from the cache file when it holds them for the store's current mark; a large fetch from the
    store is kept there for the next load. A small ledger never has a file: no key is made."""
    key = None
    if cache is not None and cache.exists():
        key = legs_cache.cache_key(conn)
        kept = None if key is None else legs_cache.load(cache, key)
        if kept is not None:
            return kept
    split = None
    if cache is not None and forking.allowed():  # the `harvest` process: half of it in a child
        split = forked_fetch.fetch(conn, key or legs_cache.cache_key(conn), _read_legs)
    legs, extras = _read_legs(conn, "", ()) if split is None else split
    if cache is not None and write_cache:
        if len(legs) >= legs_cache.MIN_LEGS:
            key = key or legs_cache.cache_key(conn)
            if key is not None:
                legs_cache.keep(cache, key, (legs, extras))  # now, or at the process's end
        elif key is not None:  # a stale file beside a small ledger (another store was here)
            with suppress(OSError):
                cache.unlink()
    return legs, extras


def _read_legs(
    conn: sqlite3.Connection,
    where: str,
    args: tuple[object, ...],
    between: Callable[[], object] | None = None,
) -> legs_cache.Fetched:
    """The legs table's rows in processing order and the extras of those that have them, all of
    them or (`where`, on the clustered key, with its `args`) one part (engine.store.forked_fetch);
    read a chunk at a time (engine.store.legs_query), `between` called after each."""
    legs: list[LegRow] = []
    flagged = False  # whether a leg read has extras: only then is their query asked
    for part in legs_query.chunks(conn, legs_query.legs_sql(where), args):
        legs += part
        flagged = flagged or any(map(_EXTRA, part))
        if between is not None:
            between()
    extras = conn.execute(legs_query.extras_sql(where), args).fetchall() if flagged else None
    return legs, extras


def _with_identification(leg: LegRow, recorded: dict[str, str]) -> LegRow:
    """A disposal matched to a checklist step takes the identification recorded before it."""
    spec = recorded.get(leg[5]) if leg[1] == DISPOSE else None
    if spec is None:
        return leg
    extra = leg[6] or LegExtra(None, None, None, None)
    return (*leg[:6], extra._replace(identification=spec))


class Trade(NamedTuple):
    """A buy, sell or spend as the checklist matches it against its steps."""

    account: str
    asset: str
    side: str
    quantity: Amount
    timestamp: EpochMicros
    ref: str  # the trade id, or E<event id>


def trades_since(conn: sqlite3.Connection, since: EpochMicros) -> list[Trade]:
    """Trades at or after `since`, in time order."""
    rows = conn.execute(
        "SELECT account, asset, side, quantity, ts, coalesce(trade_id, 'E' || id) FROM events "
        "WHERE ts >= ? AND side IN ('buy', 'sell', 'spend') ORDER BY ts, id",
        (since,),
    ).fetchall()
    # an older store opened read-only (never migrated) still holds decimal strings
    decimal = conn.execute("PRAGMA user_version").fetchone()[0] < UNITS_EVENTS_SINCE
    return [Trade(a, b, c, parse(q) if decimal else read_units(q), ts, ref) for a, b, c, q, ts, ref in rows]


def chain_ids(conn: sqlite3.Connection) -> dict[tuple[str, str], tuple[str, str]]:
    """(account, trade id) -> (wallet address, on-chain tx id) for events that have either."""
    rows = conn.execute(
        "SELECT account, coalesce(trade_id, 'E' || id), coalesce(address, ''), coalesce(tx_id, '') FROM events "
        "WHERE address IS NOT NULL OR tx_id IS NOT NULL"
    ).fetchall()
    return {(a, ref): (address, tx) for a, ref, address, tx in rows}


def traded_assets(conn: sqlite3.Connection, account: str) -> set[str]:
    return {r[0] for r in conn.execute("SELECT DISTINCT asset FROM pools WHERE account = ?", (account,))}


class Unclassified(NamedTuple):
    """A row an importer kept without knowing what it is (no legs until it is classified)."""

    account: str
    asset: str
    timestamp: EpochMicros
    quantity: Amount
    kind: str  # the row's type as the file spells it (events.note)
    ref: str  # the trade id, or E<event id>
    source: str


def unclassified(conn: sqlite3.Connection) -> list[Unclassified]:
    """Rows of a type no importer could classify, in time order."""
    if conn.execute("PRAGMA user_version").fetchone()[0] < 8:  # an older store opened read-only
        return []
    rows = conn.execute(
        "SELECT account, asset, ts, quantity, coalesce(note, ''), coalesce(trade_id, 'E' || id), source "
        "FROM events WHERE side = 'unclassified' ORDER BY ts, id"
    ).fetchall()
    return [Unclassified(a, b, ts, read_units(q), kind, ref, src) for a, b, ts, q, kind, ref, src in rows]


def event_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def accounts(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT account FROM events ORDER BY 1")]


EVENT_COLUMNS = (
    "id", "natural_key", "batch_id", "account", "asset", "side", "ts", "quantity", "price", "quote", "fee",
    "fee_asset", "price_usd", "fee_usd", "trade_id", "tx_id", "address", "note", "counterpart_account", "lots",
    "source", "subtotal", "value_usd",
)  # fmt: skip
_RARE_EVENT_COLUMNS = frozenset({"price_usd", "fee_usd", "tx_id", "address", "note", "counterpart_account", "lots",
                                 "subtotal", "value_usd"})  # fmt: skip
_NO_EXTRA = [None, None, None, None]  # a leg's identification, counterpart, tx id and flag (as unpacked)
_VALUED_LEG = (True,) * 8 + (False,) * 4  # the shape of a leg with a USD value and no extra
# the shape of an event row with a price and a trade id and none of the rarely set columns
_PLAIN_EVENT = tuple(column not in _RARE_EVENT_COLUMNS for column in EVENT_COLUMNS)
LEG_COLUMNS = (
    "event_id", "seq", "pool_id", "kind", "ts", "quantity", "usd", "ref", "identification", "counterpart", "tx_id",
    "flag",
)  # fmt: skip
