"""The quantity step an exchange takes orders in, read from ccxt's markets: `precision.amount`
as the exchange's precision mode says — a tick size (every exchange harvest talks to today) or
a number of decimal places. Significant digits give no fixed step and are left out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.core import fixedpoint as fp
from engine.core.units import Amount
from engine.exchanges.ccxt_adapter import to_decimal

# ccxt.base.decimal_to_precision's precision modes (not imported: this module needs no ccxt)
DECIMAL_PLACES = 2
TICK_SIZE = 4


def amount_steps(
    markets: dict[str, Any], precision_mode: int, usd_quotes: frozenset[str]
) -> dict[str, tuple[Amount, str]]:
    """asset -> (step, market) over the active spot markets selling it for USD or a quote taken
    as USD (where a harvest sale goes); where several do, the coarsest step, which the others
    accept too (steps are powers of ten, or multiples of each other)."""
    found: dict[str, tuple[Amount, str]] = {}
    for symbol, market in markets.items():
        if not market.get("spot") or market.get("active") is False or market.get("quote") not in usd_quotes:
            continue
        step = _step((market.get("precision") or {}).get("amount"), precision_mode)
        base = str(market.get("base"))
        if step is not None and (base not in found or step > found[base][0]):
            found[base] = (step, symbol)
    return found


def _step(value: Any, precision_mode: int) -> Amount | None:
    number = to_decimal(value)
    if number is None:
        return None
    if precision_mode == TICK_SIZE and number > 0:
        step = number
    elif precision_mode == DECIMAL_PLACES and number == number.to_integral_value() and 0 <= number <= 18:
        step = Decimal(1).scaleb(-int(number))  # 0 places: whole units
    else:
        return None
    try:
        units = fp.from_decimal(step)
    except fp.FixedPointError:  # finer than harvest's 18 places: no step that matters
        return None
    return units if units > 0 else None
