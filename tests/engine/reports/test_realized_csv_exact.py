"""The realized CSV is byte for byte what it was before it was built in columns: the row-by-row
writer as it stood (kept as the reference in realized_csv_cases.py) against both of today's paths,
on generated rows with 10^15-unit quantities, $10^15 amounts, negatives, 10^-18 fractions, amounts
past the Decimal(38, 18) and past Int128 (the row writer's fallback, part by part), and text cells
that need quoting or a spreadsheet guard."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.ledger.gains import realized_rows
from engine.ledger.records import LONG, SHORT, LotResult, RealizedRow
from engine.reports import columnar_csv, ledger_reports
from tests.engine.reports.realized_csv_cases import (
    BIG,
    DECIMAL_LIMIT,
    INT128,
    generated_rows,
    generated_rows_any_size,
    reference_realized_csv,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(generated_rows, max_size=12))
def test_both_paths_write_todays_bytes(rows: list[RealizedRow]) -> None:
    expected = reference_realized_csv(rows)
    assert ledger_reports.realized_rows_csv(rows) == expected
    assert columnar_csv.realized_csv(ledger_reports.REALIZED_COLUMNS, rows) == expected


def test_a_report_of_columnar_from_rows_or_more_takes_the_columnar_path(monkeypatch) -> None:
    taken: list[str] = []
    monkeypatch.setattr(columnar_csv, "realized_csv", lambda columns, rows: taken.append("columns") or "")
    monkeypatch.setattr(ledger_reports, "COLUMNAR_FROM", 3)
    row = RealizedRow("a", "BTC", 1, 738000, 738001, 2, 1, 1, SHORT, "L", "S")
    ledger_reports.realized_csv([row] * 2)
    assert taken == []
    ledger_reports.realized_csv([row] * 3)
    assert taken == ["columns"]


def test_an_amount_past_int128_falls_back_to_the_row_path(monkeypatch) -> None:
    monkeypatch.setattr(ledger_reports, "COLUMNAR_FROM", 1)
    row = RealizedRow("a", "BTC", 10**40 + 1, 738000, 738001, 10**40, 1, 10**40 - 1, LONG, "L", "S")
    assert ledger_reports.realized_csv([row]) == reference_realized_csv([row])


def test_the_fast_row_path_knows_every_character_the_csv_module_quotes() -> None:
    """realized_rows_csv writes a cell without quotes unless it holds one of QUOTED: every
    character the csv module would quote inside a cell (with "\n" line ends) must be there."""
    from engine.reports.realized_rows_csv import QUOTED

    def written(cell: str) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow([cell, "x"])
        return buffer.getvalue()

    quoted = {chr(c) for c in range(0x10000) if written(f"a{chr(c)}b") != f"a{chr(c)}b,x\n"}
    assert quoted <= QUOTED


def _text_on_bytes(encoding: str = "utf-8") -> io.TextIOWrapper:
    """A text stream over bytes, as stdout is in a pipe."""
    return io.TextIOWrapper(io.BytesIO(), encoding=encoding, write_through=False)


@settings(max_examples=100, deadline=None)
@given(st.lists(generated_rows, max_size=12))
def test_a_columnar_report_written_to_a_byte_stream_is_the_same_bytes(rows: list[RealizedRow]) -> None:
    """write_realized_csv hands a large report's bytes to stdout's buffer: after what the stream
    already held, the same bytes as the text, through polars' writer (not the text route)."""
    written: list[int] = []
    out = _text_on_bytes()
    out.write("before\n")  # not flushed yet: must still come first
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ledger_reports, "COLUMNAR_FROM", 0)
        real = columnar_csv.write_realized
        patch.setattr(
            columnar_csv,
            "write_realized",
            lambda names, rows, binary: written.append(1) or real(names, rows, binary),
        )
        ledger_reports.write_realized_csv(rows, out)
    out.flush()
    assert written == [1]
    assert out.buffer.getvalue() == ("before\n" + reference_realized_csv(rows)).encode()  # type: ignore[attr-defined]


