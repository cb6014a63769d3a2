"""A historical prices file: CSV `asset,timestamp,price` (USD per unit at that time), for the
records no source gave a USD value (engine.exchanges.price_fill), offline.

Timestamps are ISO 8601 with a zone (`2024-03-10T00:00:00Z`) or Unix seconds (`1710028800`).
A record takes the file's row for its asset nearest its time, at most a day away (a file of
daily prices covers every time of its days). Every bad row is named (`FILE:LINE: column:
problem`) and nothing is used from a file with one."""

from __future__ import annotations

import bisect
import csv
import io
import re
from pathlib import Path

from engine.core import fixedpoint as fp
from engine.core.dates import parse_timestamp
from engine.core.errors import CsvImportError
from engine.core.files import read_user_text
from engine.core.units import MICROS_PER_DAY, MICROS_PER_SECOND, Amount, EpochMicros
from engine.ledger.events import EARLIEST, LATEST, MAX_PRICE
from engine.ledger.price_needs import FoundPrice

COLUMNS = ("asset", "timestamp", "price")
MAX_GAP = MICROS_PER_DAY  # the farthest a row may be from the record it prices
FILE_INTERVAL = "file"  # the interval a file's price is recorded with
SHOWN_PROBLEMS = 50  # a broken file is named this many rows deep; the rest are counted
_UNIX_SECONDS = re.compile(r"\d{1,12}(\.\d{1,6})?")


class HistoryFile:
    """The rows of a prices file, by asset in time order."""

    def __init__(self, source: str, rows: dict[str, list[tuple[EpochMicros, Amount]]]) -> None:
        self.source = source  # `file:NAME`
        self.rows = {asset: sorted(points) for asset, points in rows.items()}
        self.times = {asset: [at for at, _ in points] for asset, points in self.rows.items()}

    def price(self, asset: str, at: EpochMicros) -> FoundPrice | None:
        """The row for `asset` nearest `at` (the earlier of two as near), at most a day away."""
        times = self.times.get(asset)
        if not times:
            return None
        index = bisect.bisect_left(times, at)
        nearby = [i for i in (index - 1, index) if 0 <= i < len(times)]
        best = min(nearby, key=lambda i: (abs(times[i] - at), times[i]))
        row_at, price = self.rows[asset][best]
        if abs(row_at - at) > MAX_GAP:
            return None
        return FoundPrice(price, self.source, None, FILE_INTERVAL, row_at)


def parse_time(raw: str) -> EpochMicros:
    """ISO 8601 with a zone, or Unix seconds; ValueError naming the problem."""
    if _UNIX_SECONDS.fullmatch(raw):
        whole, _, fraction = raw.partition(".")
        return EpochMicros(int(whole) * MICROS_PER_SECOND + int(fraction.ljust(6, "0") or 0))
    try:
        return parse_timestamp(raw)
    except ValueError as exc:
        message = str(exc)
        if "Invalid isoformat" in message:
            message = f"expected ISO 8601 with a zone or Unix seconds, got {raw!r}"
        raise ValueError(message) from None


def read_history_file(path: Path) -> HistoryFile:
    """The file's rows, or CsvImportError naming every bad row (InputError: an unreadable file)."""
    text = read_user_text(path, "prices file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        raise CsvImportError(str(path), [f"{path}:1: header: {exc}"]) from None
    if sorted(header) != sorted(COLUMNS):
        raise CsvImportError(str(path), [f"{path}:1: header: expected the columns asset,timestamp,price"])
    column = {name: header.index(name) for name in COLUMNS}
    rows: dict[str, list[tuple[EpochMicros, Amount]]] = {}
    seen: dict[tuple[str, EpochMicros], int] = {}
    problems: list[str] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(COLUMNS):
                problems.append(f"{path}:{line}: row: expected {len(COLUMNS)} cells, got {len(cells)}")
                continue
            asset, raw_time, raw_price = (cells[column[name]].strip() for name in COLUMNS)
            found = _row(path, line, asset, raw_time, raw_price, problems)
            if found is None:
                continue
            asset, at, price = found
            if (asset, at) in seen:
                problems.append(
                    f"{path}:{line}: timestamp: {asset} at this time already on line {seen[asset, at]}"
                )
                continue
            seen[(asset, at)] = line
            rows.setdefault(asset, []).append((at, price))
    except csv.Error as exc:
        problems.append(f"{path}:{reader.line_num}: row: {exc}")
    if problems:
        shown = problems[:SHOWN_PROBLEMS]
        if len(problems) > SHOWN_PROBLEMS:
            shown.append(f"{path}: … and {len(problems) - SHOWN_PROBLEMS} more problem(s)")
        raise CsvImportError(str(path), shown)
    return HistoryFile(f"file:{path.name}", rows)


def _row(
    path: Path, line: int, asset: str, raw_time: str, raw_price: str, problems: list[str]
) -> tuple[str, EpochMicros, Amount] | None:
    """One row's values, or None with its problems added (every bad cell, not just the first)."""
    before = len(problems)
    if not asset:
        problems.append(f"{path}:{line}: asset: missing value")
    at: EpochMicros | None = None
    try:
        at = parse_time(raw_time)
        if not EARLIEST <= at < LATEST:
            problems.append(f"{path}:{line}: timestamp: {raw_time} is not between 2009-01-03 and 2100")
    except ValueError as exc:
        problems.append(f"{path}:{line}: timestamp: {exc}")
    price: Amount | None = None
    try:
        price = fp.parse(raw_price)
        if price <= 0:  # a value is never taken as zero: a missing one stays flagged
            problems.append(f"{path}:{line}: price: must be more than zero, got {raw_price}")
        elif price > MAX_PRICE:
            problems.append(f"{path}:{line}: price: over {MAX_PRICE // fp.SCALE:,} per unit")
    except fp.FixedPointError as exc:
        problems.append(f"{path}:{line}: price: {exc}")
    if len(problems) > before or at is None or price is None:
        return None
    return asset.upper(), at, price
