"""The realized CSV is byte for byte what it was before it was built in columns: the row-by-row
writer as it stood (kept here as the reference) against both of today's paths, on generated rows
with 10^15-unit quantities, $10^15 amounts, negatives, 10^-18 fractions, amounts past the Decimal(38,
18) and past Int128 (the row writer's fallback, part by part), and text cells that need quoting
or a spreadsheet guard."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.ledger.gains import realized_rows
from engine.ledger.realized_slices import RealizedSlices
from engine.ledger.records import LONG, SHORT, LotResult, RealizedRow
from engine.reports import columnar_csv, ledger_reports
from engine.reports.csv_output import spreadsheet_safe
from engine.reports.slice_frames import SliceFrames

BIG = 10**15 * 10**18  # 10^15 units (or dollars) in units of 10^-18


def reference_fmt(units: int, min_places: int = 2) -> str:
    """engine.core.fixedpoint.fmt as it stood."""
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**18)
    frac_text = f"{frac:018d}".rstrip("0")
    if len(frac_text) < min_places:
        frac_text = frac_text.ljust(min_places, "0")
    return f"{sign}{whole}.{frac_text}" if frac_text else f"{sign}{whole}"


def reference_realized_csv(rows: Sequence[RealizedRow]) -> str:
    """ledger_reports.realized_csv as it stood (one Python row at a time through csv.writer)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ledger_reports.REALIZED_COLUMNS)
    for r in rows:
        day = date.fromordinal
        record = [
            r.account,
            r.asset,
            reference_fmt(r.quantity, 0),
            day(r.acquired_day).isoformat(),
            day(r.sold_day).isoformat(),
            reference_fmt(r.proceeds),
            reference_fmt(r.cost_basis),
            reference_fmt(r.gain),
            r.term,
            r.lot_id,
            r.sale_id,
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in record])
    return buffer.getvalue()


# the columnar writer's limits: below DECIMAL_LIMIT in magnitude an amount fits Decimal(38, 18);
# past Int128 polars cannot hold it; either way the part goes through the row writer
DECIMAL_LIMIT = 10**38
INT128 = 2**127
_past_fast = st.sampled_from(
    [
        DECIMAL_LIMIT - 1,
        1 - DECIMAL_LIMIT,
        DECIMAL_LIMIT,
        -DECIMAL_LIMIT,
        INT128 - 1,
        -INT128,
        INT128,
        -INT128 - 1,
    ]
)
_units = st.one_of(
    st.integers(-BIG, BIG),  # anything up to 10^15 with 18 places
    st.integers(-(10**6), 10**6),  # tiny fractions: 10^-18 and neighbours
    st.integers(-(10**15), 10**15).map(lambda n: n * 10**16),  # whole cents
    st.integers(-(10**15), 10**15).map(lambda n: n * 10**18),  # whole units
    st.integers(-(10**9), 10**9).map(lambda n: n * 10**10),  # 8 decimals, as exchanges give
    st.sampled_from([0, 1, -1, BIG, -BIG, BIG - 1, 10**18 - 1, 5 * 10**15, -5 * 10**15]),
    st.integers(-(10**15), 10**15).map(lambda n: n * 10**18 + 1),  # 18 fraction digits, ending in 1
)
_text = st.one_of(
    st.sampled_from(["", "binance", "BTC", "T-1", "-1.5", "+3", "1e-8", "=SUM(A1)", "@x", "\tx", "\rx"]),
    st.text(alphabet=st.sampled_from('aZ9 ,"\n\r=+-@\t.é'), min_size=1, max_size=6),
)
_days = st.integers(date(1, 1, 1).toordinal(), date(9999, 12, 31).toordinal())


def _rows_of(units: st.SearchStrategy[int]) -> st.SearchStrategy[RealizedRow]:
    return st.builds(
        RealizedRow,
        account=_text,
        asset=_text,
        quantity=units,
        acquired_day=_days,
        sold_day=_days,
        proceeds=units,
        cost_basis=units,
        gain=units,
        term=st.sampled_from([SHORT, LONG]),
        lot_id=_text,
        sale_id=_text,
    )


_rows = _rows_of(_units)
# now and then an amount the columnar path hands to the row writer
_rows_any_size = _rows_of(st.one_of(_units, _units, _units, _past_fast, st.integers(-(2**130), 2**130)))


