"""The columnar import path's tools (engine.imports.columnar): a plainly written CSV file's rows
as polars string columns, and its cells read exactly — amounts as Int128 fixed-point units,
times as epoch microseconds — in the shapes that can be read in bulk without doubt; a cell in
any other shape comes out null, and its row is left to the format's row code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

DIGITS = 18
SCALE = 10**DIGITS
_WHOLE = 20  # digits before the point a cell may have here: 10**20 units of 10**-18 fit Int128
# one plain CSV line: fields unquoted (no quote, comma or control character) or quoted whole
# (no quote or control character inside)
_FIELD = r'(?:"[^"\x00-\x1f]*"|[^",\x00-\x1f]*)'
_PLAIN = rf"^(-?)([0-9]{{1,{_WHOLE}}})(?:\.([0-9]{{1,{DIGITS}}}))?$"
_MONEY = rf"^(-?)\$?([0-9]{{1,3}}(?:,[0-9]{{3}}){{1,5}}|[0-9]{{1,{_WHOLE}}})(?:\.([0-9]{{1,{DIGITS}}}))?$"
_UNSIGNED = rf"^()([0-9]{{1,{_WHOLE}}})(?:\.([0-9]{{1,{DIGITS}}}))?$"


def cells_frame(text: str, header_line: int, width: int) -> pl.DataFrame | None:
    """The rows after the header as string columns c0, c1, ... (cells as written, quotes
    removed, surrounding spaces kept) with each row's `line`; None unless every line is plain
    CSV with `width` cells (then polars and Python's csv module read it alike) and none is
    blank (the row path skips those, and numbers lines around them)."""
    import polars as pl

    parts = []
    for part in cell_parts(text, header_line, width):
        if part is None:
            return None
        parts.append(part)
    return pl.concat(parts, rechunk=True) if parts else None


PART_BYTES = 8 << 20  # a part of the file read at a time by cell_parts (about 100,000 rows of trades)


def cell_parts(
    text: str, header_line: int, width: int, first: int | None = None
) -> Iterator[pl.DataFrame | None]:
    """cells_frame's rows in parts of about PART_BYTES of the (ASCII) text, each cut at a line
    break and encoded on its own, so that a large file's cells, or its bytes, never exist whole
    beside its text: a None part (then stop) where the file is not plainly written, or holds no
    row. `first`: the first part's size instead, each next part twice the last, up to
    PART_BYTES (a file written while read: its writer starts once the first part is read)."""
    if width < 2:
        yield None
        return
    start = 0
    for _ in range(header_line):
        start = text.find("\n", start) + 1
        if start == 0:
            yield None
            return
    end = len(text)
    while end > start and text[end - 1] in "\r\n":  # blank lines at the very end: none to read
        end -= 1
    if end == start:
        yield None
        return
    line = header_line + 1
    size = PART_BYTES if first is None else min(first, PART_BYTES)
    while start < end:
        cut = text.find("\n", start + size - 1)
        size = min(2 * size, PART_BYTES)
        cut = end if cut < 0 or cut >= end else cut + 1  # (the part keeps its last line break)
        cells = _cells(text[start:cut], line, width)
        yield cells
        if cells is None:
            return
        line += cells.height
        start = cut


def _cells(part: str, first_line: int, width: int) -> pl.DataFrame | None:
    """One part's rows (whole lines, the first numbered `first_line`), or None: see cells_frame."""
    import polars as pl

    lines = part.count("\n") + (not part.endswith("\n"))
    data = part.encode()
    if not plain_lines(part, data, lines, width):
        return None
    names = [f"c{i}" for i in range(width)]
    try:
        read = pl.read_csv(
            data, has_header=False, new_columns=names, infer_schema=False, empty_string_is_null=False
        )
    except pl.exceptions.PolarsError:
        return None
    if read.height != lines:
        return None
    # a line of commas and spaces has `width` cells and is plain, but the row path skips it
    maybe_blank = read.filter(pl.col("c0").str.strip_chars() == "")
    if maybe_blank.select(pl.all_horizontal(pl.all().str.strip_chars() == "").any()).item():
        return None
    return read.with_row_index("line", offset=first_line).with_columns(pl.col("line").cast(pl.Int64))


# every byte but the marks that make an unquoted line plain or not: commas, line breaks, control characters
_UNMARKED = bytes(sorted(set(range(256)) - set(range(32)) - set(b",")))


def plain_lines(part: str, data: bytes, lines: int, width: int) -> bool:
    """Whether each of the part's `lines` lines (`data`: its encoding) is plain CSV with `width`
    cells (_FIELD), a line break only between lines. Without a quote in the part (most files),
    by its marks alone, in order: each line's cells unquoted, so `width - 1` commas then a line
    break, `\\r` only just before one (or at the very end), and no other control character.
    With quotes, by the regular expression (three to four times slower, a scan of every line)."""
    import polars as pl

    if '"' in part:
        plain = rf"(?m)^{_FIELD}(?:,{_FIELD}){{{width - 1}}}\r?$"
        return bool(pl.Series([part]).str.count_matches(plain).item() == lines)
    marks = data.translate(None, _UNMARKED)
    if b"\r" in marks:
        if data.count(b"\r") != data.count(b"\r\n") + data.endswith(b"\r"):
            return False
        marks = marks.replace(b"\r", b"")
    expected = (b"," * (width - 1) + b"\n") * lines
    return marks == (expected if data.endswith(b"\n") else expected[:-1])


def cell_columns(cells: pl.DataFrame, positions: dict[str, int | None]) -> pl.DataFrame:
    """`line` and each named column's cells without surrounding spaces ("" where the layout has
    no such column). Only a column that has such spaces is copied: the cells hold no other
    whitespace (no control characters: see cells_frame)."""
    import polars as pl

    wanted = {name: f"c{at}" for name, at in positions.items() if at is not None}
    spaced = cells.select(
        (pl.col(c).str.starts_with(" ") | pl.col(c).str.ends_with(" ")).any().alias(c) for c in set(wanted.values())
    ).row(0, named=True)  # fmt: skip
    return cells.select(
        "line",
        *(
            pl.lit("").alias(name) if name not in wanted
            else pl.col(wanted[name]).str.strip_chars().alias(name) if spaced[wanted[name]]
            else pl.col(wanted[name]).alias(name)
            for name in positions
        ),
    )  # fmt: skip


def units(cell: pl.Expr, shape: str) -> pl.Expr:
    """A cell of the shape (PLAIN, MONEY, UNSIGNED) as Int128 units of 10**-18; null when blank
    or in another shape. Exact: the shape allows at most 18 places and 20 digits before the
    point, which polars' Decimal(38, 18) holds as those very units. MONEY gives the amount's
    magnitude (its sign and `$` dropped: callers take the absolute value)."""
    import polars as pl

    body = cell.str.strip_chars_start("-$").str.replace_all(",", "", literal=True) if shape == MONEY else cell
    return pl.when(cell.str.contains(shape)).then(
        body.cast(pl.Decimal(38, DIGITS), strict=False).to_physical()
    )


PLAIN, MONEY, UNSIGNED = _PLAIN, _MONEY, _UNSIGNED
_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_CLOCK = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
_FRACTION = r"(?:\.[0-9]{1,6})?"  # Python reads 6 digits of a fraction: so may we, no more
_OFFSET = "[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]"
# the time layouts read here: (shape, strptime format, with {sep} for `T` or ` `; its zone)
_TIMES = (
    (_DAY + "{sep}" + _CLOCK + _FRACTION + " UTC", "%Y-%m-%d{sep}%H:%M:%S%.f UTC", "utc-word"),
    (_DAY + "{sep}" + _CLOCK + _FRACTION + "Z", "%Y-%m-%d{sep}%H:%M:%S%.fZ", "utc"),
    (_DAY + "{sep}" + _CLOCK + _FRACTION + _OFFSET, "%Y-%m-%d{sep}%H:%M:%S%.f%:z", "utc"),
    (_DAY + "{sep}" + _CLOCK + _FRACTION, "%Y-%m-%d{sep}%H:%M:%S%.f", "naive"),
)
_SAMPLE = 100  # cells looked at to pick a file's time layout


def micros(cells: pl.Series, naive_utc: bool, utc_word: bool) -> pl.Series:
    """Time cells as epoch microseconds, in the layout most of the first cells have (a file
    writes one): ISO 8601 with `Z` or an offset; with `naive_utc` a time without a zone, read as
    UTC; with `utc_word` Coinbase's `... UTC`. Null for a cell in another layout or an
    impossible date (the row code reads those)."""
    import polars as pl

    allowed = {"utc", *(["naive"] if naive_utc else []), *(["utc-word"] if utc_word else [])}
    layouts = [
        (f"^{shape.replace('{sep}', sep)}$", layout.replace("{sep}", sep))
        for shape, layout, zone in _TIMES
        for sep in ("T", " ")
        if zone in allowed
    ]
    sample = cells.head(_SAMPLE)
    hits = [int(sample.str.contains(shape).sum()) for shape, _ in layouts]
    if not any(hits):
        return pl.Series(cells.name, [None] * cells.len(), dtype=pl.Int64)
    shape, layout = layouts[hits.index(max(hits))]
    if not cells.str.contains(".", literal=True).any():  # no fractions: polars' faster fixed-width parse
        layout = layout.replace("%.f", "")
    moments = cells.str.strptime(pl.Datetime("us", "UTC" if "%:z" in layout else None), layout, strict=False)
    epoch = moments.dt.epoch("us")
    return pl.select(pl.when(cells.str.contains(shape)).then(epoch)).to_series().alias(cells.name)


def python_column(
    frame: pl.DataFrame,
    where: pl.Expr,
    columns: tuple[str, ...],
    compute: Callable[..., list[Any]],
    dtype: type[pl.DataType] | None = None,
) -> pl.Series:
    """`compute` on the columns' values (Python lists) of the rows where `where` holds, null
    elsewhere; Int128 unless `dtype` says. For what polars cannot do exactly: products and
    quotients of fixed-point numbers outgrow 128 bits, so they are worked out in Python ints."""
    import polars as pl

    mask = frame.select(where.fill_null(False)).to_series()
    picked = frame.select(columns).with_row_index("_at").filter(mask)  # only the columns it reads
    values = compute(*(picked[name].to_list() for name in columns))
    empty = pl.Series([None] * frame.height, dtype=dtype or pl.Int128)
    return empty.scatter(picked["_at"], pl.Series(values, dtype=dtype or pl.Int128)) if values else empty


_HALF_BOUND = 10**19  # a product's whole parts below this multiply in Int128 without overflow (see below)
# a quantity with at most 8 places times a price with at most 10 (most rows of most files): its
# product has at most 18 places, exact, with nothing to round
_Q_STEP, _P_STEP = 10**10, 10**8


def exact_products(frame: pl.DataFrame, where: pl.Expr, quantity: str, price: str) -> pl.Series:
    """python_column(frame, where, (quantity, price), products), the same ints, worked out in
    Int128 columns where that is exact, in Python for the rest. Most rows in one multiply: when
    q = qa·10**10 and p = pb·10**8 (at most 8 and 10 places), q·p / S = qa·pb exactly (S =
    10**18), nothing to round, and below 10**38 when |qa| and |pb| are below 10**19. The other
    rows by parts: with |q| = qh·S + ql and |p| = ph·S + pl (ql and pl below S), |q|·|p| / S =
    qh·ph·S + qh·pl + ql·ph + ql·pl / S: only the last term has a fraction, rounded half-even as
    fp.mul does (and half-even is symmetric, so the sign goes on after). Every term stays below
    10**37 when qh, ph and qh·ph are below 10**19 (a price over $10**19 or a product over 10**19
    units goes to Python), and their sum below Int128's 1.7·10**38."""
    import polars as pl

    chosen = where.fill_null(False)
    bound = pl.lit(_HALF_BOUND, pl.Int128)
    q_step, p_step = pl.lit(_Q_STEP, pl.Int128), pl.lit(_P_STEP, pl.Int128)
    qa, pb = pl.col(quantity) // q_step, pl.col(price) // p_step  # (exact where short: multiples)
    short = (
        (pl.col(quantity) % q_step == 0) & (pl.col(price) % p_step == 0)
        & (qa.abs() < bound) & (pb.abs() < bound)
    ).fill_null(False)  # fmt: skip
    found = frame.select(
        fast=pl.when(chosen & short).then(qa * pb).cast(pl.Int128), rest=(chosen & ~short).any()
    )
    fast = found.to_series(0).alias("product")
    if not found.height or not found.item(0, "rest"):  # (no rows: the any() broadcast to none)
        return fast
    return pl.select(pl.coalesce(fast, _by_parts(frame, chosen & ~short, quantity, price))).to_series()


def _by_parts(frame: pl.DataFrame, chosen: pl.Expr, quantity: str, price: str) -> pl.Series:
    """exact_products of the `chosen` rows by parts (see there), past the parts' bound in Python."""
    import polars as pl

    scale = pl.lit(SCALE, pl.Int128)
    bound = pl.lit(_HALF_BOUND, pl.Int128)
    q, p = pl.col(quantity).abs(), pl.col(price).abs()
    qh, ql, ph, pl_ = q // scale, q % scale, p // scale, p % scale
    # (clipped before multiplying: a wider product would wrap around in the check itself)
    fits = (qh < bound) & (ph < bound) & (qh.clip(0, bound) * ph.clip(0, bound) < bound)
    low = ql * pl_
    whole, remainder = low // scale, low % scale
    half = pl.lit(SCALE // 2, pl.Int128)
    truncated = qh * ph * scale + qh * pl_ + ql * ph + whole
    up = (remainder > half) | ((remainder == half) & (truncated % 2 == 1))  # half-even: to the even neighbour
    magnitude = truncated + up.cast(pl.Int128)
    negative = (pl.col(quantity) < 0) != (pl.col(price) < 0)
    signed = pl.when(negative).then(pl.lit(0, pl.Int128) - magnitude).otherwise(magnitude)  # (no i128 negate)
    fast = frame.select(pl.when(chosen & fits).then(signed).cast(pl.Int128)).to_series()
    others = chosen & ~fits.fill_null(False)
    if not frame.select(others.any()).item():
        return fast
    slow = python_column(frame, others, (quantity, price), products)
    return pl.select(pl.coalesce(fast, slow)).to_series().alias(fast.name)


def each(function: Callable[..., Any]) -> Callable[..., list[Any]]:
    """A per-row function as python_column's `compute`."""
    return lambda *columns: list(map(function, *columns))


def products(quantities: list[int], prices: list[int]) -> list[int]:
    """fp.mul of each pair, half-even to 10**-18 (inlined: this runs for every row of a file)."""
    return _halved([q * p for q, p in zip(quantities, prices, strict=True)], [SCALE] * len(prices))


def unit_prices(totals: list[int], quantities: list[int]) -> list[int]:
    """fp.unit_price of each pair: the total per unit, half-even to 10**-18."""
    return _halved([total * SCALE for total in totals], quantities)


def _halved(numerators: list[int], denominators: list[int]) -> list[int]:
    """fp.div_round of each pair (denominators > 0), without a Python loop body per pair:
    (2n + d) // 2d rounds half up, and a tie (no remainder) that lands on an odd quotient goes
    back one, to the even neighbour."""
    doubled = [2 * n + d for n, d in zip(numerators, denominators, strict=True)]
    found = map(divmod, doubled, [2 * d for d in denominators])
    return [q - 1 if r == 0 and q & 1 else q for q, r in found]


def odd_rows(cells: pl.DataFrame, lines: pl.Series) -> Iterator[tuple[int, list[str]]]:
    """The rows at these lines as the row path's table gives them: (line, cells as written)."""
    picked = cells.filter(cells["line"].is_in(lines.implode()))
    names = [name for name in picked.columns if name != "line"]
    for line, *values in picked.select("line", *names).iter_rows():
        yield line, values


def limit(value: pl.Expr, most: int) -> pl.Expr:
    """`value` when its magnitude is at most `most` units, else null (the row path refuses it)."""
    import polars as pl

    return pl.when(value.abs() <= pl.lit(most, pl.Int128)).then(value)
