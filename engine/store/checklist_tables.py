"""The checklist's tables: plans, their steps, each step's history, and the specific
identifications recorded for them. The state machine that decides which moves are allowed lives
in engine.planning.checklist; this module only reads and writes what it decided, each change in
one short transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from engine.core.units import Amount, EpochMicros
from engine.store.connection import write_transaction
from engine.store.encoding import read_units, units_text


@dataclass(frozen=True)
class Step:
    """A saved plan step and where it stands."""

    id: int
    number: int
    account: str
    asset: str
    term: str
    quantity: Amount
    lots: str
    expected_proceeds: Amount
    cost_basis: Amount
    savings: Amount
    carryforward: Amount
    trading_cost: Amount
    rebuy: bool
    rebuy_wait_hours: int
    state: str
    identified_at: EpochMicros | None
    sold_at: EpochMicros | None
    sale_ref: str | None
    rebuy_after: EpochMicros | None
    rebought_at: EpochMicros | None
    rebuy_ref: str | None
    reason: str | None

    @property
    def loss(self) -> Amount:
        return Amount(self.expected_proceeds - self.cost_basis)


@dataclass(frozen=True)
class StepDraft:
    """A step about to be saved: what the plan says to sell, and whether a rebuy follows."""

    account: str
    asset: str
    term: str
    quantity: Amount
    lots: str  # the specific identification, LOT:QTY;LOT:QTY
    expected_proceeds: Amount
    cost_basis: Amount
    savings: Amount
    carryforward: Amount
    trading_cost: Amount
    rebuy: bool


class StepChanges(TypedDict, total=False):
    """The columns a move may set besides the state (the names are the steps table's)."""

    identified_at: EpochMicros
    sold_at: EpochMicros
    sale_ref: str
    rebuy_after: EpochMicros
    rebought_at: EpochMicros
    rebuy_ref: str
    reason: str


_STEP_COLUMNS = (
    "s.id, number, account, asset, term, quantity, lots, expected_proceeds, cost_basis, savings, carryforward, "
    "trading_cost, rebuy, rebuy_wait_hours, state, identified_at, sold_at, sale_ref, rebuy_after, rebought_at, "
    "rebuy_ref, reason"
)


class ChecklistTables:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def replace_plan(
        self,
        goal: str,
        tax_year: int,
        now: EpochMicros,
        steps: Sequence[tuple[int, StepDraft]],
        rebuy_wait_hours: int,
        state: str,
    ) -> int:
        """Make a new plan the active one (the old one stays, inactive) with these numbered steps."""
        conn = self.conn
        with write_transaction(conn):
            conn.execute("UPDATE plans SET active = 0 WHERE active = 1")
            plan_id = conn.execute(
                "INSERT INTO plans (created_at, goal, tax_year) VALUES (?, ?, ?)", (now, goal, tax_year)
            ).lastrowid
            assert plan_id is not None
            for number, draft in steps:
                self._insert(plan_id, number, draft, rebuy_wait_hours, state, now)
        return plan_id

    def append_step(
        self, draft: StepDraft, tax_year: int, now: EpochMicros, rebuy_wait_hours: int, state: str
    ) -> int:
        """Append one step to the active plan (creating a 'manual' plan if there is none); its number."""
        conn = self.conn
        with write_transaction(conn):
            row = conn.execute("SELECT id FROM plans WHERE active = 1").fetchone()
            if row is None:
                created = conn.execute(
                    "INSERT INTO plans (created_at, goal, tax_year) VALUES (?, 'manual', ?)", (now, tax_year)
                ).lastrowid
                assert created is not None
                plan_id: int = created
            else:
                plan_id = row[0]
            number = conn.execute(
                "SELECT coalesce(max(number), 0) + 1 FROM steps WHERE plan_id = ?", (plan_id,)
            ).fetchone()[0]
            self._insert(plan_id, number, draft, rebuy_wait_hours, state, now)
        return int(number)

    def delete_step(self, step_id: int, state: str) -> None:
        """Take a step out of its plan, if it is still in `state`."""
        with write_transaction(self.conn) as conn:
            conn.execute("DELETE FROM steps WHERE id = ? AND state = ?", (step_id, state))

    def _insert(
        self, plan_id: int, number: int, draft: StepDraft, rebuy_wait_hours: int, state: str, now: EpochMicros
    ) -> None:
        self.conn.execute(
            "INSERT INTO steps (plan_id, number, account, asset, term, quantity, lots, expected_proceeds, "
            "cost_basis, savings, carryforward, trading_cost, rebuy, rebuy_wait_hours, state, updated_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                plan_id,
                number,
                draft.account,
                draft.asset,
                draft.term,
                units_text(draft.quantity),
                draft.lots,
                units_text(draft.expected_proceeds),
                units_text(draft.cost_basis),
                units_text(draft.savings),
                units_text(draft.carryforward),
                units_text(draft.trading_cost),
                int(draft.rebuy),
                rebuy_wait_hours,
                state,
                now,
            ),
        )

    def steps(self) -> list[Step]:
        """The active plan's steps, by number."""
        rows = self.conn.execute(
            f"SELECT {_STEP_COLUMNS} FROM steps s JOIN plans p ON p.id = s.plan_id WHERE p.active = 1 ORDER BY number"
        ).fetchall()
        return [_step(row) for row in rows]

    def move(
        self,
        step: Step,
        target: str,
        now: EpochMicros,
        changes: StepChanges,
        note: str | None,
        *,
        record_identification: bool = False,
        sale_ref: str | None = None,
    ) -> bool:
        """Move a step to `target` with `changes`, logged in its history, only if it is still in
        the state it was read in (compare-and-set: a concurrent writer's move is never
        overwritten); False when it was not. `record_identification` records the step's lots as
        its specific identification; `sale_ref` links that identification to the sale."""
        conn = self.conn
        with write_transaction(conn):
            assignments = "".join(f", {column} = ?" for column in changes)
            cursor = conn.execute(
                f"UPDATE steps SET state = ?, updated_at = ?{assignments} WHERE id = ? AND state = ?",
                (target, now, *changes.values(), step.id, step.state),
            )
            if cursor.rowcount != 1:
                return False
            conn.execute(
                "INSERT INTO step_history (step_id, at, from_state, to_state, note) VALUES (?,?,?,?,?)",
                (step.id, now, step.state, target, note),
            )
            if record_identification:
                conn.execute(
                    "INSERT INTO identifications (account, asset, lots, quantity, recorded_at, source, step_id) "
                    "VALUES (?,?,?,?,?,?,?)",
                    (
                        step.account,
                        step.asset,
                        step.lots,
                        units_text(step.quantity),
                        now,
                        "checklist",
                        step.id,
                    ),
                )
            if sale_ref is not None:
                conn.execute(
                    "UPDATE identifications SET sale_ref = ? WHERE step_id = ? AND sale_ref IS NULL",
                    (sale_ref, step.id),
                )
        return True

    def link_sale(self, step: Step, sale_ref: str, sold_at: EpochMicros, now: EpochMicros) -> None:
        """Tie a sale that arrived after its step was marked sold by hand to the step and to its
        identification (the state stays; the lot matcher then honours the identification)."""
        with write_transaction(self.conn):
            _link_sale_sql(self.conn, step, sale_ref, sold_at, now)


