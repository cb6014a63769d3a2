"""The realized-gains CSV built in columns (polars), for large reports: per-row Python formatting
of four fixed-point ints was two thirds of a million-row report's time. The bytes are those of
the row-by-row writer (engine.reports.realized_rows_csv), part by part:

- reading the slices into polars is per-object work that needs the GIL; formatting and writing
  them is polars' own (no GIL). So the caller's thread reads part n+1 while a writer thread
  formats and writes part n, and the two overlap on two cores.
- a part is read _READ_ROWS slices at a time (transposed, then each field into a Series): the
  objects a transpose touches are still in the cache when polars reads them. The matcher's own
  columns (RealizedSlices) are read by engine.reports.slice_frames: a slice's own fields cut
  from its lists, a disposal's shared fields read once per disposal with the part that holds
  its slices (not all before the first part: the writers start ~0.2 s sooner at 1M) and
  gathered in polars.
- an amount (Int128: a 10^15-unit quantity is 10^33 units of 10^-18) becomes Decimal(38, 18)
  exactly (units × 10^-18), which polars' CSV writer writes with its trailing zeros trimmed
  (engine.reports.trimmed_decimals: a 2-place amount that trims short of its places is written
  as text, its line patched, or its column as text where many are). A part with an amount of
  10^38 units or more (past Decimal(38, 0)) or past Int128 is written by the row writer
  instead (same bytes).
- a text cell that needs quoting or a spreadsheet guard (rare) goes through the row writer's own
  function; a part's few distinct days are formatted by date.isoformat and looked up."""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Sequence
from datetime import date
from types import TracebackType
from typing import IO

import polars as pl

from engine.core.fixedpoint import DIGITS
from engine.ledger.realized_slices import RealizedSlices
from engine.ledger.records import RealizedRow
from engine.reports.realized_columns import RealizedColumns, columns_of
from engine.reports.realized_rows_csv import csv_cell, csv_line, realized_rows_lines
from engine.reports.slice_frames import SliceFrames, SlicePart
from engine.reports.trimmed_decimals import SHORT_UNITS, patched, short_rows, trimmed

# A text cell needing Python's attention: one the csv module would quote (delimiter, quote, line
# breaks) or one a spreadsheet could read as a formula (csv_output._FORMULA_START)
_SPECIAL_CELL = r'[,"\r\n]|^[=+\-@\t\r]'
_PART_ROWS = 65_536  # slices handed to the writer thread at a time: about 8 MB of CSV
_READ_ROWS = 8_192  # slices transposed and read into polars at a time (cache-sized)
_DECIMAL_LIMIT = 10**38  # |amount| below this fits Decimal(38, 0), and so Decimal(38, 18)
_DECIMAL = pl.Decimal(38, 18)
_QUEUED_PARTS = 2  # parts read ahead of the writers at most (memory)
_RENDERERS = 2  # parts formatted at once (the machine's two cores; the reading needs the GIL)
_PATCHED_SHARE = 16  # a part patches the lines of its short amounts up to 1 row in this many

_FIELDS = RealizedColumns._fields
_AMOUNTS = {"quantity": 0, "proceeds": 2, "cost_basis": 2, "gain": 2}  # minimum decimal places
_TWO_PLACES = tuple(name for name, places in _AMOUNTS.items() if places == 2)
_DAYS = ("acquired_day", "sold_day")
_TEXTS = tuple(name for name in _FIELDS if name not in _AMOUNTS and name not in _DAYS)
_DTYPES = {
    name: pl.Int128 if name in _AMOUNTS else pl.Int32 if name in _DAYS else pl.String for name in _FIELDS
}


def _fixed_text(column: str, min_places: int) -> pl.Expr:
    """fp.fmt(units, min_places) for a column of Int128 fixed-point ints, |units| < 10^38: the
    units read as units of 10^-18 (Decimal(38, 18)), whose text has all 18 places
    ("-1.500000000000000000"), then the trailing zeros trimmed past min_places (and a bare point)."""
    text = pl.col(column).reinterpret(dtype=_DECIMAL).cast(pl.String)
    if min_places:
        # every text ends in exactly 18 places: trimming at most 18 - min_places zeros off the end
        # keeps the first min_places; one regex pass (measured at 1M cells: 0.29 s of CPU against
        # 0.48 s for cutting the text in two, stripping the tail and joining them)
        return text.str.replace(f"0{{1,{DIGITS - min_places}}}$", "").alias(column)
    return text.str.strip_chars_end("0").str.strip_chars_end(".").alias(column)


