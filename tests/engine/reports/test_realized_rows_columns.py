"""The row-by-row realized CSV reads the matcher's slices in their columns (no RealizedRow built
for a row) and writes the bytes it writes for the same rows as a list, and today's bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.ledger.realized_slices import RealizedSlices
from engine.ledger.records import RealizedRow
from engine.reports import ledger_reports
from tests.engine.reports.realized_csv_cases import (
    generated_rows_any_size,
    reference_realized_csv,
    rows_of_slices,
    slices_in_runs,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(generated_rows_any_size, min_size=1, max_size=12), st.lists(st.integers(0, 12), max_size=4))
def test_the_row_writer_reads_the_matchers_columns_without_building_rows(
    rows: list[RealizedRow], cuts: list[int]
) -> None:
    slices = slices_in_runs(rows, cuts)
    expected = reference_realized_csv(rows_of_slices(slices))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RealizedSlices, "rows", lambda self: pytest.fail("rows were built"))
        written = ledger_reports.realized_rows_csv(slices)
    assert written == expected
    assert ledger_reports.realized_rows_csv(rows_of_slices(slices)) == expected


def test_no_rows_is_the_header_alone() -> None:
    header = reference_realized_csv([])
    assert ledger_reports.realized_rows_csv([]) == header
    assert ledger_reports.realized_rows_csv(RealizedSlices()) == header
