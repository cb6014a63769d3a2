"""harvest's own CSV schema ("harvest CSV"): all or nothing per file, every bad cell reported as
FILE:LINE: column. Optional `subtotal` (quantity x price, before fees) and `total` (what was paid
or received, fees included) carry a trade's exact value when a price would need more than 18
decimals; zone-less times are read in --timezone when given."""

from __future__ import annotations

import csv
import io
from datetime import tzinfo
from itertools import repeat
from operator import itemgetter
from pathlib import Path

from engine.core import fixedpoint as fp
from engine.core.dates import parse_timestamp
from engine.core.errors import CsvImportError
from engine.core.units import MICROS_PER_DAY, Amount, EpochMicros
from engine.imports.formats import INCOME, TRADE, TRANSFER, Format, Options, Parsed, Table, Version
from engine.imports.harvest_plain import plain_rows, plain_table
from engine.imports.rows import CellError, parse_time
from engine.ledger.events import EARLIEST, LATEST, MAX_PRICE, MAX_QUANTITY, MAX_VALUE, SIDES, USD, Event
from engine.ledger.records import parse_identification

REQUIRED = ("timestamp", "asset", "side", "quantity", "price", "fee")
OPTIONAL = (
    "account",
    "quote",
    "fee_asset",
    "price_usd",
    "fee_usd",
    "trade_id",
    "tx_id",
    "address",
    "note",
    "counterpart_account",
    "lots",
    "subtotal",
    "total",
)
COLUMNS = REQUIRED + OPTIONAL
TRANSFER_SIDES = ("transfer_in", "transfer_out")
_KINDS = {"transfer_in": TRANSFER, "transfer_out": TRANSFER, "income": INCOME}  # each side's kind; else TRADE
_SIDE = itemgetter(2)  # Event.side
_ACCOUNT, _TRADE_ID, _EVENT = itemgetter(0), itemgetter(11), itemgetter(1)  # an Event's; a (line, Event)'s
MAX_ERRORS = 200
PLAIN_ROWS = True  # read plain rows by position (engine.imports.harvest_plain); off: every row by _RowReader
PLAIN_TABLE = True  # a file of plain rows only: a column at a time (harvest_plain.plain_table); off: by rows


FUTURE_SLACK = MICROS_PER_DAY  # a day of clock skew between a venue and this machine


