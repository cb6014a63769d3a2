"""A large harvest CSV written while it is read: the read of part k + 1 (polars, which releases
the GIL) runs in a thread while part k is written (SQLite, which releases it while a statement
steps), so the two phases no longer take one core each, one after the other.

The store's side of engine.imports.columnar.PartSink. It writes what
engine.store.columnar_import.import_frame writes, row for row, in one transaction that commits
only once the whole file is read and its report is made (StreamedFrame.finish, from
Store.import_frame); any problem in any part rolls it back and nothing is written. It takes
only the case whose outcome is known a part at a time, and declines the rest, which is then read
and imported whole as before:
- the store holds no events (a first import: no known keys, no conflicts; the natural key's
  index is built after the rows, as bulk_write does for such a batch);
- no record of the file repeats (the same trade id twice in an account, or a row without one
  whose content an earlier row has): each row's identity (columnar_import.identities, a 64-bit
  hash) is kept, and a part with a repeat — or a collision — declines, so every key is the one
  the whole-file pass gives and every row is new;
- no account of the file may hold the other source's fills (no cross-source twins to find).

At most PARTS_AHEAD parts wait for the writer, so the memory in flight stays a few parts'. No
The CLI offers a single file's import (tui.cli.import_command: a bad file
then still leaves no store behind it)."""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from engine.imports.columnar import DECLINED
from engine.imports.event_frame import EventFrame
from engine.ledger.events import Event
from engine.store.ledger_tables import ImportSummary

if TYPE_CHECKING:
    import sqlite3

    import polars as pl

    from engine.store.columnar_insert import Inserts


PARTS_IN_FLIGHT = 2  # parts read and prepared, not yet written: the one written and the next
_END = object()


@dataclass
class _Summary:
    """What the report says of the file (EventFrame's figures), summed part by part."""

    height: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    paid: int = 0
    in_crypto: int = 0
    accounts: set[str] = field(default_factory=set)
    unclassified: list[tuple[int, Event]] = field(default_factory=list)
    needs_price: list[tuple[int, Event, str]] = field(default_factory=list)

    @classmethod
    def of(cls, part: EventFrame) -> _Summary:
        return cls(
            part.height, part.counts(), *part.fees(), part.accounts(), part.unclassified(), part.needs_price()
        )

    def merge(self, later: _Summary) -> None:
        """A later part's figures (its lines come after every earlier part's: lists stay in line order)."""
        self.height += later.height
        self.counts += later.counts
        self.paid += later.paid
        self.in_crypto += later.in_crypto
        self.accounts |= later.accounts
        self.unclassified += later.unclassified
        self.needs_price += later.needs_price


@dataclass(frozen=True)
class StreamedFrame(EventFrame):
    """A file's events written while read: its report's figures, and the batch waiting for its
    commit (finish). Its rows are in the store, not here."""

    summary: _Summary = field(default_factory=_Summary)
    writer: _Writer | None = None

    @property
    def height(self) -> int:
        return self.summary.height

    def rows(self) -> tuple[list[Event], list[int], list[str]]:
        raise RuntimeError("a file written while it was read keeps no events: they are in the store")

    def accounts(self) -> set[str]:
        return set(self.summary.accounts)

    def counts(self) -> Counter[str]:
        return Counter(self.summary.counts)

    def fees(self) -> tuple[int, int]:
        return self.summary.paid, self.summary.in_crypto

    def unclassified(self) -> list[tuple[int, Event]]:
        return list(self.summary.unclassified)

    def needs_price(self) -> list[tuple[int, Event, str]]:
        return list(self.summary.needs_price)

    def finish(self, source: str) -> ImportSummary:
        """Commit the batch (the key's index built, the batch's counts set): what
        import_frame returns. `source`: the batch's, as the caller names it."""
        assert self.writer is not None
        assert source == self.writer.source
        return self.writer.finish()

    def abandon(self) -> None:
        """Roll the batch back (nothing written), if it is still open."""
        if self.writer is not None:
            self.writer.abandon()


def write_while_read(
    conn: sqlite3.Connection,
    path: Path,
    parts: Iterator[pl.DataFrame | None],
    label: str,
    usd_assets: frozenset[str],
) -> EventFrame | None | Literal["declined"]:
    """engine.imports.columnar.PartSink.take into the store at `path` (its connection `conn`):
    the harvest CSV `label`'s event `parts` written as they are read, or None (a problem) or
    DECLINED, nothing written."""
    # a harvest CSV's batch is named as engine.api.batch_source names it
    writer = _Writer(conn, path, f"csv:{Path(label).name}", usd_assets)
    if not writer.begin():
        return DECLINED
    return _stream(parts, writer)


