"""The row CSV's amount texts (realized_rows_csv.quantity_text and money_text) against
fixedpoint.fmt as it stood (test_realized_csv_exact.reference_fmt): every int, either sign, any
size, at the places each column keeps."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.core.fixedpoint import fmt
from engine.reports.realized_rows_csv import money_text, quantity_text
from tests.engine.reports.realized_csv_cases import reference_fmt

EDGES = [0, 1, 5, 9, 10, 10**16, 10**16 + 1, 10**17, 5 * 10**17, 10**18 - 1, 10**18, 10**18 + 1,
         10 * 10**18 + 10**17, 123456789 * 10**18, 10**40 + 7, 2**127, 10**200 + 10**17]  # fmt: skip


@pytest.mark.parametrize("units", [*EDGES, *(-u for u in EDGES)])
def test_the_edges_are_fmts(units: int) -> None:
    assert quantity_text(units) == reference_fmt(units, 0) == fmt(units, 0)
    assert money_text(units) == reference_fmt(units, 2) == fmt(units, 2)


@given(
    st.integers(min_value=-(10**45), max_value=10**45) | st.integers(min_value=-(10**20), max_value=10**20)
)
def test_any_amount_is_fmts(units: int) -> None:
    assert quantity_text(units) == reference_fmt(units, 0)
    assert money_text(units) == reference_fmt(units, 2)


@given(st.integers(min_value=0, max_value=18), st.integers(min_value=0, max_value=10**6), st.booleans())
def test_few_places_are_padded_to_two_and_no_further(places: int, whole: int, negative: bool) -> None:
    units = (whole * 10**18 + 10 ** (18 - places)) * (-1 if negative else 1)  # exactly `places` places
    assert money_text(units) == reference_fmt(units, 2)
    assert quantity_text(units) == reference_fmt(units, 0)
