"""Importing events in columns (engine.imports.event_frame): ledger_tables.import_events for a
large file read by the columnar path, writing the same rows — events, legs, pools, the batch,
cross-source twins — without a Python object per event: natural keys, the dedupe against the
store, the legs (engine.store.columnar_legs) and the rows to insert are all worked out on
columns, and rows go in by executemany in chunks (so a million-row file does not hold a million
tuples at once), one transaction as ever."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

from engine.core.collector import paused_gc
from engine.core.digests import sha1
from engine.imports.event_frame import events_of
from engine.ledger.cross_source import MATCHED_SIDES, NO_TWINS, Twins
from engine.ledger.events import EXCHANGE_SOURCE
from engine.store.bulk_write import natural_keys_indexed_after, rollback_journal
from engine.store.columnar_insert import Inserts, plan, run
from engine.store.columnar_legs import frame_legs
from engine.store.cross_source_tables import may_hold_other, remember, twins_in_store
from engine.store.encoding import INT64
from engine.store.ledger_tables import (
    EVENT_COLUMNS,
    LEG_COLUMNS,
    ImportSummary,
    batch_writing,
    has_events,
    new_batch,
    new_pool,
    next_event_id,
    pool_ids,
    stored_records,
)

EVENTS_PER_CHUNK = 100_000  # events whose legs and rows are built and written at a time
_NULLABLE_EVENT = ("price", "price_usd", "fee_usd", "trade_id", "tx_id", "address", "note", "counterpart_account",
                   "lots", "subtotal", "value_usd")  # fmt: skip
_RECORD = (  # what makes a record the same record (ledger_tables._record_values), as stored
    "asset",
    "side",
    "timestamp",
    "quantity",
    "price",
    "quote",
    "fee",
    "fee_asset",
    "subtotal",
    "value_usd",
)


def import_frame(
    conn: sqlite3.Connection, path: Path, frame: pl.DataFrame, source: str, usd_assets: frozenset[str]
) -> ImportSummary:
    """Add a frame of events in one transaction; known natural keys are skipped (as
    ledger_tables.import_events does for (natural_key, event) pairs). What is new is decided for
    the whole file first (against the store as it was: keys, twins, conflicts, repeats in the
    file); then its events, legs and pools are built and written EVENTS_PER_CHUNK at a time, in
    the file's order, so a large file's legs and rows to insert never exist all at once."""
    with paused_gc():
        keys = frame_keys(frame)
        framed = frame.with_columns(keys)  # (the frame's columns shared, not copied)
        # into a store holding no more records: no WAL, the key's index built after the rows
        # (engine.store.bulk_write)
        many = frame.height >= _stored_events(conn)
        with rollback_journal(conn, many), batch_writing(conn, path):
            batch_id = new_batch(conn, source, frame.height)
            stored = stored_records(conn, keys.to_list()) if has_events(conn) else {}
            known = set(stored)
            twins = _twins(conn, framed, ~pl.col("natural_key").is_in(list(known)), source)
            known |= twins.found.keys()
            conflicts = _conflicts(framed, stored)
            key = pl.col("natural_key")
            wanted = framed.select(~key.is_in(list(known)) & key.is_first_distinct()).to_series()
            added = int(wanted.sum())
            with natural_keys_indexed_after(conn, added):
                _write(conn, framed, wanted, next_event_id(conn), batch_id, pool_ids(conn), usd_assets)
            conn.execute("UPDATE batches SET added = ? WHERE id = ?", (added, batch_id))
            remember(conn, twins.new)
        other = int(keys.is_in(list(twins.found)).sum())
    return ImportSummary(batch_id, frame.height, added, conflicts, other, twins.overlaps)


def _stored_events(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def _write(
    conn: sqlite3.Connection,
    framed: pl.DataFrame,
    wanted: pl.Series,
    first_id: int,
    batch_id: int,
    pools: dict[tuple[str, str], int],
    usd_assets: frozenset[str],
) -> None:
    """The `wanted` rows' events, legs and pools, EVENTS_PER_CHUNK rows of the file at a time,
    ids from `first_id` on."""
    added = first_id
    for start in range(0, framed.height, EVENTS_PER_CHUNK):
        new = framed.slice(start, EVENTS_PER_CHUNK).filter(wanted.slice(start, EVENTS_PER_CHUNK))
        new = new.with_columns(event_id=pl.int_range(added, added + new.height, dtype=pl.Int64))
        added += new.height
        legs = frame_legs(new, usd_assets)
        legs = legs.join(
            _pools(conn, legs, pools), on=["account", "asset"], how="left", maintain_order="left"
        )
        _insert_events(conn, new, batch_id)
        _insert_legs(conn, legs)


def frame_keys(frame: pl.DataFrame) -> pl.Series:
    """Event.natural_key of each row, numbered as ledger_tables.keys_of numbers identical rows."""
    text = pl.col
    with_id = text("trade_id").is_not_null() & (text("trade_id") != "")
    market = text("source").str.starts_with(EXCHANGE_SOURCE) & text("side").is_in(["buy", "sell"])
    by_id = pl.format("{}|id|{}", "account", "trade_id")
    if frame.select(market.any()).item():  # (a synced page: a file has none, and a million keys take 40 MB)
        by_id = (
            pl.when(market)
            .then(pl.format("{}|id|{}/{}|{}", "account", "asset", "quote", "trade_id"))
            .otherwise(by_id)
        )
    content, totals = _content()
    keys = frame.select(pl.when(with_id).then(by_id)).to_series()
    hashed = frame.with_row_index("_at").filter(keys.is_null())
    if hashed.height:  # rows without an id: a digest of their content, repeats numbered
        parts = hashed.select(
            "_at",
            "account",
            content=content,
            totals=totals,
            occurrence=pl.int_range(pl.len()).over(content, totals),
        )
        digests = [
            f"{account}|h|{_sha1(f'{body}|{occurrence}{tail}')}"
            for account, body, tail, occurrence in parts.select(
                "account", "content", "totals", "occurrence"
            ).iter_rows()
        ]
        keys = keys.scatter(parts["_at"], pl.Series(digests, dtype=pl.String))
    return keys.alias("natural_key")


def _content() -> tuple[pl.Expr, pl.Expr]:
    """What a row without a trade id is known by: its record's fields (`content`) and its
    subtotal and USD value when it has either (`totals`), as Event.natural_key spells them."""
    text = pl.col
    content = pl.concat_str(
        [text("account"), text("asset"), text("side"), text("timestamp").cast(pl.String),
         text("quantity").cast(pl.String), text("price").cast(pl.String).fill_null("None"),
         text("fee").cast(pl.String), text("quote"), text("fee_asset"), text("tx_id").fill_null("")],
        separator="|",
    )  # fmt: skip
    totals = pl.when(text("subtotal").is_not_null() | text("value_usd").is_not_null()).then(
        pl.format("|{}|{}", text("subtotal").cast(pl.String).fill_null("None"),
                  text("value_usd").cast(pl.String).fill_null("None"))
    ).otherwise(pl.lit(""))  # fmt: skip
    return content, totals


def identities(framed: pl.DataFrame) -> pl.Series:
    """A 64-bit hash per row of what frame_keys tells records apart by, before repeats are
    numbered: the key of a row with a trade id, the content of one without (a `framed` frame:
    its natural_key column added). Two rows a file's keys count as the same record or as
    repeats of one always hash alike; rows that hash alike may still differ (a collision)."""
    content, totals = _content()
    with_id = pl.col("trade_id").is_not_null() & (pl.col("trade_id") != "")
    unnumbered = pl.when(with_id).then("natural_key")
    return framed.select(
        unnumbered.otherwise(pl.concat_str([pl.lit("h|"), content, totals])).hash(0).alias("identity")
    ).to_series()


def _sha1(text: str) -> str:
    return sha1(text.encode(), usedforsecurity=False).hexdigest()[:24]


def _twins(conn: sqlite3.Connection, framed: pl.DataFrame, fresh: pl.Expr, source: str) -> Twins:
    """twins_in_store on the `fresh` records (keys the store does not hold) it matches across
    sources (buys, sells, income and transfers) of accounts that may hold the other source's
    (the rest it would pass over): Event tuples are made only for those, and no rows are copied
    when no account may (a first import)."""
    matched = fresh & pl.col("side").is_in(sorted(MATCHED_SIDES))
    held = _may_hold_other(conn, framed, matched)
    if not held:
        return NO_TWINS
    fills = framed.filter(matched & pl.col("account").is_in(held))
    return twins_in_store(
        conn, list(zip(fills["natural_key"].to_list(), events_of(fills), strict=True)), source
    )


def _may_hold_other(conn: sqlite3.Connection, framed: pl.DataFrame, matched: pl.Expr) -> list[str]:
    """The accounts of the `matched` rows that may hold the other source's records."""
    groups = _groups(framed, matched)
    return [account for account, is_synced in groups if may_hold_other(conn, account, is_synced)]


