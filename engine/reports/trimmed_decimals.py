"""Amounts written by polars' CSV writer as Decimal(38, 18) with their trailing zeros trimmed
(polars' `trim_decimal_zeros` setting), for the columnar realized CSV
(engine.reports.columnar_csv): no text column is built for them. Measured at a million
amounts a column (2026-12-02, one polars thread): 0.13 s of CPU where the Decimal's text and
the regex trim took 0.19-0.23 s.

The trimmed text is fp.fmt's when the amount has no minimum places (a quantity: "2", "1.5",
"-0.000000000000000001", "100", "0"), and for an amount of 2 places (proceeds, basis, gain)
whenever its units are not a multiple of 10^17 — one that is, a whole number of tenths ("7.8",
"0", "-3"), is short of fp.fmt's places ("7.80", "0.00", "-3.00"). Those rows, usually few, are written again with the
amounts as text and put in place of their short lines (patched); where many are, the columns
holding them are written as text for the whole part.

The setting is the process's (polars keeps it globally, read by every thread): trimmed()
turns it on for as long as one caller or more is inside it and puts back what it was after."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import polars as pl

SHORT_UNITS = 10**17  # a 2-place amount that is a multiple of this (tenths) trims to fewer than 2 places
_LOW_BITS = 2**17 - 1  # 10^17 is 2^17 × 5^17: a multiple of it has these bits 0 (a cheap first sieve)

_lock = threading.Lock()
_inside = 0
_before: bool | None = None


@contextmanager
def trimmed() -> Iterator[None]:
    """Polars writes Decimals with their trailing zeros trimmed while any caller is inside."""
    global _inside, _before
    with _lock:
        if not _inside:
            _before = bool(pl.Config.state().get("set_trim_decimal_zeros"))
            pl.Config.set_trim_decimal_zeros(True)
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if not _inside:
                pl.Config.set_trim_decimal_zeros(_before)


def short_rows(frame: pl.DataFrame, names: Sequence[str]) -> pl.Series:
    """The indices of the rows of `frame` where one of the 2-place amounts `names` (Int128 units)
    trims short of 2 places. Int128's remainder is slow (0.02 s a million): it is taken only of
    the rows the low bits leave."""
    low = pl.any_horizontal((pl.col(name) & _LOW_BITS) == 0 for name in names)
    rows = frame.select(pl.arg_where(low)).to_series()
    if rows.is_empty():
        return rows
    return rows.filter(frame[rows].select(short(names)).to_series())


def short(names: Sequence[str]) -> pl.Expr:
    """Per row: whether one of the 2-place amounts `names` trims short of 2 places."""
    return pl.any_horizontal(pl.col(name) % SHORT_UNITS == 0 for name in names)


def patched(
    lines: bytes | memoryview, short_lines: bytes | memoryview, right_lines: bytes | memoryview
) -> bytes:
    """`lines` (CSV records of one line each, "\\n"-ended) with each of `short_lines`, in order,
    replaced by the line of `right_lines` at its index. Each short line is found from where the
    last one ended, at the start of a line: the lines between two of them are not short, and
    their text differs from a short line's (an amount with 2 places or more where it has fewer)."""
    text = bytes(lines)
    pieces: list[bytes] = []
    at = 0
    for wrong, right in zip(_lines(short_lines), _lines(right_lines), strict=True):
        found = text.find(wrong, at)
        while found > at and text[found - 1] != 0x0A:  # the end of a longer line
            found = text.find(wrong, found + 1)
        if found < 0:  # never for a part's own short lines
            raise ValueError("realized CSV: a short line was not found")
        pieces += (text[at:found], right)
        at = found + len(wrong)
    pieces.append(text[at:])
    return b"".join(pieces)


def _lines(text: bytes | memoryview) -> list[bytes]:
    return [line + b"\n" for line in bytes(text).split(b"\n")[:-1]]