@settings(max_examples=300, deadline=None)
@given(st.lists(_rows, max_size=12))
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
@given(st.lists(_rows, max_size=12))
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
@given(st.lists(_rows_any_size, max_size=10), st.integers(1, 4), st.integers(1, 3))
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


def _slices_of(rows: list[RealizedRow]) -> RealizedSlices:
    slices = RealizedSlices()
    for row in rows:
        slices.add(row)
    return slices


def _written_in_parts(slices: RealizedSlices, part_rows: int, read_rows: int) -> str:
    """The columnar CSV of `slices` in parts of `part_rows` (read `read_rows` at a time), failing
    if a RealizedRow is built for the whole."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columnar_csv, "_PART_ROWS", part_rows)
        patch.setattr(columnar_csv, "_READ_ROWS", read_rows)
        patch.setattr(RealizedSlices, "rows", lambda self: pytest.fail("rows were built"))
        return columnar_csv.realized_csv(ledger_reports.REALIZED_COLUMNS, slices)


@settings(max_examples=100, deadline=None)
@given(st.lists(_rows_any_size, max_size=10), st.integers(1, 4), st.integers(1, 3))
def test_the_matchers_columns_are_written_in_parts_without_building_rows(
    rows: list[RealizedRow], part_rows: int, read_rows: int
) -> None:
    """The matcher's RealizedSlices cut into parts as columns: today's bytes, the parts past
    Decimal(38, 18) through the row writer too, and no RealizedRow built for the whole."""
    rows = [row._replace(gain=row.proceeds - row.cost_basis) for row in rows]  # as the matcher has it
    slices = _slices_of(rows)
    written = _written_in_parts(slices, part_rows, read_rows)
    assert written == reference_realized_csv(rows)


def _slices_in_runs(rows: list[RealizedRow], cuts: list[int]) -> RealizedSlices:
    """The matcher's columns with disposals of several slices: rows grouped into runs at `cuts`
    (each run's shared fields those of its first row), as engine.ledger.lots emits them."""
    slices = RealizedSlices()
    for row in rows:
        slices.add(row)  # a run each, regrouped below
    bounds = sorted({0, len(rows), *(cut % (len(rows) + 1) for cut in cuts)})
    slices.runs = [
        (end - start, *slices.runs[start][1:]) for start, end in zip(bounds, bounds[1:], strict=False)
    ]
    return slices


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_rows_any_size, min_size=1, max_size=12),
    st.lists(st.integers(0, 12), max_size=4),
    st.integers(1, 5),
    st.integers(1, 3),
)
def test_runs_of_several_slices_are_written_across_parts_as_todays_bytes(
    rows: list[RealizedRow], cuts: list[int], part_rows: int, read_rows: int
) -> None:
    """A disposal's shared fields (account, asset, sold day, sale id) are read once per run and
    gathered per slice, the gain worked out in Int128 where it cannot overflow: parts that cut
    runs anywhere, amounts at and past Decimal(38, 18) and Int128 (the row writer's parts built
    from the runs, no RealizedRow built for the whole), give today's bytes."""
    slices = _slices_in_runs(rows, cuts)
    expected_rows = _rows_of_slices(slices)
    written = _written_in_parts(slices, part_rows, read_rows)
    assert written == reference_realized_csv(expected_rows)


def _rows_of_slices(slices: RealizedSlices) -> list[RealizedRow]:
    """The slices' rows, spread from the runs by hand (the reference for the gathered columns)."""
    rows = []
    at = 0
    for count, account, asset, sold_day, sale_id in slices.runs:
        for i in range(at, at + count):
            proceeds, basis = slices.proceeds[i], slices.cost_basis[i]
            rows.append(
                RealizedRow(account, asset, slices.quantity[i], slices.acquired_day[i], sold_day, proceeds, basis,
                            proceeds - basis, slices.term[i], slices.lot_id[i], sale_id)
            )  # fmt: skip
        at += count
    return rows