def _groups(framed: pl.DataFrame, matched: pl.Expr) -> list[tuple[str, bool]]:
    synced = pl.col("source").str.starts_with(EXCHANGE_SOURCE)
    return list(framed.lazy().filter(matched).select("account", synced=synced).unique().collect().iter_rows())


def twin_groups(framed: pl.DataFrame) -> list[tuple[str, bool]]:
    """The (account, synced) pairs of records that _twins would match across sources (none of
    them in the store): may_twin's to ask."""
    return _groups(framed, pl.col("side").is_in(sorted(MATCHED_SIDES)))


def may_twin(conn: sqlite3.Connection, groups: list[tuple[str, bool]]) -> bool:
    """Whether any of twin_groups' accounts may hold the other source's records."""
    return any(may_hold_other(conn, account, is_synced) for account, is_synced in groups)


def _conflicts(framed: pl.DataFrame, stored: dict[str, tuple[object, ...]]) -> tuple[str, ...]:
    """The keys the store holds with other values (ledger_tables._record_values, as stored)."""
    if not stored:
        return ()
    held = framed.filter(pl.col("natural_key").is_in(list(stored)))
    record = held.select("natural_key", *(pl.col(c).cast(pl.String) if c in _AMOUNTS else c for c in _RECORD))
    return tuple(key for key, *values in record.iter_rows() if stored[key] != tuple(values))


