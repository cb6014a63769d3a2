"""The user's decisions (engine.ledger.decisions) in the store: appended, never edited except to
mark one undone, so the list is the history of what the user decided and when."""

from __future__ import annotations

import sqlite3

from engine.core.errors import StoreError
from engine.core.units import EpochMicros
from engine.ledger.decisions import IRREVOCABLE, KINDS, Decision, detail_text
from engine.store.connection import write_transaction

DECISIONS_SINCE = 11  # the schema version that has the table (an older store may be open read-only)


class UnknownDecision(StoreError):
    """An undo named a decision the store does not hold, or one already undone."""


def record_decision(
    conn: sqlite3.Connection,
    kind: str,
    subject: str,
    detail: dict[str, object],
    reason: str,
    now: EpochMicros,
) -> int:
    """Record a decision; an identical one already in force is not recorded twice (its id is
    returned), so applying the same decision again changes nothing."""
    if kind not in KINDS:
        raise ValueError(f"unknown decision kind {kind!r}")
    text = detail_text(dict(detail))
    with write_transaction(conn):
        same = conn.execute(
            "SELECT id FROM decisions WHERE kind = ? AND subject = ? AND detail = ? AND undone_at IS NULL",
            (kind, subject, text),
        ).fetchone()
        if same is not None:
            return int(same[0])
        cursor = conn.execute(
            "INSERT INTO decisions (kind, subject, detail, reason, made_at) VALUES (?, ?, ?, ?, ?)",
            (kind, subject, text, reason, now),
        )
        return int(cursor.lastrowid or 0)


def undo_decision(conn: sqlite3.Connection, decision_id: int, now: EpochMicros) -> Decision:
    with write_transaction(conn):
        kind = conn.execute("SELECT kind FROM decisions WHERE id = ?", (decision_id,)).fetchone()
        if kind is not None and kind[0] in IRREVOCABLE:
            raise UnknownDecision(f"decision {decision_id} is a {kind[0]}: irrevocable, it cannot be undone")
        row = conn.execute(
            "UPDATE decisions SET undone_at = ? WHERE id = ? AND undone_at IS NULL "
            "RETURNING id, kind, subject, detail, reason, made_at, undone_at",
            (now, decision_id),
        ).fetchone()
    if row is None:
        raise UnknownDecision(f"no decision {decision_id} in force (see harvest review --decisions)")
    return _decision(row)


def decisions(conn: sqlite3.Connection, include_undone: bool = False) -> list[Decision]:
    """Every decision (or those in force), oldest first."""
    if conn.execute("PRAGMA user_version").fetchone()[0] < DECISIONS_SINCE:  # older, read-only: none yet
        return []
    where = "" if include_undone else " WHERE undone_at IS NULL"
    return [
        _decision(row)
        for row in conn.execute(
            "SELECT id, kind, subject, detail, reason, made_at, undone_at FROM decisions"
            + where
            + " ORDER BY id"
        ).fetchall()
    ]


def _decision(row: tuple[object, ...]) -> Decision:
    import json  # here: a store without decisions never loads it (start-up of import and report)

    id_, kind, subject, detail, reason, made_at, undone_at = row
    return Decision(
        id=int(str(id_)),
        kind=str(kind),
        subject=str(subject),
        detail=json.loads(str(detail)),
        reason=str(reason),
        made_at=EpochMicros(int(str(made_at))),
        undone_at=None if undone_at is None else EpochMicros(int(str(undone_at))),
    )
