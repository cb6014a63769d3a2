"""The columnar path's cell readers (engine.imports.columnar_cells) against the row path's: any
cell the columnar path reads must read to exactly the row path's value (it may leave a cell to
the row code, never read it otherwise); and its batch arithmetic is engine.core.fixedpoint's."""

from __future__ import annotations

from datetime import UTC

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
from engine.imports.columnar_cells import (
    _FIELD,
    MONEY,
    PART_BYTES,
    PLAIN,
    UNSIGNED,
    cell_parts,
    cells_frame,
    exact_products,
    micros,
    plain_lines,
    products,
    unit_prices,
    units,
)
from engine.imports.event_frame import product_over
from engine.imports.rows import _UTC_ZONE, CellError, parse_money, parse_number, parse_time
from engine.ledger.events import MAX_VALUE

DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=22)
NUMBER_TEXT = st.one_of(
    st.builds(lambda sign, whole, frac: f"{sign}{whole}{frac}", st.sampled_from(["", "-", "+"]), DIGITS,
              st.sampled_from(["", "."]) | DIGITS.map(lambda d: f".{d}")),
    st.text(alphabet="0123456789$-+,.() eE_", max_size=16),
    st.sampled_from(["$1,234.56", "-$400.46", "$-5.00", "1,23", "1,234.", "5.", ".5", "-.5", "$0,123", "1e5",
                     "9" * 21, "1" * 20 + ".5", "0." + "0" * 18 + "1", "0." + "0" * 17 + "1", "$999,999,999,999,999.99"]),
)  # fmt: skip


def row_value(text: str, money: bool) -> int | None:
    try:
        return parse_money(text) if money else parse_number(text)
    except CellError:
        return None


@settings(max_examples=600, deadline=None)
@given(st.lists(NUMBER_TEXT, min_size=1, max_size=20))
def test_an_amount_the_columnar_path_reads_is_the_row_paths_value(texts):
    found = pl.DataFrame({"cell": texts}).select(
        plain=units(pl.col("cell"), PLAIN), money=units(pl.col("cell"), MONEY), unsigned=units(pl.col("cell"), UNSIGNED)
    )  # fmt: skip
    for text, plain, money, unsigned in zip(
        texts, found["plain"], found["money"], found["unsigned"], strict=True
    ):
        if plain is not None:
            assert plain == row_value(text, money=False)
        if money is not None:  # the magnitude: Coinbase's money is read as its absolute value
            value = row_value(text, money=True)
            assert value is not None
            assert money == abs(value)
        if unsigned is not None:
            assert unsigned == fp.parse(text)


def test_the_common_shapes_are_read_in_columns():
    texts = ["0.52087839", "-1.5", "4200", "$2,605.46", "-$400.46", "$0.02", "1" * 20 + "." + "9" * 18]
    found = pl.DataFrame({"cell": texts}).select(
        plain=units(pl.col("cell"), PLAIN), money=units(pl.col("cell"), MONEY)
    )
    assert found["plain"].to_list() == [row_value(t, money=False) for t in texts[:3]] + [None] * 3 + [
        row_value(texts[-1], money=False)
    ]
    assert found["money"].to_list() == [abs(row_value(t, money=True) or 0) for t in texts]


TIMES = st.builds(
    lambda y, mo, d, h, mi, s, frac, sep, zone: f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}{frac}{zone}",
    st.integers(2000, 2099), st.integers(0, 13), st.integers(0, 32), st.integers(0, 24), st.integers(0, 60),
    st.integers(0, 60), st.sampled_from(["", ".5", ".0000", ".123456", ".1234567"]), st.sampled_from(["T", " "]),
    st.sampled_from(["", "Z", " UTC", "+02:00", "-05:30", "+24:00", " EST"]),
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(TIMES, min_size=1, max_size=12), st.booleans())
def test_a_time_the_columnar_path_reads_is_the_row_paths_moment(texts, zone_given):
    zone = UTC if zone_given else None
    found = micros(pl.Series("t", texts), naive_utc=zone_given, utc_word=zone_given)
    for text, moment in zip(texts, found, strict=True):
        if moment is not None:
            assert moment == parse_time(text, zone if zone is not None else _UTC_ZONE)


def test_the_time_layout_is_the_one_most_of_the_first_cells_have():
    cells = pl.Series("t", ["2024-01-02 03:04:05.25", "2024-01-02 03:04:06", "2024-01-02T03:04:07Z"])
    assert micros(cells, naive_utc=True, utc_word=False).to_list()[:2] == [
        parse_time(text, _UTC_ZONE) for text in cells.to_list()[:2]
    ]
    assert micros(cells, naive_utc=False, utc_word=False).to_list() == [
        None,
        None,
        parse_time(cells[2], None),
    ]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(-(10**40), 10**40), st.integers(1, 10**22)), min_size=1, max_size=30))
