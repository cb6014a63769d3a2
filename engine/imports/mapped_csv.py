"""Reading a CSV with a mapping file (engine.imports.mapping): each row's fields from the columns
the mapping names, its side from a side column, a type column's table or the quantity's sign.

Amounts are read as statements print them: `$1,234.56`, `-5`, `(12.50)` (negative). The value of
a buy or sale is exact from `subtotal` (before fees) or `total` (a buy's cost, a sale's
proceeds, fees included), else `price` × quantity. A type value the table does not list is
kept as an unclassified event (not a problem); `skip` rows are counted as internal."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path

from engine.core.units import Amount, EpochMicros
from engine.imports.formats import (
    FEE,
    INCOME,
    TRADE,
    TRANSFER,
    UNCLASSIFIED,
    Format,
    Options,
    Parsed,
    Table,
    Version,
)
from engine.imports.mapping import SKIP, Mapping, read_mapping
from engine.imports.rows import CellError, Cells, parse_time, unit_price
from engine.ledger.events import EARLIEST, SIDES, Event
from engine.ledger.events import UNCLASSIFIED as UNCLASSIFIED_SIDE

KINDS = {"buy": TRADE, "sell": TRADE, "income": INCOME, "spend": FEE, "transfer_in": TRANSFER,
         "transfer_out": TRANSFER}  # fmt: skip


HEAD_LINES = 49  # the header may follow a preamble within the file's first 50 lines


def load_mapping(path: Path) -> Format:
    """The mapping file (engine.imports.mapping) as a Format for --map."""
    return mapped_format(read_mapping(path), Version(f"mapping {path.name}", (), preamble=HEAD_LINES))


def mapped_format(mapping: Mapping, version: Version) -> Format:
    def parse(table: Table, options: Options, parsed: Parsed) -> None:
        _parse(mapping, table, options, parsed)

    return Format(
        key="map",
        name=mapping.name,
        export_path="any CSV, with --map mapping.yaml",
        reads="the columns the mapping names",
        skips="rows whose type the mapping says to skip",
        versions=(version,),
        parse=parse,
        core=frozenset(column.strip().lower() for column in mapping.columns.values()),
        default_account=mapping.account,
        zone=mapping.timezone,
        layout=lambda header: version.label,
    )


def _parse(mapping: Mapping, table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    c = mapping.columns
    for name, column in c.items():
        if not cells.has(column):
            parsed.problems.append(f"{table.label}:{table.header_line}: {column}: column named by {mapping.path} "
                                   f"(columns.{name}) is not in the file")  # fmt: skip
    if not options.account and not mapping.account:
        parsed.problems.append(f"{table.label}:{table.header_line}: account: say which account the rows are in: "
                               f"--account NAME, or account: in {mapping.path}")  # fmt: skip
    if parsed.problems:
        return
    assert options.account is not None  # the importer puts the mapping's account in options
    for line, row in table.rows:
        cells.start(row, line)
        before = len(parsed.problems)
        timestamp = _time(cells, c["timestamp"], mapping.date_format, options.zone)
        signed = cells.number(c["quantity"], money=True)
        asset = cells.get(c["asset"]).upper()
        if not asset:
            cells.bad(c["asset"], "missing value")
        if len(parsed.problems) > before or timestamp is None or signed is None:
            continue
        side = _side(mapping, cells, signed, parsed)
        if side is None:
            continue
        money = {
            name: cells.number(c.get(name), required=False, money=True)
            for name in ("price", "subtotal", "total", "fee")
        }
        if len(parsed.problems) > before:
            continue
        quantity = Amount(abs(signed))
        quote = (cells.get(c.get("quote")) or mapping.quote).upper()
        fee = Amount(abs(money["fee"] or 0))
        fee_asset = (
            cells.get(c.get("fee_asset")) or (quote if mapping.fee_asset == "quote" else asset)
        ).upper()
        event = Event(account=options.account, asset=asset, side=side, timestamp=timestamp, quantity=quantity,
                      price=None, fee=fee, quote=quote, fee_asset=fee_asset if fee else quote,
                      trade_id=cells.get(c.get("trade_id")) or None, tx_id=cells.get(c.get("tx_id")) or None,
                      address=cells.get(c.get("address")) or None, note=cells.get(c.get("note")) or None,
                      source=table.label)  # fmt: skip
        if side == UNCLASSIFIED_SIDE:
            parsed.add(
                event._replace(note=f"{cells.get(c['type'])} (not in {mapping.path}'s types)"),
                line,
                UNCLASSIFIED,
            )
            continue
        if side in ("buy", "sell", "income", "spend"):
            subtotal = _subtotal(side, quantity, money, fee if fee_asset == quote else Amount(0))
            price = unit_price(subtotal, quantity) if subtotal is not None else money["price"]
            event = event._replace(subtotal=subtotal, price=None if price is None else Amount(abs(price)))
        parsed.add(event, line, KINDS[side])


def _side(mapping: Mapping, cells: Cells, signed: Amount, parsed: Parsed) -> str | None:
    """The row's side, UNCLASSIFIED for a type the table lacks, None when skipped or bad."""
    c = mapping.columns
    if "side" in c:
        text = cells.get(c["side"]).lower()
        if text not in SIDES:
            cells.bad(c["side"], f"{text!r} is not a side; expected one of {', '.join(SIDES)}")
            return None
        return text
    if "type" in c:
        value = cells.get(c["type"])
        side = mapping.types.get(value.lower())
        if side == SKIP:
            parsed.skipped[value] += 1
            return None
        return side or UNCLASSIFIED_SIDE
    if not signed:
        parsed.skipped["zero quantity"] += 1
        return None
    if mapping.signed_quantity == "transfer":
        return "transfer_out" if signed < 0 else "transfer_in"
    return "sell" if signed < 0 else "buy"


def _subtotal(
    side: str, quantity: Amount, money: dict[str, Amount | None], fee_in_quote: Amount
) -> Amount | None:
    """The value before fees: subtotal; else total less (buy) or plus (sale) a fee in the quote."""
    if money["subtotal"] is not None:
        return Amount(abs(money["subtotal"]))
    if money["total"] is not None:
        total = abs(money["total"])
        return Amount(total - fee_in_quote if side == "buy" else total + fee_in_quote)
    return None


def _time(cells: Cells, column: str, date_format: str | None, zone: tzinfo | None) -> EpochMicros | None:
    raw = cells.get(column)
    if not raw:
        cells.bad(column, "missing value")
        return None
    if date_format is None:
        return cells.time(column, zone)
    try:
        text = datetime.strptime(raw, date_format).isoformat()  # noqa: DTZ007 - the zone is applied below
        moment = parse_time(text, zone)
    except CellError as exc:  # (a ValueError too: caught first)
        cells.bad(column, str(exc))
        return None
    except ValueError:
        cells.bad(column, f"not a date in the mapping's format {date_format!r}: {raw!r}")
        return None
    if moment > cells.latest or moment < EARLIEST:
        cells.bad(column, f"out of range (before 2009 or in the future): {raw}")
        return None
    return moment
