"""The realized CSV written in parts: the matcher's columns (runs of slices sharing a disposal's
fields) read and formatted a part at a time, out of order or failing, are written as today's bytes
— held to the reference writer in realized_csv_cases.py."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.ledger.realized_slices import RealizedSlices
from engine.ledger.records import LONG, SHORT, RealizedRow
from engine.reports import columnar_csv, ledger_reports
from engine.reports.slice_frames import SliceFrames
from tests.engine.reports.realized_csv_cases import (
    DECIMAL_LIMIT,
    generated_rows_any_size,
    reference_fmt,
    reference_realized_csv,
    rows_of_slices,
    rows_with,
    slices_in_runs,
)


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
@given(st.lists(generated_rows_any_size, max_size=10), st.integers(1, 4), st.integers(1, 3))
def test_the_matchers_columns_are_written_in_parts_without_building_rows(
    rows: list[RealizedRow], part_rows: int, read_rows: int
) -> None:
    """The matcher's RealizedSlices cut into parts as columns: today's bytes, the parts past
    Decimal(38, 18) through the row writer too, and no RealizedRow built for the whole."""
    rows = [row._replace(gain=row.proceeds - row.cost_basis) for row in rows]  # as the matcher has it
    slices = _slices_of(rows)
    written = _written_in_parts(slices, part_rows, read_rows)
    assert written == reference_realized_csv(rows)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(generated_rows_any_size, min_size=1, max_size=12),
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
    slices = slices_in_runs(rows, cuts)
    expected_rows = rows_of_slices(slices)
    written = _written_in_parts(slices, part_rows, read_rows)
    assert written == reference_realized_csv(expected_rows)


@pytest.mark.parametrize("proceeds", [2**126 - 1, 2**126, -(2**126) + 1, -(2**126), 2**127 - 1, -(2**127)])
def test_a_gain_near_the_int128_edge_is_exact_or_an_overflow(proceeds: int) -> None:
    """proceeds - basis can leave Int128 (where polars' Int128 arithmetic wraps) only when one of
    them is 2^126 or more in size: those parts take the gain from Python's ints, so a frame's gain
    is the exact difference, or the part is refused (the row writer's)."""
    rows = [RealizedRow("a", "BTC", n, 738000, 738001, n, 1, n - 1, SHORT, "L", f"S{n}") for n in range(3)]
    rows.append(
        RealizedRow("a", "BTC", 1, 738000, 738001, proceeds, -proceeds, 2 * proceeds, LONG, "L", "S9")
    )
    slices = slices_in_runs(rows, [2])
    frames = SliceFrames(slices)
    assert frames.read(0, 3, 2)["gain"].to_list() == [-1, 0, 1]
    if -(2**127) <= 2 * proceeds < 2**127:
        assert frames.read(2, 4, 2)["gain"].to_list() == [1, 2 * proceeds]
    else:
        with pytest.raises((OverflowError, TypeError)):  # (2^127 is a TypeError)
            frames.read(2, 4, 2)
    assert columnar_csv.realized_csv(ledger_reports.REALIZED_COLUMNS, slices) == reference_realized_csv(
        rows_of_slices(slices)
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
    slices = slices_in_runs(rows, [2, 4])
    told: list[frozenset[str]] = []
    real = columnar_csv.render_part
    monkeypatch.setattr(
        columnar_csv,
        "render_part",
        lambda part, frame, plain=frozenset(): told.append(plain) or real(part, frame, plain),
    )
    monkeypatch.setattr(columnar_csv, "_PART_ROWS", 2)
    written = columnar_csv.realized_csv(ledger_reports.REALIZED_COLUMNS, slices)
    assert written == reference_realized_csv(rows_of_slices(slices))
    shared = {"account", "asset", "sale_id"}
    assert told == [frozenset(shared)] * 2 + [frozenset(shared - {special})]  # row 4: the third part


_long_units = st.integers(-(10**15), 10**15).map(lambda n: n * 10**18 + 10**15 + 7)  # never short
_tenths = st.integers(-(10**15), 10**15).map(lambda n: n * 10**17)  # 2-place amounts that trim short
_plain_text = st.sampled_from(["binance", "BTC", "T-1", "L 9", "1.5"])  # nothing to quote or guard
_plain_rows = rows_with(_long_units, _plain_text)


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