def test_batch_products_and_unit_prices_are_fixedpoints(pairs):
    left, right = [a for a, _ in pairs], [b for _, b in pairs]
    assert products(left, right) == [fp.mul(a, b) for a, b in pairs]
    assert unit_prices(left, right) == [fp.unit_price(a, b) for a, b in pairs]
    ties = [(2 * k + 1) * fp.SCALE // 2 for k in range(-5, 5)]  # x.5 exactly: half to even
    assert unit_prices(ties, [fp.SCALE] * len(ties)) == [fp.unit_price(t, fp.SCALE) for t in ties]


# amounts as the columnar path meets them (up to MAX_QUANTITY, prices up to MAX_PRICE), with the
# shapes that test the Int128 split: whole units and halves (ties when multiplied), 10**18 ± 1
# around the split, and the bound where the product goes to Python
S = fp.SCALE
EDGES = [0, 1, S - 1, S, S + 1, S // 2, 3 * S // 2, 10**19 * S - 1, 10**19 * S, 10**33, 10**30 + S // 2]
AMOUNT = (
    st.integers(-(10**33), 10**33)
    | st.integers(-(10**6), 10**6).map(lambda k: k * S // 2)
    | st.sampled_from(EDGES + [-e for e in EDGES])
)


def _products_frame(rows: list[tuple[int, int, bool]]) -> tuple[list[tuple[int, int, bool]], pl.DataFrame]:
    """The rows whose product Int128 holds, and their frame; exact_products on it is fp.mul on
    every chosen row."""
    rows = [(q, p, chosen) for q, p, chosen in rows if abs(fp.mul(q, p)) < 2**126]
    frame = pl.DataFrame(
        {"q": [q for q, _, _ in rows], "p": [p for _, p, _ in rows], "chosen": [c for _, _, c in rows]},
        schema={"q": pl.Int128, "p": pl.Int128, "chosen": pl.Boolean},
    )
    found = exact_products(frame, pl.col("chosen"), "q", "p").to_list()
    assert found == [fp.mul(q, p) if chosen else None for q, p, chosen in rows]
    return rows, frame


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(AMOUNT, AMOUNT, st.booleans()), min_size=1, max_size=40))
def test_products_in_columns_are_fixedpoint_products(rows):
    """exact_products (Int128 columns, Python past its bound) is fp.mul on every chosen row."""
    _products_frame(rows)


# amounts with at most 8 places (quantities) and 10 (prices), as most files write them: the one
# multiply's rows, with its bound (|q| / 10**10 and |p| / 10**8 below 10**19) on either side
SHORT_Q = st.integers(-(10**23), 10**23).map(lambda k: k * 10**10) | st.sampled_from(
    [k * 10**10 for k in (10**19 - 1, 10**19, -(10**19 - 1), -(10**19), 1, -1)]
)
SHORT_P = st.integers(-(10**25), 10**25).map(lambda k: k * 10**8) | st.sampled_from(
    [k * 10**8 for k in (10**19 - 1, 10**19, -(10**19 - 1), -(10**19), 1, -1)]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(SHORT_Q | AMOUNT, SHORT_P | AMOUNT, st.booleans()), min_size=1, max_size=40))
def test_short_amounts_multiply_in_one_step_exactly(rows):
    """exact_products' one multiply (a quantity of at most 8 places times a price of at most 10:
    nothing to round) is fp.mul, beside rows that take the parts or Python; no row chosen: all
    null."""
    rows, frame = _products_frame(rows)
    assert exact_products(frame, pl.lit(False), "q", "p").to_list() == [None] * len(rows)


NEAR_LIMIT = st.builds(  # a price and the quantity whose product is about MAX_VALUE, give or take a unit
    lambda p, off: (MAX_VALUE * S // p + off, p), st.integers(10**15, 10**31), st.integers(-2, 2)
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.tuples(AMOUNT, AMOUNT) | NEAR_LIMIT | st.tuples(st.none(), AMOUNT), min_size=1, max_size=40)
)
def test_products_over_the_limit_are_found_as_fp_mul_finds_them(pairs):
    frame = pl.DataFrame(
        {"q": [q for q, _ in pairs], "p": [p for _, p in pairs]}, schema={"q": pl.Int128, "p": pl.Int128}
    )
    found = product_over(frame, "q", "p").to_list()
    assert found == [q is not None and p is not None and fp.mul(q, p) > MAX_VALUE for q, p in pairs]


