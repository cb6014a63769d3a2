"""The Form 1099-DA reconciliation as a report to read (table) or for scripts (JSON)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from engine.core import fixedpoint as fp
from engine.ledger.broker_forms import FormRow
from engine.reports.reconcile_1099da import Match, Reconciliation, Sale


def _day(day: int) -> str:
    return date.fromordinal(day).isoformat()


def _sale(sale: Sale) -> str:
    return f"{sale.account} {sale.asset} {sale.sale_id} sold {_day(sale.sold)}: {fp.fmt(sale.quantity, 0)} {sale.asset}"


def _row(row: FormRow) -> str:
    basis = "no basis" if row.basis is None else f"basis {fp.fmt_cents(row.basis)}"
    where = f"form line {row.line}" if row.entry is None else f"entered by hand, entry {row.entry}"
    return (f"{row.account} {row.asset} sold {_day(row.sold)}: {fp.fmt(row.units, 0)} {row.asset}, proceeds "
            f"{fp.fmt_cents(row.proceeds)}, {basis} ({where})")  # fmt: skip


def _form_only_cause(row: FormRow, result: Reconciliation) -> str:
    sold_there = {(m.sale.account, m.sale.asset) for m in result.matched} | {
        (s.account, s.asset) for s in result.harvest_only
    }
    if (row.account, row.asset) not in sold_there:
        return (f"harvest has no sale of {row.asset} in {row.account} that year: a sale not imported yet, or the "
                "form's asset name is not harvest's code (add an `asset` column)")  # fmt: skip
    return "no sale of these units on that date in harvest: a sale not imported yet, or a transfer the broker reported as a sale"  # fmt: skip


def reconciliation_table(result: Reconciliation) -> str:
    same = [m for m in result.matched if not m.differences]
    differing = [m for m in result.matched if m.differences]
    text = [f"Form 1099-DA reconciliation, {result.year} (harvest's lots by {result.method})\n"]
    text.append(f"\nMatched, same figures: {len(same)}\n")
    for match in same:
        text.append(f"  {_sale(match.sale)}, proceeds {fp.fmt_cents(match.sale.proceeds)}\n")
    text.append(f"\nMatched, differing: {len(differing)}\n")
    for match in differing:
        text.append(f"  {_sale(match.sale)}\n")
        for d in match.differences:
            figures = f"1099-DA {d.broker}, harvest {d.harvest}" if d.broker or d.harvest else ""
            amount = "" if d.amount is None else f" ({fp.fmt_cents(d.amount)})"
            text.append(f"    {d.field}: {figures}{amount}{': ' if figures else ''}{d.cause}\n")
    text.append(f"\nOn the 1099-DA, not in harvest: {len(result.form_only)}\n")
    for row in result.form_only:
        text.append(f"  {_row(row)}\n    {_form_only_cause(row, result)}\n")
    text.append(f"\nIn harvest, not on the 1099-DA: {len(result.harvest_only)}\n")
    for sale in result.harvest_only:
        text.append(f"  {_sale(sale)}, proceeds {fp.fmt_cents(sale.proceeds)}\n    the broker did not report it: "
                    "a sale outside its reporting (de minimis, a wallet), or a form row missing; Form 8949 box I/L\n")  # fmt: skip
    if result.without_form:
        listed = ", ".join(
            f"{account} ({count} sale(s))" for account, count in sorted(result.without_form.items())
        )
        text.append(f"\nNo Form 1099-DA imported for {result.year}: {listed}\n")
    return "".join(text)


def _match_json(match: Match) -> dict[str, Any]:
    sale = match.sale
    return {
        "account": sale.account, "asset": sale.asset, "sale_id": sale.sale_id, "date_sold": _day(sale.sold),
        "quantity": fp.fmt(sale.quantity, 0), "proceeds": fp.fmt_cents(sale.proceeds),
        "cost_basis": fp.fmt_cents(sale.basis),
        "form_lines": [row.line for row in match.rows if row.entry is None],
        "entered_by_hand": [row.entry for row in match.rows if row.entry is not None],
        "differences": [{"field": d.field, "form_1099da": d.broker or None, "harvest": d.harvest or None,
                         "amount": None if d.amount is None else fp.fmt_cents(d.amount), "likely_cause": d.cause}
                        for d in match.differences],
    }  # fmt: skip


def reconciliation_json(result: Reconciliation) -> str:
    document = {
        "year": result.year,
        "method": result.method,
        "matched": [_match_json(m) for m in result.matched if not m.differences],
        "differing": [_match_json(m) for m in result.matched if m.differences],
        "form_only": [{"account": r.account, "asset": r.asset, "date_sold": _day(r.sold), "units": fp.fmt(r.units, 0),
                       "proceeds": fp.fmt_cents(r.proceeds), "line": None if r.entry is not None else r.line,
                       "entered_by_hand": r.entry, "likely_cause": _form_only_cause(r, result)}
                      for r in result.form_only],
        "harvest_only": [{"account": s.account, "asset": s.asset, "sale_id": s.sale_id, "date_sold": _day(s.sold),
                          "quantity": fp.fmt(s.quantity, 0), "proceeds": fp.fmt_cents(s.proceeds)}
                         for s in result.harvest_only],
        "without_form": result.without_form,
    }  # fmt: skip
    return json.dumps(document, indent=2) + "\n"
