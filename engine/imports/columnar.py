"""The columnar import path: a large file of a format that has one (Coinbase transaction history,
Kraken ledgers, harvest CSV) read, parsed and validated by polars in bulk instead of row by row.

It gives exactly what the row path gives (engine.imports.importer): the same events, in the same
order, lines, kinds, skips and notes, so the store written is the same row for row. It takes
only what it can read in bulk without doubt and leaves the rest to the row path's own code:
- the file: ASCII text whose every line after the header is plain CSV (no quote inside a field,
  no line break inside a quoted one, no control characters) with as many cells as the header;
  anything else is read by the row path, whole;
- a cell: in the common shapes (`-0.5`, `$1,234.56`, `2025-01-02 10:00:00 UTC`), each read
  exactly into integers (fixed-point units of 10**-18, epoch microseconds), never through float;
  a row with a cell in another shape is read by the format's row code (an "odd" row);
- a problem anywhere (a bad cell, a date in the future, a record out of range): the row path
  reads the file again and names every problem as it always has (FILE:LINE: column: problem).

Polars is imported here, not by the row path: importing it takes about 0.2 s, which a small
file does not win back, so the path is taken from COLUMNAR_MIN_LINES lines."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal, Protocol

from engine.ledger.events import EXCHANGE_SOURCE

if TYPE_CHECKING:
    import polars as pl

    from engine.imports.event_frame import EventFrame, Read
    from engine.imports.formats import Format, Options

# From this many lines a file is read in columns (measured: bench/bench_import.py; below it the
# row path is as fast, and a small import does not load polars)
COLUMNAR_MIN_LINES = 20_000
COLUMNAR_FORMATS = frozenset({"coinbase", "kraken", "harvest"})


def wanted(fmt: Format, text: str, label: str, options: Options) -> bool:
    """Whether this file goes the columnar way (before anything is read)."""
    return (
        fmt.key in COLUMNAR_FORMATS
        and options.custom is None
        and not label.startswith(EXCHANGE_SOURCE)  # a record's source: a file's must not look synced
        and text.isascii()
        and text.count("\n") >= COLUMNAR_MIN_LINES
    )


DECLINED: Literal["declined"] = (
    "declined"  # PartSink.take: the parts were not written; the file is read as before
)


class PartSink(Protocol):
    """Where a harvest CSV may be written while it is read, a part at a time, in one
    transaction (engine.store.columnar_stream: the store's side, handed down by the caller)."""

    def take(
        self, parts: Iterator[pl.DataFrame | None], label: str
    ) -> EventFrame | None | Literal["declined"]:
        """The file's events, written (not yet committed: the caller's store_import commits), or
        None when the row path must read the file (a problem: nothing written), or DECLINED
        (nothing written: read and import the file as before)."""
        ...


RETURN_PAGES_FROM_CHARS = 16 * 2**20  # two of columnar_cells.PART_BYTES
# a file written while read (PartSink): its first part (then twice as large each, up to
# columnar_cells.PART_BYTES), so that the writer, the import's critical path, starts sooner
FIRST_PART_BYTES = 1 << 20


def allocator_settings(text: str) -> None:
    """Polars' allocator (jemalloc) keeps freed pages for 10 s by default: a large file read a part
    at a time would hold every part's (measured at 1M rows: 375 -> 272 MB after the read), so from
    RETURN_PAGES_FROM_CHARS it is told to hand them back at once. Below that the parts are one or
    two, and handing pages back only to fault them in again costs more than it frees (50,000
    rows: ~23,000 more page faults, ~50 ms of CPU, for 23 MB less at the peak). Read when polars
    loads, so only where this is its first import (a user's own setting is kept)."""
    if len(text) >= RETURN_PAGES_FROM_CHARS:
        os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")


def read_columnar(
    fmt: Format,
    text: str,
    label: str,
    header: tuple[int, list[str]],
    options: Options,
    sink: PartSink | None = None,
) -> Read | None:
    """The file's events in columns and its skipped rows, or None: the row path reads it (a
    problem, or a file not plainly written). `options` as the format's parse gets them. With a
    `sink`, a harvest CSV is offered to it to write while it is read."""
    header_line, names = header
    if fmt.key != "harvest" and not text.endswith(("\n", "\r")):
        return None  # cut short: a problem the row path names
    allocator_settings(text)
    import polars as pl

    from engine.imports.columnar_cells import cell_parts, cells_frame

    try:
        if fmt.key == "harvest":  # read and made into events a part at a time (its rules are per row)
            from collections import Counter

            from engine.imports.columnar_harvest import event_parts, harvest_names, read_harvest

            known = harvest_names(header, options)
            if sink is not None and known is not None:
                sized = cell_parts(text, header_line, len(names), FIRST_PART_BYTES)
                parts = event_parts(sized, known, label, options)
                written = sink.take(parts, label)
                if not isinstance(written, str):  # (DECLINED: read as before)
                    return None if written is None else (written, Counter())
            return read_harvest(cell_parts(text, header_line, len(names)), label, header, options)
        cells = cells_frame(text, header_line, len(names))
        if cells is None:
            return None
        if fmt.key == "coinbase":
            from engine.imports.columnar_coinbase import read_coinbase

            return read_coinbase(cells, text, label, header, options)
        from engine.imports.columnar_kraken import read_kraken

        return read_kraken(cells, label, header, options)
    except pl.exceptions.PolarsError:  # polars refusing a value it was not meant to meet: read by rows
        return None