@pytest.mark.parametrize("proceeds", [2**126 - 1, 2**126, -(2**126) + 1, -(2**126), 2**127 - 1, -(2**127)])
def test_a_gain_near_the_int128_edge_is_exact_or_an_overflow(proceeds: int) -> None:
    """proceeds - basis can leave Int128 (where polars' Int128 arithmetic wraps) only when one of
    them is 2^126 or more in size: those parts take the gain from Python's ints, so a frame's gain
    is the exact difference, or the part is refused (the row writer's)."""
    rows = [RealizedRow("a", "BTC", n, 738000, 738001, n, 1, n - 1, SHORT, "L", f"S{n}") for n in range(3)]
    rows.append(
        RealizedRow("a", "BTC", 1, 738000, 738001, proceeds, -proceeds, 2 * proceeds, LONG, "L", "S9")
    )
    slices = _slices_in_runs(rows, [2])
    frames = SliceFrames(slices)
    assert frames.read(0, 3, 2)["gain"].to_list() == [-1, 0, 1]
    if -(2**127) <= 2 * proceeds < 2**127:
        assert frames.read(2, 4, 2)["gain"].to_list() == [1, 2 * proceeds]
    else:
        with pytest.raises((OverflowError, TypeError)):  # (2^127 is a TypeError)
            frames.read(2, 4, 2)
    assert columnar_csv.realized_csv(ledger_reports.REALIZED_COLUMNS, slices) == reference_realized_csv(
        _rows_of_slices(slices)
    )


@pytest.mark.parametrize("min_places", [0, 2])
def test_an_amounts_text_keeps_its_minimum_places_and_no_other_trailing_zero(min_places: int) -> None:
    """The columnar amount text trims the trailing zeros of its 18 places in one regex pass: never
    below min_places, never a digit that is not a trailing zero, never a bare point."""
    import polars as pl

    units = [0, 1, -1, 10**16, 10**17, -(10**17), 123 * 10**15, 10**18, -(10**18), 100 * 10**18,
             10 * 10**18 + 10**17, 10**18 - 1, 5 * 10**15, DECIMAL_LIMIT - 1, 1 - DECIMAL_LIMIT]  # fmt: skip
    frame = pl.DataFrame({"amount": pl.Series(units, dtype=pl.Int128)})
    texts = frame.select(columnar_csv._fixed_text("amount", min_places)).to_series().to_list()
    assert texts == [reference_fmt(u, min_places) for u in units]


def test_plain_columns_are_the_text_columns_with_no_cell_that_needs_python() -> None:
    import polars as pl

    frame = pl.DataFrame(
        {"account": ["a", "b"], "asset": ["BTC", "=1"], "sold_day": [1, 2], "sale_id": ["S1", 'S"2']}
    )
    assert columnar_csv.plain_columns(frame) == {"account"}
    assert columnar_csv.plain_columns(frame.clear()) == {"account", "asset", "sale_id"}


@pytest.mark.parametrize("special", [None, "account", "asset", "sale_id"])
def test_the_shared_columns_of_the_matchers_slices_are_scanned_once_per_disposal(
    special: str | None, monkeypatch
) -> None:
    """A disposal's account, asset and sale id are scanned once per disposal, with the part that
    holds its slices (not once per slice): each part is told which of them are plain (no cell
    needing Python) and scans only the others."""
    rows = [RealizedRow("a", "BTC", n, 738000, 738001, n, 1, n - 1, SHORT, "L", f"S{n}") for n in range(6)]
    if special is not None:
        rows[4] = rows[4]._replace(**{special: "=x,y"})
    slices = _slices_in_runs(rows, [2, 4])
    told: list[frozenset[str]] = []
    real = columnar_csv.render_part
    monkeypatch.setattr(
        columnar_csv,
        "render_part",
        lambda part, frame, plain=frozenset(): told.append(plain) or real(part, frame, plain),
    )
    monkeypatch.setattr(columnar_csv, "_PART_ROWS", 2)
    written = columnar_csv.realized_csv(ledger_reports.REALIZED_COLUMNS, slices)
    assert written == reference_realized_csv(_rows_of_slices(slices))
    shared = {"account", "asset", "sale_id"}
    assert told == [frozenset(shared)] * 2 + [frozenset(shared - {special})]  # row 4: the third part


