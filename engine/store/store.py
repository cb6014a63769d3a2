"""The local store: one SQLite file (WAL) holding every event, its ledger legs and batches.

Writers keep transactions short and all-or-nothing (an import batch is one transaction), so a
kill at any point leaves either the whole batch or none of it. Readers (the TUI over SSH) see a
consistent snapshot while the monitor writes."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from engine.core.errors import StoreError
from engine.ledger.events import Event
from engine.ledger.legs import DISPOSE, Leg, legs_for
from engine.ledger.records import Ledger, LegExtra, LegRow
from engine.store.migrations import MIGRATIONS, SCHEMA_VERSION

APP_ID = "harvest"
STORE_NAME = "harvest.sqlite3"
_INT64 = 2**63


@dataclass(frozen=True)
class ImportSummary:
    batch_id: int | None
    rows: int
    added: int

    @property
    def duplicates(self) -> int:
        return self.rows - self.added


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE (take the write lock up front, so a busy store waits here rather than
    failing mid-way), then COMMIT, or ROLLBACK on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """A read transaction (several SELECTs, one consistent view); nested use is a no-op."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def default_store_path() -> Path:
    from engine.config.load import data_dir

    return data_dir() / STORE_NAME


def _pack(units: int | None) -> int | str | None:
    if units is None:
        return None
    return units if -_INT64 <= units < _INT64 else str(units)


