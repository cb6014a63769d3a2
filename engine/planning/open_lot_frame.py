"""The open lots' frame (positions.lots_frame's columns and rows, in its order) for the slow path.

From a match's OpenLots it is built from its pools' lots as they lie (no OpenLot tuple, no
sort of the lots in Python), field by field, then sorted into the rows' order by polars, which
lets go of the GIL. The exact unit cost (fp.unit_price: half-even at 10^-18) is split in two:
Python ints take the quotient and remainder (C-level maps over the column), polars rounds them.
Either way the work goes a slice of lots at a time, so no one call holds the GIL for long while
the app's event loop waits (polars turning a column of Python ints into Int128 holds it for the
whole column)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import mul

import polars as pl

from engine.core import fixedpoint as fp
from engine.core.dates import anniversary
from engine.ledger.lot_pool import Lot
from engine.ledger.open_lots import OpenLots
from engine.ledger.records import OpenLot
from engine.planning.positions import LOT_SCHEMA, lots_frame

FRAME_SLICE = 2_000  # open lots per lots_frame call when they come as rows
COLUMN_SLICE = 5_000  # open lots per polars frame when they come as columns (a few ms a slice:
# 20,000 held the GIL 40-50 ms of CPU a slice at a million lots)
_WORK_SCHEMA = {
    "account": pl.String,
    "asset": pl.String,
    "lot_id": pl.String,
    "quantity": pl.Int128,
    "basis": pl.Int128,
    "quotient": pl.Int128,
    "remainder": pl.Int128,
    "acquired_day": pl.Int32,
    "acquired": pl.Int64,  # the time: the rows' order (then dropped)
}


def open_lots_frame(lots: Sequence[OpenLot]) -> pl.DataFrame:
    """positions.lots_frame(list(lots)), the same frame, built without rows from a match's OpenLots:
    its pools' lots as columns, in the pools' order, then one stable polars sort by (account,
    asset, acquired, lot id) — the rows' order (OpenLots.groups) without sorting the lots in
    Python (polars sorts the columns with the GIL let go)."""
    if not isinstance(lots, OpenLots):
        return frame_in_slices(list(lots))
    parts = [
        _slice_frame(asset, pool_lots[start : start + COLUMN_SLICE])
        for asset, pool_lots in lots.pools
        for start in range(0, len(pool_lots), COLUMN_SLICE)
    ]
    if not parts:
        return lots_frame([])
    frame = pl.concat(parts).sort("account", "asset", "acquired", "lot_id", maintain_order=True)
    days = frame.get_column("acquired_day").unique().to_list()
    # fp.div_round: up when twice the remainder passes the quantity, or equals it and the
    # quotient is odd (remainder against quantity - remainder: no doubling to overflow Int128)
    remainder, rest = pl.col("remainder"), pl.col("quantity") - pl.col("remainder")
    rounds_up = (remainder > rest) | ((remainder == rest) & (pl.col("quotient") % 2 != 0))
    frame = frame.with_columns(
        unit_cost=pl.when(pl.col("basis").is_null())
        .then(None)
        .otherwise(pl.col("quotient") + rounds_up.cast(pl.Int128)),
        anniversary=pl.col("acquired_day").replace_strict(
            days, [anniversary(day) for day in days], return_dtype=pl.Int32
        ),
    )
    return frame.select(list(LOT_SCHEMA))


def _slice_frame(asset: str, lots: list[Lot]) -> pl.DataFrame:
    """Part of one pool's lots as columns (engine.ledger.lot_pool.Lot's seven fields), transposed
    in C."""
    quantities, bases, acquired, lot_ids, _seqs, accounts, days = zip(*lots, strict=True)
    known = bases if None not in bases else [0 if basis is None else basis for basis in bases]
    # fp.div_round's divmod of basis * SCALE by quantity, in C; polars rounds it half-even
    quotients, remainders = zip(*map(divmod, map(mul, known, repeat(fp.SCALE)), quantities), strict=True)
    return pl.DataFrame(
        {
            "account": accounts,
            "asset": [asset] * len(lots),
            "lot_id": lot_ids,
            "quantity": quantities,
            "basis": bases,
            "quotient": quotients,
            "remainder": remainders,
            "acquired_day": days,
            "acquired": acquired,
        },
        schema=_WORK_SCHEMA,
    )


def frame_in_slices(lots: list[OpenLot]) -> pl.DataFrame:
    """positions.lots_frame, built a slice of lots at a time: polars turns a column of Python
    ints into Int128 holding the GIL for the whole column, which freezes the app's event loop
    while a worker builds the frame; slices keep each hold short."""
    if len(lots) <= FRAME_SLICE:
        return lots_frame(lots)
    return pl.concat(
        [lots_frame(lots[start : start + FRAME_SLICE]) for start in range(0, len(lots), FRAME_SLICE)],
        rechunk=True,
    )
