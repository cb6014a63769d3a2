"""Exact parsing at the edges: tiny exponents, trailing zeros past 18 places."""

from __future__ import annotations

import pytest

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
