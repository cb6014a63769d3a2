"""Coinbase transaction history in columns (engine.imports.columnar): the rules of
engine.imports.coinbase, row for row, on the file's rows at once.

Read here: buys and sells (not Advanced Trade pairs named only in the Notes), converts, income,
sends and receives, unclassified types, and the rows skipped (internal moves, zero quantities,
cash in and out). Everything else — a row with a cell in another shape, an Advanced Trade note,
asset migrations (paired across the file) — goes through coinbase.parse itself, on just those
rows, and its events take their places: a row's event at its line, migrations last, as the row
path orders them."""

from __future__ import annotations

from collections import Counter
from typing import Any

import polars as pl

from engine.core import fixedpoint as fp
from engine.imports import coinbase as cb
from engine.imports.columnar_cells import (
    MONEY,
    PLAIN,
    cell_columns,
    each,
    exact_products,
    limit,
    micros,
    odd_rows,
    python_column,
    unit_prices,
    units,
)
from engine.imports.event_frame import SCHEMA, EventFrame, Read, conform, from_events, refused
from engine.imports.formats import INCOME, TRADE, TRANSFER, UNCLASSIFIED, Options, Parsed, Table
from engine.imports.rows import CellError, Cells, parse_number
from engine.ledger.events import EARLIEST, LATEST, MAX_QUANTITY, MAX_VALUE

_REQUIRED = ("Timestamp", "Transaction Type", "Asset", "Quantity Transacted")


def read_coinbase(
    cells_frame: pl.DataFrame, text: str, label: str, header: tuple[int, list[str]], options: Options
) -> Read | None:
    """The file's events and skips, or None when the row path must read it (a problem)."""
    header_line, names = header
    problems: list[str] = []
    cells = Cells(label, names, problems, options.latest)
    columns = cb._Columns(cells, names)
    if not cells.require(header_line, _REQUIRED):
        return None
    account = options.account or "coinbase"

    def at(name: str | None) -> int | None:
        return None if name is None else cells.index[name.lower()]

    read = cell_columns(cells_frame, {
        "kind_text": at(columns.type), "asset": at(columns.asset), "notes": at(columns.notes), "id": at(columns.id),
        "currency": at(columns.currency), "sender": at(columns.sender), "recipient": at(columns.recipient),
        "time": at(columns.time), "quantity": at(columns.quantity), "price": at(columns.price),
        "subtotal": at(columns.subtotal), "total": at(columns.total), "fees": at(columns.fees),
    })  # fmt: skip
    latest = options.latest if options.latest is not None else LATEST
    time = micros(read["time"], naive_utc=True, utc_word=True)
    amounts = ("price", "subtotal", "total", "fees")
    rows = read.with_columns(time).lazy().select(  # lazily: polars then computes each cell once
        "line",
        "kind_text",
        "notes",
        "sender",
        "recipient",
        asset=pl.col("asset").str.to_uppercase(),
        trade_id=pl.when(pl.col("id") != "").then("id"),
        currency=pl.when(pl.col("currency") != "").then("currency").otherwise(pl.lit(columns.fixed_currency))
        .str.to_uppercase(),
        timestamp=pl.when(pl.col("time").is_between(EARLIEST, latest)).then("time"),
        signed=limit(units(pl.col("quantity"), PLAIN), MAX_QUANTITY),
        **{name: limit(units(pl.col(name), MONEY), MAX_VALUE) for name in amounts},
    ).with_columns(kind=pl.col("kind_text").str.to_lowercase()).collect()  # fmt: skip
    rows = rows.with_columns(
        odd=pl.any_horizontal(pl.col(name).is_null() & (read[name] != "") for name in amounts)
        | pl.col("timestamp").is_null()
        | pl.col("signed").is_null()
        | (pl.col("asset") == "")
        | (pl.col("kind_text") == "")
        | (pl.col("kind").is_in(sorted(cb.BUY | cb.SELL)) & _names_a_pair()),
        migrating=pl.col("kind").is_in(sorted(cb.MIGRATIONS)),
    )
    rows, converts = _converts(rows, account, label)
    kept = rows.filter(~pl.col("odd") & ~pl.col("migrating"))
    events, skipped = _events(kept, account, label)
    by_rows = Parsed()
    others = rows.filter(pl.col("odd") & ~pl.col("migrating"))["line"]
    migrations = Parsed()
    for lines, into in ((others, by_rows), (rows.filter(pl.col("migrating"))["line"], migrations)):
        if lines.len():
            table = Table(label, text, names, header_line, odd_rows(cells_frame, lines))
            cb.parse(table, options, into)
            if into.problems:
                return None
    frame = pl.concat([
        pl.concat([events, converts, from_events(by_rows.events, by_rows.lines, by_rows.kinds)]).sort("line"),
        from_events(migrations.events, migrations.lines, migrations.kinds),
    ], rechunk=True)  # fmt: skip
    if refused(frame):
        return None
    return EventFrame(frame), skipped + by_rows.skipped + migrations.skipped


