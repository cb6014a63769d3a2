"""Kraken ledgers.csv in columns (engine.imports.columnar): the rules of engine.imports.kraken on
the file's rows at once.

Each row is read (a row with a cell in another shape by kraken._read itself); rows that are not
part of a trade become their event or skip as kraken._single says; a trade's rows are grouped by
refid, and the common trade — one row out, one row in, at most one fee, no fee credits — is
made here, any other group by kraken._trade. Events come in the row path's order: the single
rows' in line order, then the trades' in refid order."""

from __future__ import annotations

from collections import Counter

import polars as pl

from engine.imports import kraken as kr
from engine.imports.columnar_cells import (
    PLAIN,
    cell_columns,
    limit,
    micros,
    odd_rows,
    python_column,
    unit_prices,
    units,
)
from engine.imports.event_frame import SCHEMA, EventFrame, Read, conform, from_events, refused
from engine.imports.formats import INCOME, TRADE, TRANSFER, UNCLASSIFIED, Options, Parsed
from engine.imports.rows import Cells
from engine.ledger.events import EARLIEST, LATEST, MAX_QUANTITY

_REQUIRED = ("txid", "refid", "time", "type", "asset", "amount", "fee")
_ROW = {"line": pl.Int64, "txid": pl.String, "refid": pl.String, "time": pl.Int64, "kind": pl.String,
        "subtype": pl.String, "asset": pl.String, "amount": pl.Int128, "fee": pl.Int128, "usd": pl.Int128}  # fmt: skip


def read_kraken(
    cells_frame: pl.DataFrame, label: str, header: tuple[int, list[str]], options: Options
) -> Read | None:
    """The file's events and skips, or None when the row path must read it (a problem)."""
    header_line, names = header
    cells = Cells(label, names, [], options.latest)
    if not cells.require(header_line, _REQUIRED):
        return None
    account = options.account or "kraken"
    rows = _rows(cells_frame, cells, options)
    if rows is None:
        return None
    skipped: Counter[str] = Counter()
    no_txid = rows.filter(pl.col("txid") == "")
    skipped.update(f"{kind} (no txid: not completed)" for kind in no_txid["kind"].to_list())
    rows = rows.filter(pl.col("txid") != "")
    trading = pl.col("kind").str.to_lowercase().is_in(sorted(kr.TRADE_TYPES))
    singles, single_skips = _singles(rows.filter(~trading), account, label)
    trades, trade_skips = _trades(rows.filter(trading), account, label)
    frame = pl.concat([singles, trades], rechunk=True)  # (columns of misaligned chunks make polars panic)
    if refused(frame):
        return None
    return EventFrame(frame), skipped + single_skips + trade_skips


def _rows(cells_frame: pl.DataFrame, cells: Cells, options: Options) -> pl.DataFrame | None:
    """Every row read (kraken._Row's fields, asset codes as coins), in line order; None on a
    problem."""

    with_usd = cells.has("amountusd")
    names = ("txid", "refid", "time", "type", "subtype", "asset", "amount", "fee", "amountusd")
    read = cell_columns(cells_frame, {name: cells.index.get(name) for name in names})
    latest = options.latest if options.latest is not None else LATEST
    numbers = {
        name: limit(units(pl.col(name), PLAIN), MAX_QUANTITY) for name in ("amount", "fee", "amountusd")
    }
    read = read.with_columns(micros(read["time"], naive_utc=True, utc_word=True)).select(
        "line",
        "txid",
        "refid",
        time=pl.when(pl.col("time").is_between(EARLIEST, latest)).then("time"),
        kind="type",
        subtype="subtype",
        asset="asset",
        amount=numbers["amount"],
        fee=numbers["fee"].abs(),
        usd=numbers["amountusd"].abs() if with_usd else pl.lit(None, pl.Int128),
        blank_fee=pl.col("fee") == "",
        blank_usd=pl.col("amountusd") == "",
    )
    read = read.with_columns(
        odd=pl.col("time").is_null()
        | pl.col("amount").is_null()
        | (pl.col("fee").is_null() & ~pl.col("blank_fee"))
        | (pl.col("usd").is_null() & ~pl.col("blank_usd") & pl.lit(with_usd))
        | (pl.col("asset") == "")
        | (pl.col("kind") == ""),
        fee=pl.col("fee").fill_null(0),
    ).drop("blank_fee", "blank_usd")
    plain = read.filter(~pl.col("odd")).drop("odd")
    codes = plain["asset"].unique().to_list()
    plain = plain.with_columns(pl.col("asset").replace_strict({c: kr.kraken_asset(c) for c in codes}))
    others = read.filter(pl.col("odd"))
    if others.height == 0:
        return plain
    found = []  # read by kraken._read, which names any problem (then the row path reads the file)
    for line, values in odd_rows(cells_frame, others["line"]):
        cells.start(values, line)
        found.append(kr._read(cells, options, with_usd))
    if cells.problems:
        return None
    by_row = pl.DataFrame([row for row in found if row is not None], schema=_ROW, orient="row")
    return pl.concat([plain, by_row]).sort("line")


