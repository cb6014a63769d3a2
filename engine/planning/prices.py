"""Price inputs: a prices file (CSV `asset,price` in USD) for reports and scans, and the one rule
for when observed prices are stale."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from engine.core import fixedpoint as fp
from engine.core.errors import InputError
from engine.core.files import read_user_text
from engine.core.units import MICROS_PER_SECOND, Amount, EpochMicros


def prices_stale(observed_at: EpochMicros | None, now: EpochMicros, stale_after_seconds: int) -> bool:
    """Prices observed at `observed_at` (None: never) are stale at `now` once older than
    `prices.stale_after_seconds`; stale prices make savings estimates."""
    return observed_at is None or now - observed_at > stale_after_seconds * MICROS_PER_SECOND


def read_prices_file(path: Path) -> dict[str, Amount]:
    text = read_user_text(path, "prices file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        raise InputError(f"{path}:1: header: {exc}") from None
    if header[:2] != ["asset", "price"] or len(header) != 2:
        raise InputError(f"{path}:1: header: expected exactly the columns asset,price")
    prices: dict[str, Amount] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != 2:
                raise InputError(f"{path}:{line}: row: expected 2 cells, got {len(cells)}")
            asset, raw = cells[0].strip().upper(), cells[1].strip()
            if not asset:
                raise InputError(f"{path}:{line}: asset: missing value")
            try:
                price = fp.parse(raw)
            except fp.FixedPointError as exc:
                raise InputError(f"{path}:{line}: price: {exc}") from None
            if price < 0:
                raise InputError(f"{path}:{line}: price: must be zero or more, got {raw}")
            if asset in prices:
                raise InputError(f"{path}:{line}: asset: {asset} listed twice")
            prices[asset] = price
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}: row: {exc}") from None
    return prices