_AMOUNTS = frozenset({"quantity", "price", "fee", "subtotal", "value_usd"})


def _pools(conn: sqlite3.Connection, legs: pl.DataFrame, pools: dict[tuple[str, str], int]) -> pl.DataFrame:
    """Each leg's pool id: the store's (`pools`, updated here), or a new pool, made in the order
    the row path meets them (event by event, leg by leg)."""
    return pool_frame(legs, pools, lambda account, asset: new_pool(conn, account, asset))


def pool_frame(
    legs: pl.DataFrame, pools: dict[tuple[str, str], int], make: Callable[[str, str], int]
) -> pl.DataFrame:
    """_pools with `make` giving each new pool's id (in the order met), `pools` updated."""
    met = legs.sort("event_id", "seq").select("account", "asset").unique(maintain_order=True)
    for account, asset in met.iter_rows():
        if (account, asset) not in pools:
            pools[(account, asset)] = make(account, asset)
    return pl.DataFrame(
        [(account, asset, pool_id) for (account, asset), pool_id in pools.items()],
        schema={"account": pl.String, "asset": pl.String, "pool_id": pl.Int64},
        orient="row",
    )


def _insert_events(conn: sqlite3.Connection, new: pl.DataFrame, batch_id: int) -> None:
    insert_event_rows(conn, event_rows(new, batch_id))


def event_rows(new: pl.DataFrame, batch_id: int) -> pl.DataFrame:
    """The events table's rows of `new` (with its event_id), amounts as their digits."""
    amounts = {"quantity", "price", "fee", "price_usd", "fee_usd", "subtotal", "value_usd"}
    renamed = {"id": "event_id", "ts": "timestamp"}
    return new.select(
        pl.col(renamed.get(name, name)).cast(pl.String).alias(name) if name in amounts
        else pl.lit(batch_id, pl.Int64).alias(name) if name == "batch_id"
        else pl.col(renamed.get(name, name)).alias(name)
        for name in EVENT_COLUMNS
    )  # fmt: skip


def insert_event_rows(conn: sqlite3.Connection, rows: pl.DataFrame) -> None:
    run(conn, plan_event_rows(rows, next_event_id(conn)))


def plan_event_rows(rows: pl.DataFrame, next_id: int) -> Iterator[Inserts]:
    """insert_event_rows planned (columnar_insert.plan), `next_id` the table's largest id plus
    one when it runs."""
    nullable = [c for c in EVENT_COLUMNS if c in _NULLABLE_EVENT]
    return plan("events", rows, nullable, EVENT_COLUMNS, rowid="id", next_id=next_id)


def _insert_legs(conn: sqlite3.Connection, legs: pl.DataFrame) -> None:
    """Legs in processing order (appended to the clustered index); quantity and usd as SQLite
    INTEGER when they fit 64 bits, else their digits (encoding.pack)."""
    run(conn, plan_legs(legs))


def plan_legs(legs: pl.DataFrame) -> Iterator[Inserts]:
    """_insert_legs planned (columnar_insert.plan)."""
    fits = {name: pl.col(name).is_between(-INT64, INT64 - 1) for name in ("quantity", "usd")}
    rows = legs.sort("ts", "event_id", "seq").select(
        *(pl.col(name) for name in LEG_COLUMNS if name not in ("quantity", "usd")),
        **{f"{name}_int": pl.when(fit).then(pl.col(name).cast(pl.Int64)) for name, fit in fits.items()},
        **{f"{name}_text": pl.when(~fit).then(pl.col(name).cast(pl.String)) for name, fit in fits.items()},
    )
    pairs = {name: (f"{name}_int", f"{name}_text") for name in ("quantity", "usd")}
    return plan("legs", rows, ["usd", "identification", "counterpart", "tx_id", "flag"], LEG_COLUMNS, pairs)
