"""The user's decisions as a log (part of the taxpayer's records, exported with the
identification log): every decision ever made, in order — its id, when it was made, its kind,
the record or problem it names (a natural key), what was decided, the reason given, and when it
was undone (blank while it is in force). Nothing is deleted: an undo is a time on the entry."""

from __future__ import annotations

import json
from collections.abc import Sequence

from engine.core.dates import iso_utc
from engine.ledger.decisions import Decision, detail_text

DECISION_COLUMNS = ("id", "made_at", "kind", "subject", "detail", "reason", "undone_at")
Row = tuple[int, str, str, str, str, str, str]


def decision_rows(decisions: Sequence[Decision]) -> list[Row]:
    return [
        (d.id, iso_utc(d.made_at), d.kind, d.subject, detail_text(d.detail), d.reason,
         "" if d.undone_at is None else iso_utc(d.undone_at))
        for d in decisions
    ]  # fmt: skip


def decisions_json(decisions: Sequence[Decision]) -> list[dict[str, object]]:
    return [
        {"id": d.id, "made_at": iso_utc(d.made_at), "kind": d.kind, "subject": d.subject, "detail": d.detail,
         "reason": d.reason, "in_force": d.active, "undone_at": None if d.undone_at is None else iso_utc(d.undone_at)}
        for d in decisions
    ]  # fmt: skip


def decisions_json_text(decisions: Sequence[Decision]) -> str:
    return json.dumps(decisions_json(decisions), indent=2) + "\n"


def decisions_csv(decisions: Sequence[Decision]) -> str:
    from engine.reports.csv_output import csv_text

    return csv_text(DECISION_COLUMNS, decision_rows(decisions))


def decisions_table(decisions: Sequence[Decision]) -> str:
    from engine.reports.ledger_reports import table

    if not decisions:
        return "No decisions recorded.\n"
    rows = [
        [str(i), made, kind, subject, detail, reason, f"undone {undone}" if undone else "in force"]
        for i, made, kind, subject, detail, reason, undone in decision_rows(decisions)
    ]
    return table(("id", "made", "kind", "subject", "detail", "reason", "status"), rows, right={0})
