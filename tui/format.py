"""The only place fixed-point amounts (and times) become text on screen."""

from __future__ import annotations

from datetime import tzinfo
from decimal import ROUND_HALF_EVEN, Decimal

from engine.core import fixedpoint as fp
from engine.core.dates import time_words
from engine.core.errors import HarvestError
from engine.core.units import Amount, EpochMicros

MINUS = "−"  # a real minus sign: reads better than a hyphen in columns of money


def usd(units: Amount | None, cents: bool = False, sign: bool = False) -> str:
    if units is None:
        return "—"
    value = fp.to_decimal(units).quantize(Decimal("0.01") if cents else Decimal(1), rounding=ROUND_HALF_EVEN)
    text = f"${abs(value):,.2f}" if cents else f"${abs(value):,.0f}"
    if value < 0:
        return MINUS + text
    return ("+" + text) if sign and value > 0 else text


def usd_decimal(value: Decimal, cents: bool = True) -> str:
    return usd(fp.from_decimal(fp.quantize(value)), cents=cents)


def qty(units: Amount, digits: int = 8) -> str:
    """About `digits` significant digits (at most 8 decimals), trailing zeros dropped; large
    amounts grouped. Tables use 6; exact quantities live in the reports."""
    value = fp.to_decimal(units)
    if abs(value) >= 1000:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    places = max(0, min(8, digits - 1 - (value.adjusted() if value else 0)))
    text = f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def exact_qty(units: Amount) -> str:
    """A quantity to act on (sell, rebuy): every digit, never rounded — a rounded-up quantity
    would ask to sell more than the account holds."""
    return fp.fmt(units, 0)


def price(units: Amount | None) -> str:
    if units is None:
        return "—"
    value = fp.to_decimal(units)
    if value >= 1:
        return f"${value:,.2f}"
    return f"${value.quantize(Decimal(1).scaleb(value.adjusted() - 3)):f}" if value else "$0"


def percent(ratio: float | None) -> str:
    if ratio is None:
        return "—"
    text = f"{abs(ratio) * 100:.1f}%"
    return (MINUS if ratio < 0 else "+") + text


def age(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 5400:
        return f"{seconds / 60:.0f}m"
    if seconds < 172_800:
        return f"{seconds / 3600:.0f}h"
    return f"{seconds / 86_400:.0f}d"


def moment(micros: EpochMicros, zone: tzinfo, now: EpochMicros | None = None) -> str:
    """A time in words in `zone` — pass the tax zone, `engine.calendar.zone`: `Nov 30 10:12`
    (the year too when it is not `now`'s)."""
    return time_words(micros, zone, now)


def due_in(seconds: int) -> str:
    """A countdown in words: `in 23h`, `in 5m`, or `now` once it is due."""
    return "now" if seconds <= 0 else f"in {age(seconds)}"


def explain(error: BaseException | None) -> str:
    """A worker's failure in one line: a user error as it says it, anything else named as
    unexpected (its type and text, never a traceback on screen)."""
    if isinstance(error, HarvestError):
        return str(error)
    return f"unexpected {type(error).__name__}: {error}"
