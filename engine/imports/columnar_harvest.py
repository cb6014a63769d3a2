"""harvest CSV in columns (engine.imports.columnar): generic_csv's row rules on the file's rows,
a part of the file at a time. A row with a cell in another shape, a lot identification or
anything the rules refuse is read by generic_csv's own row reader, which names any problem (then
the row path reads the file whole and lists them all)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC

import polars as pl

from engine.imports.columnar_cells import (
    UNSIGNED,
    cell_columns,
    limit,
    micros,
    odd_rows,
    python_column,
    unit_prices,
    units,
)
from engine.imports.event_frame import (
    EventFrame,
    Read,
    compact,
    conform,
    from_events,
    out_of_range,
    product_over,
    reused_ids,
)
from engine.imports.formats import INCOME, TRADE, TRANSFER, Options
from engine.imports.generic_csv import COLUMNS, REQUIRED, TRANSFER_SIDES, _RowReader
from engine.imports.rows import _UTC_ZONE
from engine.ledger.events import EARLIEST, LATEST, MAX_PRICE, MAX_QUANTITY, MAX_VALUE, SIDES


def read_harvest(
    parts: Iterable[pl.DataFrame | None], label: str, header: tuple[int, list[str]], options: Options
) -> Read | None:
    """The file's events, or None when the row path must read it (a problem). `parts`: the
    file's cells a part at a time (columnar_cells.cell_parts; None: not plainly written): each
    part's many intermediate columns are dropped before the next is read, so a large file's
    working memory is a part's, not the whole file's (its events are kept)."""
    names = harvest_names(header, options)
    if names is None:
        return None
    events = []
    for part in event_parts(parts, names, label, options):
        if part is None:
            return None
        events.append(part)
    if not events:
        return None
    frame = pl.concat(events)
    if reused_ids(frame):  # (of the whole file: an id may be reused across parts)
        return None
    return EventFrame(frame), Counter()


def harvest_names(header: tuple[int, list[str]], options: Options) -> list[str] | None:
    """The header's column names as the rules read them, or None when the row path must read
    the file (a header problem, no account)."""
    _line, header_names = header
    names = [name.strip().lower() for name in header_names]
    if set(names) - set(COLUMNS) or set(REQUIRED) - set(names) or len(set(names)) != len(names):
        return None  # a header problem: the row path names it
    if "account" not in names and not options.account:
        return None
    return names


def event_parts(
    parts: Iterable[pl.DataFrame | None], names: list[str], label: str, options: Options
) -> Iterator[pl.DataFrame | None]:
    """Each part's events (checked one record at a time: out_of_range), in the file's order;
    None where the row path must read the file (then no more). Whether an id is reused across
    parts is the caller's to check (reused_ids, or the stream's keys: columnar_stream)."""
    for cells in parts:
        part = None if cells is None else _part(cells, names, label, options)
        yield part
        if part is None:
            return


def _part(cells_frame: pl.DataFrame, names: list[str], label: str, options: Options) -> pl.DataFrame | None:
    """The events of some of the file's rows, or None when the row path must read the file."""
    rows = _read(cells_frame, names, options)
    rows = rows.with_columns(odd=pl.col("odd") | product_over(rows, "quantity", "price"))
    events = _events(rows.filter(~pl.col("odd")), label)
    others = rows.filter(pl.col("odd"))["line"]
    if others.len():
        problems: list[str] = []
        reader = _RowReader(label, options.account, problems, options.latest, options.zone)
        found = [(reader.event(dict(zip(names, map(str.strip, cells), strict=True)), line), line)
                 for line, cells in odd_rows(cells_frame, others)]  # fmt: skip
        if problems:
            return None
        made = [(event, line) for event, line in found if event is not None]
        kinds = [_kind(event.side) for event, _ in made]
        by_row = from_events([event for event, _ in made], [line for _, line in made], kinds)
        events = pl.concat([events, by_row]).sort("line")
    if out_of_range(events):
        return None
    return compact(events.rechunk(), label)  # (one chunk a column: see read_kraken)


def _kind(side: str) -> str:
    return TRANSFER if side in TRANSFER_SIDES else INCOME if side == "income" else TRADE


