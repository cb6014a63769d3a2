"""Rendering reports as CSV, JSON or a plain-text table (strings; the caller prints)."""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TextIO

from engine.core import fixedpoint as fp
from engine.core.units import DayOrdinal
from engine.ledger.gains import LotRow, totals_by_year
from engine.ledger.records import LONG, SHORT, Excluded, RealizedRow
from engine.reports import forked_lines
from engine.reports.csv_output import csv_text
from engine.reports.realized_rows_csv import realized_rows_csv as realized_rows_text

REALIZED_COLUMNS = (
    "account",
    "asset",
    "quantity",
    "date_acquired",
    "date_sold",
    "proceeds",
    "cost_basis",
    "gain",
    "term",
    "lot_id",
    "sale_id",
)
LOTS_COLUMNS = (
    "account",
    "asset",
    "lot_id",
    "quantity",
    "cost_basis",
    "unit_cost",
    "date_acquired",
    "term",
    "days_to_long_term",
)
PRICED_COLUMNS = ("price", "value", "unrealized")


def _day(ordinal: DayOrdinal) -> str:
    return date.fromordinal(ordinal).isoformat()


def _amount(units: int | None) -> str:
    return "" if units is None else fp.fmt(units)


def _qty(units: int) -> str:
    return fp.fmt(units, 0)


def realized_records(rows: Sequence[RealizedRow]) -> list[list[str]]:
    fmt, day = fp.fmt, _day
    return [
        [
            r.account,
            r.asset,
            fmt(r.quantity, 0),
            day(r.acquired_day),
            day(r.sold_day),
            fmt(r.proceeds),
            fmt(r.cost_basis),
            fmt(r.gain),
            r.term,
            r.lot_id,
            r.sale_id,
        ]
        for r in rows
    ]


# From this many rows the CSV is built in columns (polars): below it, importing polars (0.20-0.35 s
# of CPU with its bytecode cached, re-measured 2026-12-01; 0.6-0.8 s compiling it) costs more than
# the columns save (about 4 µs a row: 0.20 s vs 0.40 s row by row at 48,864 rows, in-process,
# load ~6.5; the row path from the matcher's columns 0.17-0.3 s since)
COLUMNAR_FROM = 150_000


def realized_rows_csv(rows: Sequence[RealizedRow]) -> str:
    """The realized CSV row by row (small reports: no polars to import)."""
    return realized_rows_text(REALIZED_COLUMNS, rows)


def realized_csv(rows: Sequence[RealizedRow]) -> str:
    if len(rows) >= COLUMNAR_FROM:
        from engine.reports import columnar_csv

        return columnar_csv.realized_csv(REALIZED_COLUMNS, rows)
    return realized_rows_csv(rows)


def _utf8_bytes_of(out: TextIO) -> Any | None:
    """out's byte stream when text written to out reaches it unchanged (UTF-8, "\\n" kept):
    stdout, in a terminal or a pipe. None for a text-only stream (StringIO) or another encoding."""
    buffer = getattr(out, "buffer", None)
    encoding = getattr(out, "encoding", None)
    if buffer is None or not encoding or os.linesep != "\n":
        return None
    return buffer if codecs.lookup(encoding).name == "utf-8" else None


def write_realized_csv(rows: Sequence[RealizedRow], out: TextIO) -> None:
    """realized_csv(rows), written to out. A row-by-row report of forked_lines.FORK_FROM_ROWS rows
    or more is formatted by two processes where this one may fork (engine.reports.forked_lines).
    A columnar report goes to out's byte stream when it has one, a part at a time: polars' bytes
    go there, where a str of the whole report (130 MB at a million rows) would be decoded from
    them and encoded again."""
    binary = _utf8_bytes_of(out)
    if len(rows) < COLUMNAR_FROM and forked_lines.may_fork(len(rows)):  # two processes format the rows
        forked_lines.write_realized(REALIZED_COLUMNS, rows, out, binary)
        return
    if binary is None or len(rows) < COLUMNAR_FROM:
        out.write(realized_csv(rows))
        return
    from engine.reports import columnar_csv

    out.flush()  # what out holds goes first
    columnar_csv.write_realized(REALIZED_COLUMNS, rows, binary)
    binary.flush()


def _totals_json(rows: Sequence[RealizedRow]) -> dict[str, Any]:
    return {
        str(year): {
            f"{term}_term": {
                "proceeds": fp.fmt(t.proceeds),
                "cost_basis": fp.fmt(t.cost_basis),
                "gain": fp.fmt(t.gain),
            }
            for term, t in per_term.items()
        }
        for year, per_term in totals_by_year(list(rows)).items()
    }


