"""Prices filled in for records without a USD value, and the candles looked up for them.

`price_fills` holds each filled price with the record it values (the event's id), the asset,
its source, market, candle interval and time, and when it was filled; the record's legs are
rewritten from the record and its fills in the same transaction, so the ledger reads valued legs
and every value can be traced to its fill. The record itself is never changed, so a re-import
of the same file (its records are known and skipped) keeps the fills. `history_prices` caches
what each exchange's candles said for an asset at a minute: the price, or why there is none.
Times here are epoch microseconds (a minute: its first microsecond).

A price the user set (a PRICE decision, engine.review.prices) is a fill like the others, of
source `user:ID` (the decision's id): it wins over a prices file and candles, and its decision
keeps the fill it replaced, so an undo puts that one back (else the record is flagged again)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from engine.core.units import Amount, EpochMicros
from engine.ledger.events import EXCHANGE_SOURCE, USD, Event
from engine.ledger.legs import Leg, legs_for
from engine.ledger.price_needs import FoundPrice, priced
from engine.store.connection import read_snapshot, write_transaction
from engine.store.encoding import pack, read_units, units_text

if TYPE_CHECKING:
    from engine.config.load import Config

FILLS_SINCE = 12  # the schema version that has these tables
_EVENT_COLUMNS = (
    "id, account, asset, side, ts, quantity, price, quote, fee, fee_asset, price_usd, fee_usd, trade_id, "
    "tx_id, address, note, counterpart_account, lots, source, subtotal, value_usd"
)


USER = "user"  # a user's price: source `user:ID`, interval `user`
_USD_ONLY = frozenset({USD})


def user_source(decision_id: int) -> str:
    return f"{USER}:{decision_id}"


def user_decision(source: str) -> int | None:
    """The PRICE decision a fill's source names (None: not a user's price)."""
    kind, _, number = source.partition(":")
    return int(number) if kind == USER and number.isdigit() else None


def usd_assets_for(config: Config) -> Callable[[Event], frozenset[str]]:
    """The quotes a record's legs were valued with: a synced record its account's `quote_as_usd`
    (as sync built them), any other record USD alone (as an import builds them)."""
    synced = {a.name: frozenset({USD, *a.quote_as_usd}) for a in config.accounts}

    def usd_assets(event: Event) -> frozenset[str]:
        if event.source.startswith(EXCHANGE_SOURCE):
            return synced.get(event.account, _USD_ONLY)
        return _USD_ONLY

    return usd_assets


def valued_legs(
    event: Event, event_id: int, prices: dict[str, Amount], usd_assets: frozenset[str]
) -> list[Leg]:
    """The record's legs with these prices (USD per unit, by asset) put in, as a source that gave
    them would have written it (engine.ledger.price_needs.priced)."""
    return legs_for(priced(event, prices, usd_assets), event_id, usd_assets)


class Fill(NamedTuple):
    """A price filled in for one record."""

    event_id: int
    asset: str
    found: FoundPrice
    filled_at: EpochMicros


class Refilled(NamedTuple):
    """A record valued again: its new legs and the fills that value it."""

    event_id: int
    legs: list[Leg]
    fills: list[Fill]
    dropped: tuple[str, ...] = ()  # assets whose earlier fill no longer values the record


def _optional(stored: str | None) -> Amount | None:
    return None if stored is None else read_units(stored)


def _event(row: tuple[Any, ...]) -> tuple[int, Event]:
    """(event id, record) from a row of _EVENT_COLUMNS (amounts as units: schema 5 on)."""
    event = Event(
        row[1], row[2], row[3], EpochMicros(row[4]), read_units(row[5]), _optional(row[6]), read_units(row[8]),
        row[7], row[9], _optional(row[10]), _optional(row[11]), row[12], row[13], row[14], row[15], row[16], row[17],
        row[18], _optional(row[19]), _optional(row[20]),
    )  # fmt: skip
    return int(row[0]), event


def flagged_count(conn: sqlite3.Connection) -> int:
    """How many records have a leg without a USD value (through the flagged legs' index)."""
    return int(conn.execute("SELECT count(DISTINCT event_id) FROM legs WHERE flag IS NOT NULL").fetchone()[0])


def flagged_events(conn: sqlite3.Connection, with_fills: bool = False) -> list[tuple[int, Event]]:
    """The records with a leg without a USD value, in time order; `with_fills`: and those valued by
    filled prices (a prices file given now may replace them)."""
    filled = " OR id IN (SELECT event_id FROM price_fills)" if with_fills else ""
    rows = conn.execute(
        f"SELECT {_EVENT_COLUMNS} FROM events WHERE id IN "
        f"(SELECT event_id FROM legs WHERE flag IS NOT NULL){filled} ORDER BY ts, id"
    ).fetchall()
    return [_event(row) for row in rows]


def fills_for(conn: sqlite3.Connection, event_ids: Iterable[int]) -> dict[int, dict[str, FoundPrice]]:
    """The prices filled for these records: event id -> asset -> price."""
    found: dict[int, dict[str, FoundPrice]] = {}
    ids = list(event_ids)
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        marks = ",".join("?" * len(chunk))
        for event_id, asset, price, source, market, interval, at in conn.execute(
            "SELECT event_id, asset, price, source, market, interval, priced_at FROM price_fills "
            f"WHERE event_id IN ({marks})",
            chunk,
        ):
            found.setdefault(event_id, {})[asset] = FoundPrice(
                read_units(price), source, market, interval, at
            )
    return found


def save_refilled(conn: sqlite3.Connection, refilled: Sequence[Refilled]) -> None:
    """Each record's legs replaced by its newly valued ones, with its fills, in one transaction."""
    with write_transaction(conn):
        for item in refilled:
            _write_refilled(conn, item)


def save_user_fill(
    conn: sqlite3.Connection,
    event_id: int,
    event: Event,
    asset: str,
    found: FoundPrice | None,
    usd_assets: frozenset[str],
    now: EpochMicros,
) -> list[str]:
    """The record valued with `found` as its price of `asset` (None: without a fill of it), with
    its other fills as they are, in one transaction: a user's price set or undone. Returns why
    its legs still lack a USD value (empty: none does)."""
    with write_transaction(conn):
        prices = {a: f.price for a, f in fills_for(conn, [event_id]).get(event_id, {}).items() if a != asset}
        fills, dropped = ([Fill(event_id, asset, found, now)], ()) if found else ([], (asset,))
        if found:
            prices[asset] = found.price
        legs = valued_legs(event, event_id, prices, usd_assets)
        _write_refilled(conn, Refilled(event_id, legs, fills, dropped))
    return [leg.flag for leg in legs if leg.flag]


def _write_refilled(conn: sqlite3.Connection, item: Refilled) -> None:
    pools = {(a, b): i for i, a, b in conn.execute("SELECT id, account, asset FROM pools")}
    conn.execute("DELETE FROM legs WHERE event_id = ?", (item.event_id,))
    for leg in item.legs:
        pool = pools.get((leg.account, leg.asset))
        if pool is None:
            cursor = conn.execute(
                "INSERT INTO pools (account, asset) VALUES (?, ?)", (leg.account, leg.asset)
            )
            pool = pools[(leg.account, leg.asset)] = int(cursor.lastrowid or 0)
        conn.execute(
            "INSERT INTO legs (event_id, seq, pool_id, kind, ts, quantity, usd, ref, identification, "
            "counterpart, tx_id, flag) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item.event_id,
                leg.seq,
                pool,
                leg.kind,
                leg.timestamp,
                pack(leg.quantity),
                pack(leg.usd),
                leg.ref,
                leg.identification,
                leg.counterpart,
                leg.tx_id,
                leg.flag,
            ),
        )
    conn.executemany(
        "DELETE FROM price_fills WHERE event_id = ? AND asset = ?",
        [(item.event_id, asset) for asset in item.dropped],
    )
    # REPLACE deletes and inserts: a changed fill takes a new id, which moves the ledger mark
    conn.executemany(
        "INSERT OR REPLACE INTO price_fills (event_id, asset, price, source, market, interval, "
        "priced_at, filled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                f.event_id,
                f.asset,
                units_text(f.found.price),
                f.found.source,
                f.found.market,
                f.found.interval,
                f.found.priced_at,
                f.filled_at,
            )
            for f in item.fills
        ],
    )