_long_units = st.integers(-(10**15), 10**15).map(lambda n: n * 10**18 + 10**15 + 7)  # never short
_tenths = st.integers(-(10**15), 10**15).map(lambda n: n * 10**17)  # 2-place amounts that trim short
_plain_text = st.sampled_from(["binance", "BTC", "T-1", "L 9", "1.5"])  # nothing to quote or guard
_plain_rows = st.builds(
    RealizedRow,
    account=_plain_text,
    asset=_plain_text,
    quantity=_long_units,
    acquired_day=_days,
    sold_day=_days,
    proceeds=_long_units,
    cost_basis=_long_units,
    gain=_long_units,
    term=st.sampled_from([SHORT, LONG]),
    lot_id=_plain_text,
    sale_id=_plain_text,
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(_plain_rows, min_size=64, max_size=64),
    st.lists(
        st.tuples(st.integers(0, 63), st.sampled_from(["proceeds", "cost_basis", "gain"]), _tenths),
        max_size=4,
    ),
    st.sampled_from(["plain", "many", "quoted"]),
)
def test_a_part_with_short_amounts_is_patched_or_written_as_text_with_todays_bytes(
    rows: list[RealizedRow], shorts: list[tuple[int, str, int]], kind: str
) -> None:
    """Polars writes the amounts as trimmed Decimals: the few rows whose 2-place amount is whole
    tenths (trimmed short of 2 places: "7.8") are written again as text and their lines patched;
    many of them (over 1 in 16), or a cell that needs quoting (a record over several lines), and
    the columns holding them are written as text instead. Each way: today's bytes."""
    for at, name, units in shorts:
        rows[at] = rows[at]._replace(**{name: units})
    if kind == "many":
        rows[:8] = [row._replace(gain=n * 10**17) for n, row in enumerate(rows[:8])]
    elif kind == "quoted":
        rows[5] = rows[5]._replace(lot_id='L"1\n2')
    patches: list[int] = []
    real = columnar_csv.patched
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columnar_csv, "patched", lambda *args: patches.append(1) or real(*args))
        patch.setattr(columnar_csv, "_PART_ROWS", 64)
        written = columnar_csv.realized_csv(ledger_reports.REALIZED_COLUMNS, rows)
    assert written == reference_realized_csv(rows)
    assert len(patches) == (1 if shorts and kind == "plain" else 0)


def _ordered_rows(count: int) -> list[RealizedRow]:
    return [
        RealizedRow("a", "BTC", n, 738000, 738001, n, 1, n - 1, SHORT, "L", f"S{n}") for n in range(count)
    ]


def test_parts_formatted_out_of_order_are_written_in_order(monkeypatch) -> None:
    """Two threads format parts at once: the first part, held back until the second is formatted,
    is still written first."""
    import threading

    monkeypatch.setattr(columnar_csv, "_PART_ROWS", 2)
    second_done = threading.Event()
    waited: list[bool] = []
    real = columnar_csv.render_part

    def render(part, frame, plain=frozenset()):  # noqa: ANN001, ANN202
        if part[0].sale_id == "S0":
            waited.append(second_done.wait(timeout=60))  # a bound only: never reached with two threads
        data = real(part, frame, plain)
        if part[0].sale_id == "S2":
            second_done.set()
        return data

    monkeypatch.setattr(columnar_csv, "render_part", render)
    rows = _ordered_rows(7)
    assert columnar_csv.realized_csv(ledger_reports.REALIZED_COLUMNS, rows) == reference_realized_csv(rows)
    assert waited == [True]


def test_a_part_that_fails_to_format_stops_the_writing_of_those_after_it(monkeypatch) -> None:
    """The error of one formatting thread reaches the caller; the part another thread formatted
    after it is not written (no gap in the output), and nothing waits forever for its turn."""
    monkeypatch.setattr(columnar_csv, "_PART_ROWS", 2)
    real = columnar_csv.render_part

    def render(part, frame, plain=frozenset()):  # noqa: ANN001, ANN202
        if part[0].sale_id == "S2":
            raise RuntimeError("formatting failed")
        return real(part, frame, plain)

    monkeypatch.setattr(columnar_csv, "render_part", render)
    out = io.BytesIO()
    with pytest.raises(RuntimeError, match="formatting failed"):
        columnar_csv.write_realized(ledger_reports.REALIZED_COLUMNS, _ordered_rows(9), out)
    assert out.getvalue() == reference_realized_csv(_ordered_rows(2)).encode()
