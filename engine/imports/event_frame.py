"""Events in columns: what the columnar import path (engine.imports.columnar) reads a large file
into, and what the store writes from (engine.store.columnar_import) without a Python object per
row. One row per event, in the order the row path lists them, with Event's fields as columns
(amounts as Int128 fixed-point units, times as Int64 epoch microseconds), its `line` and `kind`
(what it became: trade, transfer, ...). `events()` gives the same Event tuples the row path
builds; the summary's figures are computed from the columns."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import polars as pl

from engine.core import fixedpoint as fp
from engine.imports.columnar_cells import each, python_column
from engine.imports.formats import FEE, UNCLASSIFIED, Parsed
from engine.ledger.events import EARLIEST, MAX_PRICE, MAX_QUANTITY, MAX_VALUE, USD, Event
from engine.ledger.legs import legs_for

AMOUNT = pl.Int128
AMOUNT_FIELDS = ("quantity", "price", "fee", "price_usd", "fee_usd", "subtotal", "value_usd")


def _dtype(name: str) -> pl.DataType:
    return AMOUNT() if name in AMOUNT_FIELDS else pl.Int64() if name == "timestamp" else pl.String()


SCHEMA: dict[str, pl.DataType] = {name: _dtype(name) for name in Event._fields} | {
    "line": pl.Int64(),
    "kind": pl.String(),
}
_USD = frozenset({USD})
Read = tuple["EventFrame", Counter[str]]  # a file read in columns: its events, and its rows skipped by type


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with exactly SCHEMA's columns, in its order and types."""
    return frame.select(pl.col(name).cast(dtype) for name, dtype in SCHEMA.items())


