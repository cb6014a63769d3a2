"""The realized-gains CSV built in columns (polars), for large reports: per-row Python formatting
of four fixed-point ints was two thirds of a million-row report's time. The text is byte for byte
what the row-by-row writer (engine.reports.ledger_reports) produces: fixed-point ints (Int128:
a 10^15-unit quantity is 10^33 units of 10^-18) are split into whole and fraction by integer
division by 10^18, the fraction zero-padded and trimmed as `fp.fmt` does; dates and the rare
text cell that needs quoting or a spreadsheet guard are rendered by the same Python functions
the row writer uses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import IO

import polars as pl

from engine.core.fixedpoint import SCALE
from engine.ledger.records import RealizedRow
from engine.reports.realized_rows_csv import csv_cell

# A text cell needing Python's attention: one the csv module would quote (delimiter, quote, line
# breaks) or one a spreadsheet could read as a formula (csv_output._FORMULA_START)
_SPECIAL_CELL = r'[,"\r\n]|^[=+\-@\t\r]'


def _fixed_text(column: str, min_places: int) -> pl.Expr:
    """fp.fmt(units, min_places) for a column of Int128 fixed-point ints."""
    units = pl.col(column)
    magnitude = units.abs()
    whole = (magnitude // SCALE).cast(pl.String)
    # the fraction plus 10^18 is "1" and its 18 digits zero-padded: trim the zeros, drop the "1"
    fraction = (
        ((magnitude % SCALE).cast(pl.Int64) + SCALE).cast(pl.String).str.strip_chars_end("0").str.slice(1)
    )
    sign = pl.when(units < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    if min_places:
        return pl.concat_str(sign, whole, pl.lit("."), fraction.str.pad_end(min_places, "0")).alias(column)
    point = pl.when(fraction == "").then(pl.lit("")).otherwise(pl.lit("."))
    return pl.concat_str(sign, whole, point, fraction).alias(column)


def _text_column(name: str, values: Sequence[str]) -> pl.Series:
    series = pl.Series(name, values, dtype=pl.String)
    special = series.str.contains(_SPECIAL_CELL)
    if special.any():
        at = special.arg_true()
        series = series.scatter(at, [csv_cell(cell) for cell in series.gather(at)])
    return series


def _day_column(name: str, ordinals: Sequence[int]) -> pl.Series:
    """ISO dates through date.isoformat, once per distinct day (a few thousand at most)."""
    days = pl.Series(name, ordinals, dtype=pl.Int64)
    distinct = days.unique()
    return days.replace_strict(
        distinct, [date.fromordinal(day).isoformat() for day in distinct], return_dtype=pl.String
    )


def realized_csv(columns: Sequence[str], rows: Sequence[RealizedRow]) -> str:
    """csv_text(columns, realized_records(rows)), in columns."""
    if not rows:
        return ",".join(columns) + "\n"
    return realized_frame(columns, rows).write_csv(quote_style="never")


def write_frame(frame: pl.DataFrame, binary: IO[bytes]) -> None:
    """A frame from realized_frame as CSV bytes (UTF-8, as realized_csv's text encodes)."""
    frame.write_csv(binary, quote_style="never")


def realized_frame(columns: Sequence[str], rows: Sequence[RealizedRow]) -> pl.DataFrame:
    """The CSV's cells as text columns named `columns`: written with quote_style="never", the bytes
    of realized_csv. OverflowError for an amount past Int128."""
    if not rows:
        return pl.DataFrame(schema=dict.fromkeys(columns, pl.String))
    # one tuple per field: zip(*rows) transposes in C (half the time of a comprehension per field)
    (account, asset, quantity, acquired, sold, proceeds, basis, gain, term, lot_id, sale_id) = zip(
        *rows, strict=True
    )
    frame = pl.DataFrame(
        [
            _text_column("account", account),
            _text_column("asset", asset),
            pl.Series("quantity", quantity, dtype=pl.Int128),
            _day_column("date_acquired", acquired),
            _day_column("date_sold", sold),
            pl.Series("proceeds", proceeds, dtype=pl.Int128),
            pl.Series("cost_basis", basis, dtype=pl.Int128),
            pl.Series("gain", gain, dtype=pl.Int128),
            _text_column("term", term),
            _text_column("lot_id", lot_id),
            _text_column("sale_id", sale_id),
        ]
    ).with_columns(
        _fixed_text("quantity", 0),
        _fixed_text("proceeds", 2),
        _fixed_text("cost_basis", 2),
        _fixed_text("gain", 2),
    )
    frame.columns = list(columns)
    return frame
