"""The lot methods compared: a year's realized short- and long-term results and the estimated
tax under fifo, lifo and hifo. Identifications recorded for a sale apply under every method."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from engine.core import fixedpoint as fp
from engine.ledger.records import LONG, SHORT
from engine.planning.planner import Planner
from engine.reports.ledger_reports import table
from engine.reports.planning_output import money
from engine.tax.model import compute_tax
from engine.tax.profile import tax_profile

COMPARED_METHODS = ("fifo", "lifo", "hifo")


@dataclass(frozen=True)
class MethodResult:
    method: str
    short_term: int  # realized gain, fixed-point USD
    long_term: int
    total_tax: Decimal  # with the configured tax profile for the year


def compare_methods(planner: Planner, year: int) -> list[MethodResult]:
    engine = planner.engine
    profile = tax_profile(engine.config, year)
    results = []
    for method in COMPARED_METHODS:
        rows, _excluded = engine.realized(year, method)
        short_term = sum(r.gain for r in rows if r.term == SHORT)
        long_term = sum(r.gain for r in rows if r.term == LONG)
        tax = compute_tax(profile, fp.to_decimal(short_term), fp.to_decimal(long_term), planner.params)
        results.append(MethodResult(method, short_term, long_term, tax.total_tax))
    return results


def methods_json(year: int, results: list[MethodResult]) -> str:
    payload = [
        {
            "method": r.method,
            "short_term": fp.fmt(r.short_term),
            "long_term": fp.fmt(r.long_term),
            "total_tax": money(r.total_tax),
        }
        for r in results
    ]
    return json.dumps({"year": year, "methods": payload}, indent=2) + "\n"


def methods_table(results: list[MethodResult]) -> str:
    records = [
        [r.method, fp.fmt_cents(r.short_term), fp.fmt_cents(r.long_term), money(r.total_tax)] for r in results
    ]
    return (
        table(("method", "short_term", "long_term", "total_tax"), records, right={1, 2, 3})
        + "Identifications recorded for a sale apply under every method.\n"
    )
