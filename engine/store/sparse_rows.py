"""Bulk inserts of rows that are mostly NULL, without binding the NULLs.

Python's sqlite3 (3.11) binds a None through its adapter lookup, several times the cost of an int
or a string, and an import's event and leg rows are half None (no tx id, no address, no lots...).
So rows are grouped by which columns hold a value, and each group goes in with one executemany
whose INSERT names only those columns: the others take their default, NULL (none of these
columns has another default, so the rows stored are the same)."""

from __future__ import annotations

import sqlite3
from itertools import compress
from operator import is_not


class SparseRows:
    """Rows for one table, collected by shape and inserted by insert()."""

    def __init__(self, table: str, columns: tuple[str, ...]) -> None:
        self.table = table
        self.columns = columns
        self._nones = (None,) * len(columns)
        self._shapes: dict[tuple[bool, ...], list[tuple[object, ...]]] = {}

    def add(self, row: tuple[object, ...]) -> None:
        shape = tuple(map(is_not, row, self._nones))  # which columns hold a value
        rows = self._shapes.get(shape)
        if rows is None:
            rows = self._shapes[shape] = []
        rows.append(tuple(compress(row, shape)))

    def add_shaped(self, shape: tuple[bool, ...], values: tuple[object, ...]) -> None:
        """A row whose shape the caller knows, given as its values only (no None among them):
        the common row, added without working its shape out."""
        rows = self._shapes.get(shape)
        if rows is None:
            rows = self._shapes[shape] = []
        rows.append(values)

    def extend_shaped(self, shape: tuple[bool, ...], rows: list[tuple[object, ...]]) -> None:
        """add_shaped for each of many rows of one shape."""
        self._shapes.setdefault(shape, []).extend(rows)

    def __len__(self) -> int:
        return sum(map(len, self._shapes.values()))

    def insert(self, conn: sqlite3.Connection) -> None:
        for shape, rows in self._shapes.items():
            names = list(compress(self.columns, shape))
            marks = ",".join("?" * len(names))
            conn.executemany(f"INSERT INTO {self.table} ({', '.join(names)}) VALUES ({marks})", rows)