def _link_sale_sql(
    conn: sqlite3.Connection, step: Step, sale_ref: str, sold_at: EpochMicros, now: EpochMicros
) -> None:
    conn.execute(
        "UPDATE steps SET sale_ref = ?, sold_at = coalesce(sold_at, ?), updated_at = ? WHERE id = ? AND sale_ref IS NULL",
        (sale_ref, sold_at, now, step.id),
    )
    conn.execute(
        "UPDATE identifications SET sale_ref = ? WHERE step_id = ? AND sale_ref IS NULL", (sale_ref, step.id)
    )
    conn.execute(
        "INSERT INTO step_history (step_id, at, from_state, to_state, note) VALUES (?,?,?,?,?)",
        (step.id, now, step.state, step.state, f"sale {sale_ref} linked to the identification"),
    )


def _step(r: Sequence[Any]) -> Step:
    """A row of _STEP_COLUMNS as a Step (amounts back to ints)."""
    return Step(
        id=r[0],
        number=r[1],
        account=r[2],
        asset=r[3],
        term=r[4],
        quantity=read_units(r[5]),
        lots=r[6],
        expected_proceeds=read_units(r[7]),
        cost_basis=read_units(r[8]),
        savings=read_units(r[9]),
        carryforward=read_units(r[10]),
        trading_cost=read_units(r[11]),
        rebuy=bool(r[12]),
        rebuy_wait_hours=r[13],
        state=r[14],
        identified_at=r[15],
        sold_at=r[16],
        sale_ref=r[17],
        rebuy_after=r[18],
        rebought_at=r[19],
        rebuy_ref=r[20],
        reason=r[21],
    )