def compact(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    """The frame with each column that holds no value, and `source` when every row has this one
    (a file's rows all do), as a constant: polars then keeps one value, not one a row (at a
    million rows, 16 MB for each amount column a file does not have)."""
    if frame.height == 0:
        return frame
    constant = [
        pl.lit(None, SCHEMA[c]).alias(c) for c in frame.columns if frame[c].null_count() == frame.height
    ]
    if frame.select((pl.col("source") == source).all()).item():
        constant.append(pl.lit(source, pl.String).alias("source"))
    return frame.with_columns(constant)


def from_events(events: list[Event], lines: list[int], kinds: list[str]) -> pl.DataFrame:
    """Events the row code built (a file's odd rows) as a frame of SCHEMA."""
    columns = list(zip(*events, strict=True)) if events else [() for _ in Event._fields]
    data = {
        name: pl.Series(name, values, dtype=SCHEMA[name])
        for name, values in zip(Event._fields, columns, strict=True)
    }
    return pl.DataFrame(
        data | {"line": pl.Series(lines, dtype=pl.Int64), "kind": pl.Series(kinds, dtype=pl.String)}
    ).select(list(SCHEMA))


def events_of(frame: pl.DataFrame) -> list[Event]:
    """The frame's rows as Event tuples (Python ints and strings, None for nulls)."""
    columns = [frame.get_column(name).to_list() for name in Event._fields]
    return list(map(Event._make, zip(*columns, strict=True)))


@dataclass(frozen=True)
class EventFrame:
    frame: pl.DataFrame  # SCHEMA, one row per event in the row path's order

    @property
    def height(self) -> int:
        return self.frame.height

    def rows(self) -> tuple[list[Event], list[int], list[str]]:
        """(events, lines, kinds), as a row path's Parsed holds them."""
        return events_of(self.frame), self.frame["line"].to_list(), self.frame["kind"].to_list()

    def accounts(self) -> set[str]:
        return set(self.frame["account"].unique().to_list())

    def counts(self) -> Counter[str]:
        return Counter(dict(self.frame["kind"].value_counts().iter_rows()))

    def fees(self) -> tuple[int, int]:
        """(rows carrying a fee, of which paid in crypto): see FileReport.fees."""
        fee_row = pl.col("kind") == FEE
        paid = fee_row | (pl.col("fee") != 0)
        crypto = pl.when(fee_row).then(pl.col("asset")).otherwise(pl.col("fee_asset")) != USD
        found = self.frame.select(paid=paid.sum(), crypto=(paid & crypto).sum())
        return int(found["paid"][0]), int(found["crypto"][0])

    def unclassified(self) -> list[tuple[int, Event]]:
        return self._in_line_order(pl.col("kind") == UNCLASSIFIED)

    def needs_price(self) -> list[tuple[int, Event, str]]:
        """See FileReport.needs_price: the rows not surely valued, their legs asked why."""
        found = []
        for line, event in self._in_line_order((pl.col("kind") != UNCLASSIFIED) & ~_valued()):
            flags = [leg.flag for leg in legs_for(event, 0, _USD) if leg.flag]
            if flags:
                found.append((line, event, flags[0]))
        return found

    def _in_line_order(self, wanted: pl.Expr) -> list[tuple[int, Event]]:
        picked = self.frame.filter(wanted).sort("line", maintain_order=True)
        return list(zip(picked["line"].to_list(), events_of(picked), strict=True))


class FrameParsed(Parsed):
    """A Parsed whose events, lines and kinds are an EventFrame's rows, built only when first
    asked for (the import itself writes the store from the frame, and its summary is computed
    from the columns)."""

    def __init__(self, frame: EventFrame, skipped: Counter[str], notes: list[str]) -> None:
        super().__init__(skipped=skipped, notes=notes)
        self._frame: EventFrame | None = frame

    def _built(self) -> None:
        if self._frame is not None:
            self._events, self._lines, self._kinds = self._frame.rows()
            self._frame = None

    @property
    def events(self) -> list[Event]:
        self._built()
        return self._events

    @events.setter
    def events(self, value: list[Event]) -> None:
        self._events = value

    @property
    def lines(self) -> list[int]:
        self._built()
        return self._lines

    @lines.setter
    def lines(self, value: list[int]) -> None:
        self._lines = value

    @property
    def kinds(self) -> list[str]:
        self._built()
        return self._kinds

    @kinds.setter
    def kinds(self, value: list[str]) -> None:
        self._kinds = value


def _valued() -> pl.Expr:
    """importer._valued in columns: a record the legs surely value in USD."""
    transfer = pl.col("side").is_in(["transfer_in", "transfer_out"])
    crypto_fee = (pl.col("fee") != 0) & (pl.col("fee_asset") != USD) & pl.col("fee_usd").is_null()
    unsure_fee = crypto_fee & ((pl.col("fee_asset") != pl.col("asset")) | transfer)
    priced = (
        pl.when(pl.col("quote") == USD)
        .then(pl.col("subtotal").is_not_null() | pl.col("price").is_not_null())
        .otherwise(pl.col("value_usd").is_not_null())
    )
    return ~unsure_fee & (transfer | priced)


def refused(frame: pl.DataFrame) -> bool:
    """Whether the row path would refuse these events once read (importer._read_text's checks:
    a record out of range, a trade id reused with other values): then it reads the file again
    and names each problem."""
    return out_of_range(frame) or reused_ids(frame)


def out_of_range(frame: pl.DataFrame) -> bool:
    """refused's checks of one record at a time: a reader that reads a file in parts asks each
    part (and reused_ids of the whole)."""
    if frame.select(_out_of_range().any()).item():
        return True
    unsplit = frame.select("quantity", "price", "subtotal").filter(pl.col("subtotal").is_null())
    return bool(product_over(unsplit, "quantity", "price").any())


def reused_ids(frame: pl.DataFrame) -> bool:
    """Whether two different records have one trade id in an account (one record listed twice is
    fine). The rows are copied only when some id repeats."""
    with_id = pl.col("trade_id").is_not_null() & (pl.col("trade_id") != "")
    # the common case first, in little memory: no trade id repeats at all (hashing the pairs of
    # a million rows takes a quarter of a GB). Counted on the ids' 64-bit hashes (20 MB at a
    # million rows, not 55 MB for the strings: the read's peak): as many distinct hashes as ids
    # means distinct ids; a repeat, or a collision, is settled exactly below
    ids = pl.col("trade_id").filter(with_id)
    counted = frame.select(ids=with_id.sum(), distinct=ids.hash(0).n_unique())
    if counted.item(0, "ids") == counted.item(0, "distinct"):
        return False
    repeated = frame.filter(with_id & pl.col("trade_id").is_duplicated())
    repeated = repeated.filter(pl.struct("account", "trade_id").is_duplicated())
    # one record listed twice is fine; two different records under one id are not
    records = repeated.select(Event._fields).unique()
    return bool(records.select(pl.struct("account", "trade_id").is_duplicated().any()).item())


def product_over(frame: pl.DataFrame, quantity: str, price: str) -> pl.Series:
    """Per row: is quantity x price (fp.mul) over MAX_VALUE? Worked out exactly, in Python, only
    for the rows that could reach it: with |q| < (qh + 1)·S and |p| < (ph + 1)·S (whole units),
    a product is surely within when (qh + 1)(ph + 1) <= MAX_VALUE / S (then |q·p| / S is below
    MAX_VALUE). In Int128 columns, each factor clipped so the product cannot wrap around."""
    scale = pl.lit(fp.SCALE, AMOUNT)
    most = pl.lit(MAX_VALUE // fp.SCALE, AMOUNT)
    q_whole = pl.col(quantity).abs() // scale + 1
    p_whole = pl.col(price).abs() // scale + 1
    large = (q_whole.clip(0, most + 1) * p_whole.clip(0, most + 1) > most).fill_null(False)
    over = python_column(
        frame, large, (quantity, price), each(lambda q, p: fp.mul(q, p) > MAX_VALUE), pl.Boolean
    )
    return over.fill_null(False)


def _out_of_range() -> pl.Expr:
    """Event.out_of_range in columns (the product check is done exactly by refused)."""

    def over(name: str, most: int) -> pl.Expr:
        return pl.col(name) > pl.lit(most, AMOUNT)

    no_subtotal = pl.col("subtotal").is_null()
    return (
        (pl.col("timestamp") < EARLIEST)
        | over("quantity", MAX_QUANTITY)
        | (~no_subtotal & over("subtotal", MAX_VALUE))
        | (no_subtotal & over("price", MAX_PRICE)).fill_null(False)
        | over("value_usd", MAX_VALUE).fill_null(False)
        | over("fee", MAX_VALUE)
    )
