"""The oracle: engine.core.fixedpoint.parse as it was before the speed work (commit e5011f3), kept
unchanged so its faster form can be checked against it; not used by harvest."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from engine.core.fixedpoint import DIGITS, FixedPointError, from_decimal

_PLAIN = re.compile(r"\s*([+-]?)([0-9]*)(?:\.([0-9]*))?\s*\Z")


def parse(text: str) -> int:
    plain = _PLAIN.match(text)
    if plain is not None:  # fast path for the common "123.45" form
        sign, whole, frac = plain.groups()
        if (whole or frac) and len(frac or "") <= DIGITS:
            units = int((whole or "0") + (frac or "").ljust(DIGITS, "0"))
            return -units if sign == "-" else units
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise FixedPointError(f"not a number: {text!r}") from None
    return from_decimal(value)