def _note() -> pl.Expr:
    """`f"{kind} {subtype}".strip()` (both cells already stripped; the type is never blank)."""
    return pl.when(pl.col("subtype") == "").then("kind").otherwise(pl.format("{} {}", "kind", "subtype"))


def _singles(rows: pl.DataFrame, account: str, label: str) -> tuple[pl.DataFrame, Counter[str]]:
    """kraken._single on each row that is not part of a trade."""
    kind, subtype = pl.col("kind").str.to_lowercase(), pl.col("subtype").str.to_lowercase()
    amount, asset, has_fee = pl.col("amount"), pl.col("asset"), pl.col("fee") != 0
    moving = kind.is_in(["deposit", "withdrawal"])
    internal = subtype.is_in(sorted(kr.INTERNAL_SUBTYPES)) | (
        (kind == "earn") & subtype.is_in(["", "migration"]) & ~has_fee
    )
    reward = (amount > 0) & (
        kind.is_in(sorted(kr.INCOME_TYPES)) | ((kind == "earn") & subtype.is_in(["reward", ""])) | (subtype == "airdrop")
    )  # fmt: skip
    rows = rows.with_columns(
        skip=pl.when(internal).then(_note())
        .when(moving & (asset.is_in(sorted(kr.FIAT)) | (asset == kr.FEE_CREDITS))).then(pl.format("{} ({})", "kind", "asset")),
        side=pl.when(moving & (amount != 0)).then(pl.when(amount < 0).then(pl.lit("transfer_out")).otherwise(pl.lit("transfer_in")))
        .when(reward).then(pl.lit("income")).otherwise(pl.lit("unclassified")),
    )  # fmt: skip
    skipped = Counter(dict(rows["skip"].drop_nulls().value_counts().iter_rows()))
    rows = rows.filter(pl.col("skip").is_null())
    side = pl.col("side")
    income = side == "income"
    with_fee = (side != "unclassified") & has_fee
    events = rows.with_columns(
        price=python_column(rows, income & pl.col("usd").is_not_null(), ("usd", "amount"), unit_prices)
    ).select(
        account=pl.lit(account),
        asset="asset",
        side="side",
        timestamp="time",
        quantity=amount.abs(),
        price="price",
        fee=pl.when(with_fee).then("fee").otherwise(0),
        quote=pl.lit("USD"),
        fee_asset=pl.when(with_fee).then("asset").otherwise(pl.lit("USD")),
        price_usd=None,
        fee_usd=None,
        trade_id="txid",
        tx_id=None,
        address=None,
        note=pl.when(side.str.starts_with("transfer")).then("kind").otherwise(_note()),
        counterpart_account=None,
        lots=None,
        source=pl.lit(label),
        subtotal=pl.when(income).then("usd"),
        value_usd=None,
        line="line",
        kind=pl.when(income).then(pl.lit(INCOME)).when(side == "unclassified").then(pl.lit(UNCLASSIFIED))
        .otherwise(pl.lit(TRANSFER)),
    )  # fmt: skip
    return conform(events), skipped