def _names_a_pair() -> pl.Expr:
    """A trade whose Notes may name another quote (an Advanced Trade pair): the row code decides."""
    notes = pl.col("notes")
    says_currency = pl.concat_str([pl.lit(" "), notes, pl.lit(" ")]).str.contains(
        pl.concat_str([pl.lit(" "), pl.col("currency"), pl.lit(" ")]), literal=True
    )
    return (notes != "") & ~says_currency


def _value() -> pl.Expr:
    """_Row.value before its last resort: Subtotal, else Total (each only when above zero)."""
    return (
        pl.when(pl.col("subtotal") > 0)
        .then(pl.col("subtotal"))
        .when(pl.col("total") > 0)
        .then(pl.col("total"))
    )


def _times_price(frame: pl.DataFrame, where: pl.Expr) -> pl.Series:
    """quantity x price where `where` holds and the price is not zero (null elsewhere)."""
    return exact_products(frame, where & (pl.col("price") > 0), "quantity", "price")


def _events(rows: pl.DataFrame, account: str, label: str) -> tuple[pl.DataFrame, Counter[str]]:
    """The events and skips of the rows read here (neither odd nor migrations, nor converts)."""
    kind, asset, currency = pl.col("kind"), pl.col("asset"), pl.col("currency")
    moving = kind.is_in(sorted(cb.OUT_TYPES | cb.IN_TYPES))
    income = kind.is_in(sorted(cb.INCOME_TYPES)) | (
        (kind == "receive") & pl.any_horizontal(pl.col("notes").str.contains(n, literal=True) for n in cb._INCOME_NOTES)
    )  # fmt: skip
    skip = (
        pl.when(kind.is_in(sorted(cb.INTERNAL)))
        .then(pl.col("kind_text"))
        .when(pl.col("signed") == 0)
        .then(pl.col("kind_text") + " (zero quantity)")
        .when(kind.is_in(sorted(cb.BUY | cb.SELL)) | (kind == "convert") | income)
        .then(None)
        .when(moving & (asset.is_in(sorted(cb.FIAT)) | (asset == currency)))
        .then(pl.format("{} ({})", pl.col("kind_text"), asset))
    )
    rows = rows.lazy().with_columns(skip=skip, quantity=pl.col("signed").abs()).collect()
    skipped = Counter(dict(rows["skip"].drop_nulls().value_counts().iter_rows()))
    trade = kind.is_in(sorted(cb.BUY | cb.SELL))
    outgoing = (pl.col("signed") < 0) | kind.is_in(sorted(cb.OUT_TYPES))
    rows = rows.lazy().filter(pl.col("skip").is_null() & (kind != "convert")).with_columns(
        side=pl.when(kind.is_in(sorted(cb.BUY))).then(pl.lit("buy")).when(kind.is_in(sorted(cb.SELL))).then(pl.lit("sell"))
        .when(income).then(pl.lit("income")).when(moving & outgoing).then(pl.lit("transfer_out"))
        .when(moving).then(pl.lit("transfer_in")).otherwise(pl.lit("unclassified")),
    ).with_columns(_gross_and_fee()).collect()  # fmt: skip
    side = pl.col("side")
    moved = side.is_in(["transfer_out", "transfer_in"])  # (a Receive of a reward is income)
    gross = pl.coalesce(
        pl.when(trade).then(pl.col("gross")),
        pl.when(side == "income").then(_value()),
        _times_price(rows, (trade & pl.col("gross").is_null()) | ((side == "income") & _value().is_null())),
    )
    rows = (
        rows.lazy()
        .with_columns(value=gross)
        .with_columns(
            address=pl.when(outgoing).then(pl.col("recipient")).otherwise(pl.col("sender")),
            fee_usd=pl.when(moved & outgoing).then(pl.col("fees")),
        )
        .collect()
    )
    rows = rows.with_columns(
        address=pl.when(pl.col("address") != "").then(pl.col("address")).otherwise(
            python_column(rows, moved & outgoing & (pl.col("address") == ""), ("notes",), each(_sent_to), pl.String)),
        crypto_fee=python_column(rows, moved & (pl.col("fee_usd") > 0) & (pl.col("price") > 0), ("fee_usd", "price"),
                                 unit_prices),
        unit=python_column(rows, pl.col("value").is_not_null(), ("value", "quantity"), unit_prices),
    )  # fmt: skip
    fee_usd, crypto_fee = pl.col("fee_usd"), pl.col("crypto_fee")
    transfer_fee = (
        pl.when(crypto_fee.is_not_null()).then(crypto_fee).when(fee_usd > 0).then(fee_usd).otherwise(0)
    )
    events = rows.lazy().select(
        account=pl.lit(account),
        asset=asset,
        side=side,
        timestamp="timestamp",
        quantity="quantity",
        price=pl.when(trade | (side == "income")).then("unit"),
        fee=pl.when(trade).then("fee").when(moved).then(transfer_fee).otherwise(0),
        quote=currency,
        fee_asset=pl.when(moved & crypto_fee.is_null() & (fee_usd > 0)).then(pl.lit("USD"))
        .when(moved).then(asset).otherwise(currency),
        price_usd=None,
        fee_usd=pl.when(crypto_fee.is_not_null()).then(fee_usd),
        trade_id="trade_id",
        tx_id=None,
        address=pl.when(moved & (pl.col("address") != "")).then("address"),
        note=pl.when(trade).then(pl.when(pl.col("notes") != "").then("notes"))
        .when(moved & (pl.col("notes") != "")).then("notes").otherwise("kind_text"),
        counterpart_account=None,
        lots=None,
        source=pl.lit(label),
        subtotal=pl.when(trade | (side == "income")).then("value"),
        value_usd=None,
        line="line",
        kind=pl.when(trade).then(pl.lit(TRADE)).when(side == "income").then(pl.lit(INCOME))
        .when(moved).then(pl.lit(TRANSFER)).otherwise(pl.lit(UNCLASSIFIED)),
    ).collect()  # fmt: skip
    return conform(events), skipped