def _stream(parts: Iterator[pl.DataFrame | None], writer: _Writer) -> EventFrame | None | Literal["declined"]:
    """Read and prepare `parts` in a thread, write each here as it comes: the written frame, or
    None (a problem) or DECLINED, the batch then rolled back."""
    waiting: queue.Queue[object] = queue.Queue()
    stop = threading.Event()
    slots = threading.Semaphore(PARTS_IN_FLIGHT)
    reader = threading.Thread(
        target=_read, args=(parts, writer, waiting, stop, slots), name="harvest-read", daemon=True
    )
    reader.start()
    summary = _Summary()
    outcome: EventFrame | None | Literal["declined"] = None
    ended = False
    try:
        while True:
            item = waiting.get()
            if item is _END:
                ended = True
                outcome = StreamedFrame(_empty_frame(), summary, writer)
                break
            if isinstance(item, BaseException):
                raise item
            if item is None or item == DECLINED:  # a problem (the row path reads the file), or a repeat
                outcome = None if item is None else DECLINED
                break
            assert isinstance(item, tuple)
            prepared, figures = item
            del item
            if not writer.write(prepared):
                outcome = DECLINED
                break
            del prepared  # (before the reader takes its slot for the next part)
            slots.release()
            summary.merge(figures)
    except BaseException as exc:
        stop.set()
        _drain(waiting, ended, slots)
        writer.abandon(exc)
        raise
    stop.set()
    _drain(waiting, ended, slots)
    reader.join()
    if not isinstance(outcome, StreamedFrame):
        writer.abandon()
    return outcome


def _read(
    parts: Iterator[pl.DataFrame | None],
    writer: _Writer,
    waiting: queue.Queue[object],
    stop: threading.Event,
    slots: threading.Semaphore,
) -> None:
    """The reader thread: each part read and prepared for the writer (_Writer.prepare) with its
    figures, or None (a problem) or DECLINED (a repeat), or the error met; then _END. A part is
    read once a slot is free (PARTS_IN_FLIGHT: the writer frees one as it writes a part)."""
    try:
        while True:
            slots.acquire()
            if stop.is_set():
                break
            try:
                part = next(parts)
            except StopIteration:
                break
            prepared = None if part is None else writer.prepare(part)
            if part is None or prepared is None:
                waiting.put(None if part is None else DECLINED)
                break
            waiting.put((prepared, _Summary.of(EventFrame(part))))
            del part, prepared  # (not kept while the next slot is waited for)
    except BaseException as exc:  # handed to the writer's thread, which raises it
        waiting.put(exc)
    finally:
        waiting.put(_END)


def _drain(waiting: queue.Queue[object], ended: bool, slots: threading.Semaphore) -> None:
    """Take what the reader still puts until its end (it stops at its next part)."""
    slots.release()  # (a reader waiting for a slot sees the stop)
    while not ended:
        ended = waiting.get() is _END


def _empty_frame() -> pl.DataFrame:
    import polars as pl

    from engine.imports.event_frame import SCHEMA

    return pl.DataFrame(schema=SCHEMA)


def _meets(found: pl.Series, seen: list[pl.Series]) -> bool:
    """Whether any of `found` is in `seen` (a semi join: no list of values built)."""
    import polars as pl

    earlier = pl.concat(seen).to_frame("identity")
    return bool(found.to_frame("identity").join(earlier, on="identity", how="semi").height)


@dataclass(frozen=True)
class _Prepared:
    """A part ready to write, planned in the reader's thread (columnar_insert.plan: the polars
    work done, the binding left): its events' rows, their INSERTs (`events`, the first
    numbered `first_id`), the new pools its legs are in (made in this order, these ids), its
    legs' INSERTs, and what may_twin asks."""

    rows: pl.DataFrame
    events: list[Inserts]
    first_id: int
    pools: list[tuple[str, str, int]]
    legs: list[Inserts]
    groups: list[tuple[str, bool]]


class _Abandoned(Exception):
    """Thrown into the batch's contexts to roll it back."""


