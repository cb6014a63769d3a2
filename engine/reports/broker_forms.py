"""Form 1099-DA with the engine: importing a form into the store (per account and year, a later
import replacing the earlier), entering one sale of a paper form by hand (kept apart from the
imports, until removed), and reconciling a year's forms with harvest's sales."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from engine.api import Engine
from engine.core.errors import InputError
from engine.imports.form_1099da import entry_row, read_form
from engine.ledger.broker_forms import HAND, FormRow, stored_forms, subject, to_detail
from engine.ledger.covered import LotOrigins
from engine.ledger.decisions import FORM_1099DA, Decision
from engine.ledger.records import Excluded
from engine.reports.form8949 import Form8949Row, form_rows
from engine.reports.reconcile_1099da import Reconciliation, reconcile, sales_of


@dataclass(frozen=True)
class ImportedForm:
    label: str
    layout: str
    counts: dict[tuple[str, int], int]  # (account, year) -> rows
    replaced: list[tuple[str, int]]  # (account, year) whose earlier import this one replaced


def import_form(engine: Engine, path: Path, account: str | None) -> ImportedForm:
    layout, rows = read_form(path, account)
    groups: dict[tuple[str, int], list[FormRow]] = {}
    for row in rows:
        groups.setdefault((row.account, row.year), []).append(row)
    in_force = {d.subject: d for d in engine.store.decisions() if d.kind == FORM_1099DA and not is_hand(d)}
    replaced = []
    now = engine.clock()
    for (owner, year), group in sorted(groups.items()):
        earlier = in_force.get(subject(owner, year))
        if earlier is not None:
            engine.store.undo_decision(earlier.id, now)
            replaced.append((owner, year))
        detail = to_detail(group, path.name)
        engine.store.record_decision(
            FORM_1099DA, subject(owner, year), detail, f"imported from {path.name}", now
        )
    engine.invalidate()
    return ImportedForm(
        str(path), layout, {key: len(group) for key, group in sorted(groups.items())}, replaced
    )


def is_hand(decision: Decision) -> bool:
    return decision.detail.get("source") == HAND


def enter_form_row(engine: Engine, values: Mapping[str, str]) -> FormRow:
    """A sale typed from a paper Form 1099-DA (the same field rules as an imported row), stored as
    an imported row is, source `entered by hand`; FormEntryError names the first bad field."""
    row = entry_row(values)
    now = engine.clock()
    detail = {**to_detail([row], HAND), "entered_at": now}  # two like sales on one form stay two
    decision_id = engine.store.record_decision(FORM_1099DA, subject(row.account, row.year), detail, HAND, now)
    engine.invalidate()
    return row._replace(entry=decision_id)


def hand_entries(engine: Engine, year: int | None = None) -> list[FormRow]:
    """The sales entered by hand and in force (for `year`, or every year), in entry order."""
    rows = [row for rows in stored_forms(engine.store.decisions(), year).values() for row in rows]
    return sorted((row for row in rows if row.entry is not None), key=lambda row: row.entry or 0)


def remove_entry(engine: Engine, entry: int) -> FormRow:
    """Undo a sale entered by hand (the decision stays in the log, undone); InputError when `entry`
    is not one in force."""
    found = next((row for row in hand_entries(engine) if row.entry == entry), None)
    if found is None:
        raise InputError(f"no Form 1099-DA sale entered by hand with id {entry} (see harvest 1099da list)")
    engine.store.undo_decision(entry, engine.clock())
    engine.invalidate()
    return found


def forms_for(engine: Engine, year: int) -> dict[str, list[FormRow]]:
    return stored_forms(engine.store.decisions(), year)


def reconcile_year(engine: Engine, year: int) -> Reconciliation:
    """The year's Forms 1099-DA against harvest's sales of that year."""
    rows, excluded = engine.realized(year)
    origins = LotOrigins(engine.store.ledger(), engine.calendar.day_function())
    return reconcile(
        year, engine.config.lots.method, sales_of(rows, excluded), forms_for(engine, year), origins
    )


def form_8949(engine: Engine, year: int) -> tuple[list[Form8949Row], list[Excluded]]:
    """The year's Form 8949 rows: each sale in the box its Form 1099-DA (when imported) or its
    account's `form_8949_box` and its lots' covered status give it."""
    rows, excluded = engine.realized(year)
    origins = LotOrigins(engine.store.ledger(), engine.calendar.day_function())
    forms = forms_for(engine, year)
    matched = (
        reconcile(year, engine.config.lots.method, sales_of(rows, excluded), forms, origins)
        if forms
        else None
    )
    boxes = {a.name: a.form_8949_box for a in engine.config.accounts}
    return form_rows(rows, boxes, engine.store.chain_ids(), origins.covered, matched), excluded
