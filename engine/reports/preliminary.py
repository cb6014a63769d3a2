"""The fall report: where this year stands and what harvesting could still change, in one
place — realized so far, carryforward in, estimated tax, unrealized by asset and term, the
plan's savings, the deadline, and the data problems that block advice."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from engine.core import fixedpoint as fp
from engine.core.dates import days_to_year_end
from engine.core.units import Amount
from engine.planning.planner import Planner
from engine.reports.planning_output import money, tax_json


def preliminary(planner: Planner, prices: dict[str, Amount], stale: bool) -> dict[str, Any]:
    engine = planner.engine
    year = engine.tax_year()
    summary = planner.tax_summary(year)
    tick = planner.tick(prices)
    plan = planner.plan(prices, "max_savings")
    unrealized: dict[tuple[str, str], int] = {}
    for group in tick.groups:
        key = (group.asset, "long" if group.long_term else "short")
        unrealized[key] = unrealized.get(key, 0) + group.unrealized
    today = date.fromordinal(engine.today())
    return {
        "year": year,
        "as_of": today.isoformat(),
        "prices_stale": stale,
        "tax": tax_json(summary),
        "unrealized": [
            {"asset": asset, "term": term, "unrealized": fp.fmt(amount)}
            for (asset, term), amount in sorted(unrealized.items())
        ],
        "plan": {
            "steps": len(plan.steps),
            "total_loss": fp.fmt(plan.total_loss),
            "savings_this_year": fp.fmt(plan.savings_this_year),
            "carryforward_created": fp.fmt(plan.carryforward_created),
            "trading_cost": fp.fmt(plan.trading_cost),
            "net_savings": fp.fmt(plan.net_savings),
        },
        "deadline": {"date": f"{year}-12-31", "days_left": days_to_year_end(engine.today(), year)},
        "data_problems": [
            {"account": b.account, "asset": b.asset, "reasons": list(b.reasons)} for b in tick.blocked
        ],
    }


def as_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2) + "\n"


def as_markdown(report: dict[str, Any]) -> str:
    tax = report["tax"]
    lines = [
        f"# Preliminary tax report {report['year']} (as of {report['as_of']})",
        "",
        "*Estimates for planning; not tax advice.*"
        + (" Prices are stale." if report["prices_stale"] else ""),
        "",
        "## Realized so far",
        "",
        "| | short-term | long-term |",
        "|---|---:|---:|",
        f"| realized | {tax['realized']['short_term']} | {tax['realized']['long_term']} |",
        f"| carryforward in | {tax['carryforward_in']['short_term']} | {tax['carryforward_in']['long_term']} |",
        "",
        f"Estimated tax: federal income tax {tax['federal_income_tax']}, NIIT {tax['niit']}, state {tax['state_tax']}, "
        f"**total {tax['total_tax']}** (marginal rates: ST {tax['marginal_rates']['short_term']}, "
        f"LT {tax['marginal_rates']['long_term']}).",
        "",
        "## Unrealized",
        "",
        "| asset | term | unrealized |",
        "|---|---|---:|",
        *[f"| {u['asset']} | {u['term']} | {u['unrealized']} |" for u in report["unrealized"]],
        "",
        "## Harvest plan",
        "",
        f"{report['plan']['steps']} sale(s): loss {report['plan']['total_loss']}, saves {report['plan']['savings_this_year']} "
        f"this year, carryforward +{report['plan']['carryforward_created']}, costs {report['plan']['trading_cost']}, "
        f"**net {report['plan']['net_savings']}**. Deadline: trade by {report['deadline']['date']} "
        f"({report['deadline']['days_left']} days left).",
        "",
        "## Data problems that block advice",
        "",
        *(
            [f"- {p['account']} {p['asset']}: {'; '.join(p['reasons'])}" for p in report["data_problems"]]
            or ["None."]
        ),
    ]
    return "\n".join(lines) + "\n"


def as_table(report: dict[str, Any]) -> str:
    return (
        as_markdown(report)
        .replace("*", "")
        .replace("#", "")
        .replace("|---|---:|---:|\n", "")
        .replace("|---|---|---:|\n", "")
    )


__all__ = ["preliminary", "as_json", "as_markdown", "as_table", "money"]
