"""Form 1099-DA as a CSV: harvest's layout in the form's boxes, and the one documented broker
layout found (TaxBit's "1099-DA Form Data" template, which brokers fill for TaxBit to issue their
forms: account_id, asset_symbol, asset_name, asset_quantity, acquired_date, disposed_date,
proceeds, cost_basis, gain_loss_classification, customer_provided, is_noncovered_security). No
exchange documents the columns of its own 1099-DA download (Coinbase, Kraken, Gemini: none found).

Columns are matched without regard to case, spaces or `_`, so `1c units`, `1C_UNITS` and `box
1c` name one column. Read whole, or refused with FILE:LINE: column: problem."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from engine.core import fixedpoint as fp
from engine.core.errors import InputError
from engine.core.units import Amount, DayOrdinal
from engine.imports.rows import parse_money, parse_number
from engine.imports.side_csv import read_sheet
from engine.ledger.broker_forms import ENTRY_FIELDS, LONG, ORDINARY, SHORT, FormRow
from engine.ledger.events import MAX_QUANTITY

# field -> the header names that mean it (normalised: lower case, letters and digits only)
FIELDS: dict[str, tuple[str, ...]] = {
    "account": ("account", "accountid", "accountnumber"),
    "asset": ("asset", "assetsymbol", "symbol"),
    "code": ("1adtifcode", "1a", "box1a", "1acode", "assetdtifcode", "dtifcode"),
    "name": ("1bassetname", "1b", "box1b", "1bname", "assetname", "nameofdigitalasset"),
    "units": ("1cunits", "1c", "box1c", "assetquantity", "numberofunits", "units"),
    "acquired": ("1ddateacquired", "1d", "box1d", "acquireddate", "dateacquired"),
    "sold": ("1edatesold", "1e", "box1e", "disposeddate", "datesold", "datesoldordisposed"),
    "proceeds": ("1fproceeds", "1f", "box1f", "proceeds"),
    "basis": ("1gcostbasis", "1g", "box1g", "costbasis", "costorotherbasis"),
    "reported": ("2basisreported", "2", "box2", "basisreportedtoirs", "basisreported"),
    "term": ("6gainloss", "6", "box6", "gainlossclassification", "term"),
    "customer": ("8customerinfo", "8", "box8", "customerprovided"),
    "noncovered": ("9noncovered", "9", "box9", "isnoncoveredsecurity", "noncovered"),
    "moved": ("12aunitstransferredin", "12a", "box12a", "unitstransferredin"),
    "checkbox": ("form8949box", "applicablecheckboxonform8949", "8949box", "checkbox"),
}
REQUIRED = ("units", "sold", "proceeds")
# the boxes as the app's entry dialog and `harvest 1099da add` name them, in the form's order
TERMS = {"short": SHORT, "shortterm": SHORT, "st": SHORT, "long": LONG, "longterm": LONG, "lt": LONG,
         "ordinary": ORDINARY}  # fmt: skip
YES = {"x", "yes", "y", "true", "1", "checked"}
NO = {"", "no", "n", "false", "0"}
# box 1b names to the usual ticker, for forms without an `asset` column (others: the name itself)
NAMES = {"bitcoin": "BTC", "ethereum": "ETH", "ether": "ETH", "solana": "SOL", "cardano": "ADA",
         "dogecoin": "DOGE", "litecoin": "LTC", "usdcoin": "USDC", "usdc": "USDC", "tether": "USDT",
         "xrp": "XRP", "polygon": "POL", "avalanche": "AVAX", "chainlink": "LINK", "polkadot": "DOT"}  # fmt: skip
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\Z")
TAXBIT = "TaxBit 1099-DA form data"
HARVEST = "harvest 1099-DA"


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def read_form(path: Path, account: str | None) -> tuple[str, list[FormRow]]:
    """(the layout's name, the rows); CsvImportError naming every bad cell."""
    sheet = read_sheet(path, ())
    label = sheet.label
    header = list(sheet.cells.spelling.values())
    column = {field: next((h for h in header if _norm(h) in names), None) for field, names in FIELDS.items()}
    missing = [field for field in REQUIRED if column[field] is None]
    if column["name"] is None and column["asset"] is None:
        missing.append("name")
    if column["account"] is None and account is None:
        sheet.problems.append(
            f"{label}:{sheet.header_line}: account: no account column; name it with --account"
        )
    for field in missing:
        sheet.problems.append(f"{label}:{sheet.header_line}: {FIELDS[field][0]}: required column missing")
    sheet.refuse_if_problems()
    layout = TAXBIT if column["units"] and _norm(column["units"]) == "assetquantity" else HARVEST
    cells = sheet.cells
    rows: list[FormRow] = []
    for line, record in sheet.rows:
        cells.start(record, line)

        def bad(field: str, why: str) -> None:
            cells.bad(column[field] or FIELDS[field][0], why)

        values = {field: cells.get(name) for field, name in column.items() if name}
        row = parse_row(values, bad, line, account)
        if row is not None:
            rows.append(row)
    if not rows and not sheet.problems:
        sheet.problems.append(f"{label}:{sheet.header_line + 1}: row: no sales in the file")
    sheet.refuse_if_problems()
    return layout, rows


Complain = Callable[[str, str], None]  # (field, why)


class FormEntryError(InputError):
    """A Form 1099-DA entered by hand with a bad box: `field` names it (the dialog focuses it)."""

    def __init__(self, field: str, why: str) -> None:
        self.field = field
        super().__init__(f"{ENTRY_FIELDS[field]}: {why}")


def entry_row(values: Mapping[str, str]) -> FormRow:
    """A sale typed from a paper form (field -> text, the fields of ENTRY_FIELDS; without box 2,
    basis shown for a covered sale counts as reported). FormEntryError for the first wrong field in
    the form's order."""
    problems: list[tuple[str, str]] = []
    row = parse_row(values, lambda field, why: problems.append((field, why)), 0)
    if problems or row is None:
        field, why = min(problems, key=lambda problem: list(ENTRY_FIELDS).index(problem[0]))
        raise FormEntryError(field, why)
    return row


def parse_row(
    values: Mapping[str, str], bad: Complain, line: int, account: str | None = None
) -> FormRow | None:
    """One reported sale from its boxes' text (field -> text; a field absent: the form has no such
    box), or None after telling `bad` about every field that is wrong. The one home of the form's
    field rules: a CSV row (read_form), the app's entry dialog and `harvest 1099da add` all call it."""
    problems = 0

    def complain(field: str, why: str) -> None:
        nonlocal problems
        problems += 1
        bad(field, why)

    def text(field: str) -> str:
        return values.get(field, "").strip()

    name = text("name") or text("code")
    asset = (text("asset") or NAMES.get(_norm(name), name)).upper()
    owner = text("account") or account or ""
    if not asset:
        complain("name", "missing value")
    if not owner:
        complain("account", "missing value")
    units = _units(text("units"), "units", complain, required=True)
    sold = _date(text("sold"), "sold", complain, required=True)
    acquired = _date(text("acquired"), "acquired", complain, required=False)
    proceeds = _money(text("proceeds"), "proceeds", complain, required=True)
    basis = _money(text("basis"), "basis", complain, required=False)
    noncovered = _flag(text("noncovered"), "noncovered", complain)
    reported = _flag(text("reported"), "reported", complain) if "reported" in values else None
    term_text = _norm(text("term"))
    if term_text and term_text not in TERMS:
        complain("term", f"expected short, long or ordinary, got {text('term')!r}")
    customer = _flag(text("customer"), "customer", complain)
    moved = _units(text("moved"), "moved", complain, required=False, least=0)
    checkbox = text("checkbox").upper() or None
    if checkbox is not None and (len(checkbox) != 1 or checkbox not in "GHIJKL"):
        complain("checkbox", f"expected a Form 8949 box G to L, got {text('checkbox')!r}")
    if problems or units is None or sold is None or proceeds is None:
        return None
    if reported is None:  # no box 2: basis shown for a covered sale was reported
        reported = basis is not None and not noncovered
    return FormRow(line, owner, asset, name or asset, units, acquired, sold, proceeds, basis, reported,
                   TERMS.get(term_text), customer, noncovered, moved, checkbox)  # fmt: skip


def _units(text: str, field: str, complain: Complain, *, required: bool, least: int = 1) -> Amount | None:
    """Units (boxes 1c, 12a): at least `least` (in 1e-18 units), exact to 18 places, up to 10^15."""
    if not text:
        if required:
            complain(field, "missing value")
        return None
    try:
        value = parse_number(text)
    except ValueError as exc:
        complain(field, str(exc))
        return None
    if value < least:
        complain(field, f"must be more than 0, got {text}" if least else f"must not be negative, got {text}")
        return None
    if value > MAX_QUANTITY:
        complain(field, f"over {MAX_QUANTITY // fp.SCALE:,}, more than any record can hold: {text}")
        return None
    return value


def _date(text: str, field: str, complain: Complain, *, required: bool) -> DayOrdinal | None:
    if not text or (not required and _norm(text) == "various"):
        if required:
            complain(field, "missing value")
        return None
    try:
        us = _US_DATE.match(text)
        day = date(int(us[3]), int(us[1]), int(us[2])) if us else date.fromisoformat(text)
    except ValueError:
        complain(field, f"expected a date YYYY-MM-DD or M/D/YYYY, got {text!r}")
        return None
    return DayOrdinal(day.toordinal())


def _money(text: str, field: str, complain: Complain, *, required: bool) -> Amount | None:
    if not text:
        if required:
            complain(field, "missing value")
        return None
    try:
        return parse_money(text)
    except ValueError as exc:
        complain(field, str(exc))
        return None


def _flag(text: str, field: str, bad: Complain) -> bool:
    value = text.strip().lower()
    if value in YES:
        return True
    if value not in NO:
        bad(field, f"expected X (checked) or blank, got {text!r}")
    return False
