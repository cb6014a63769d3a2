"""Robinhood account activity CSV: robinhood.com → Account → Reports and statements → Reports →
Account activity (CSV), read for its crypto rows.

Robinhood lists only filled orders, and charges no fee on crypto: its spread is in the price, so
a buy's basis is the `Amount` paid and a sale's proceeds the `Amount` received (the printed
`Price` is rounded and not used). A crypto row is a Buy or Sell whose Description names no
CUSIP (stocks and funds carry one); crypto transfers go out or in by the sign of their Quantity.
Everything else (stocks, options, dividends, cash transfers, interest) is skipped as not crypto,
by its Trans Code, and the closing disclaimer row too. The file has dates, not times: each row is
read at 12:00 America/New_York on its Activity Date (the same calendar date in every US zone),
and on one day acquisitions come before disposals (their order in the file is not kept)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from engine.core.dates import MICROS
from engine.core.units import Amount, EpochMicros
from engine.imports.formats import TRADE, TRANSFER, UNCLASSIFIED, Format, Options, Parsed, Table, Version
from engine.imports.row_events import Flow, Origin, trade, transfer, unclassified
from engine.imports.rows import Cells
from engine.ledger.events import EARLIEST, USD, Event

HEADER = ("Activity Date", "Process Date", "Settle Date", "Instrument", "Description", "Trans Code", "Quantity",
          "Price", "Amount")  # fmt: skip
TRADES = frozenset({"buy", "sell"})
TRANSFERS = frozenset({"crypto_transfer", "crypto transfer"})
NEW_YORK = ZoneInfo("America/New_York")
_ACQUIRING = frozenset({"buy", "transfer_in"})


def noon_in_new_york(cells: Cells, column: str) -> EpochMicros | None:
    """`3/5/2024` as 12:00 America/New_York that day (a row has a date, not a time)."""
    raw = cells.get(column)
    try:
        month, day, year = (int(part) for part in raw.split("/"))
        moment = datetime(year, month, day, 12, tzinfo=NEW_YORK)
    except ValueError:
        cells.bad(column, f"not a date (M/D/YYYY): {raw!r}" if raw else "missing value")
        return None
    micros = EpochMicros(int(moment.timestamp()) * MICROS)
    if micros > cells.latest or micros < EARLIEST:
        cells.bad(column, f"out of range: {raw}")
        return None
    return micros


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    if not cells.require(
        table.header_line, ("Activity Date", "Instrument", "Description", "Trans Code", "Quantity", "Amount")
    ):
        return
    account = options.account or "robinhood"
    found: list[tuple[Event, int, str]] = []
    for line, values in table.rows:
        cells.start(values, line)
        code_text, description = cells.get("Trans Code"), cells.get("Description")
        code = code_text.lower()
        crypto = (code in TRADES or code in TRANSFERS) and "cusip" not in description.lower()
        if not crypto:
            parsed.skipped[f"{code_text or '(no code)'} (not crypto)"] += 1
            continue
        before = len(parsed.problems)
        timestamp = noon_in_new_york(cells, "Activity Date")
        asset = cells.get("Instrument").upper()
        if not asset:
            cells.bad("Instrument", "missing value")
        quantity = cells.number("Quantity")
        amount = cells.number("Amount", required=code in TRADES, money=True)
        if len(parsed.problems) > before or timestamp is None or quantity is None:
            continue
        origin = Origin(
            account, timestamp, table.label, note=description.splitlines()[0] if description else code_text
        )
        coins = Flow(asset, Amount(abs(quantity)))
        if code in TRADES:
            assert amount is not None
            cash = Flow(USD, Amount(abs(amount)))
            event = trade(origin, cash, coins) if code == "buy" else trade(origin, coins, cash)
            assert event is not None
            found.append((event, line, TRADE))
        elif quantity:
            found.append((transfer(origin, coins, outgoing=quantity < 0), line, TRANSFER))
        else:
            found.append((unclassified(origin, coins), line, UNCLASSIFIED))
    # one day's rows share a time: acquisitions first, then a stable order by content
    found.sort(key=lambda f: (f[0].timestamp, f[0].side not in _ACQUIRING, f[0].asset, f[0].side, f[0].quantity,
                              f[0].subtotal or 0))  # fmt: skip
    for event, line, kind in found:
        parsed.add(event, line, kind)


ROBINHOOD = Format(
    key="robinhood",
    name="Robinhood account activity",
    export_path="robinhood.com → Account → Reports and statements → Reports → Account activity (CSV)",
    reads="crypto buys and sells (filled orders only; no fee: the spread is in the price, so the Amount is the "
    "basis or proceeds), crypto transfers in and out; dates only (read at 12:00 New York time)",
    skips="everything not crypto (stocks, options, dividends, cash, interest) by Trans Code; the closing "
    "disclaimer",
    versions=(Version("account activity", HEADER),),
    parse=parse,
    core=frozenset(name.lower() for name in HEADER),
    default_account="robinhood",
    zone="America/New_York",
    footer="The data provided",
)
