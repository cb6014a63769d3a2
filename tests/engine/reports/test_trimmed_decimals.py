"""Amounts written by polars' CSV writer as trimmed Decimals (engine.reports.trimmed_decimals):
the text is fp.fmt's for a quantity and for every 2-place amount the short-row sieve does not
flag; the sieve flags exactly the 2-place amounts that trim short; a patch puts the right lines
in place of the short ones; the setting is on only inside trimmed()."""

from __future__ import annotations

import io

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
from engine.reports.trimmed_decimals import SHORT_UNITS, patched, short_rows, trimmed

_LIMIT = 10**38 - 1  # Decimal(38, 18)'s largest unscaled value
_units = st.one_of(
    st.integers(-_LIMIT, _LIMIT),
    st.integers(-(10**20), 10**20).map(lambda n: n * SHORT_UNITS),  # whole tenths (and units)
    st.integers(-(10**20), 10**20).map(lambda n: n * 10**16),  # whole cents
    st.integers(-(10**20), 10**20).map(lambda n: n * 2**17),  # past the low-bit sieve, mostly not tenths
    st.integers(-(10**6), 10**6),
    st.sampled_from([0, 1, -1, _LIMIT, -_LIMIT, 10**18, -(10**18), 10**20, 5 * 10**17]),
)


def _written(units: list[int]) -> list[str]:
    frame = pl.DataFrame({"amount": pl.Series(units, dtype=pl.Int128)})
    buffer = io.BytesIO()
    with trimmed():
        frame.select(pl.col("amount").reinterpret(dtype=pl.Decimal(38, 18))).write_csv(
            buffer, include_header=False
        )
    return buffer.getvalue().decode().splitlines()


@settings(max_examples=200, deadline=None)
@given(st.lists(_units, min_size=1, max_size=30))
def test_a_trimmed_decimal_is_fmt_with_no_places_and_with_two_unless_short(units: list[int]) -> None:
    written = _written(units)
    assert written == [fp.fmt(u, 0) for u in units]
    for u, text in zip(units, written, strict=True):
        if u % SHORT_UNITS:
            assert text == fp.fmt(u, 2)
        else:  # short of fmt's 2 places: what the patch or the text columns are for
            assert text != fp.fmt(u, 2)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_units, _units), max_size=40))
def test_short_rows_are_the_rows_with_a_two_place_amount_of_whole_tenths(
    pairs: list[tuple[int, int]],
) -> None:
    frame = pl.DataFrame(
        {
            "a": pl.Series([a for a, _ in pairs], dtype=pl.Int128),
            "b": pl.Series([b for _, b in pairs], dtype=pl.Int128),
        }
    )
    expected = [i for i, (a, b) in enumerate(pairs) if a % SHORT_UNITS == 0 or b % SHORT_UNITS == 0]
    assert short_rows(frame, ["a", "b"]).to_list() == expected


def test_a_patch_replaces_each_short_line_in_order_at_a_line_start() -> None:
    lines = b"xa,7.8\na,7.8\nb,1.25\na,7.8\n"  # the first line ends with a short line's text
    assert patched(lines, b"a,7.8\na,7.8\n", b"a,7.80\nA,7.80\n") == b"xa,7.8\na,7.80\nb,1.25\nA,7.80\n"
    assert patched(memoryview(b"a,0\n"), b"a,0\n", b"a,0.00\n") == b"a,0.00\n"
    assert patched(b"b,1.25\n", b"", b"") == b"b,1.25\n"
    with pytest.raises(ValueError):
        patched(b"b,1.25\n", b"a,0\n", b"a,0.00\n")


def test_the_setting_is_on_only_inside_and_nested_uses_keep_it() -> None:
    def setting() -> bool:
        return bool(pl.Config.state().get("set_trim_decimal_zeros"))

    assert not setting()
    with trimmed():
        with trimmed():
            assert setting()
        assert setting()
    assert not setting()
    with pytest.raises(RuntimeError), trimmed():
        raise RuntimeError
    assert not setting()