def read_csv(
    path: Path, default_account: str | None = None, now: EpochMicros | None = None, zone: tzinfo | None = None
) -> list[Event]:
    """`now` (epoch micros): refuse trades dated more than a day after it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CsvImportError(str(path), [f"{path}: cannot read: {exc.strerror or exc}"]) from None
    try:
        text = raw.decode("utf-8-sig")  # tolerate the BOM spreadsheets write
    except UnicodeDecodeError as exc:
        raise CsvImportError(str(path), [f"{path}: not UTF-8 text (byte {exc.start})"]) from None
    latest = None if now is None else EpochMicros(now + FUTURE_SLACK)
    return parse_csv(text, str(path), default_account, latest, zone)


def parse_csv(
    text: str,
    label: str,
    default_account: str | None = None,
    latest: EpochMicros | None = None,
    zone: tzinfo | None = None,
) -> list[Event]:
    """Events from CSV text, all or none; `latest`: refuse trades dated after it; `zone`: the
    zone of times written without one (else they are refused)."""
    events, _lines = parse_csv_lines(text, label, default_account, latest, zone)
    return events


def parse_csv_lines(
    text: str,
    label: str,
    default_account: str | None = None,
    latest: EpochMicros | None = None,
    zone: tzinfo | None = None,
) -> tuple[list[Event], list[int]]:
    """parse_csv, with the line each event came from."""
    if "\x00" in text:
        raise CsvImportError(label, [f"{label}: binary data (NUL byte); not a CSV file"])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[str] = []
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise CsvImportError(label, [f"{label}:1: header: {exc}"]) from None
    if not header or not any(h.strip() for h in header):
        raise CsvImportError(label, [f"{label}:1: header: the file is empty; expected a header row"])
    names = [h.strip().lower() for h in header]
    for name in names:
        if name not in COLUMNS:
            problems.append(f"{label}:1: {name or '(blank)'}: unknown column")
    if problems:  # the list of known columns once, not on every line
        problems.append(f"{label}:1: header: the columns harvest CSV knows are {', '.join(COLUMNS)}")
    for name in REQUIRED:
        if name not in names:
            problems.append(f"{label}:1: {name}: required column missing")
    if len(set(names)) != len(names):
        problems.append(f"{label}:1: header: a column is named twice")
    if "account" not in names and not default_account:
        problems.append(f"{label}:1: account: no account column; pass --account NAME")
    if problems:
        raise CsvImportError(label, problems)
    events: list[Event] = []
    lines: list[int] = []
    rows = _RowReader(label, default_account, problems, latest, zone)
    # the commonest rows by position (harvest_plain); any other row, and every problem, by rows.event
    plain = plain_rows(names, label, default_account, rows.latest, zone) if PLAIN_ROWS else None
    whole = (
        plain_table(text, names, label, default_account, rows.latest)
        if plain is not None and PLAIN_TABLE
        else None
    )
    if whole is not None:  # every row plain, each on its own line: no problem but a repeated trade id
        events, lines = whole
        problems = same_id_conflicts(label, list(zip(lines, events, strict=True)))
        if problems:
            raise CsvImportError(label, problems)
        return events, lines
    try:
        for cells in reader:
            line = reader.line_num
            if not "".join(cells).strip():  # blank (whitespace in every cell)
                continue
            if len(cells) != len(names):
                problems.append(f"{label}:{line}: row: {len(cells)} cells, header has {len(names)}")
                continue
            event = plain(cells) if plain is not None else None
            if event is None:
                event = rows.event(dict(zip(names, map(str.strip, cells), strict=True)), line)
            if event is not None:
                events.append(event)
                lines.append(line)
            if len(problems) >= MAX_ERRORS:
                problems.append(f"{label}: stopped after {MAX_ERRORS} problems")
                break
    except csv.Error as exc:
        problems.append(f"{label}:{reader.line_num}: row: {exc}")
    problems += same_id_conflicts(label, list(zip(lines, events, strict=True)))
    if problems:
        raise CsvImportError(label, problems)
    return events, lines


def same_id_conflicts(label: str, events: list[tuple[int, Event]]) -> list[str]:
    """Two rows with one trade id are one record: listed twice (kept once) when they agree, and
    a broken file when they do not — importing either would silently drop the other."""
    ids = list(zip(map(_ACCOUNT, map(_EVENT, events)), map(_TRADE_ID, map(_EVENT, events)), strict=True))
    if len(set(ids)) == len(ids):  # no (account, trade id) twice: nothing to compare
        return []
    first: dict[tuple[str, str], tuple[int, Event]] = {}
    problems = []
    for line, event in events:
        if not event.trade_id:
            continue
        key = (event.account, event.trade_id)
        seen = first.setdefault(key, (line, event))
        if seen[1] is not event and seen[1] != event:
            problems.append(
                f"{label}:{line}: trade_id: {event.trade_id} is also on line {seen[0]} with other values"
            )
    return problems


class _RowReader:
    """Validates one row at a time; every problem is appended as FILE:LINE: column: problem."""

    def __init__(
        self,
        label: str,
        default_account: str | None,
        problems: list[str],
        latest: EpochMicros | None,
        zone: tzinfo | None,
    ) -> None:
        self.latest = latest if latest is not None else LATEST
        self.zone = zone
        self.label = label
        self.default_account = default_account
        self.problems = problems
        self.row: dict[str, str] = {}
        self.line = 0

    def bad(self, column: str, why: str) -> None:
        self.problems.append(f"{self.label}:{self.line}: {column}: {why}")

    def cell(self, column: str) -> str:
        return self.row.get(column, "")

    def number(self, column: str, *, required: bool, positive: bool = False, limit: int) -> Amount | None:
        raw = self.row.get(column, "")
        if not raw:
            if required:
                self.bad(column, "missing value")
            return None
        try:
            value = fp.parse(raw)
        except fp.FixedPointError as exc:
            self.bad(column, str(exc))
            return None
        if value < 0 or (positive and value == 0):
            self.bad(column, f"must be {'positive' if positive else 'zero or more'}, got {raw}")
            return None
        if value > limit:
            self.bad(column, f"over {limit // fp.SCALE:,}, more than any record can hold: {raw}")
            return None
        return value

    def event(self, row: dict[str, str], line: int) -> Event | None:
        # Runs once per row: cells are read with row.get, a blank or missing cell reads as None
        # (upper-cased where a code), and number() is called for an optional cell only when it
        # holds something; every check, and the problem it adds, in the order it always was.
        self.row, self.line = row, line
        before = len(self.problems)
        bad, number, get = self.bad, self.number, row.get
        timestamp = EpochMicros(0)
        raw_ts = get("timestamp", "")
        if not raw_ts:
            bad("timestamp", "missing value")
        else:
            try:
                timestamp = parse_timestamp(raw_ts) if self.zone is None else parse_time(raw_ts, self.zone)
            except (ValueError, OverflowError) as exc:
                known = "zone" in str(exc) and not isinstance(exc, CellError)
                bad("timestamp", str(exc) if known else f"not an ISO 8601 time: {raw_ts}")
            else:
                if timestamp > self.latest:
                    bad("timestamp", f"in the future: {raw_ts}")
                elif timestamp < EARLIEST:
                    bad("timestamp", f"before 2009-01-03 (the first Bitcoin block): {raw_ts}")
        raw_side = get("side", "")
        side = raw_side.lower()
        if side not in SIDES:
            bad("side", f"expected one of {', '.join(SIDES)}; got {raw_side or '(blank)'}")
        asset = get("asset")
        if asset:
            asset = asset.upper()
        else:
            bad("asset", "missing value")
        account = get("account") or self.default_account
        if not account:
            bad("account", "missing value and no --account given")
        quantity = number("quantity", required=True, positive=True, limit=MAX_QUANTITY)
        is_transfer = side in TRANSFER_SIDES
        quote = get("quote")
        quote = quote.upper() if quote else USD
        fee_asset = get("fee_asset")
        fee_asset = fee_asset.upper() if fee_asset else quote
        fee = number("fee", required=True, limit=MAX_VALUE)
        fee_in_quote = fee if fee_asset == quote else None
        raw_subtotal, raw_total = get("subtotal"), get("total")
        valued = bool(raw_subtotal or raw_total)  # a bad one is already a problem
        subtotal = (
            None if (fee is None and fee_asset == quote) or not valued else self.subtotal(side, fee_in_quote)
        )
        price = number("price", required=not is_transfer and not valued, limit=MAX_PRICE)
        if quantity is not None and price is not None and fp.mul(quantity, price) > MAX_VALUE:
            bad("price", f"quantity x price is over {MAX_VALUE // fp.SCALE:,}")
        if subtotal is not None and quantity is not None and price is None:
            price = fp.unit_price(subtotal, quantity)  # for display: the legs use the subtotal
        price_usd = number("price_usd", required=False, limit=MAX_PRICE) if get("price_usd") else None
        fee_usd = number("fee_usd", required=False, limit=MAX_VALUE) if get("fee_usd") else None
        lots = get("lots") or None
        if lots:
            if side not in ("sell", "spend"):
                bad("lots", "a lot identification belongs on a sell or spend row")
            else:
                try:
                    parse_identification(lots)
                except (ValueError, fp.FixedPointError) as exc:
                    bad("lots", str(exc))
        if asset and quote == asset and not is_transfer:
            bad("quote", f"quote {quote} is the asset itself")
        if len(self.problems) > before or not asset or not account or quantity is None or fee is None:
            return None
        # every field by position, in Event's order (once per row: keywords cost a third more)
        return Event(account, asset, side, timestamp, quantity, price, fee, quote, fee_asset, price_usd, fee_usd,
                     get("trade_id") or None, get("tx_id") or None, get("address") or None, get("note") or None,
                     get("counterpart_account") or None, lots, self.label, subtotal)  # fmt: skip

    def subtotal(self, side: str, fee_in_quote: Amount | None) -> Amount | None:
        """The exact value before fees: `subtotal`, or `total` less a buy's fee / plus a sale's
        (which needs the fee in the quote). Both given, they must agree."""
        subtotal = self.number("subtotal", required=False, positive=True, limit=MAX_VALUE)
        total = self.number("total", required=False, positive=True, limit=MAX_VALUE)
        if subtotal is None and total is None:
            return None
        column = "subtotal" if subtotal is not None else "total"
        if side in TRANSFER_SIDES:
            self.bad(column, "a transfer has no value; leave it blank")
            return None
        if total is None:
            return subtotal
        if fee_in_quote is None:
            if subtotal is None:
                self.bad("total", "the fee is not in the quote, so the subtotal is unknown; give subtotal")
            return subtotal
        implied = {"buy": total - fee_in_quote, "sell": total + fee_in_quote, "spend": total + fee_in_quote}
        derived = Amount(implied.get(side, total))
        if subtotal is not None and subtotal != derived:
            self.bad("total", f"{self.cell('total')} does not match subtotal {self.cell('subtotal')} and fee")
            return None
        if derived <= 0:
            self.bad("total", f"{self.cell('total')} is not more than the fee")
            return None
        return derived


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    """The format's parse: the whole text through parse_csv (its header is the first line)."""
    try:
        events, lines = parse_csv_lines(
            table.text, table.label, options.account, options.latest, options.zone
        )
    except CsvImportError as exc:
        parsed.problems.extend(exc.problems)
        return
    parsed.events += events  # parsed.add for each, a list at a time
    parsed.lines += lines
    parsed.kinds += map(_KINDS.get, map(_SIDE, events), repeat(TRADE))


HARVEST_CSV = Format(
    key="harvest",
    name="harvest CSV",
    export_path="your own file: the columns in the README's CSV import section",
    reads="every row (buy, sell, income, transfer_out, transfer_in, spend)",
    skips="nothing",
    versions=(Version("harvest", ()),),
    parse=parse,
    core=frozenset({"timestamp", "asset", "side", "quantity"}),
)
