"""The realized-gains CSV built in columns (polars), for large reports: per-row Python formatting
of four fixed-point ints was two thirds of a million-row report's time. The text is byte for byte
what the row-by-row writer (engine.reports.ledger_reports) produces: fixed-point ints (Int128:
a 10^15-unit quantity is 10^33 units of 10^-18) are split into whole and fraction by integer
division by 10^18, the fraction zero-padded and trimmed as `fp.fmt` does; dates and the rare
text cell that needs quoting or a spreadsheet guard are rendered by the same Python functions
the row writer uses."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import IO

import polars as pl

from engine.core.fixedpoint import SCALE
from engine.ledger.records import RealizedRow
from engine.reports.realized_columns import RealizedColumns, columns_of
from engine.reports.realized_rows_csv import FORMULA_START, QUOTED, csv_cell

# A text cell needing Python's attention: one the csv module would quote (delimiter, quote, line
# breaks) or one a spreadsheet could read as a formula (csv_output._FORMULA_START)
_SPECIAL_CELL = r'[,"\r\n]|^[=+\-@\t\r]'
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # polars' day 0
_WRITE_SLICE = 250_000  # rows per write: about 30 MB of CSV


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


def _needs_python(values: Sequence[str]) -> bool:
    """Whether any cell may need quoting or a spreadsheet guard: a few C-speed substring scans of
    the cells joined by NUL (never a special character itself; a NUL inside a cell can only make
    this say yes, and the exact check follows)."""
    joined = "\0".join(values)
    return (
        joined.startswith(FORMULA_START)
        or any(character in joined for character in QUOTED)
        or any("\0" + start in joined for start in FORMULA_START)
    )


def _text_column(name: str, values: Sequence[str]) -> pl.Series:
    series = pl.Series(name, values, dtype=pl.String)
    if not _needs_python(values):  # nearly always: ids, accounts, tickers, terms
        return series
    special = series.str.contains(_SPECIAL_CELL)
    if special.any():
        at = special.arg_true()
        series = series.scatter(at, [csv_cell(cell) for cell in series.gather(at)])
    return series


def _day_column(name: str, ordinals: Sequence[int]) -> pl.Series:
    """Date ordinals as polars dates, which write_csv writes as date.isoformat does (YYYY-MM-DD,
    the year zero-padded to four digits)."""
    return (pl.Series(name, ordinals, dtype=pl.Int32) - _EPOCH_ORDINAL).cast(pl.Date)


def realized_csv(names: Sequence[str], rows: Sequence[RealizedRow]) -> str:
    """csv_text(names, realized_records(rows)), in columns."""
    return realized_frame(names, columns_of(rows)).write_csv(quote_style="never")


def write_frame(frame: pl.DataFrame, binary: IO[bytes]) -> None:
    """A frame from realized_frame as CSV bytes (UTF-8, as realized_csv's text encodes), a slice
    at a time through binary.write: a pipe closed early (`| head`) then raises BrokenPipeError as
    any write does (polars writing to the stream itself turns it into a bare OSError, no errno)."""
    for index, part in enumerate(frame.iter_slices(_WRITE_SLICE) if frame.height else [frame]):
        chunk = io.BytesIO()
        part.write_csv(chunk, quote_style="never", include_header=index == 0)
        binary.write(chunk.getbuffer())


def realized_frame(names: Sequence[str], columns: RealizedColumns) -> pl.DataFrame:
    """The CSV's cells as columns named `names` (text, and dates polars writes as ISO text):
    written with quote_style="never", the bytes of realized_csv. OverflowError for an amount past
    Int128."""
    if not columns.slices:
        return pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    frame = pl.DataFrame(
        [
            _text_column("account", columns.account),
            _text_column("asset", columns.asset),
            pl.Series("quantity", columns.quantity, dtype=pl.Int128),
            _day_column("date_acquired", columns.acquired_day),
            _day_column("date_sold", columns.sold_day),
            pl.Series("proceeds", columns.proceeds, dtype=pl.Int128),
            pl.Series("cost_basis", columns.cost_basis, dtype=pl.Int128),
            pl.Series("gain", columns.gain, dtype=pl.Int128),
            _text_column("term", columns.term),
            _text_column("lot_id", columns.lot_id),
            _text_column("sale_id", columns.sale_id),
        ]
    ).with_columns(
        _fixed_text("quantity", 0),
        _fixed_text("proceeds", 2),
        _fixed_text("cost_basis", 2),
        _fixed_text("gain", 2),
    )
    frame.columns = list(names)
    return frame
