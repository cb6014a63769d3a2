"""Row helpers every importer shares: money and quantities as exchanges print them, times in
their zone, exact prices from totals, and the FILE:LINE: column: problem discipline.

A cell that cannot be read is a problem named by its line and its column as the file spells it;
the importer keeps going so the user sees every problem at once, and the file is refused whole."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import cast
from zoneinfo import ZoneInfo

from engine.core import fixedpoint as fp
from engine.core.dates import MICROS
from engine.core.units import Amount, EpochMicros
from engine.ledger.events import EARLIEST, LATEST, MAX_QUANTITY, MAX_VALUE

MAX_PROBLEMS = 200  # past this a file is clearly not what it claims; stop listing
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - subtracted from UTC wall times only
_UTC_ZONE = ZoneInfo("UTC")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?\Z")
_CURRENCY = "$€£"
_PAD = ["0" * n for n in range(fp.DIGITS + 1)]


def _plain_units(text: str) -> int | None:
    """Units of plain ASCII digits (`123`, `-0.5`, `4200.00`, at most 18 places), else None: the
    shape nearly every cell has, read by int() alone (the slow paths handle the rest)."""
    whole, _, frac = text.partition(".")
    if whole.isdigit() and (frac.isdigit() or not frac) and len(frac) <= fp.DIGITS and text.isascii():
        return int(whole + frac + _PAD[fp.DIGITS - len(frac)])  # unsigned digits: the commonest cell
    if len(frac) > fp.DIGITS or "_" in text or not text.isascii() or not (whole.lstrip("+-") or frac):
        return None  # int() would take `1_000`, non-ASCII digits, or a bare sign
    try:
        return int(whole + frac + _PAD[fp.DIGITS - len(frac)])
    except ValueError:  # letters, exponents, a sign inside
        return None


def _money_units(text: str) -> int | None:
    """parse_money's common shapes read directly (`$1,234.56`, `-$5.00`, `4200.00`: an optional
    minus, an optional `$`, unsigned digits with or without thousands), else None (parse_money
    then reads or refuses it)."""
    negative = text[:1] == "-"
    body = text[1:] if negative else text
    if body[:1] == "$":
        body = body[1:]
    if "," in body:
        if _GROUPED.match(body) is None:
            return None
        body = body.replace(",", "")
    whole, _, frac = body.partition(".")
    if whole.isdigit() and (frac.isdigit() or not frac) and len(frac) <= fp.DIGITS and body.isascii():
        units = int(whole + frac + _PAD[fp.DIGITS - len(frac)])
        return -units if negative else units
    return None


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
    plain = _plain_units(text)
    if plain is not None:
        return Amount(plain)
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
    body, negative = text, False
    if body[:1] == "-":
        body, negative = body[1:], True
    if body[:1] == "$":
        body = body[1:]
        if body[:1] == "-" and not negative:
            body, negative = body[1:], True
    if "," in body and _GROUPED.match(body):  # thousands: `$1,234.56`
        body = body.replace(",", "")
    if body[:1] != "-":  # the common `$4200.00`, `-$5.00`, `12.5`
        plain = _plain_units(body)
        if plain is not None:
            return Amount(-plain if negative else plain)
    raw = text.strip()
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        negative, raw = True, raw[1:-1].strip()
    for code in (" USD", " EUR", " GBP"):
        if raw.upper().endswith(code):
            raw = raw[: -len(code)].rstrip()
    sign = ""
    if raw[:1] in ("+", "-"):  # (not `in "+-"`: an empty string is in every string)
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
        raw, zone = raw[:-4], UTC
    elif (offset := _US_ZONES.get(raw[-4:])) is not None:  # Cash App: `2024-03-05 14:22:10 EST`
        raw = raw[:-4] + offset

    try:
        us = _US_DATE.match(raw) if "/" in raw else None
        if us is not None:
            month, day, year, hour, minute, second = (int(part or 0) for part in us.groups())
            moment = datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - zone set below
        else:
            moment = datetime.fromisoformat(raw)
    except ValueError:
        raise CellError(f"not a date and time: {text.strip()!r}") from None
    if moment.tzinfo is not None:
        delta = moment - _EPOCH
    elif zone is UTC or zone is _UTC_ZONE:  # UTC wall time: no zone lookup needed
        delta = moment - _NAIVE_EPOCH
    elif zone is None:
        raise CellError(f"no time zone in {text.strip()!r}; pass --timezone ZONE (e.g. America/New_York)")
    else:
        delta = moment.replace(tzinfo=zone) - _EPOCH
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
        self._positions: dict[str, int | None] = {}  # by the name as callers pass it (hot path)
        self._last_time: tuple[str, tzinfo | None, EpochMicros] = ("", None, EpochMicros(0))

    def require(self, header_line: int, names: Iterable[str]) -> bool:
        """Whether every one of `names` is a column; each missing one is a problem on the header."""
        missing = [name for name in names if not self.has(name)]
        self.problems += [f"{self.label}:{header_line}: {name}: required column missing" for name in missing]
        return not missing

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
        try:
            position = self._positions[column]
        except KeyError:
            position = self._positions[column] = self.index.get(column.lower())
        if position is None:
            return ""
        try:
            return self.cells[position].strip()
        except IndexError:  # rows are checked against the header first; this is belt and braces
            return ""

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
        value = _money_units(raw) if money else _plain_units(raw)  # the common shapes, directly
        if value is None:
            try:
                value = parse_money(raw, exact=exact) if money else parse_number(raw, exact=exact)
            except CellError as exc:
                self.bad(column, str(exc))
                return None
        limit = MAX_VALUE if money else MAX_QUANTITY
        if abs(value) > limit:
            self.bad(column, f"over {limit // fp.SCALE:,}, more than any record can hold: {raw}")
            return None
        return cast(Amount, value)

    def time(self, column: str, zone: tzinfo | None) -> EpochMicros | None:
        raw = self.get(column)
        if not raw:
            self.bad(column, "missing value")
            return None
        if raw == self._last_time[0] and zone is self._last_time[1]:  # a trade's rows share one time
            return self._last_time[2]
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
        self._last_time = (raw, zone, moment)
        return moment