def _day_texts(frame: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """The part's distinct day ordinals and their date.isoformat text (a few hundred at most:
    written through a lookup, not formatted a million times)."""
    days = pl.concat([frame[name] for name in _DAYS]).unique()
    return days, pl.Series([date.fromordinal(day).isoformat() for day in days.to_list()], dtype=pl.String)


def _decimal(column: str) -> pl.Expr:
    """The amount as Decimal(38, 18): its units read as units of 10^-18 (|units| < 10^38), no
    arithmetic. Written trimmed."""
    return pl.col(column).reinterpret(dtype=_DECIMAL)


def _cells(days: pl.Series, texts: pl.Series, as_text: Sequence[str] = ()) -> list[pl.Expr]:
    """The CSV's columns in order, from a frame of the raw fields: the amounts `as_text` as
    fp.fmt's text, the others as Decimals (their text fp.fmt's once written trimmed, but for a
    2-place amount of whole tenths: see engine.reports.trimmed_decimals)."""
    cells = []
    for name in _FIELDS:
        if name in as_text:
            cells.append(_fixed_text(name, _AMOUNTS[name]))
        elif name in _AMOUNTS:
            cells.append(_decimal(name))
        elif name in _DAYS:
            cells.append(pl.col(name).replace_strict(days, texts, return_dtype=pl.String))
        else:
            cells.append(pl.col(name))
    return cells


def _checks(texts: Sequence[str]) -> list[pl.Expr]:
    """One row: whether every amount is in the fast range, and per text column of `texts` whether
    a cell needs Python."""
    in_range = pl.all_horizontal(
        pl.col(name)
        .is_between(pl.lit(1 - _DECIMAL_LIMIT, pl.Int128), pl.lit(_DECIMAL_LIMIT - 1, pl.Int128))
        .all()
        for name in _AMOUNTS
    ).alias("in_range")
    return [in_range, *_specials(texts)]


def _specials(texts: Sequence[str]) -> list[pl.Expr]:
    return [pl.col(name).str.contains(_SPECIAL_CELL).any() for name in texts]


def plain_columns(frame: pl.DataFrame) -> frozenset[str]:
    """The frame's text columns (of the CSV's) in which no cell needs Python."""
    texts = [name for name in frame.columns if name in _TEXTS]
    return frozenset(
        name for name, needs in zip(texts, frame.select(_specials(texts)).row(0), strict=True) if not needs
    )


def _read(columns: RealizedColumns) -> pl.DataFrame:
    """The raw fields as a frame. OverflowError or TypeError for an amount past Int128."""
    return pl.DataFrame(
        [pl.Series(name, column, dtype=_DTYPES[name]) for name, column in zip(_FIELDS, columns, strict=True)]
    )


def read_part(part: Sequence[RealizedRow]) -> pl.DataFrame:
    """The rows' raw fields, read _READ_ROWS at a time. OverflowError or TypeError for an amount
    past Int128."""
    pieces = [
        _read(columns_of(part[start : start + _READ_ROWS])) for start in range(0, len(part), _READ_ROWS)
    ]
    return pl.concat(pieces, rechunk=False) if len(pieces) > 1 else pieces[0]


# a part: rows, or a match's slices start to stop
Part = Sequence[RealizedRow] | SlicePart


def _rows_of(part: Part) -> Sequence[RealizedRow]:
    if isinstance(part, SlicePart):  # built only for a part the row writer writes
        return part.rows()
    return part


def _guarded(frame: pl.DataFrame, name: str) -> pl.Series:
    """A text column with the cells that need it quoted or guarded as the row writer does."""
    series = frame[name]
    special = series.str.contains(_SPECIAL_CELL)
    at = special.arg_true()
    return series.scatter(at, [csv_cell(cell) for cell in series.gather(at)])


def render_part(
    part: Part, frame: pl.DataFrame | None, plain: frozenset[str] = frozenset()
) -> bytes | memoryview:
    """The CSV lines (no header) of a part's slices, whose raw fields are frame (None: an amount
    past Int128), as UTF-8 bytes; `plain`: text columns already known to need no quoting or guard
    (not scanned again)."""
    if frame is None:
        return realized_rows_lines(_rows_of(part)).encode()
    texts = [name for name in _TEXTS if name not in plain]
    in_range, *special = frame.select(_checks(texts)).row(0)
    if not in_range:  # an amount of 10^38 units or more: exact Python ints
        return realized_rows_lines(_rows_of(part)).encode()
    needing = [_guarded(frame, name) for name, needs in zip(texts, special, strict=True) if needs]
    if needing:
        frame = frame.with_columns(needing)
    days = _day_texts(frame)
    shorts = short_rows(frame, _TWO_PLACES)
    rows = frame[shorts]
    with trimmed():
        if len(rows) and (needing or len(rows) > len(frame) // _PATCHED_SHARE):
            # many short amounts, or a quoted cell (a record may then span lines): no patching,
            # the columns holding a short amount written as text
            found = rows.select((pl.col(name) % SHORT_UNITS == 0).any() for name in _TWO_PLACES).row(0)
            as_text = [name for name, has in zip(_TWO_PLACES, found, strict=True) if has]
            return _csv(frame.select(_cells(*days, as_text)))
        lines = _csv(frame.select(_cells(*days)))
        if not len(rows):
            return lines
        return patched(lines, _csv(rows.select(_cells(*days))), _csv(rows.select(_cells(*days, _TWO_PLACES))))


def _csv(cells: pl.DataFrame) -> bytes | memoryview:
    buffer = io.BytesIO()
    cells.write_csv(buffer, include_header=False, quote_style="never")
    return buffer.getbuffer()


class _Writer:
    """Threads (_RENDERERS) that render parts and write them to binary in the order they were
    put: while one formats part n, another formats part n+1 (polars' work, no GIL), each writing
    its bytes on its turn. An error there (a pipe closed early: BrokenPipeError) is raised in the
    caller's thread by put or on exit; the parts before it are written, those after it dropped."""

    def __init__(self, binary: IO[bytes]) -> None:
        self._binary = binary
        self._parts: queue.Queue[tuple[int, Part, pl.DataFrame | None, frozenset[str]] | None] = queue.Queue(
            _QUEUED_PARTS
        )
        self._put = 0  # parts put so far: the next one's place in the output
        self._turn = threading.Condition()
        self._written = 0  # parts written (or dropped) so far: whose turn it is
        self._error: BaseException | None = None  # that of the first part that failed
        self._failed_at: int | None = None  # its place
        self._threads = [
            threading.Thread(target=self._run, name=f"realized-csv-writer-{n}", daemon=True)
            for n in range(_RENDERERS)
        ]

    def __enter__(self) -> _Writer:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for _ in self._threads:
            self._parts.put(None)
        for thread in self._threads:
            thread.join()
        if kind is None:
            self._raise()

    def put(self, part: Part, frame: pl.DataFrame | None, plain: frozenset[str] = frozenset()) -> None:
        self._raise()
        self._parts.put((self._put, part, frame, plain))
        self._put += 1

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _failed(self, place: int, error: BaseException) -> None:
        with self._turn:
            if self._failed_at is None or place < self._failed_at:
                self._failed_at, self._error = place, error

    def _wanted(self, place: int) -> bool:
        """Whether part `place` is still written: no part before it failed."""
        return self._failed_at is None or place < self._failed_at

    def _run(self) -> None:
        while (item := self._parts.get()) is not None:
            place, *part = item
            data = None
            if self._wanted(place):  # after an error, the parts after it are dropped
                try:
                    data = render_part(*part)  # type: ignore[arg-type]
                except BaseException as error:  # handed to the caller's thread
                    self._failed(place, error)
            with self._turn:
                self._turn.wait_for(lambda: self._written == place)  # noqa: B023 - read while waiting
                try:
                    if data is not None and self._wanted(place):
                        self._binary.write(data)
                except BaseException as error:
                    self._failed_at, self._error = place, error  # every part before it is written
                finally:
                    self._written += 1
                    self._turn.notify_all()


def write_realized(names: Sequence[str], rows: Sequence[RealizedRow], binary: IO[bytes]) -> None:
    """The realized CSV of rows (header `names`) to binary, as UTF-8 bytes, a part at a time."""
    binary.write(csv_line(names).encode())
    with trimmed():  # on for the whole report, not turned on and off by each part
        if isinstance(rows, RealizedSlices):  # the matcher's columns, read as they are: no row is built
            _write_slices(rows, binary)
        else:
            _write_rows(rows, binary)


def _write_rows(rows: Sequence[RealizedRow], binary: IO[bytes]) -> None:
    with _Writer(binary) as writer:
        for start in range(0, len(rows), _PART_ROWS):
            part = rows[start : start + _PART_ROWS]
            try:
                frame: pl.DataFrame | None = read_part(part)
            except (OverflowError, TypeError):  # an amount past Int128 (2^127 is a TypeError): the row writer
                frame = None
            writer.put(part, frame)


def _write_slices(slices: RealizedSlices, binary: IO[bytes]) -> None:
    frames = SliceFrames(slices)
    with _Writer(binary) as writer:
        for start in range(0, len(slices), _PART_ROWS):
            stop = min(start + _PART_ROWS, len(slices))
            # what the part's disposals share (account, asset, sale id) is read and scanned with
            # the part, once per disposal, not once per slice; not all of it before the first part
            shared = frames.shared(start, stop)
            plain = plain_columns(shared)
            try:
                frame: pl.DataFrame | None = frames.read(start, stop, _READ_ROWS, shared)
            except (OverflowError, TypeError):  # an amount past Int128: the row writer
                frame = None
            writer.put(SlicePart(slices, start, stop), frame, plain)


def realized_csv(names: Sequence[str], rows: Sequence[RealizedRow]) -> str:
    """csv_text(names, realized_records(rows)), in columns."""
    buffer = io.BytesIO()
    write_realized(names, rows, buffer)
    return buffer.getvalue().decode()