def _read(cells_frame: pl.DataFrame, names: list[str], options: Options) -> pl.DataFrame:
    """Each row's cells read, and `odd` where the row reader must read it (a cell in another
    shape, a value the rules refuse, a lot identification)."""

    read = cell_columns(cells_frame, {name: names.index(name) if name in names else None for name in COLUMNS})
    zone = options.zone
    time = micros(read["timestamp"], naive_utc=zone is UTC or zone is _UTC_ZONE, utc_word=zone is not None)
    latest = options.latest if options.latest is not None else LATEST
    limits = {"quantity": MAX_QUANTITY, "fee": MAX_VALUE, "price": MAX_PRICE, "price_usd": MAX_PRICE,
              "fee_usd": MAX_VALUE, "subtotal": MAX_VALUE, "total": MAX_VALUE}  # fmt: skip
    quote = pl.when(pl.col("quote") != "").then(pl.col("quote").str.to_uppercase()).otherwise(pl.lit("USD"))
    optional = ("trade_id", "tx_id", "address", "note", "counterpart_account")
    rows = read.with_columns(time.alias("time")).select(
        "line",
        timestamp=pl.when(pl.col("time").is_between(EARLIEST, latest)).then("time"),
        side=pl.col("side").str.to_lowercase(),
        asset=pl.col("asset").str.to_uppercase(),
        account=pl.when(pl.col("account") != "").then("account").otherwise(pl.lit(options.account)),
        quote=quote,
        fee_asset=pl.when(pl.col("fee_asset") != "").then(pl.col("fee_asset").str.to_uppercase()).otherwise(quote),
        **{name: limit(units(pl.col(name), UNSIGNED), most) for name, most in limits.items()},
        **{name: pl.when(pl.col(name) != "").then(name) for name in optional},
        odd=pl.col("lots") != "",
    )  # fmt: skip
    rows = rows.with_columns(
        odd=pl.col("odd") | pl.any_horizontal(pl.col(name).is_null() & (read[name] != "") for name in limits)
    )
    rows = rows.with_columns(_subtotal())
    transfer = pl.col("side").is_in(TRANSFER_SIDES)
    valued = pl.col("subtotal").is_not_null() | pl.col("total").is_not_null()
    refused_here = (
        pl.col("timestamp").is_null()
        | ~pl.col("side").is_in(SIDES)
        | (pl.col("asset") == "")
        | pl.col("account").is_null()
        | (pl.col("quantity").is_null() | (pl.col("quantity") == 0))
        | pl.col("fee").is_null()
        | pl.col("no_subtotal")
        | (pl.col("price").is_null() & ~transfer & ~valued)
        | ((pl.col("quote") == pl.col("asset")) & ~transfer)
    )
    return rows.with_columns(odd=pl.col("odd") | refused_here).drop("no_subtotal")


def _subtotal() -> list[pl.Expr]:
    """_RowReader.subtotal in columns: the exact value before fees (`derived`), and
    `no_subtotal` where the reader would refuse the pair (then the row reader reads the row)."""
    side, subtotal, total = pl.col("side"), pl.col("subtotal"), pl.col("total")
    fee_in_quote = pl.when(pl.col("fee_asset") == pl.col("quote")).then(pl.col("fee"))
    derived = (
        pl.when(side == "buy").then(total - fee_in_quote)
        .when(side.is_in(["sell", "spend"])).then(total + fee_in_quote).otherwise(total)
    )  # fmt: skip
    given = subtotal.is_not_null() | total.is_not_null()
    refused = given & (
        (subtotal == 0).fill_null(False)
        | (total == 0).fill_null(False)
        | side.is_in(TRANSFER_SIDES)
        | (total.is_not_null() & fee_in_quote.is_null() & subtotal.is_null())
        | (total.is_not_null() & fee_in_quote.is_not_null() & ((subtotal != derived).fill_null(False) | (derived <= 0)))
    )  # fmt: skip
    exact = pl.when(total.is_null() | fee_in_quote.is_null()).then(subtotal).otherwise(derived)
    return [exact.alias("exact"), refused.alias("no_subtotal")]


def _events(rows: pl.DataFrame, label: str) -> pl.DataFrame:
    side, exact = pl.col("side"), pl.col("exact")
    rows = rows.with_columns(
        unit=python_column(rows, exact.is_not_null() & pl.col("price").is_null(), ("exact", "quantity"), unit_prices)
    )  # fmt: skip
    events = rows.select(
        "account",
        "asset",
        "side",
        "timestamp",
        "quantity",
        pl.coalesce("price", "unit").alias("price"),
        "fee",
        "quote",
        "fee_asset",
        "price_usd",
        "fee_usd",
        "trade_id",
        "tx_id",
        "address",
        "note",
        "counterpart_account",
        lots=None,
        source=pl.lit(label),
        subtotal=exact,
        value_usd=None,
        line="line",
        kind=pl.when(side.is_in(TRANSFER_SIDES)).then(pl.lit(TRANSFER)).when(side == "income").then(pl.lit(INCOME))
        .otherwise(pl.lit(TRADE)),
    )  # fmt: skip
    return conform(events)