def _gross_and_fee() -> list[pl.Expr]:
    """coinbase._gross_and_fee in columns: a trade's value before fees, and its fee."""
    subtotal, total, fees = pl.col("subtotal"), pl.col("total"), pl.col("fees")
    buy = pl.col("side") == "buy"
    no_total = total.is_null()
    by_subtotal = subtotal.is_not_null() & pl.when(buy).then(subtotal <= total).otherwise(subtotal >= total)
    by_fees = fees.is_not_null() & (~buy | (fees <= total))
    gross = (
        pl.when(no_total).then(subtotal).when(by_subtotal).then(subtotal)
        .when(by_fees).then(pl.when(buy).then(total - fees).otherwise(total + fees)).otherwise(total)
    )  # fmt: skip
    fee = (
        pl.when(no_total).then(pl.coalesce(fees, pl.lit(0, pl.Int128)))
        .when(by_subtotal).then((total - subtotal).abs()).when(by_fees).then(fees).otherwise(0)
    )  # fmt: skip
    return [gross.alias("gross"), fee.alias("fee")]


def _sent_to(notes: str) -> str | None:
    sent = cb._SENT_TO.match(notes)
    return sent.group(1) if sent else None


def _converts(rows: pl.DataFrame, account: str, label: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """_Row.convert on each Convert row read here (a Python loop: they are few); a row whose
    Notes do not say what was received becomes odd (the row code names the problem)."""
    wanted = (pl.col("kind") == "convert") & ~pl.col("odd") & ~pl.col("migrating") & (pl.col("signed") != 0)
    converts = rows.filter(wanted).with_columns(quantity=pl.col("signed").abs())
    fields = ("notes", "quantity", "subtotal", "total", "price", "fees")
    made = list(map(_convert, *(converts[name].to_list() for name in fields)))
    failed = [line for line, found in zip(converts["line"].to_list(), made, strict=True) if found is None]
    rows = rows.with_columns(odd=pl.col("odd") | pl.col("line").is_in(failed))
    done = [found for found in made if found is not None]
    converts = converts.filter(~pl.col("line").is_in(failed))
    columns = list(zip(*done, strict=True)) if done else [()] * 5
    read = {name: pl.Series(values, dtype=SCHEMA[name]) for name, values in
            zip(("price", "quote", "subtotal", "value_usd", "note"), columns, strict=True)}  # fmt: skip
    events = converts.select(
        account=pl.lit(account),
        asset="asset",
        side=pl.lit("sell"),
        timestamp="timestamp",
        quantity="quantity",
        fee=pl.lit(0, pl.Int128),
        fee_asset="currency",
        price_usd=None,
        fee_usd=None,
        trade_id="trade_id",
        tx_id=None,
        address=None,
        counterpart_account=None,
        lots=None,
        source=pl.lit(label),
        line="line",
        kind=pl.lit(TRADE),
    ).with_columns(**read)
    return rows, conform(events)


def _convert(
    notes: str, quantity: int, subtotal: int | None, total: int | None, price: int | None, fees: int | None
) -> tuple[Any, ...] | None:
    """(price, quote, subtotal, value_usd, note) of a Convert, as _Row.convert makes them."""
    matched = cb._CONVERT_NOTE.match(notes)
    if matched is None:
        return None
    try:
        received = parse_number(matched.group(3))
    except CellError:
        return None
    if received <= 0:
        return None
    fee = fees or 0
    value = subtotal if subtotal else total if total else None  # (money cells are never negative here)
    if value is None and price:
        value = fp.mul(quantity, price)
    net = None if value is None else max(value - fee, 0)
    note = f"{notes} (fee ${_cents(fee)} taken from the proceeds)" if fee else notes
    return fp.unit_price(received, quantity), matched.group(4).upper(), received, net, note


def _cents(units: int) -> str:
    """fp.fmt_cents of an amount of zero or more, in ints: half-even to the cent."""
    cents = fp.div_round(units, fp.SCALE // 100)
    return f"{cents // 100}.{cents % 100:02d}"
