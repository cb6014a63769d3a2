"""Rendering the tax summary, candidates, plans and the checklist as JSON or plain text.
Every amount is a decimal string (exact for amounts from the ledger, cents for tax)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from engine.core import fixedpoint as fp
from engine.core.dates import iso_utc, time_words
from engine.core.units import MICROS_PER_SECOND, Amount, EpochMicros
from engine.planning.candidates import Blocked, Candidate
from engine.planning.checklist import state_words
from engine.planning.planner import TaxSummary
from engine.planning.plans import Plan
from engine.reports.csv_output import csv_text
from engine.reports.ledger_reports import table
from engine.store.checklist_tables import Step

CENT = Decimal("0.01")


def money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_EVEN) + 0)  # + 0: never "-0.00"


def rate(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN).normalize())


def pair(st: Decimal, lt: Decimal) -> dict[str, str]:
    return {"short_term": money(st), "long_term": money(lt)}


def tax_json(summary: TaxSummary) -> dict[str, Any]:
    r = summary.result
    computed = summary.computed_carryforward_in
    return {
        "year": r.year,
        "filing_status": r.filing_status,
        "realized": pair(r.realized_short_term, r.realized_long_term),
        "carryforward_in": pair(*summary.carryforward_in),
        "computed_carryforward_in": pair(*computed) if computed is not None else None,
        "ordinary_income_offset": money(r.ordinary_income_offset),
        "carryforward_out": pair(r.carryforward_out_short_term, r.carryforward_out_long_term),
        "adjusted_gross_income": money(r.adjusted_gross_income),
        "deduction": money(r.deduction),
        "taxable_income": money(r.taxable_income),
        "regular_tax": money(r.regular_tax),
        "amt": money(r.amt),
        "federal_income_tax": money(r.federal_income_tax),
        "niit": money(r.niit),
        "state_tax": money(r.state_tax),
        "total_tax": money(r.total_tax),
        "marginal_rates": {
            "short_term": rate(r.marginal_short_term),
            "long_term": rate(r.marginal_long_term),
        },
        "lines": [
            {"form": line.form, "line": line.number, "label": line.label, "amount": money(line.amount)}
            for line in r.lines
        ],
    }


def tax_text(summary: TaxSummary) -> str:
    r = summary.result
    out = [f"Tax year {r.year}, {r.filing_status} — estimate for planning, not tax advice"]
    width = max(len(line.label) for line in r.lines) + 6
    form = None
    for line in r.lines:
        if line.form != form:
            form = line.form
            out += ["", f"{form}"]
        out.append(f"  {line.number:>5}  {line.label.ljust(width - 7)}  {money(line.amount):>14}")
    out.append("")
    out.append(f"  {'marginal rate, short-term'.ljust(width)}  {rate(r.marginal_short_term):>14}")
    out.append(f"  {'marginal rate, long-term'.ljust(width)}  {rate(r.marginal_long_term):>14}")
    computed = summary.computed_carryforward_in
    if computed is not None and computed != summary.carryforward_in:
        out.append("")
        out.append(
            f"  note: your history implies a carryforward in of ST {money(computed[0])} / LT {money(computed[1])}; "
            f"the config says ST {money(summary.carryforward_in[0])} / LT {money(summary.carryforward_in[1])}"
        )
    return "\n".join(out) + "\n"


def candidate_json(c: Candidate) -> dict[str, Any]:
    return {
        "rank": c.rank,
        "account": c.account,
        "asset": c.asset,
        "lot_ids": list(c.lot_ids),
        "quantity": fp.fmt(c.quantity, 0),
        "value": fp.fmt(c.value),
        "cost_basis": fp.fmt(c.cost_basis),
        "loss": fp.fmt(c.loss),
        "term": c.term,
        "days_to_long_term": c.days_to_long_term,
        "savings_this_year": fp.fmt(c.savings_this_year),
        "carryforward_created": fp.fmt(c.carryforward_created),
        "trading_cost": fp.fmt(c.trading_cost),
        "net_savings": fp.fmt(c.net_savings),
        "deferred_tax": fp.fmt(c.deferred_tax),
        "warnings": list(c.warnings),
    }


def blocked_json(blocked: Sequence[Blocked]) -> list[dict[str, Any]]:
    return [{"account": b.account, "asset": b.asset, "reasons": list(b.reasons)} for b in blocked]


def scan_json(
    summary: TaxSummary, candidates: Sequence[Candidate], blocked: Sequence[Blocked], stale: bool
) -> str:
    payload = {
        "tax": tax_json(summary),
        "prices_stale": stale,
        "candidates": [candidate_json(c) for c in candidates],
        "blocked": blocked_json(blocked),
    }
    return json.dumps(payload, indent=2) + "\n"


def candidates_text(candidates: Sequence[Candidate], blocked: Sequence[Blocked]) -> str:
    cents = fp.fmt_cents
    records = [
        [
            str(c.rank),
            c.account,
            c.asset,
            fp.fmt(c.quantity, 0),
            cents(c.loss),
            c.term,
            "—" if c.term == "long" else f"{c.days_to_long_term}d",
            cents(c.savings_this_year),
            cents(c.carryforward_created),
            cents(c.trading_cost),
            cents(c.net_savings),
            "; ".join(c.warnings),
        ]
        for c in candidates
    ]
    text = table(
        (
            "#",
            "account",
            "asset",
            "quantity",
            "loss",
            "term",
            "→LT",
            "saves",
            "carryfwd",
            "cost",
            "net",
            "warnings",
        ),
        records,
        right={0, 3, 4, 7, 8, 9, 10},
    )
    if blocked:
        text += "\nNo recommendation (data-quality gate):\n"
        text += "".join(f"  {b.account} {b.asset}: {'; '.join(b.reasons)}\n" for b in blocked)
    return text


def plan_json(plan: Plan) -> str:
    payload = {
        "goal": plan.goal,
        "target_loss": None if plan.target_loss is None else fp.fmt(plan.target_loss),
        "steps": [
            {
                "step": s.number,
                "account": s.account,
                "asset": s.asset,
                "term": s.term,
                "quantity": fp.fmt(s.quantity, 0),
                "lots": [
                    {
                        "lot_id": p.lot_id,
                        "quantity": fp.fmt(p.quantity, 0),
                        "cost_basis": fp.fmt(p.cost_basis),
                        "date_acquired": date.fromordinal(p.acquired_day).isoformat(),
                    }
                    for p in s.lots
                ],
                "expected_proceeds": fp.fmt(s.expected_proceeds),
                "cost_basis": fp.fmt(s.cost_basis),
                "loss": fp.fmt(s.loss),
                "savings_this_year": fp.fmt(s.savings_this_year),
                "carryforward_created": fp.fmt(s.carryforward_created),
                "trading_cost": fp.fmt(s.trading_cost),
                "net_savings": fp.fmt(s.net_savings),
                "rebuy_after": None if s.rebuy_after is None else iso_utc(s.rebuy_after),
                "warnings": list(s.warnings),
                "rounded_to_step": None if s.rounded_to_step is None else fp.fmt(s.rounded_to_step, 0),
            }
            for s in plan.steps
        ],
        "total_loss": fp.fmt(plan.total_loss),
        "savings_this_year": fp.fmt(plan.savings_this_year),
        "carryforward_created": fp.fmt(plan.carryforward_created),
        "trading_cost": fp.fmt(plan.trading_cost),
        "net_savings": fp.fmt(plan.net_savings),
    }
    return json.dumps(payload, indent=2) + "\n"


def rounded_note(step: Amount) -> str:
    return f"rounded down to the exchange's {fp.fmt(step, 0)} step"


def plan_text(plan: Plan) -> str:
    cents = fp.fmt_cents
    out = [
        f"Plan ({plan.goal}): {len(plan.steps)} sale(s), loss {cents(plan.total_loss)}, saves "
        f"{cents(plan.savings_this_year)} this year, carryforward +{cents(plan.carryforward_created)}, "
        f"costs {cents(plan.trading_cost)}, net {cents(plan.net_savings)}",
        "",
    ]
    for s in plan.steps:
        out.append(
            f"{s.number}. sell {fp.fmt(s.quantity, 0)} {s.asset} on {s.account} — lots {s.identification}"
        )
        if s.rounded_to_step is not None:
            out.append(f"   {rounded_note(s.rounded_to_step)}")
        out.append(
            f"   expected proceeds {cents(s.expected_proceeds)}, loss {cents(s.loss)} {s.term}-term, "
            f"saves {cents(s.savings_this_year)}, net {cents(s.net_savings)}"
        )
        if s.rebuy_after is not None:
            out.append(
                f"   then rebuy {fp.fmt(s.quantity, 0)} {s.asset} on {s.account} not before {iso_utc(s.rebuy_after)}"
            )
        else:
            out.append("   no rebuy step (NFT)")
        if s.warnings:
            out.append(f"   warnings: {'; '.join(s.warnings)}")
    return "\n".join(out) + "\n"


def checklist_rows(steps: Sequence[Step], now: EpochMicros) -> list[dict[str, Any]]:
    rows = []
    for s in steps:
        due_in = (
            None
            if s.rebuy_after is None or s.state not in ("sold", "rebuy_due")
            else (s.rebuy_after - now) // MICROS_PER_SECOND
        )
        rows.append(
            {
                "step": s.number,
                "state": s.state,
                "account": s.account,
                "asset": s.asset,
                "term": s.term,
                "quantity": fp.fmt(s.quantity, 0),
                "lots": s.lots,
                "expected_loss": fp.fmt(s.loss),
                "savings_this_year": fp.fmt(s.savings),
                "identified_at": _time(s.identified_at),
                "sold_at": _time(s.sold_at),
                "sale_ref": s.sale_ref,
                "rebuy": s.rebuy,
                "rebuy_after": _time(s.rebuy_after),
                "rebuy_due_in_seconds": due_in,
                "rebought_at": _time(s.rebought_at),
                "rebuy_ref": s.rebuy_ref,
                "reason": s.reason,
            }
        )
    return rows


def checklist_csv(steps: Sequence[Step], now: EpochMicros) -> str:
    """The checklist export (`harvest checklist export`, `e` in the app): one row per step."""
    rows = checklist_rows(steps, now)
    if not rows:
        return ""
    return csv_text(list(rows[0]), [["" if v is None else v for v in row.values()] for row in rows])


def _time(micros: EpochMicros | None) -> str | None:
    return None if micros is None else iso_utc(micros)


def countdown(seconds: int) -> str:
    if seconds <= 0:
        return "due now"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    return f"in {days}d {hours}h" if days else f"in {hours}h {rest // 60}m"


def checklist_text(
    steps: Sequence[Step], now: EpochMicros, zone: tzinfo = UTC, notices: dict[int, str] | None = None
) -> str:
    """The checklist for a person: states and times in words, times in `zone` (the tax zone);
    `notices`: where a step's identification must go (engine.planning.broker_notice)."""
    if not steps:
        return "No saved plan. Make one with `harvest plan --save`.\n"
    out = []
    for s, row in zip(steps, checklist_rows(steps, now), strict=True):
        mark = {"done": "✓", "skipped": "–", "cancelled": "✗"}.get(s.state, "☐")
        out.append(
            f"{s.number} {mark} {state_words(s.state):<10} sell {row['quantity']} {s.asset} on {s.account} "
            f"(lots {s.lots}), expected loss {row['expected_loss']}"
        )
        if s.identified_at is not None:
            out.append(f"    identified {time_words(s.identified_at, zone, now)}")
        if s.sold_at is not None:
            out.append(
                f"    sold {time_words(s.sold_at, zone, now)}" + (f" ({s.sale_ref})" if s.sale_ref else "")
            )
        if s.rebuy and s.rebuy_after is not None and row["rebuy_due_in_seconds"] is not None:
            due = time_words(s.rebuy_after, zone, now)
            out.append(
                f"    rebuy {row['quantity']} {s.asset} on {s.account}: {countdown(row['rebuy_due_in_seconds'])} ({due})"
            )
        if s.rebought_at is not None:
            out.append(
                f"    rebought {time_words(s.rebought_at, zone, now)}"
                + (f" ({s.rebuy_ref})" if s.rebuy_ref else "")
            )
        if s.reason:
            out.append(f"    reason: {s.reason}")
        if notices and s.number in notices:
            out.append(f"    identification: {notices[s.number]}")
    return "\n".join(out) + "\n"