@pytest.mark.parametrize("columnar_from", [0, 10**9])
def test_a_year_of_a_columnar_report_is_that_years_rows(columnar_from: int, monkeypatch) -> None:
    monkeypatch.setattr(ledger_reports, "COLUMNAR_FROM", columnar_from)
    rows = [
        RealizedRow(
            "a", "BTC", n, date(2024, 1, 1).toordinal(), sold.toordinal(), n, 1, n - 1, SHORT, "L", f"S{n}"
        )
        for n, sold in enumerate([date(2024, 12, 31), date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 1)])
    ]
    out = _text_on_bytes()
    ledger_reports.write_realized_csv(realized_rows(LotResult(realized=rows), 2025)[0], out)
    out.flush()
    assert out.buffer.getvalue().decode() == reference_realized_csv(rows[1:3])  # type: ignore[attr-defined]


@pytest.mark.parametrize("stream", ["StringIO", "latin-1"])
def test_a_text_only_or_other_encoding_stream_gets_the_text(stream: str, monkeypatch) -> None:
    monkeypatch.setattr(ledger_reports, "COLUMNAR_FROM", 0)
    real = columnar_csv.write_realized

    def written_to_memory(names, rows, binary) -> None:  # noqa: ANN001
        assert isinstance(binary, io.BytesIO), "bytes written to the stream"
        real(names, rows, binary)

    monkeypatch.setattr(columnar_csv, "write_realized", written_to_memory)
    rows = [RealizedRow("café", "BTC", 1, 738000, 738001, 2, 1, 1, SHORT, "L", "S")]
    out = io.StringIO() if stream == "StringIO" else _text_on_bytes("latin-1")
    ledger_reports.write_realized_csv(rows, out)
    out.flush()
    text = out.getvalue() if isinstance(out, io.StringIO) else out.buffer.getvalue().decode("latin-1")  # type: ignore[attr-defined]
    assert text == reference_realized_csv(rows)


_cells = st.text(alphabet=st.sampled_from('aZ9 ,"\n\r=+-@\t.é\0'), max_size=5)


@settings(max_examples=500, deadline=None)
@given(st.lists(_cells, min_size=1, max_size=8))
def test_the_columnar_check_never_misses_a_cell_that_needs_python(cells: list[str]) -> None:
    """The columnar writer leaves a text column to polars unless its check finds a cell the csv
    module would quote or the spreadsheet guard would prefix: it may never say no for one."""
    import polars as pl

    from engine.reports.realized_rows_csv import csv_cell

    flagged = pl.Series(cells, dtype=pl.String).str.contains(columnar_csv._SPECIAL_CELL).to_list()
    for cell, flag in zip(cells, flagged, strict=True):
        if cell and csv_cell(cell) != cell:
            assert flag, cell


@settings(max_examples=500, deadline=None)
@given(st.lists(_cells, min_size=1, max_size=8))
def test_the_row_writers_column_scan_never_passes_a_cell_that_needs_python(cells: list[str]) -> None:
    """The row writer writes a column of ids as they are when all_plain says so: it may say no
    for nothing (a NUL in a cell), never yes for a cell the csv module would quote or the
    spreadsheet guard would prefix."""
    from engine.reports.realized_rows_csv import all_plain, csv_cell

    if any(cell and csv_cell(cell) != cell for cell in cells):
        assert not all_plain(cells)


class _ClosedPipe(io.RawIOBase):
    """A byte stream whose reader has gone (`harvest report realized | head`)."""

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # noqa: ANN001
        raise BrokenPipeError(32, "Broken pipe")


def test_a_columnar_report_into_a_closed_pipe_raises_broken_pipe(monkeypatch) -> None:
    """The CLI turns BrokenPipeError into a quiet exit (tui.cli.main); polars writing to the stream
    itself raised a bare OSError instead, and the user saw a traceback."""
    monkeypatch.setattr(ledger_reports, "COLUMNAR_FROM", 0)
    monkeypatch.setattr(columnar_csv, "_PART_ROWS", 2)
    rows = [RealizedRow("a", "BTC", n, 738000, 738001, n, 1, n - 1, SHORT, "L", f"S{n}") for n in range(5)]
    out = io.TextIOWrapper(io.BufferedWriter(_ClosedPipe(), buffer_size=1), encoding="utf-8")
    with pytest.raises(BrokenPipeError):
        ledger_reports.write_realized_csv(rows, out)


