"""Exact parsing at the edges: tiny exponents, trailing zeros past 18 places."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.core import fixedpoint as fp


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("1e-18", 1),
        ("1000e-21", 1),  # trailing zeros past 18 places are not precision
        ("1.50000000000000000000000", 1_500_000_000_000_000_000),
        ("0e-1000030", 0),
        ("0.000000000000000000000", 0),
        ("-2.5000000000000000000e0", -2_500_000_000_000_000_000),
    ],
)
def test_exact_values_parse(text, units):
    assert fp.parse(text) == units


@pytest.mark.parametrize("text", ["1e-19", "1.0000000000000000001", "1e-1000030", "-7E-999999999"])
def test_values_finer_than_18_places_are_refused_not_rounded_to_zero(text):
    with pytest.raises(fp.FixedPointError, match="more than 18 decimal places"):
        fp.parse(text)


LIMIT = 10**15 * fp.SCALE * 1000  # past the $10^15 every path must carry


@given(st.integers(-LIMIT, LIMIT))
def test_to_decimal_is_exact_and_cents_are_rounded_once(units):
    assert fp.from_decimal(fp.to_decimal(units)) == units
    cents = fp.div_round(units, fp.SCALE // 100)  # half-even on the exact integer
    sign = "-" if units < 0 else ""  # as Decimal keeps it: a negative dust amount shows -0.00
    assert fp.fmt_cents(units) == f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def test_a_half_cent_and_a_bit_past_ten_to_the_fifteen_rounds_up():
    # 28-digit rounding dropped the final 1 and then rounded the half cent down, to even
    assert fp.fmt_cents(10**15 * fp.SCALE + 5 * 10**15 + 1) == "1000000000000000.01"