class _Writer:
    """columnar_import.import_frame's batch, a part at a time."""

    def __init__(self, conn: sqlite3.Connection, path: Path, source: str, usd_assets: frozenset[str]) -> None:
        self.conn, self.path, self.source, self.usd_assets = conn, path, source, usd_assets
        self.batch = ExitStack()
        self.open = False
        self.indexed_after = False
        self.rows = 0
        self.batch_id = self.ids = 0  # ids: the next part's first event id (the reader's)
        self.pools: dict[tuple[str, str], int] = {}  # the store's and those made (the reader's)
        self.next_pool = 1  # the id SQLite gives the next pool made (the reader's)
        self.seen: list[pl.Series] = []  # each prepared part's identities (the reader's)

    def begin(self) -> bool:
        """Open the batch, if the store holds no events (else False: declined)."""
        from engine.store.bulk_write import rollback_journal
        from engine.store.ledger_tables import batch_writing, has_events, new_batch, next_event_id, pool_ids

        if has_events(self.conn):
            return False
        self.batch.enter_context(rollback_journal(self.conn, True))  # (import_frame's choice for it)
        self.batch.enter_context(batch_writing(self.conn, self.path))
        self.open = True
        if has_events(self.conn):  # (another process wrote before the batch took the lock)
            self.abandon()
            return False
        self.batch_id = new_batch(self.conn, self.source, 0)  # its rows set at the end
        self.ids = next_event_id(self.conn)
        self.pools = pool_ids(self.conn)
        self.next_pool = max(self.pools.values(), default=0) + 1  # (its rule for a rowid)
        return True

    def prepare(self, part: pl.DataFrame) -> _Prepared | None:
        """In the reader's thread: a part's events keyed and numbered, their rows and legs
        built and planned, its new pools numbered as SQLite will number them, or None
        (declined) when it repeats a record (see the module's docstring)."""
        import polars as pl

        from engine.store.columnar_import import (
            event_rows,
            frame_keys,
            identities,
            plan_event_rows,
            plan_legs,
            pool_frame,
            twin_groups,
        )
        from engine.store.columnar_legs import frame_legs

        framed = part.with_columns(frame_keys(part))
        found = identities(framed)
        with_id = framed.select(pl.col("trade_id").is_not_null() & (pl.col("trade_id") != "")).to_series()
        if bool(found.filter(with_id).is_duplicated().any()):  # an id twice in this part
            return None
        if self.seen and _meets(found, self.seen):  # a record of an earlier part
            return None
        self.seen.append(found)
        first = self.ids
        new = framed.with_columns(event_id=pl.int_range(first, first + framed.height, dtype=pl.Int64))
        self.ids += framed.height
        rows = event_rows(new, self.batch_id)
        legs = frame_legs(new, self.usd_assets)
        made: list[tuple[str, str, int]] = []
        legs = legs.join(
            pool_frame(legs, self.pools, lambda account, asset: self._numbered(made, account, asset)),
            on=["account", "asset"],
            how="left",
            maintain_order="left",
        )
        return _Prepared(
            rows, list(plan_event_rows(rows, first)), first, made, list(plan_legs(legs)), twin_groups(framed)
        )

    def _numbered(self, made: list[tuple[str, str, int]], account: str, asset: str) -> int:
        """A new pool's id as SQLite gives it (the largest plus one), to make when written."""
        made.append((account, asset, self.next_pool))
        self.next_pool += 1
        return self.next_pool - 1

    def write(self, prepared: _Prepared) -> bool:
        """A part's rows and legs written, or False (nothing of it written but, at worst, its
        new pools: the batch is then rolled back) when an account may hold the other source's
        fills, or the store would number its events or pools otherwise than planned."""
        from engine.store.bulk_write import natural_keys_indexed_after
        from engine.store.columnar_import import may_twin
        from engine.store.columnar_insert import run
        from engine.store.ledger_tables import new_pool, next_event_id

        if may_twin(self.conn, prepared.groups):
            return False
        if next_event_id(self.conn) != prepared.first_id:  # (never, under the batch's lock)
            return False
        for account, asset, pool_id in prepared.pools:
            if new_pool(self.conn, account, asset) != pool_id:  # (likewise)
                return False
        height = prepared.rows.height
        if not self.indexed_after and height:  # (added >= the 0 events stored)
            self.batch.enter_context(natural_keys_indexed_after(self.conn, height))
            self.indexed_after = True
        run(self.conn, prepared.events)
        run(self.conn, prepared.legs)
        self.rows += height
        return True

    def finish(self) -> ImportSummary:
        assert self.open
        self.conn.execute(
            "UPDATE batches SET rows = ?, added = ? WHERE id = ?", (self.rows, self.rows, self.batch_id)
        )
        self.open = False
        self.batch.close()  # the index built, COMMIT, the journal mode back
        return ImportSummary(self.batch_id, self.rows, self.rows)

    def abandon(self, error: BaseException | None = None) -> None:
        """Roll the batch back; an error of the rollback itself (StoreError) is raised."""
        if not self.open:
            return
        self.open = False
        thrown = error if error is not None else _Abandoned()
        self.batch.__exit__(type(thrown), thrown, thrown.__traceback__)