@pytest.mark.parametrize(("part_rows", "read_rows"), [(1, 1), (2, 1), (3, 2), (4, 3), (65_536, 8_192)])
def test_a_columnar_report_written_in_parts_is_the_same_bytes(
    part_rows: int, read_rows: int, monkeypatch
) -> None:
    monkeypatch.setattr(ledger_reports, "COLUMNAR_FROM", 0)
    monkeypatch.setattr(columnar_csv, "_PART_ROWS", part_rows)
    monkeypatch.setattr(columnar_csv, "_READ_ROWS", read_rows)
    rows = [
        RealizedRow("a", "BTC", n, 738000 + n, 738001 + n, n, 1, n - 1, SHORT, "L", f"S{n}") for n in range(5)
    ]
    for chosen in (rows, []):
        out = _text_on_bytes()
        ledger_reports.write_realized_csv(chosen, out)
        out.flush()
        assert out.buffer.getvalue() == reference_realized_csv(chosen).encode()  # type: ignore[attr-defined]


@settings(max_examples=200, deadline=None)
@given(st.lists(generated_rows_any_size, max_size=10), st.integers(1, 4), st.integers(1, 3))
def test_parts_read_and_written_apart_write_todays_bytes(
    rows: list[RealizedRow], part_rows: int, read_rows: int
) -> None:
    """Small parts, each read in smaller pieces: the pieces' frames joined, parts whose amounts
    are past Decimal(38, 18) or past Int128 written by the row writer among parts that are not,
    and the bytes still today's, in order."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columnar_csv, "_PART_ROWS", part_rows)
        patch.setattr(columnar_csv, "_READ_ROWS", read_rows)
        assert columnar_csv.realized_csv(ledger_reports.REALIZED_COLUMNS, rows) == reference_realized_csv(
            rows
        )


def test_amounts_that_fit_decimal_38_18_never_reach_the_row_writer(monkeypatch) -> None:
    """The oracle tests above would pass if every part fell back to the row writer: parts whose
    amounts fit Decimal(38, 18) (the edges included) must be formatted by polars."""
    monkeypatch.setattr(
        columnar_csv, "realized_rows_lines", lambda rows: pytest.fail("the row writer was used")
    )
    edge = DECIMAL_LIMIT - 1
    rows = [
        RealizedRow("a", "BTC", units, 738000, 738001, units, -units, 2 * units % edge, SHORT, "L", "S")
        for units in (0, 1, -1, 10**18, -(10**18) + 1, BIG, -BIG, edge, -edge, 5 * 10**15)
    ]
    assert columnar_csv.realized_csv(ledger_reports.REALIZED_COLUMNS, rows) == reference_realized_csv(rows)


@pytest.mark.parametrize("units", [DECIMAL_LIMIT, -DECIMAL_LIMIT, INT128 - 1, -INT128, INT128, -(2**200)])
def test_a_part_with_an_amount_past_decimal_38_18_goes_to_the_row_writer_alone(
    units: int, monkeypatch
) -> None:
    monkeypatch.setattr(columnar_csv, "_PART_ROWS", 2)
    written = []
    real = columnar_csv.realized_rows_lines
    monkeypatch.setattr(
        columnar_csv, "realized_rows_lines", lambda rows: written.append(len(rows)) or real(rows)
    )
    rows = [RealizedRow("a", "BTC", n, 738000, 738001, n, 1, n - 1, SHORT, "L", f"S{n}") for n in range(6)]
    rows[3] = rows[3]._replace(gain=units)
    assert columnar_csv.realized_csv(ledger_reports.REALIZED_COLUMNS, rows) == reference_realized_csv(rows)
    assert written == [2]  # the part holding rows 2 and 3, nothing else


def test_an_error_in_the_writer_thread_stops_the_reading(monkeypatch) -> None:
    """A pipe closed after the first part: the caller gets the error before reading every part."""
    monkeypatch.setattr(columnar_csv, "_PART_ROWS", 1)
    monkeypatch.setattr(columnar_csv, "_QUEUED_PARTS", 1)
    read: list[int] = []
    real = columnar_csv.read_part
    monkeypatch.setattr(columnar_csv, "read_part", lambda rows: read.append(1) or real(rows))

    class ClosedAfterHeader(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data) -> int:  # noqa: ANN001
            if data[:7] == b"account":
                return len(data)
            raise BrokenPipeError(32, "Broken pipe")

    rows = [RealizedRow("a", "BTC", n, 738000, 738001, n, 1, n - 1, SHORT, "L", f"S{n}") for n in range(50)]
    with pytest.raises(BrokenPipeError):
        columnar_csv.write_realized(ledger_reports.REALIZED_COLUMNS, rows, ClosedAfterHeader())
    assert len(read) < 50
