"""Ledger legs of events in columns: engine.ledger.legs.legs_for on a whole frame of events
(engine.imports.event_frame) at once, the same legs row for row.

Built here: buys, sells, spends and income with their fee in a USD asset, in USD with a USD
value, or with its USD value given; transfers; the fee's own disposal when it is paid in crypto.
A record whose fee must be valued from its price (or cannot be), and a migration, gets its legs
from legs_for itself: they are few, and the rules for them are legs_for's alone."""

from __future__ import annotations

import polars as pl

from engine.imports.columnar_cells import exact_products
from engine.imports.event_frame import events_of
from engine.ledger.events import MIGRATE, UNCLASSIFIED
from engine.ledger.legs import ACQUIRE, DISPOSE, MOVE_IN, MOVE_OUT, legs_for

LEG_SCHEMA: dict[str, pl.DataType] = {
    "event_id": pl.Int64(), "seq": pl.Int64(), "account": pl.String(), "asset": pl.String(), "kind": pl.Int64(),
    "ts": pl.Int64(), "quantity": pl.Int128(), "usd": pl.Int128(), "ref": pl.String(),
    "identification": pl.String(), "counterpart": pl.String(), "tx_id": pl.String(), "flag": pl.String(),
}  # fmt: skip
_TRANSFERS = ["transfer_out", "transfer_in"]


def frame_legs(events: pl.DataFrame, usd_assets: frozenset[str]) -> pl.DataFrame:
    """The legs of `events` (an event frame with its `event_id`), in LEG_SCHEMA."""
    usd = sorted(usd_assets)
    fee, fee_asset = pl.col("fee"), pl.col("fee_asset")
    # legs_for's own: a fee valued from the record's price, migrations, and a pair without the
    # quote's quantity (which legs_for refuses)
    by_price = (fee != 0) & ~fee_asset.is_in(usd) & pl.col("fee_usd").is_null()
    unpaired = (
        pl.col("side").is_in(["buy", "sell"]) & ~pl.col("quote").is_in(usd) & pl.col("subtotal").is_null()
    )
    own = (pl.col("side") == MIGRATE) | (
        (by_price | (unpaired & pl.col("price").is_null())) & (pl.col("side") != UNCLASSIFIED)
    )
    events = events.filter(pl.col("side") != UNCLASSIFIED)
    parts = [_python_legs(events.filter(own), usd_assets)]
    events = events.filter(~own)
    if events.height:
        parts += _legs(_valued(events, usd), usd)
    return pl.concat(parts)


def _valued(events: pl.DataFrame, usd: list[str]) -> pl.DataFrame:
    """Each record's USD value, quote quantity and fee in USD (legs._usd_value, _quote_quantity,
    _fee_value in the cases built here)."""
    price, price_usd, subtotal = pl.col("price"), pl.col("price_usd"), pl.col("subtotal")
    quote_usd = pl.col("quote").is_in(usd)
    times_price = exact_products(events, subtotal.is_null() & price.is_not_null(), "quantity", "price")
    by_usd_price = ~quote_usd & pl.col("value_usd").is_null() & price_usd.is_not_null() & (
        price.is_not_null() | subtotal.is_not_null()
    )  # fmt: skip
    times_usd_price = exact_products(events, by_usd_price, "quantity", "price_usd")
    quote_quantity = pl.coalesce(subtotal, times_price)
    value = pl.when(quote_usd).then(quote_quantity).otherwise(pl.coalesce("value_usd", times_usd_price))
    fee_usd = (
        pl.when(pl.col("fee") == 0).then(pl.lit(0, pl.Int128))
        .when(pl.col("fee_asset").is_in(usd)).then("fee").otherwise("fee_usd")
    )  # fmt: skip
    ref = pl.coalesce(pl.when(pl.col("trade_id") != "").then("trade_id"), pl.format("E{}", "event_id"))
    missing = pl.when(value.is_null()).then(pl.format("no USD price for {} in {}", "asset", "quote"))
    return events.with_columns(
        value=value,
        quote_quantity=quote_quantity,
        fee_value=fee_usd,
        ref=ref,
        quote_usd=quote_usd,
        missing=missing,
    )


def _legs(events: pl.DataFrame, usd: list[str]) -> list[pl.DataFrame]:
    side, value, fee_value = pl.col("side"), pl.col("value"), pl.col("fee_value")
    transfer = side.is_in(_TRANSFERS)
    disposal = side.is_in(["sell", "spend"])
    first = events.select(
        event_id="event_id",
        seq=pl.lit(0, pl.Int64),
        account="account",
        asset="asset",
        kind=pl.when(side.is_in(["buy", "income"])).then(ACQUIRE).when(disposal).then(DISPOSE)
        .when(side == "transfer_out").then(MOVE_OUT).otherwise(MOVE_IN),
        ts="timestamp",
        quantity="quantity",
        usd=pl.when(side == "buy").then(pl.when(pl.col("quote_usd")).then(value + fee_value).otherwise(value))
        .when(side == "income").then(value).when(disposal).then(value - fee_value),
        ref="ref",
        identification=pl.when(disposal).then("lots"),
        counterpart=pl.when(transfer).then("counterpart_account"),
        tx_id=pl.when(transfer).then("tx_id"),
        flag=pl.when(~transfer).then("missing"),
    )  # fmt: skip
    pair = ~pl.col("quote_usd") & side.is_in(["buy", "sell"])
    buy = side == "buy"
    second = events.filter(pair).select(
        event_id="event_id",
        seq=pl.lit(1, pl.Int64),
        account="account",
        asset="quote",
        kind=pl.when(buy).then(DISPOSE).otherwise(ACQUIRE),
        ts="timestamp",
        quantity="quote_quantity",
        usd=pl.when(buy).then(value - fee_value).otherwise(value),
        ref=pl.format("{}:{}", "ref", "quote"),
        identification=None,
        counterpart=None,
        tx_id=None,
        flag="missing",
    )
    paid = (pl.col("fee") != 0) & ~pl.col("fee_asset").is_in(usd)
    fees = events.filter(paid).select(
        event_id="event_id",
        seq=pl.when(pair).then(2).otherwise(1).cast(pl.Int64),
        account="account",
        asset="fee_asset",
        kind=pl.lit(DISPOSE, pl.Int64),
        ts="timestamp",
        quantity="fee",
        usd="fee_value",
        ref=pl.format("{}:fee", "ref"),
        identification=None,
        counterpart=None,
        tx_id=None,
        flag=None,
    )
    return [part.cast(LEG_SCHEMA) for part in (first, second, fees)]  # type: ignore[arg-type]


def _python_legs(events: pl.DataFrame, usd_assets: frozenset[str]) -> pl.DataFrame:
    rows = [
        (event_id, *leg[:3], int(leg.kind), leg.timestamp, *leg[5:])
        for event_id, event in zip(events["event_id"].to_list(), events_of(events), strict=True)
        for leg in legs_for(event, event_id, usd_assets)
    ]
    # Leg: (seq, account, asset, kind, timestamp, quantity, usd, ref, identification, counterpart, tx_id, flag)
    return pl.DataFrame(rows, schema=LEG_SCHEMA, orient="row")
