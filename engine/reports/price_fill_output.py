"""`harvest prices fill` and `harvest prices list` as text, CSV and JSON (strings; the caller
prints): what a fill priced (per source and interval) and what is still missing and why, and
every filled price with the record it values, its source, market, interval and times."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from engine.core import fixedpoint as fp
from engine.core.dates import iso_utc
from engine.exchanges.price_fill import FillReport
from engine.reports.csv_output import csv_text
from engine.reports.ledger_reports import table
from engine.store.fill_tables import ListedFill

MISSING_COLUMNS = ("asset", "date", "account", "count", "why")
FILL_COLUMNS = (
    "ref", "account", "side", "timestamp", "asset", "price", "source", "market", "interval", "priced_at",
    "filled_at",
)  # fmt: skip


def filled_words(report: FillReport) -> str:
    """`3 value(s) (kraken 1m: 2, file:prices.csv: 1)`."""
    parts = [
        f"{source}: {count}" if interval == "file" else f"{source} {interval}: {count}"
        for (source, interval), count in sorted(report.filled.items())
    ]
    replaced = f"; {report.replaced} replacing an earlier fill" if report.replaced else ""
    return f"{report.filled_count} value(s) ({', '.join(parts)}{replaced})"


def fill_text(report: FillReport) -> str:
    lines = []
    if report.filled_count:
        lines.append(f"filled {filled_words(report)}\n")
    if report.missing:
        lines.append(
            f"still missing {report.missing_count} value(s): left out of results, never valued at zero\n"
        )
        records = [[g.asset, g.day, g.account, str(g.count), g.why] for g in report.missing]
        lines.append(table(MISSING_COLUMNS, records, right={3}))
    if not lines:
        lines.append("every record has a USD value: nothing to fill\n")
    return "".join(lines)


def fill_json(report: FillReport) -> str:
    payload: dict[str, Any] = {
        "filled": [
            {"source": source, "interval": interval, "count": count}
            for (source, interval), count in sorted(report.filled.items())
        ],
        "replaced": report.replaced,
        "missing": [
            dict(zip(MISSING_COLUMNS, (g.asset, g.day, g.account, g.count, g.why), strict=True))
            for g in report.missing
        ],  # fmt: skip
        "failures": [
            {"source": source, "reason": reason} for source, reason in sorted(report.failures.items())
        ],
    }
    return json.dumps(payload, indent=2) + "\n"


def _fill_record(fill: ListedFill) -> list[str]:
    found = fill.found
    return [fill.ref, fill.account, fill.side, iso_utc(fill.timestamp), fill.asset, fp.fmt(found.price),
            found.source, found.market or "", found.interval, iso_utc(found.priced_at),
            iso_utc(fill.filled_at)]  # fmt: skip


def fills_table(fills: Sequence[ListedFill]) -> str:
    if not fills:
        return "no prices filled\n"
    return table(FILL_COLUMNS, [_fill_record(f) for f in fills], right={5})


def fills_csv(fills: Sequence[ListedFill]) -> str:
    return csv_text(FILL_COLUMNS, [_fill_record(f) for f in fills])


def fills_json(fills: Sequence[ListedFill]) -> str:
    rows = [dict(zip(FILL_COLUMNS, _fill_record(f), strict=True)) for f in fills]
    return json.dumps(rows, indent=2) + "\n"
