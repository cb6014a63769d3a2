"""The columnar store write's INSERTs (engine.store.columnar_import), in two steps: planned on
columns with polars (plan: the rows grouped by shape, the values every row of a shape shares
written into its statement, the ids SQLite would give left out), then run (run: the rest of the
values bound by executemany). Planning needs no connection, so a file written while it is read
(engine.store.columnar_stream) plans a part in its reader thread while the writer runs the last;
polars releases the GIL while it works, and the writer's thread is left the binding and SQLite's
own work (the import's critical path)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

CHUNK = 50_000  # rows turned into Python values at a time
ROWS_PER_INSERT = 32


@dataclass(frozen=True)
class Inserts:
    """Rows of one shape, ready to run: the columns the statement names (`present`), one row's
    VALUES text (`row`: a `?` per bound column, a literal for each value the rows share), and
    the `rows` whose `bound` columns are bound; `pairs` as plan takes them."""

    table: str
    present: tuple[str, ...]
    row: str
    bound: tuple[str, ...]
    rows: pl.DataFrame
    pairs: dict[str, tuple[str, str]]


def plan(
    table: str,
    rows: pl.DataFrame,
    nullable: list[str],
    order: tuple[str, ...],
    pairs: dict[str, tuple[str, str]] | None = None,
    rowid: str | None = None,
    next_id: int | None = None,
) -> Iterator[Inserts]:
    """The rows inserted by shape (which nullable columns hold a value), each INSERT naming only
    those (sparse_rows: a bound NULL costs more than the value), a value all rows of a shape
    share written into the statement, and ROWS_PER_INSERT rows to a statement (measured: a
    quarter faster than one, binding as many values); no tuple is built per row. `order`: the
    table's columns; `pairs`: a column given as two, an Int64 one and a String one, one of them
    null in each row (a leg's amount: INTEGER or digits), bound as the one that is not — in one
    list, ints and strings mixed (SQLite stores each as bound), so that rows of one shape are not
    split by which half they hold: each part is inserted in the order given (the legs' clustered
    key), and rows interleaved by half would each seek into pages already written. `rowid`: the
    table's INTEGER PRIMARY KEY column, left out of a part whose ids run on, one by one, from
    `next_id` (the table's largest id plus one when the plan runs; None: not known, ids bound):
    SQLite gives each row appended without one the largest id plus one, the very ids, and a
    million ids are neither bound nor each sought in the table to check that it is free. Each
    part's ids count as stored for the parts after it (run runs them in this order, all of
    them). A generator: a chunk is planned as it is wanted."""
    pairs = pairs or {}
    held = {c: pl.col(c).is_not_null() for c in nullable if c not in pairs} | {
        name: pl.col(whole).is_not_null() | pl.col(digits).is_not_null()
        for name, (whole, digits) in pairs.items()
    }
    # a shape: which nullable columns hold a value
    shape = pl.sum_horizontal(
        held_bit.cast(pl.Int64) * (1 << i) for i, held_bit in enumerate(held[c] for c in nullable)
    )
    for start in range(0, rows.height, CHUNK):
        chunk = rows.slice(start, CHUNK)
        shapes = chunk.select(shape.alias("_shape")).to_series()
        # (one shape, as a file's rows mostly have: the chunk as it is, not copied by partition_by)
        one = shapes.n_unique() == 1
        parts = [chunk] if one else chunk.with_columns(shapes).partition_by("_shape", include_key=False)
        for part in parts:
            first = part.row(0, named=True)
            present = [c for c in order if c not in nullable or _held(first, c, pairs)]
            alone = [c for c in present[1:] if c not in pairs]  # ids always bound
            same = part.select((pl.col(c) == pl.col(c).first()).all() for c in alone).row(0)
            fixed = {c: first[c] for c, shared in zip(alone, same, strict=True) if shared}
            bound = [c for c in present if c not in fixed]
            # (while another value is bound: each row is one set of values)
            if rowid is not None and one and len(bound) > 1 and _appended(part[rowid], next_id):
                present.remove(rowid)  # SQLite numbers them: the same ids
                bound.remove(rowid)
            if rowid is not None:
                next_id = _after(part[rowid], next_id)
            row = "(" + ", ".join(_literal(fixed[c]) if c in fixed else "?" for c in present) + ")"
            yield Inserts(table, tuple(present), row, tuple(bound), part, pairs)


def run(conn: sqlite3.Connection, inserts: Iterator[Inserts] | list[Inserts]) -> None:
    """Each of the planned `inserts`, in order: its values bound row after row, ROWS_PER_INSERT
    rows to a statement."""
    for each in inserts:
        part, bound, pairs = each.rows, each.bound, each.pairs
        width = len(bound)
        values: list[object] = [None] * (part.height * width)  # row after row, flat
        for at, name in enumerate(bound):
            values[at::width] = part[name].to_list() if name not in pairs else _either(part, *pairs[name])
        columns = ", ".join(each.present)
        whole = part.height // ROWS_PER_INSERT * ROWS_PER_INSERT * width
        step = ROWS_PER_INSERT * width
        conn.executemany(
            f"INSERT INTO {each.table} ({columns}) VALUES {', '.join([each.row] * ROWS_PER_INSERT)}",
            (values[at : at + step] for at in range(0, whole, step)),
        )
        conn.executemany(
            f"INSERT INTO {each.table} ({columns}) VALUES {each.row}",
            (values[at : at + width] for at in range(whole, len(values), width)),
        )


def _appended(ids: pl.Series, next_id: int | None) -> bool:
    """Whether `ids` (a table's INTEGER PRIMARY KEY, its rowid) are those SQLite would give the
    rows appended without them: `next_id` (the largest id stored plus one), plus one... (its
    rule while the largest is below 2**63 - 1)."""
    runs_on = ids.len() == 1 or bool((ids.diff().slice(1) == 1).all())
    return next_id is not None and bool(ids.null_count() == 0 and ids[0] == next_id and runs_on)


def _after(ids: pl.Series, next_id: int | None) -> int | None:
    """The table's largest id plus one once `ids` are stored (None: not known, an id left to SQLite)."""
    if next_id is None or ids.null_count():
        return None
    return max(next_id, int(ids.max()) + 1) if ids.len() else next_id  # type: ignore[arg-type]


def _held(row: dict[str, object], name: str, pairs: dict[str, tuple[str, str]]) -> bool:
    return row[name] is not None if name not in pairs else any(row[half] is not None for half in pairs[name])


def _either(part: pl.DataFrame, whole: str, digits: str) -> list[object]:
    """A pair's values, each row's from the half that holds one (every row holds one: a pair
    missing from a shape is not inserted)."""
    if part[digits].null_count() == part.height:
        return part[whole].to_list()
    if part[whole].null_count() == part.height:
        return part[digits].to_list()
    texts = part[digits].to_list()
    return [
        text if value is None else value for value, text in zip(part[whole].to_list(), texts, strict=True)
    ]


def _literal(value: object) -> str:
    """An int or a string as an SQL literal (a string quoted, its quotes doubled)."""
    if isinstance(value, int):
        return str(value)
    assert isinstance(value, str)
    return "'" + value.replace("'", "''") + "'"