class Store:
    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self.conn = self._connect()

    def _connect(self) -> sqlite3.Connection:
        path = self.path
        try:
            if not self.readonly:
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                if not path.exists():
                    # owner-only from the first byte: the store holds the user's tax records
                    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            elif not path.exists():
                raise StoreError(f"{path}: no store here yet (run `harvest import` or `harvest sync`)")
            uri = f"file:{path}?mode={'ro' if self.readonly else 'rw'}"
            # one connection, used from the UI thread and workers in turn (callers serialise)
            conn = sqlite3.connect(uri, uri=True, timeout=15, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 15000")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a usable harvest store ({exc})") from None
        except OSError as exc:
            raise StoreError(f"{path}: cannot open store: {exc.strerror or exc}") from None
        if version > SCHEMA_VERSION:
            conn.close()
            raise StoreError(
                f"{path}: store schema {version} is newer than this harvest understands "
                f"({SCHEMA_VERSION}); upgrade harvest"
            )
        if tables and (version == 0 or "meta" not in tables):
            conn.close()
            raise StoreError(f"{path}: this SQLite file is not a harvest store; refusing to touch it")
        if not self.readonly:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA foreign_keys = ON")
                self._migrate(conn, version)
            except sqlite3.OperationalError as exc:
                conn.close()
                raise StoreError(f"{path}: cannot write the store: {exc}") from None
        return conn

    def _migrate(self, conn: sqlite3.Connection, version: int) -> None:
        for target in range(version, SCHEMA_VERSION):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[target].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                if target == 0:
                    conn.execute("INSERT INTO meta VALUES ('app', ?)", (APP_ID,))
                conn.execute(f"PRAGMA user_version = {target + 1}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self.conn.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One short write transaction: all of it lands, or none of it."""
        return write_transaction(self.conn)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------------

    def import_events(
        self,
        events: Sequence[tuple[str, Event]],
        source: str,
        usd_assets: frozenset[str],
        also: Callable[[sqlite3.Connection], None] | None = None,
    ) -> ImportSummary:
        """Add (natural_key, event) pairs in one transaction; known natural keys are skipped.
        `also` runs inside the same transaction (a sync cursor moves with its page)."""
        conn = self.conn
        added = 0
        try:
            conn.execute("BEGIN IMMEDIATE")
            batch_id = conn.execute(
                "INSERT INTO batches (source, imported_at, rows, added) VALUES (?, ?, ?, 0)",
                (source, int(time.time()), len(events)),
            ).lastrowid
            assert batch_id is not None
            known = self._known_keys([key for key, _ in events])
            # ids assigned here (the write lock is held) so both tables load with executemany
            next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM events").fetchone()[0]
            event_rows: list[tuple[object, ...]] = []
            leg_rows: list[tuple[object, ...]] = []
            pool_ids = self._pool_ids()
            for key, event in events:
                if key in known:
                    continue
                known.add(key)
                event_id = next_id + added
                event_rows.append((event_id, *_event_values(key, batch_id, event)))
                for leg in legs_for(event, event_id, usd_assets):
                    pool_id = pool_ids.get((leg.account, leg.asset))
                    if pool_id is None:
                        pool_id = conn.execute(
                            "INSERT INTO pools (account, asset) VALUES (?, ?)", (leg.account, leg.asset)
                        ).lastrowid
                        assert pool_id is not None
                        pool_ids[(leg.account, leg.asset)] = pool_id
                    leg_rows.append(_leg_values(event_id, pool_id, leg))
                added += 1
            conn.executemany(_EVENT_INSERT, event_rows)
            conn.executemany(_LEG_INSERT, leg_rows)
            conn.execute("UPDATE batches SET added = ? WHERE id = ?", (added, batch_id))
            if also is not None:
                also(conn)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"{self.path}: import failed, nothing written: {exc}") from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return ImportSummary(batch_id, len(events), added)

    def _known_keys(self, keys: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(keys), 900):
            chunk = keys[start : start + 900]
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT natural_key FROM events WHERE natural_key IN ({marks})", chunk
                )
            )
        return found

    # -- reading ------------------------------------------------------------------------------

    def _pool_ids(self) -> dict[tuple[str, str], int]:
        return {(a, b): i for i, a, b in self.conn.execute("SELECT id, account, asset FROM pools")}

    def ledger(self) -> Ledger:
        """Every ledger leg in processing order, amounts as fixed-point ints (or their digits).

        The rarely-set columns come from a second query over the few legs that have them,
        walked in the same order, which keeps the main fetch narrow and fast."""
        # one read transaction: every query below sees the same snapshot (WAL), so a writer
        # committing meanwhile can never tear the legs from their extras
        with read_snapshot(self.conn):
            order = " ORDER BY ts, event_id, seq"
            legs: list[LegRow] = self.conn.execute(
                "SELECT pool_id, kind, ts, quantity, usd, ref, has_extra FROM legs" + order
            ).fetchall()
            extras = self.conn.execute(
                "SELECT identification, counterpart, tx_id, flag FROM legs WHERE has_extra" + order
            ).fetchall()
            if extras:
                pending = iter(extras)
                legs = [r if r[6] is None else (*r[:6], LegExtra(*next(pending))) for r in legs]
            recorded = dict(
                self.conn.execute(
                    "SELECT sale_ref, lots FROM identifications WHERE sale_ref IS NOT NULL"
                ).fetchall()
            )
            if recorded:
                legs = [_with_identification(leg, recorded) for leg in legs]
            pools = {i: (a, b) for (a, b), i in self._pool_ids().items()}
        return Ledger(pools, legs)

    def trades_since(self, since: int) -> list[tuple[str, str, str, int, int, str]]:
        """(account, asset, side, quantity, timestamp, ref) of trades at or after `since`."""
        rows = self.conn.execute(
            "SELECT account, asset, side, quantity, ts, coalesce(trade_id, 'E' || id) FROM events "
            "WHERE ts >= ? AND side IN ('buy', 'sell', 'spend') ORDER BY ts, id",
            (since,),
        ).fetchall()
        from engine.core.fixedpoint import parse

        return [(a, b, c, parse(q), ts, ref) for a, b, c, q, ts, ref in rows]

    def trade_prices(self, asset: str, points: int = 2000) -> list[tuple[int, int]]:
        """(time, USD per unit) of this asset's own trades, thinned to about `points`."""
        rows = self.conn.execute(
            "SELECT ts, quantity, usd FROM legs JOIN pools p ON p.id = legs.pool_id "
            "WHERE p.asset = ? AND kind IN (0, 1) AND usd IS NOT NULL ORDER BY ts",
            (asset,),
        ).fetchall()
        step = max(1, len(rows) // points)
        from engine.core.fixedpoint import unit_price

        return [
            (ts, unit_price(int(usd), int(qty)))
            for ts, qty, usd in rows[::step]
            if int(qty) > 0 and int(usd) >= 0
        ]

    def cursor(self, account: str, stream: str) -> str | None:
        row = self.conn.execute(
            "SELECT cursor FROM sync_cursors WHERE account = ? AND stream = ?", (account, stream)
        ).fetchone()
        return None if row is None else str(row[0])

    def set_cursor_sql(
        self, account: str, stream: str, cursor: str, now: int
    ) -> Callable[[sqlite3.Connection], None]:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO sync_cursors VALUES (?, ?, ?, ?) ON CONFLICT(account, stream) DO UPDATE "
                "SET cursor = excluded.cursor, updated_at = excluded.updated_at",
                (account, stream, cursor, now),
            )

        return write

    def set_cursor(self, account: str, stream: str, cursor: str, now: int) -> None:
        with self.transaction() as conn:
            self.set_cursor_sql(account, stream, cursor, now)(conn)

    def usd_price(self, asset: str, minute: int) -> tuple[bool, int | None]:
        """(known, price) of an asset's cached 1-minute USD close; price None = not found."""
        row = self.conn.execute(
            "SELECT price FROM usd_prices WHERE asset = ? AND minute = ?", (asset, minute)
        ).fetchone()
        if row is None:
            return False, None
        return True, None if row[0] is None else int(row[0])

    def save_usd_price(self, asset: str, minute: int, price: int | None, source: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO usd_prices VALUES (?, ?, ?, ?)",
                (asset, minute, None if price is None else str(price), source),
            )

    def save_reconciliation(self, account: str, rows: list[tuple[str, int, int]], now: int) -> None:
        """Replace an account's mismatches: (asset, ledger quantity, exchange quantity)."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM reconciliation WHERE account = ?", (account,))
            conn.executemany(
                "INSERT INTO reconciliation VALUES (?, ?, ?, ?, ?)",
                [(account, asset, str(ledger), str(exchange), now) for asset, ledger, exchange in rows],
            )

    def mismatches(self) -> list[tuple[str, str, int, int]]:
        rows = self.conn.execute("SELECT account, asset, ledger, exchange FROM reconciliation").fetchall()
        return [(a, b, int(c), int(d)) for a, b, c, d in rows]

    def chain_ids(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(account, trade id) -> (wallet address, on-chain tx id) for events that have either."""
        rows = self.conn.execute(
            "SELECT account, coalesce(trade_id, 'E' || id), coalesce(address, ''), coalesce(tx_id, '') FROM events "
            "WHERE address IS NOT NULL OR tx_id IS NOT NULL"
        ).fetchall()
        return {(a, ref): (address, tx) for a, ref, address, tx in rows}

    def traded_assets(self, account: str) -> set[str]:
        return {
            r[0] for r in self.conn.execute("SELECT DISTINCT asset FROM pools WHERE account = ?", (account,))
        }

    def save_prices(self, prices: dict[str, int], ts: int, source: str) -> None:
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO prices (asset, price, ts, source) VALUES (?, ?, ?, ?) ON CONFLICT(asset) DO UPDATE "
                "SET price = excluded.price, ts = excluded.ts, source = excluded.source",
                [(asset, str(price), ts, source) for asset, price in prices.items()],
            )

    def last_prices(self) -> tuple[dict[str, int], int | None]:
        """The last stored price of each asset, and the oldest of their times."""
        rows = self.conn.execute("SELECT asset, price, ts FROM prices").fetchall()
        if not rows:
            return {}, None
        return {asset: int(price) for asset, price, _ in rows}, min(ts for _, _, ts in rows)

    def event_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM events").fetchone()[0])

    def accounts(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT account FROM events ORDER BY 1")]


def _with_identification(leg: LegRow, recorded: dict[str, str]) -> LegRow:
    """A disposal matched to a checklist step takes the identification recorded before it."""
    spec = recorded.get(leg[5]) if leg[1] == DISPOSE else None
    if spec is None:
        return leg
    extra = leg[6] or LegExtra(None, None, None, None)
    return (*leg[:6], extra._replace(identification=spec))


_EVENT_INSERT = (
    "INSERT INTO events (id, natural_key, batch_id, account, asset, side, ts, quantity, price, quote, "
    "fee, fee_asset, price_usd, fee_usd, trade_id, tx_id, address, note, counterpart_account, lots, "
    "source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_LEG_INSERT = (
    "INSERT INTO legs (event_id, seq, pool_id, kind, ts, quantity, usd, ref, identification, "
    "counterpart, tx_id, flag) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
)


def _event_values(key: str, batch_id: int, e: Event) -> tuple[object, ...]:
    text = e.decimal_text
    return (
        key,
        batch_id,
        e.account,
        e.asset,
        e.side,
        e.timestamp,
        text(e.quantity),
        text(e.price),
        e.quote,
        text(e.fee),
        e.fee_asset,
        text(e.price_usd),
        text(e.fee_usd),
        e.trade_id,
        e.tx_id,
        e.address,
        e.note,
        e.counterpart_account,
        e.lots,
        e.source,
    )


def _leg_values(event_id: int, pool_id: int, leg: Leg) -> tuple[object, ...]:
    return (
        event_id, leg.seq, pool_id, leg.kind, leg.timestamp, _pack(leg.quantity), _pack(leg.usd), leg.ref,
        leg.identification, leg.counterpart, leg.tx_id, leg.flag,
    )  # fmt: skip


def open_store(path: Path | None = None, *, readonly: bool = False) -> Store:
    return Store(path or default_store_path(), readonly=readonly)


def keys_of(events: Iterable[Event]) -> list[tuple[str, Event]]:
    """Natural keys for a batch, numbering identical rows so real repeats are all kept."""
    seen: dict[str, int] = {}
    keyed: list[tuple[str, Event]] = []
    for event in events:
        base = event.natural_key(0)
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        keyed.append((base if occurrence == 0 or event.trade_id else event.natural_key(occurrence), event))
    return keyed
