"""Opening lots: the lots each account held on a date, as another tool exported them (Koinly's or
CoinTracker's holdings, a spreadsheet), for starting from a snapshot instead of the full history.

One row per lot: account, asset, quantity, basis (USD, fees included), acquired (the original
acquisition date or time, which the holding period counts from), lot_id, and as_of (the date the
snapshot is of; or `--lots-as-of DATE` for the whole file). Each lot becomes a purchase at its
acquisition time with exactly that basis, its lot id the trade id (so identifications can name
it), noted `opening lot as of DATE`. Read whole: one bad cell and nothing is imported, every
problem named FILE:LINE: column: problem."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from typing import NamedTuple

from engine.core import fixedpoint as fp
from engine.core.units import Amount, EpochMicros
from engine.imports.rows import parse_money
from engine.imports.side_csv import read_sheet
from engine.ledger.events import USD, Event

REQUIRED = ("asset", "quantity", "basis", "acquired", "lot_id")
SOURCE = "opening"


class OpeningLots(NamedTuple):
    label: str
    events: list[Event]
    as_of: dict[str, date]  # account -> the date its lots are the holdings of


def read_opening_lots(
    path: Path, zone: tzinfo, account: str | None = None, as_of: date | None = None
) -> OpeningLots:
    """The file's lots as purchase events; CsvImportError naming every bad cell."""
    sheet = read_sheet(path, REQUIRED)
    cells, label = sheet.cells, sheet.label
    if not cells.has("account") and account is None:
        sheet.problems.append(
            f"{label}:{sheet.header_line}: account: required column missing (or --account NAME)"
        )
    if not cells.has("as_of") and as_of is None:
        sheet.problems.append(
            f"{label}:{sheet.header_line}: as_of: required column missing (or --lots-as-of DATE)"
        )
    sheet.refuse_if_problems()
    events: list[Event] = []
    dates: dict[str, date] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for line, record in sheet.rows:
        cells.start(record, line)
        before = len(sheet.problems)
        name = cells.get("account") or account or ""
        asset = cells.get("asset").upper()
        lot_id = cells.get("lot_id")
        for column, value in (("account", name), ("asset", asset), ("lot_id", lot_id)):
            if not value:
                cells.bad(column, "missing value")
        quantity = cells.number("quantity")
        if quantity is not None and quantity <= 0:
            cells.bad("quantity", f"must be more than 0, got {cells.get('quantity')}")
        basis = _basis(cells.get("basis"), cells.bad)
        snapshot = _as_of(cells.get("as_of"), as_of, cells.bad)
        acquired = cells.time("acquired", zone)
        if acquired is not None and snapshot is not None and acquired >= midnight_after(snapshot, zone):
            cells.bad("acquired", f"after the as-of date {snapshot.isoformat()}: {cells.get('acquired')}")
        if name and snapshot is not None and dates.setdefault(name, snapshot) != snapshot:
            cells.bad("as_of", f"{name} has lots as of {dates[name].isoformat()} too; one date per account")
        if lot_id and (name, asset, lot_id) in seen:
            cells.bad("lot_id", f"{lot_id} is also on line {seen[(name, asset, lot_id)]} ({name} {asset})")
        seen.setdefault((name, asset, lot_id), line)
        if (
            len(sheet.problems) > before
            or quantity is None
            or basis is None
            or acquired is None
            or snapshot is None
        ):
            continue
        price = Amount(fp.div_round(basis * fp.SCALE, quantity))  # shown; the basis itself is exact
        note = f"opening lot as of {snapshot.isoformat()}"
        events.append(Event(name, asset, "buy", acquired, quantity, price, Amount(0), USD, USD, trade_id=lot_id,
                            note=note, source=f"{SOURCE}:{path.name}", subtotal=basis))  # fmt: skip
    if not events and not sheet.problems:
        sheet.problems.append(f"{label}:{sheet.header_line + 1}: row: no lots in the file")
    sheet.refuse_if_problems()
    return OpeningLots(label, events, dates)


Complain = Callable[[str, str], None]  # cells.bad(column, why)


def _basis(text: str, report: Complain) -> Amount | None:
    if not text:
        report("basis", "missing value (0 for a lot that cost nothing)")
        return None
    try:
        value = parse_money(text)
    except ValueError as exc:
        report("basis", str(exc))
        return None
    if value < 0:
        report("basis", f"must be zero or more, got {text}")
        return None
    return value


def _as_of(text: str, default: date | None, bad: Complain) -> date | None:
    if not text:
        if default is None:
            bad("as_of", "missing value")
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        bad("as_of", f"expected a date YYYY-MM-DD, got {text!r}")
        return None


def midnight_after(day: date, zone: tzinfo) -> EpochMicros:
    """The first moment after `day` in the tax zone: a lot acquired then is not yet held."""
    moment = datetime.combine(date.fromordinal(day.toordinal() + 1), time(), tzinfo=zone)
    return EpochMicros(int(moment.timestamp()) * 1_000_000)