class ListedFill(NamedTuple):
    """A filled price as `harvest prices list` shows it, with the record it values."""

    ref: str  # the lot or sale id the reports show (the trade id, or E<event id>)
    account: str
    side: str
    timestamp: EpochMicros
    asset: str
    found: FoundPrice
    filled_at: EpochMicros


def listed_fills(conn: sqlite3.Connection) -> list[ListedFill]:
    if conn.execute("PRAGMA user_version").fetchone()[0] < FILLS_SINCE:  # an older store, read-only
        return []
    rows = conn.execute(
        "SELECT coalesce(e.trade_id, 'E' || e.id), e.account, e.side, e.ts, f.asset, f.price, f.source, "
        "f.market, f.interval, f.priced_at, f.filled_at FROM price_fills f JOIN events e ON e.id = f.event_id "
        "ORDER BY e.ts, e.id, f.asset"
    ).fetchall()
    return [
        ListedFill(
            ref, account, side, ts, asset, FoundPrice(read_units(price), source, market, interval, at), when
        )
        for ref, account, side, ts, asset, price, source, market, interval, at, when in rows
    ]


class Cached(NamedTuple):
    """What an exchange's candles said for an asset at a minute: a price, or why there is none."""

    found: FoundPrice | None
    why: str | None


def cached_history(
    conn: sqlite3.Connection, source: str, keys: Iterable[tuple[str, EpochMicros]]
) -> dict[tuple[str, EpochMicros], Cached]:
    """The cached answers of `source` for these (asset, minute) keys (absent: never asked)."""
    by_asset: dict[str, list[EpochMicros]] = {}
    for asset, minute in set(keys):
        by_asset.setdefault(asset, []).append(minute)
    found: dict[tuple[str, EpochMicros], Cached] = {}
    with read_snapshot(conn):
        for asset, minutes in by_asset.items():
            for start in range(0, len(minutes), 900):
                chunk = minutes[start : start + 900]
                marks = ",".join("?" * len(chunk))
                for minute, price, market, interval, at, why in conn.execute(
                    "SELECT minute, price, market, interval, priced_at, why FROM history_prices "
                    f"WHERE asset = ? AND source = ? AND minute IN ({marks})",
                    (asset, source, *chunk),
                ):
                    point = (
                        None if price is None else FoundPrice(read_units(price), source, market, interval, at)
                    )
                    found[(asset, minute)] = Cached(point, why)
    return found


def save_history(
    conn: sqlite3.Connection,
    source: str,
    answers: dict[tuple[str, EpochMicros], Cached],
    now: EpochMicros,
) -> None:
    if not answers:
        return
    with write_transaction(conn):
        conn.executemany(
            "INSERT OR REPLACE INTO history_prices (asset, minute, source, price, market, interval, priced_at, "
            "why, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (asset, minute, source, *_found_columns(c.found), c.why, now)
                for (asset, minute), c in answers.items()
            ],
        )


def _found_columns(found: FoundPrice | None) -> tuple[str | None, str | None, str | None, int | None]:
    if found is None:
        return None, None, None, None
    return units_text(found.price), found.market, found.interval, found.priced_at
