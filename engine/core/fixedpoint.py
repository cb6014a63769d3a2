"""Exact money and quantity arithmetic on integer fixed-point.

Every quantity and USD amount inside the engine is a Python int counting units of 10**-18
(atto-units), typed `Amount` (engine.core.units). Python ints never overflow, so products such
as quantity x price stay exact until an explicit, documented rounding step. Decimal is the
boundary type for callers. Formatting takes any int (a sum or difference of amounts is one)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation

from engine.core.units import Amount

DIGITS = 18
SCALE = 10**DIGITS
_QUANT = Decimal(1).scaleb(-DIGITS)
_WIDE = Context(prec=DIGITS + 42)  # 18 places and 42 digits before the point
_PAD = ["0" * n for n in range(DIGITS + 1)]
_PLAIN = re.compile(r"\s*([+-]?)([0-9]*)(?:\.([0-9]*))?\s*\Z")


class FixedPointError(ValueError):
    """A number that cannot be represented exactly (or at all)."""


def parse(text: str) -> Amount:
    """Parse a decimal string exactly into fixed-point; refuse anything inexact.

    Accepts plain and exponent notation ("1e-8"), a leading sign, surrounding spaces and
    thousands-free digits. More than 18 decimal places would need rounding, so it is refused.
    """
    whole, _, frac = text.partition(".")
    if whole.isdigit() and (frac.isdigit() or not frac) and len(frac) <= DIGITS and text.isascii():
        return Amount(int(whole + frac + _PAD[DIGITS - len(frac)]))  # unsigned digits: the commonest
    plain = _PLAIN.match(text)
    if plain is not None:  # fast path for the common "-123.45" form
        sign, whole, frac = plain.groups()
        if (whole or frac) and len(frac or "") <= DIGITS:
            units = int((whole or "0") + (frac or "").ljust(DIGITS, "0"))
            return Amount(-units if sign == "-" else units)
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise FixedPointError(f"not a number: {text!r}") from None
    return from_decimal(value)


def from_decimal(value: Decimal) -> Amount:
    if not value.is_finite():
        raise FixedPointError(f"not a finite number: {value}")
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent < -DIGITS:
        # trailing zeros beyond 18 places are harmless: drop them before judging (by hand:
        # Decimal.normalize() rounds in its context and turns 1e-1000030 into 0)
        while exponent < -DIGITS and len(digits) > 1 and digits[-1] == 0:
            digits, exponent = digits[:-1], exponent + 1
        if exponent < -DIGITS and any(digits):
            raise FixedPointError(f"more than {DIGITS} decimal places: {value}")
        if exponent < -DIGITS:  # zero written with many places
            return Amount(0)
    if len(digits) + exponent > 40:
        raise FixedPointError(f"number too large: {value}")
    magnitude: int = int("".join(map(str, digits)) or "0") * 10 ** (exponent + DIGITS)
    return Amount(-magnitude if sign else magnitude)


def to_decimal(units: int) -> Decimal:
    """Exact Decimal for a fixed-point int (no context rounding: built from the tuple)."""
    return Decimal(units).scaleb(-DIGITS, context=_WIDE)  # the default 28 digits would round past $10^10


def mul(a: int, b: int) -> Amount:
    """Product of two fixed-point numbers, rounded half-even to 10**-18."""
    return Amount(div_round(a * b, SCALE))


def div_round(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half-even (denominator > 0)."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2):
        quotient += 1
    return quotient


def unit_price(total: int, quantity: int) -> Amount:
    """The one unit-cost rule: a total (basis, proceeds, USD value) per unit of `quantity`,
    rounded half-even to 10**-18 (quantity > 0)."""
    return Amount(div_round(total * SCALE, quantity))


def fmt(units: int, min_places: int = 2) -> str:
    """Exact decimal string with trailing zeros trimmed, keeping at least min_places."""
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), SCALE)
    frac_text = f"{frac:0{DIGITS}d}".rstrip("0")
    if len(frac_text) < min_places:
        frac_text = frac_text.ljust(min_places, "0")
    return f"{sign}{whole}.{frac_text}" if frac_text else f"{sign}{whole}"


def fmt_cents(units: int) -> str:
    """Rounded to the cent, half-even, for tables."""
    return str(to_decimal(units).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))


def quantize(value: Decimal) -> Decimal:
    """To 18 places, half-even, in a context wide enough for any amount harvest accepts (the
    default 28 digits would fail past $10^10 at 18 places)."""
    return value.quantize(_QUANT, rounding=ROUND_HALF_EVEN, context=_WIDE)
