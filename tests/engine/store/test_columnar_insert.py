"""The columnar store write's INSERTs (engine.store.columnar_import._insert): a column given as
two halves (a leg's amount: an Int64 one where it fits, its digits otherwise) is stored as each
row's half holds it, and the rows of one shape go in in the order given (the legs' clustered key)
whichever half they hold, not grouped by half."""

from __future__ import annotations

import sqlite3

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.store.columnar_import import _insert

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