def _trades(rows: pl.DataFrame, account: str, label: str) -> tuple[pl.DataFrame, Counter[str]]:
    """The trades, by refid: the common two-row trade here, any other group by kraken._trade."""
    rows = rows.sort("time", "txid", "line")  # a group's rows as kraken sorts them (stable: then by line)
    shape = rows.group_by("refid").agg(
        rows=pl.len(),
        out=(pl.col("amount") < 0).sum(),
        into=(pl.col("amount") > 0).sum(),
        fees=(pl.col("fee") != 0).sum(),
        credits=(pl.col("asset") == kr.FEE_CREDITS).any(),
    )
    common = shape.filter(
        (pl.col("rows") == 2) & (pl.col("out") == 1) & (pl.col("into") == 1) & (pl.col("fees") <= 1) & ~pl.col("credits")
    )["refid"]  # fmt: skip
    mine = rows.filter(pl.col("refid").is_in(common.implode()))
    events, skipped = _common_trades(mine, account, label)
    parsed = Parsed()
    order: list[tuple[str, int]] = []
    others = rows.filter(~pl.col("refid").is_in(common.implode())).sort(
        "line"
    )  # groups list rows in file order
    groups: dict[str, list[kr._Row]] = {}
    for values in others.select(kr._Row._fields).iter_rows():
        groups.setdefault(values[2], []).append(kr._Row(*values))
    for refid in sorted(groups):
        group = groups[refid]
        before = len(parsed.events)
        kr._trade(
            group if len(group) == 1 else sorted(group, key=kr._TIME_THEN_TXID), refid, account, label, parsed
        )
        order += [(refid, n) for n in range(len(parsed.events) - before)]
    by_row = from_events(parsed.events, parsed.lines, parsed.kinds).with_columns(
        refid=pl.Series([r for r, _ in order], dtype=pl.String),
        at=pl.Series([n for _, n in order], dtype=pl.Int64),
    )
    frame = pl.concat([events, by_row]).sort("refid", "at").drop("refid", "at")
    return frame, skipped + parsed.skipped


def _common_trades(rows: pl.DataFrame, account: str, label: str) -> tuple[pl.DataFrame, Counter[str]]:
    """kraken._trade for a group of one row out and one row in, at most one with a fee."""
    first = rows.group_by("refid", maintain_order=True).first()
    out = rows.filter(pl.col("amount") < 0).select(
        "refid", out_asset="asset", out_qty=pl.col("amount").abs(), out_usd="usd"
    )
    into = rows.filter(pl.col("amount") > 0).select("refid", in_asset="asset", in_qty="amount", in_usd="usd")
    fee = rows.filter(pl.col("fee") != 0).select("refid", fee_asset="asset", fee_amount="fee")
    trades = first.join(out, on="refid").join(into, on="refid").join(fee, on="refid", how="left")
    fiat = sorted(kr.FIAT)
    cash = pl.col("out_asset").is_in(fiat) & pl.col("in_asset").is_in(fiat)
    skipped = Counter(
        dict(trades.filter(cash).select(pl.format("{} ({} to {})", "kind", "out_asset", "in_asset")).to_series().value_counts().iter_rows())
    )  # fmt: skip
    trades = trades.filter(~cash)
    selling = pl.col("in_asset").is_in(fiat)

    def pick(when_selling: str, when_buying: str) -> pl.Expr:
        return pl.when(selling).then(pl.col(when_selling)).otherwise(pl.col(when_buying))

    trades = trades.with_columns(
        asset=pick("out_asset", "in_asset"), quantity=pick("out_qty", "in_qty"), quote=pick("in_asset", "out_asset"),
        subtotal=pick("in_qty", "out_qty"), usd=pick("out_usd", "in_usd"), side=pl.when(selling).then(pl.lit("sell")).otherwise(pl.lit("buy")),
    )  # fmt: skip
    trades = trades.with_columns(
        price=python_column(trades, pl.lit(True), ("subtotal", "quantity"), unit_prices)
    )
    events = trades.select(
        account=pl.lit(account),
        asset="asset",
        side="side",
        timestamp="time",
        quantity="quantity",
        price="price",
        fee=pl.col("fee_amount").fill_null(0),
        quote="quote",
        fee_asset=pl.coalesce("fee_asset", "quote"),
        price_usd=None,
        fee_usd=None,
        trade_id=pl.when(pl.col("refid") != "").then("refid").otherwise("txid"),
        tx_id=None,
        address=None,
        note="kind",
        counterpart_account=None,
        lots=None,
        source=pl.lit(label),
        subtotal="subtotal",
        value_usd=pl.when(pl.col("quote") != "USD").then("usd"),
        line="line",
        kind=pl.lit(TRADE),
        refid="refid",
        at=pl.lit(0, pl.Int64),
    )
    return events.cast({name: dtype for name, dtype in SCHEMA.items()}), skipped