def test_only_a_plainly_written_file_is_read_in_columns():
    header = "a,b,c\n"
    assert cells_frame(header + '1,"x,y",3\r\n4,5,6\r\n', 1, 3)["c1"].to_list() == ["x,y", "5"]
    assert cells_frame(header + "1,2,3\n4,5,6\n", 1, 3)["line"].to_list() == [2, 3]
    assert cells_frame(header + "1,2,3\r\n\r\n\n", 1, 3)["c2"].to_list() == ["3"]  # blank lines at the end
    text = "note\n" + header + "1, 2 ,3"  # a preamble line; no line break at the end
    found = cells_frame(text, 2, 3)
    assert found.rows() == [(3, "1", " 2 ", "3")]
    for odd in ('1,2\n', '1,2,3,4\n', '1,"2"x,3\n', '1,a"b,3\n', '1,"a\nb",3\n', "1,2\r,3\n", "1,2,3\n\n4,5,6\n",
                ",,\n", "1,\x1c,3\n"):  # fmt: skip
        assert cells_frame(header + odd, 1, 3) is None, odd


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**34) | st.integers(0, 10**4).map(lambda k: k * 5 * 10**15))
def test_a_converts_fee_in_cents_reads_as_fixedpoint_writes_it(units):
    from engine.imports.columnar_coinbase import _cents

    assert _cents(units) == fp.fmt_cents(units)


def _regex_plain(part: str, width: int) -> bool:
    lines = part.count("\n") + (not part.endswith("\n"))
    plain = rf"(?m)^{_FIELD}(?:,{_FIELD}){{{width - 1}}}\r?$"
    return bool(pl.Series([part]).str.count_matches(plain).item() == lines)


# (a width of 1 never reaches it: cell_parts)
@settings(max_examples=800, deadline=None)
@given(st.text(alphabet='a1 ,"\r\n\t\x1c\x7fé', min_size=1, max_size=40), st.integers(2, 4))
def test_a_part_is_plain_by_its_marks_exactly_when_the_regular_expression_says(part, width):
    lines = part.count("\n") + (not part.endswith("\n"))
    assert plain_lines(part, part.encode(), lines, width) == _regex_plain(part, width)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["1,2,3", "a, b ,c", ",,", "1,2", "1,2,3,4", "x,\ty,z", "1,2,3\r"]), min_size=1,
                max_size=8), st.sampled_from(["\n", "\r\n"]), st.booleans())  # fmt: skip
def test_lines_of_unquoted_cells_are_plain_by_their_marks_as_by_the_regular_expression(rows, end, last_break):
    part = end.join(rows) + (end if last_break else "")
    lines = part.count("\n") + (not part.endswith("\n"))
    assert plain_lines(part, part.encode(), lines, 3) == _regex_plain(part, 3)


def test_times_without_a_fraction_read_as_with_one():
    texts = ["2024-01-02T03:04:05Z", "2024-02-30T03:04:05Z", "2024-12-31T23:59:59Z", "2024-01-02T03:04:05"]
    with_fraction = micros(
        pl.Series("t", [*texts, "2024-01-02T03:04:05.5Z"]), naive_utc=False, utc_word=False
    )
    assert (
        micros(pl.Series("t", texts), naive_utc=False, utc_word=False).to_list()
        == with_fraction.to_list()[:4]
    )
    assert with_fraction.to_list()[:4] == [parse_time(texts[0], UTC), None, parse_time(texts[2], UTC), None]


def test_parts_from_a_smaller_first_one_grow_to_part_bytes_and_hold_the_same_cells():
    """cell_parts' `first`: the first part about that size, each next twice the last (cut at a
    line break), up to PART_BYTES; the same rows, lines and cells as parts of PART_BYTES."""
    line = "2024-01-02T03:04:05Z,acct,BTC,buy,0.5,100,0,T{}\n"
    text = "timestamp,account,asset,side,quantity,price,fee,trade_id\n" + "".join(
        line.format(n) for n in range(3 * PART_BYTES // len(line))
    )
    parts = list(cell_parts(text, 1, 8, first=PART_BYTES // 8))
    heights = [part.height for part in parts]  # rows of one length: bytes in proportion
    assert [round(h / heights[0]) for h in heights[:4]] == [1, 2, 4, 8]
    assert max(heights) <= PART_BYTES // len(line) + 1
    whole = cells_frame(text, 1, 8)
    assert whole is not None
    assert pl.concat(parts).equals(whole)
    assert len(list(cell_parts(text, 1, 8, first=10 * PART_BYTES))) == len(list(cell_parts(text, 1, 8)))
