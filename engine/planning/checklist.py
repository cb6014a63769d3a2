"""The sell/rebuy checklist: a saved plan's steps and their states, persisted in the store.

    planned -> identified -> sold -> rebuy_due -> rebought -> done
    (any state before done) -> skipped | cancelled   (with a reason)

`identified` records the specific identification (lot ids and quantities) with its time, which
US rules require no later than the sale. A step with no rebuy (an NFT) is done once sold.
Trades imported or synced later that match a step move it on by themselves."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from engine.api import Engine
from engine.core import fixedpoint as fp
from engine.core.errors import InputError
from engine.planning.plans import Plan, PlanStep
from engine.store.store import write_transaction

PLANNED, IDENTIFIED, SOLD, REBUY_DUE, REBOUGHT, DONE = (
    "planned", "identified", "sold", "rebuy_due", "rebought", "done",
)  # fmt: skip
SKIPPED, CANCELLED = "skipped", "cancelled"
FLOW = (PLANNED, IDENTIFIED, SOLD, REBUY_DUE, REBOUGHT, DONE)
TERMINAL = (DONE, SKIPPED, CANCELLED)
# quantity tolerance when matching a trade to a step: exchanges round to their lot size
MATCH_TOLERANCE = fp.parse("0.001")  # 0.1 %


@dataclass(frozen=True)
class Step:
    id: int
    number: int
    account: str
    asset: str
    term: str
    quantity: int
    lots: str
    expected_proceeds: int
    cost_basis: int
    savings: int
    carryforward: int
    trading_cost: int
    rebuy: bool
    rebuy_wait_hours: int
    state: str
    identified_at: int | None
    sold_at: int | None
    sale_ref: str | None
    rebuy_after: int | None
    rebought_at: int | None
    rebuy_ref: str | None
    reason: str | None

    @property
    def loss(self) -> int:
        return self.expected_proceeds - self.cost_basis


def next_state(step: Step, now: int) -> str:
    """The state `advance` moves to, or InputError saying why it cannot."""
    if step.state in TERMINAL:
        raise InputError(f"step {step.number} is {step.state}; nothing to advance")
    if step.state == SOLD:
        if not step.rebuy:
            return DONE
        if step.rebuy_after is not None and now < step.rebuy_after:
            from engine.core.dates import iso_utc

            raise InputError(f"step {step.number}: the rebuy is not due until {iso_utc(step.rebuy_after)}")
        return REBUY_DUE
    return FLOW[FLOW.index(step.state) + 1]


class Checklist:
    """Reads and changes the active plan's steps; every change is one short transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def save(self, plan: Plan, tax_year: int, now: int, rebuy_wait_hours: int) -> int:
        conn = self.conn
        with write_transaction(conn):
            conn.execute("UPDATE plans SET active = 0 WHERE active = 1")
            plan_id = conn.execute(
                "INSERT INTO plans (created_at, goal, tax_year) VALUES (?, ?, ?)", (now, plan.goal, tax_year)
            ).lastrowid
            assert plan_id is not None
            for step in plan.steps:
                self._insert(plan_id, step.number, step, rebuy_wait_hours, now)
        assert plan_id is not None
        return plan_id

    def add(self, step: PlanStep, tax_year: int, now: int, rebuy_wait_hours: int) -> int:
        """Append one step to the active plan (creating it if there is none); its number."""
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
            self._insert(plan_id, number, step, rebuy_wait_hours, now)
        return int(number)

    def remove(self, number: int) -> None:
        """Take a step out of the plan; only while nothing has been done for it."""
        step = self.step(number)
        if step.state != PLANNED:
            raise InputError(f"step {number} is {step.state}; skip or cancel it instead")
        conn = self.conn
        with write_transaction(conn):
            conn.execute("DELETE FROM steps WHERE id = ? AND state = ?", (step.id, PLANNED))

    def _insert(self, plan_id: int, number: int, step: PlanStep, rebuy_wait_hours: int, now: int) -> None:
        self.conn.execute(
            "INSERT INTO steps (plan_id, number, account, asset, term, quantity, lots, expected_proceeds, "
            "cost_basis, savings, carryforward, trading_cost, rebuy, rebuy_wait_hours, state, updated_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                plan_id, number, step.account, step.asset, step.term, str(step.quantity), step.identification,
                str(step.expected_proceeds), str(step.cost_basis), str(step.savings_this_year),
                str(step.carryforward_created), str(step.trading_cost), int(step.rebuy_after is not None),
                rebuy_wait_hours, PLANNED, now,
            ),
        )  # fmt: skip

    def steps(self) -> list[Step]:
        rows = self.conn.execute(
            "SELECT s.id, number, account, asset, term, quantity, lots, expected_proceeds, cost_basis, savings, "
            "carryforward, trading_cost, rebuy, rebuy_wait_hours, state, identified_at, sold_at, sale_ref, "
            "rebuy_after, rebought_at, rebuy_ref, reason FROM steps s JOIN plans p ON p.id = s.plan_id "
            "WHERE p.active = 1 ORDER BY number"
        ).fetchall()
        return [
            Step(r[0], r[1], r[2], r[3], r[4], int(r[5]), r[6], int(r[7]), int(r[8]), int(r[9]), int(r[10]),
                 int(r[11]), bool(r[12]), *r[13:])
            for r in rows
        ]  # fmt: skip

    def step(self, number: int) -> Step:
        for step in self.steps():
            if step.number == number:
                return step
        raise InputError(f"no step {number} in the saved plan (see `harvest checklist show`)")

    def advance(self, number: int, now: int, note: str | None = None) -> Step:
        step = self.step(number)
        target = next_state(step, now)
        changes: dict[str, object] = {}
        if target == IDENTIFIED:
            changes["identified_at"] = now
        elif target == SOLD:
            changes["sold_at"] = now
            changes["rebuy_after"] = now + step.rebuy_wait_hours * 3_600_000_000
        elif target == REBOUGHT:
            changes["rebought_at"] = now
        self._move(step, target, now, changes, note)
        return self.step(number)

    def skip(self, number: int, reason: str, now: int, cancel: bool = False) -> Step:
        step = self.step(number)
        if not reason.strip():
            raise InputError("a reason is required to skip or cancel a step")
        if step.state in TERMINAL:
            raise InputError(f"step {number} is already {step.state}")
        self._move(step, CANCELLED if cancel else SKIPPED, now, {"reason": reason.strip()}, reason.strip())
        return self.step(number)

    def _move(self, step: Step, target: str, now: int, changes: dict[str, object], note: str | None) -> None:
        conn = self.conn
        with write_transaction(conn):
            # compare-and-set on the state: a concurrent writer's transition is never overwritten
            assignments = ", ".join(f"{column} = ?" for column in changes)
            cursor = conn.execute(
                f"UPDATE steps SET state = ?, updated_at = ?{', ' + assignments if assignments else ''} "
                "WHERE id = ? AND state = ?",
                (target, now, *changes.values(), step.id, step.state),
            )
            if cursor.rowcount != 1:
                raise InputError(f"step {step.number} changed meanwhile; look again")
            conn.execute(
                "INSERT INTO step_history (step_id, at, from_state, to_state, note) VALUES (?,?,?,?,?)",
                (step.id, now, step.state, target, note),
            )
            if target == IDENTIFIED:
                conn.execute(
                    "INSERT INTO identifications (account, asset, lots, quantity, recorded_at, source, step_id) "
                    "VALUES (?,?,?,?,?,?,?)",
                    (step.account, step.asset, step.lots, str(step.quantity), now, "checklist", step.id),
                )
            if target == SOLD and "sale_ref" in changes:
                conn.execute(
                    "UPDATE identifications SET sale_ref = ? WHERE step_id = ? AND sale_ref IS NULL",
                    (changes["sale_ref"], step.id),
                )

    def reconcile(self, trades: list[tuple[str, str, str, int, int, str]], now: int) -> list[str]:
        """Advance steps that imported trades satisfy. `trades` are (account, asset, side,
        quantity, timestamp, ref) sorted by time; returns what changed, as sentences."""
        changed: list[str] = []
        used: set[str] = set()
        for step in self.steps():
            if step.state == IDENTIFIED and step.identified_at is not None:
                match = _find(trades, step, ("sell", "spend"), step.identified_at, used)
                if match:
                    used.add(match[5])
                    self._move(step, SOLD, now, {"sold_at": match[4], "sale_ref": match[5],
                               "rebuy_after": match[4] + step.rebuy_wait_hours * 3_600_000_000}, f"trade {match[5]}")  # fmt: skip
                    changed.append(f"step {step.number}: sold ({match[5]})")
                    step = self.step(step.number)
            if step.state == SOLD and not step.rebuy:
                self._move(step, DONE, now, {}, "no rebuy for this asset")
                changed.append(f"step {step.number}: done")
                continue
            if step.state == SOLD and step.rebuy_after is not None and now >= step.rebuy_after:
                self._move(step, REBUY_DUE, now, {}, "rebuy time reached")
                changed.append(f"step {step.number}: rebuy due")
                step = self.step(step.number)
            if step.state in (SOLD, REBUY_DUE) and step.sold_at is not None:
                match = _find(trades, step, ("buy",), step.sold_at, used)
                if match:
                    used.add(match[5])
                    if step.state == SOLD:
                        self._move(step, REBUY_DUE, now, {}, "rebuy seen")
                        step = self.step(step.number)
                    self._move(
                        step,
                        REBOUGHT,
                        now,
                        {"rebought_at": match[4], "rebuy_ref": match[5]},
                        f"trade {match[5]}",
                    )
                    step = self.step(step.number)
                    self._move(step, DONE, now, {}, "rebought")
                    changed.append(f"step {step.number}: rebought ({match[5]}), done")
        return changed


def _find(
    trades: list[tuple[str, str, str, int, int, str]],
    step: Step,
    sides: tuple[str, ...],
    after: int,
    used: set[str],
) -> tuple[str, str, str, int, int, str] | None:
    tolerance = fp.mul(step.quantity, MATCH_TOLERANCE)
    for trade in trades:
        account, asset, side, quantity, ts, ref = trade
        if (
            account == step.account and asset == step.asset and side in sides and ts >= after
            and abs(quantity - step.quantity) <= tolerance and ref not in used
        ):  # fmt: skip
            return trade
    return None


def reconcile_checklist(engine: Engine) -> list[str]:
    """Let trades recorded since the plan's identifications (or sales) advance its steps. Runs
    after every import and sync, whoever runs it; returns what changed, as sentences."""
    checklist = Checklist(engine.store.conn)
    pending = [s.identified_at or s.sold_at for s in checklist.steps() if s.identified_at or s.sold_at]
    if not pending:
        return []
    return checklist.reconcile(
        engine.store.trades_since(min(t for t in pending if t is not None)), engine.clock()
    )
