"""The columnar store write's INSERTs (engine.store.columnar_insert: plan, then run): a column given as
two halves (a leg's amount: an Int64 one where it fits, its digits otherwise) is stored as each
row's half holds it, and the rows of one shape go in in the order given (the legs' clustered key)
whichever half they hold, not grouped by half."""

from __future__ import annotations

import sqlite3

import polars as pl
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.store.columnar_insert import plan, run


def _insert(
    conn: sqlite3.Connection,
    table: str,
    rows: pl.DataFrame,
    nullable: list[str],
    order: tuple[str, ...],
    pairs: dict[str, tuple[str, str]] | None = None,
    rowid: str | None = None,
) -> None:
    """Planned and run as the import does: the next id the table's largest plus one."""
    next_id = None
    if rowid is not None:
        next_id = int(conn.execute(f"SELECT coalesce(max({rowid}), 0) + 1 FROM {table}").fetchone()[0])
    run(conn, plan(table, rows, nullable, order, pairs, rowid, next_id))


AMOUNT = st.integers(-(2**63), 2**63 - 1) | st.integers(2**63, 10**33) | st.integers(-(10**33), -(2**63) - 1)


def inserted(amounts: list[int], notes: list[str | None]) -> list[tuple[object, ...]]:
    """(key, amount, its SQLite type, note) of each row, in the order they were inserted."""
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE t (k INTEGER NOT NULL, seq INTEGER NOT NULL, amount NOT NULL, note TEXT)"
    )  # rowid: the insert order
    fits = [-(2**63) <= a < 2**63 for a in amounts]
    rows = pl.DataFrame(
        {
            "k": list(range(len(amounts))),
            "seq": [k % 2 for k in range(len(amounts))],
            "amount_int": [a if fit else None for a, fit in zip(amounts, fits, strict=True)],
            "amount_text": [None if fit else str(a) for a, fit in zip(amounts, fits, strict=True)],
            "note": notes,
        },
        schema={
            "k": pl.Int64,
            "seq": pl.Int64,
            "amount_int": pl.Int64,
            "amount_text": pl.String,
            "note": pl.String,
        },
    )
    _insert(
        conn, "t", rows, ["note"], ("k", "seq", "amount", "note"), {"amount": ("amount_int", "amount_text")}
    )
    return conn.execute("SELECT k, amount, typeof(amount), note FROM t ORDER BY rowid").fetchall()


@settings(max_examples=200, deadline=None)
@given(st.lists(AMOUNT, min_size=1, max_size=80).flatmap(lambda a: st.tuples(st.just(a), st.lists(
    st.sampled_from([None, "x", "it's"]), min_size=len(a), max_size=len(a)))))  # fmt: skip
def test_a_pair_is_stored_as_each_row_holds_it(drawn):
    amounts, notes = drawn
    found = inserted(amounts, notes)
    assert sorted(found) == [
        (k, a, "integer", note) if -(2**63) <= a < 2**63 else (k, str(a), "text", note)
        for k, (a, note) in enumerate(zip(amounts, notes, strict=True))
    ]


def test_rows_of_one_shape_go_in_in_the_order_given_whichever_half_they_hold():
    amounts = [1, 10**20, 2, 10**21, -(10**22), 3]  # INTEGER, digits, INTEGER, digits, digits, INTEGER
    found = inserted(amounts, [None] * len(amounts))
    assert [k for k, *_ in found] == list(range(len(amounts)))
    assert [kind for _, _, kind, _ in found] == ["integer", "text", "integer", "text", "text", "integer"]


def inserted_ids(stored: list[int], ids: list[int], notes: list[str | None]) -> tuple[list[int], list[str]]:
    """The ids of a table with an INTEGER PRIMARY KEY holding `stored`, after _insert of rows
    with `ids` (its `rowid`), and the INSERTs' SQL."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT)")
    conn.executemany("INSERT INTO t (id, name) VALUES (?, 'old')", [(k,) for k in stored])
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    rows = pl.DataFrame(
        {"id": ids, "name": [f"n{k}" for k in ids], "note": notes},
        schema={"id": pl.Int64, "name": pl.String, "note": pl.String},
    )
    _insert(conn, "t", rows, ["note"], ("id", "name", "note"), rowid="id")
    found = conn.execute("SELECT id, name FROM t WHERE name != 'old' ORDER BY rowid").fetchall()
    assert all(name == f"n{k}" for k, name in found)
    return [k for k, _ in found], [s for s in statements if s.startswith("INSERT")]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(1, 200), unique=True, max_size=5),
    st.integers(-2, 3),
    st.integers(1, 80),
    st.booleans(),
    st.booleans(),
)
def test_the_rows_keep_their_ids_whether_sqlite_numbers_them_or_not(stored, offset, count, gap, shapes):
    """Ids that run on from the largest stored are left to SQLite, others bound: the same ids."""
    first = max(stored, default=0) + 1 + offset
    ids = [k for k in range(first, first + count + gap) if not (gap and k == first + 1)]
    assume(not set(ids) & set(stored))  # (ids taken: not the rows of a new batch)
    notes = [("x" if shapes and k % 3 == 0 else None) for k in ids]
    found, _ = inserted_ids(stored, ids, notes)
    assert sorted(found) == sorted(ids)


def test_ids_running_on_from_the_largest_stored_are_numbered_by_sqlite():
    found, statements = inserted_ids([1, 2, 7], list(range(8, 108)), [None] * 100)
    assert found == list(range(8, 108))
    assert statements
    assert all(s.startswith("INSERT INTO t (name)") for s in statements)


def test_ids_with_a_gap_or_not_next_are_bound():
    for stored, ids in (([1, 2, 7], [8, 9, 11]), ([1, 2, 7], [9, 10, 11]), ([], [2, 3])):
        found, statements = inserted_ids(stored, ids, [None] * len(ids))
        assert found == ids
        assert all(s.startswith("INSERT INTO t (id, name)") for s in statements)
