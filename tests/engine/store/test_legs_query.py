"""The ledger's legs read a chunk at a time (engine.store.legs_query): whatever the chunk size,
the same rows in the same order as one fetch of the whole query, the extras asked and read only
when a leg has them — found in any chunk, the last included — and the same for one part."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from engine.imports.generic_csv import parse_csv
from engine.store import ledger_tables, legs_query
from engine.store.store import Store, keys_of

CSV = "timestamp,account,asset,side,quantity,price,fee,trade_id,counterpart_account,tx_id,lots\n"
PLAIN = "".join(f"2026-02-{day:02d}T00:00:00Z,kraken,SOL,buy,{day},10,0,S{day},,,\n" for day in range(1, 11))
LATE_EXTRA = "2026-03-01T00:00:00Z,kraken,SOL,transfer_out,1,,0,K7,ledger,0xdef,\n"  # the last leg


def whole(
    conn: sqlite3.Connection, where: str = "", args: tuple[object, ...] = ()
) -> tuple[list, list | None]:
    legs = conn.execute(legs_query.legs_sql(where), args).fetchall()
    extras = conn.execute(legs_query.extras_sql(where), args).fetchall()
    return legs, extras or None


@pytest.mark.parametrize("chunk", [1, 3, 7, 20_000])
@pytest.mark.parametrize("rows", [PLAIN, PLAIN + LATE_EXTRA])
def test_the_legs_read_in_chunks_are_one_fetchs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, rows: str
):
    monkeypatch.setattr(legs_query, "CHUNK", chunk)
    with Store(tmp_path / "s.sqlite3") as store:
        store.import_events(keys_of(parse_csv(CSV + rows, "f.csv")), "f", frozenset({"USD"}))
        conn = store.conn
        expected = whole(conn)
        assert len(expected[0]) == rows.count("\n")
        assert (expected[1] is None) == (rows == PLAIN)
        assert ledger_tables._read_legs(conn, "", ()) == expected
        split = conn.execute(
            "SELECT ts, event_id, seq FROM legs" + legs_query.ORDER + " LIMIT 1 OFFSET 4"
        ).fetchone()
        for where in (" WHERE (ts, event_id, seq) < (?, ?, ?)", " WHERE (ts, event_id, seq) >= (?, ?, ?)"):
            assert ledger_tables._read_legs(conn, where, split) == whole(conn, where, split)