def excluded_json(excluded: Sequence[Excluded]) -> list[dict[str, str | None]]:
    return [
        {
            "account": e.account,
            "asset": e.asset,
            "quantity": _qty(e.quantity),
            "date_sold": _day(e.sold_day),
            "sale_id": e.sale_id,
            "lot_id": e.lot_id,
            "problem": e.problem,
        }
        for e in excluded
    ]


def realized_json(rows: Sequence[RealizedRow], excluded: Sequence[Excluded], warnings: Sequence[str]) -> str:
    payload = {
        "rows": [dict(zip(REALIZED_COLUMNS, rec, strict=True)) for rec in realized_records(rows)],
        "totals": _totals_json(rows),
        "excluded": excluded_json(excluded),
        "warnings": list(warnings),
    }
    import json  # for --format json only: a CSV or table report never loads it

    return json.dumps(payload, indent=2) + "\n"


def table(headers: Sequence[str], records: Sequence[Sequence[str]], right: set[int] | None = None) -> str:
    """Aligned plain text; numeric columns (indices in `right`) are right-aligned."""
    right = right or set()
    widths = [len(h) for h in headers]
    for rec in records:
        for i, cell in enumerate(rec):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in records)]) + "\n"


def realized_table(rows: Sequence[RealizedRow]) -> str:
    cents = fp.fmt_cents
    records = [
        [
            r.account,
            r.asset,
            _qty(r.quantity),
            _day(r.acquired_day),
            _day(r.sold_day),
            cents(r.proceeds),
            cents(r.cost_basis),
            cents(r.gain),
            r.term,
            r.lot_id,
            r.sale_id,
        ]
        for r in rows
    ]
    text = table(REALIZED_COLUMNS, records, right={2, 5, 6, 7})
    summary = []
    for year, per_term in totals_by_year(list(rows)).items():
        for term in (SHORT, LONG):
            t = per_term[term]
            summary.append([str(year), term, cents(t.proceeds), cents(t.cost_basis), cents(t.gain)])
    if summary:
        text += "\nTotals\n" + table(("year", "term", "proceeds", "cost_basis", "gain"), summary, {2, 3, 4})
    return text


def lot_records(
    rows: Sequence[LotRow],
    priced: bool,
    money: Callable[[int | None], str] | None = None,
    unknown_basis: str = "",
) -> list[list[str]]:
    """One row per open lot. Amounts exact (CSV, JSON), or as `money` renders them (the table's
    cents); a lot without basis shows `unknown_basis`."""
    amount = money or _amount
    records = []
    for r in rows:
        lot = r.lot
        rec = [
            lot.account,
            lot.asset,
            lot.lot_id,
            _qty(lot.quantity),
            unknown_basis if lot.basis is None else amount(lot.basis),
            amount(r.unit_cost),
            _day(r.acquired_day),
            r.term,
            str(r.days_to_long_term),
        ]
        if priced:
            rec += [_amount(r.price), amount(r.value), amount(r.unrealized)]
        records.append(rec)
    return records


def lots_csv(rows: Sequence[LotRow], priced: bool) -> str:
    return csv_text(LOTS_COLUMNS + (PRICED_COLUMNS if priced else ()), lot_records(rows, priced))


def lots_json(rows: Sequence[LotRow], priced: bool, warnings: Sequence[str]) -> str:
    columns = LOTS_COLUMNS + (PRICED_COLUMNS if priced else ())
    records = [dict(zip(columns, rec, strict=True)) for rec in lot_records(rows, priced)]
    for rec in records:
        rec["days_to_long_term"] = int(rec["days_to_long_term"])  # type: ignore[assignment]
        for key in ("cost_basis", "unit_cost", "price", "value", "unrealized"):
            if rec.get(key) == "":
                rec[key] = None  # type: ignore[assignment]
    import json  # for --format json only

    return json.dumps({"lots": records, "warnings": list(warnings)}, indent=2) + "\n"


def lots_table(rows: Sequence[LotRow], priced: bool) -> str:
    def cents(units: int | None) -> str:
        return "" if units is None else fp.fmt_cents(units)

    records = lot_records(rows, priced, cents, unknown_basis="unknown")
    headers = LOTS_COLUMNS + (PRICED_COLUMNS if priced else ())
    return table(headers, records, right={3, 4, 5, 8, 9, 10, 11})
