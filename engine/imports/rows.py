"""Row helpers every importer shares: money and quantities as exchanges print them, times in
their zone, exact prices from totals, and the FILE:LINE: column: problem discipline.

A cell that cannot be read is a problem named by its line and its column as the file spells it;
the importer keeps going so the user sees every problem at once, and the file is refused whole."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation

from engine.core import fixedpoint as fp
from engine.core.dates import MICROS
from engine.core.units import Amount, EpochMicros
from engine.ledger.events import EARLIEST, LATEST, MAX_QUANTITY, MAX_VALUE

MAX_PROBLEMS = 200  # past this a file is clearly not what it claims; stop listing
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?\Z")
_CURRENCY = "$€£"
# US zone abbreviations as their offsets: `EST` is UTC-5 all year, `EDT` UTC-4 (exact, even in
# the hour a DST change repeats)
_US_ZONES = {" EST": "-05:00", " EDT": "-04:00", " CST": "-06:00", " CDT": "-05:00", " MST": "-07:00",
             " MDT": "-06:00", " PST": "-08:00", " PDT": "-07:00"}  # fmt: skip
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\Z")


class CellError(ValueError):
    """A cell that does not hold what its column promises (the message says why)."""


def parse_number(text: str, *, exact: bool = True) -> Amount:
    """A signed decimal as exchanges print it: `-0.5`, `1,234.56`, `1e-8`. Exact to 18 places;
    with exact=False a finer one is rounded half-even (for informational prices only)."""
    raw = text.strip()
    if "," in raw:
        body = raw.lstrip("+-")
        if not _GROUPED.match(body):
            raise CellError(f"not a number: {text!r}")
        raw = raw.replace(",", "")
    try:
        return fp.parse(raw)
    except fp.FixedPointError as exc:
        if exact or "decimal places" not in str(exc):
            raise CellError(str(exc)) from None
    try:
        return fp.from_decimal(fp.quantize(Decimal(raw)))
    except (InvalidOperation, fp.FixedPointError) as exc:  # pragma: no cover - parse() said it was a number
        raise CellError(str(exc)) from None


def parse_money(text: str, *, exact: bool = True) -> Amount:
    """Money as statements print it: `$1,234.56`, `-$5.00`, `$-5.00`, `($5.00)` (negative),
    `€12`, `12.50 USD`. Signed; exact to 18 places (see parse_number)."""
    raw = text.strip()
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        negative, raw = True, raw[1:-1].strip()
    for code in (" USD", " EUR", " GBP"):
        if raw.upper().endswith(code):
            raw = raw[: -len(code)].rstrip()
    sign = ""
    if raw[:1] in "+-":
        sign, raw = raw[0], raw[1:].lstrip()
    if raw[:1] in _CURRENCY:
        raw = raw[1:].lstrip()
    if not raw or raw[0] in _CURRENCY:
        raise CellError(f"not an amount of money: {text!r}")
    value = parse_number(sign + raw, exact=exact)
    return Amount(-value if negative else value)


def parse_time(text: str, zone: tzinfo | None) -> EpochMicros:
    """ISO 8601 (`2025-01-02T10:00:00Z`, `2025-01-02 10:00:00.1234`) or Coinbase's
    `2025-01-02 10:00:00 UTC` (Cash App's `EST`/`EDT` and the other US zone abbreviations too), or
    a US date `10/06/2015 14:05` (month first). A time without a zone is read in `zone`; with none,
    it is refused. (A wall time a DST change repeats is read as its first occurrence.)"""
    raw = text.strip()
    if raw.endswith(" UTC"):
        raw = raw[:-4] + "+00:00"
    elif (offset := _US_ZONES.get(raw[-4:])) is not None:  # Cash App: `2024-03-05 14:22:10 EST`
        raw = raw[:-4] + offset
    try:
        us = _US_DATE.match(raw)
        if us is not None:
            month, day, year, hour, minute, second = (int(part or 0) for part in us.groups())
            moment = datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - zone set below
        else:
            moment = datetime.fromisoformat(raw)
    except ValueError:
        raise CellError(f"not a date and time: {text.strip()!r}") from None
    if moment.tzinfo is None:
        if zone is None:
            raise CellError(f"no time zone in {text.strip()!r}; pass --timezone ZONE (e.g. America/New_York)")
        moment = moment.replace(tzinfo=zone)
    delta = moment - _EPOCH
    return EpochMicros((delta.days * 86_400 + delta.seconds) * MICROS + delta.microseconds)


def unit_price(subtotal: int, quantity: int) -> Amount | None:
    """The display price of an exact subtotal: subtotal / quantity, half-even to 18 places."""
    return fp.unit_price(subtotal, quantity) if quantity else None


class Cells:
    """One file's columns by name, and the row being read. Columns are looked up without regard
    to case or surrounding spaces; problems name them as the file spells them."""

    def __init__(
        self, label: str, header: list[str], problems: list[str], latest: EpochMicros | None
    ) -> None:
        self.label = label
        self.problems = problems
        self.latest = latest if latest is not None else EpochMicros(LATEST)
        self.index: dict[str, int] = {}
        self.spelling: dict[str, str] = {}
        for position, name in enumerate(header):
            key = name.strip().lower()
            if key and key not in self.index:
                self.index[key] = position
                self.spelling[key] = name.strip()
        self.cells: list[str] = []
        self.line = 0

    def start(self, cells: list[str], line: int) -> None:
        self.cells, self.line = cells, line

    def has(self, column: str) -> bool:
        return column.lower() in self.index

    def first(self, *columns: str) -> str | None:
        """The first of these columns the file has (layouts rename columns)."""
        return next((c for c in columns if c.lower() in self.index), None)

    def get(self, column: str | None) -> str:
        if column is None:
            return ""
        position = self.index.get(column.lower())
        if position is None or position >= len(self.cells):
            return ""
        return self.cells[position].strip()

    def bad(self, column: str, why: str) -> None:
        self.problems.append(f"{self.label}:{self.line}: {self.spelling.get(column.lower(), column)}: {why}")

    def number(
        self, column: str | None, *, required: bool = True, money: bool = False, exact: bool = True
    ) -> Amount | None:
        """A signed amount (money: `$`, thousands, `-$5`, `(5)`), or None when blank or bad."""
        raw = self.get(column)
        if not raw:
            if required and column is not None:
                self.bad(column, "missing value")
            return None
        assert column is not None
        try:
            value = parse_money(raw, exact=exact) if money else parse_number(raw, exact=exact)
        except CellError as exc:
            self.bad(column, str(exc))
            return None
        limit = MAX_VALUE if money else MAX_QUANTITY
        if abs(value) > limit:
            self.bad(column, f"over {limit // fp.SCALE:,}, more than any record can hold: {raw}")
            return None
        return value

    def time(self, column: str, zone: tzinfo | None) -> EpochMicros | None:
        raw = self.get(column)
        if not raw:
            self.bad(column, "missing value")
            return None
        try:
            moment = parse_time(raw, zone)
        except CellError as exc:
            self.bad(column, str(exc))
            return None
        if moment > self.latest:
            self.bad(column, f"in the future: {raw}")
            return None
        if moment < EARLIEST:
            self.bad(column, f"before 2009-01-03 (the first Bitcoin block): {raw}")
            return None
        return moment
