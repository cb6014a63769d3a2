"""The sell/rebuy checklist: a saved plan's steps and their states, persisted in the store.

    planned -> identified -> sold -> rebuy_due -> rebought -> done
    planned | identified -> skipped | cancelled   (with a reason)
    sold | rebuy_due -> done                      (skipping or cancelling the rebuy, with a reason)

`identified` records the specific identification (lot ids and quantities) with its time, which
US rules require no later than the sale. A step with no rebuy (an NFT) is done once sold. Once
sold, the sale happened: skipping the step skips only its rebuy, and the step keeps its sale and
identification (tax records). Trades imported or synced later that match a step move it on by
themselves."""

from __future__ import annotations

import sqlite3
from datetime import UTC, tzinfo

from engine.api import Engine
from engine.core import fixedpoint as fp
from engine.core.dates import time_words
from engine.core.errors import InputError
from engine.core.units import EpochMicros, hours_after
from engine.planning.plans import Plan, PlanStep
from engine.store.checklist_tables import ChecklistTables, StepChanges, StepDraft
from engine.store.checklist_tables import Step as Step  # callers import the step record from here
from engine.store.store import Trade

PLANNED, IDENTIFIED, SOLD, REBUY_DUE = "planned", "identified", "sold", "rebuy_due"
REBOUGHT, DONE, SKIPPED, CANCELLED = "rebought", "done", "skipped", "cancelled"
FLOW = (PLANNED, IDENTIFIED, SOLD, REBUY_DUE, REBOUGHT, DONE)
TERMINAL = (DONE, SKIPPED, CANCELLED)
LINKABLE = (SOLD, REBUY_DUE, REBOUGHT, DONE)  # past the sale; a late-arriving sale is linked to them
REBUY_PENDING = (SOLD, REBUY_DUE)  # sold, not rebought: skipping such a step skips the rebuy
# quantity tolerance when matching a trade to a step: exchanges round to their lot size
MATCH_TOLERANCE = fp.parse("0.001")  # 0.1 %


def state_words(state: str) -> str:
    """A state as people write it: `rebuy due`, not `rebuy_due` (machine formats keep the id)."""
    return state.replace("_", " ")


def next_state(step: Step, now: EpochMicros, zone: tzinfo = UTC) -> str:
    """The state `advance` moves to, or InputError saying why it cannot (times in `zone`)."""
    if step.state in TERMINAL:
        raise InputError(f"step {step.number} is {state_words(step.state)}; nothing to advance")
    if step.state == SOLD:
        if not step.rebuy:
            return DONE
        if step.rebuy_after is not None and now < step.rebuy_after:
            due = time_words(step.rebuy_after, zone, now)
            raise InputError(f"step {step.number}: the rebuy is not due until {due}")
        return REBUY_DUE
    return FLOW[FLOW.index(step.state) + 1]


def skip_target(step: Step, cancel: bool = False) -> str:
    """The state `skip` (or `cancel`) moves to, or InputError saying why it cannot. Before the
    sale: skipped (cancelled). Once sold the sale happened and stays: the rebuy is what is
    skipped, and the step is done."""
    if step.state in TERMINAL:
        raise InputError(f"step {step.number} is already {state_words(step.state)}")
    if step.state == REBOUGHT:
        raise InputError(f"step {step.number} is rebought: nothing left to skip; advance it to done")
    if step.state in REBUY_PENDING:
        return DONE
    return CANCELLED if cancel else SKIPPED


def _draft(step: PlanStep) -> StepDraft:
    return StepDraft(
        account=step.account,
        asset=step.asset,
        term=step.term,
        quantity=step.quantity,
        lots=step.identification,
        expected_proceeds=step.expected_proceeds,
        cost_basis=step.cost_basis,
        savings=step.savings_this_year,
        carryforward=step.carryforward_created,
        trading_cost=step.trading_cost,
        rebuy=step.rebuy_after is not None,
    )


class Checklist:
    """Reads and changes the active plan's steps; every change is one short transaction."""

    def __init__(self, conn: sqlite3.Connection, zone: tzinfo = UTC) -> None:
        self.conn = conn
        self.tables = ChecklistTables(conn)
        self.zone = zone  # the tax time zone: times in messages are written in it

    def save(
        self, plan: Plan, tax_year: int, now: EpochMicros, rebuy_wait_hours: int, *, replace: bool = False
    ) -> int:
        """Store `plan` as the checklist, replacing the saved one. A saved plan whose steps went
        past `planned` holds identifications (tax records tied to sales) and sales: it is only
        replaced when `replace` says the user has seen that."""
        acted = [s for s in self.steps() if s.state not in (PLANNED, SKIPPED, CANCELLED)]
        if acted and not replace:
            listed = ", ".join(f"{s.number} ({state_words(s.state)})" for s in acted)
            raise InputError(
                f"the saved plan has steps already acted on: {listed}; replacing it would leave their "
                "identifications without a step. Finish or cancel them, or pass --replace"
            )
        steps = [(step.number, _draft(step)) for step in plan.steps]
        return self.tables.replace_plan(plan.goal, tax_year, now, steps, rebuy_wait_hours, PLANNED)

    def add(self, step: PlanStep, tax_year: int, now: EpochMicros, rebuy_wait_hours: int) -> int:
        """Append one step to the active plan (creating it if there is none); its number."""
        return self.tables.append_step(_draft(step), tax_year, now, rebuy_wait_hours, PLANNED)

    def remove(self, number: int) -> None:
        """Take a step out of the plan; only while nothing has been done for it."""
        step = self.step(number)
        if step.state != PLANNED:
            raise InputError(f"step {number} is {state_words(step.state)}; skip or cancel it instead")
        self.tables.delete_step(step.id, PLANNED)

    def open_step(self, account: str, asset: str, term: str) -> Step | None:
        """The position's step still under way, if any. Done, skipped and cancelled steps are
        history: planning the position again adds a new step beside them."""
        for step in self.steps():
            if (step.account, step.asset, step.term) == (account, asset, term) and step.state not in TERMINAL:
                return step
        return None

    def _as_seen(self, number: int, seen: Step | None) -> Step:
        step = self.step(number)
        if seen is not None and (step.id, step.state) != (seen.id, seen.state):
            now_is = "a step of a newer plan" if step.id != seen.id else f"now {state_words(step.state)}"
            raise InputError(f"step {number} changed since it was shown ({now_is}); nothing done, look again")
        return step

    def steps(self) -> list[Step]:
        return self.tables.steps()

    def step(self, number: int) -> Step:
        for step in self.steps():
            if step.number == number:
                return step
        raise InputError(f"no step {number} in the saved plan (see `harvest checklist show`)")

    def advance(
        self, number: int, now: EpochMicros, note: str | None = None, *, seen: Step | None = None
    ) -> Step:
        """Move step `number` to its next state. `seen`: the step as the user confirmed it; the
        move happens only if it is still that step in that state (another window or the CLI may
        have moved it, or saved a new plan, meanwhile)."""
        step = self._as_seen(number, seen)
        target = next_state(step, now, self.zone)
        changes: StepChanges = {}
        if target == IDENTIFIED:
            changes["identified_at"] = now
        elif target == SOLD:
            changes["sold_at"] = now
            changes["rebuy_after"] = hours_after(now, step.rebuy_wait_hours)
        elif target == REBOUGHT:
            changes["rebought_at"] = now
        self._move(step, target, now, changes, note)
        return self.step(number)

    def skip(
        self, number: int, reason: str, now: EpochMicros, cancel: bool = False, *, seen: Step | None = None
    ) -> Step:
        """Skip (or cancel) step `number`, with a reason. A sold step keeps its sale, the sale's
        link and its identification: only the rebuy is skipped, and the step is done."""
        step = self._as_seen(number, seen)
        if not reason.strip():
            raise InputError("a reason is required to skip or cancel a step")
        target = skip_target(step, cancel)
        why = reason.strip()
        if target == DONE:
            why = f"rebuy {'cancelled' if cancel else 'skipped'}: {why}"
        self._move(step, target, now, {"reason": why}, why)
        return self.step(number)

    def _move(
        self, step: Step, target: str, now: EpochMicros, changes: StepChanges, note: str | None
    ) -> None:
        """Move a step on. Reaching `identified` records its lots as the specific identification;
        a sale matched on reaching `sold` is linked to that identification."""
        moved = self.tables.move(
            step,
            target,
            now,
            changes,
            note,
            record_identification=target == IDENTIFIED,
            sale_ref=changes.get("sale_ref") if target == SOLD else None,
        )
        if not moved:
            raise InputError(f"step {step.number} changed meanwhile; look again")

    def reconcile(self, trades: list[Trade], now: EpochMicros) -> list[str]:
        """Advance steps that imported trades satisfy (`trades` sorted by time); returns what
        changed, as sentences."""
        changed: list[str] = []
        used: set[str] = set()
        for step in self.steps():
            if (
                step.state in LINKABLE
                and step.identified_at is not None
                and step.sale_ref is None
                and (sale := _find(trades, step, ("sell", "spend"), step.identified_at, used))
            ):
                # marked sold by hand before the sale arrived: the sale still uses the identification
                used.add(sale.ref)
                self.tables.link_sale(step, sale.ref, sale.timestamp, now)
                changed.append(f"step {step.number}: sale {sale.ref} linked to its identification")
                step = self.step(step.number)
            if step.state == IDENTIFIED and step.identified_at is not None:
                sale = _find(trades, step, ("sell", "spend"), step.identified_at, used)
                if sale:
                    used.add(sale.ref)
                    self._move(
                        step,
                        SOLD,
                        now,
                        {
                            "sold_at": sale.timestamp,
                            "sale_ref": sale.ref,
                            "rebuy_after": hours_after(sale.timestamp, step.rebuy_wait_hours),
                        },
                        f"trade {sale.ref}",
                    )
                    changed.append(f"step {step.number}: sold ({sale.ref})")
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
                rebuy = _find(trades, step, ("buy",), step.sold_at, used)
                if rebuy:
                    used.add(rebuy.ref)
                    if step.state == SOLD:
                        self._move(step, REBUY_DUE, now, {}, "rebuy seen")
                        step = self.step(step.number)
                    self._move(
                        step,
                        REBOUGHT,
                        now,
                        {"rebought_at": rebuy.timestamp, "rebuy_ref": rebuy.ref},
                        f"trade {rebuy.ref}",
                    )
                    step = self.step(step.number)
                    self._move(step, DONE, now, {}, "rebought")
                    changed.append(f"step {step.number}: rebought ({rebuy.ref}), done")
        return changed


def _find(
    trades: list[Trade], step: Step, sides: tuple[str, ...], after: EpochMicros, used: set[str]
) -> Trade | None:
    """The first unused trade on the step's account and asset, of one of `sides`, at or after
    `after`, whose quantity is the step's within MATCH_TOLERANCE."""
    tolerance = fp.mul(step.quantity, MATCH_TOLERANCE)
    for trade in trades:
        if (
            trade.account == step.account
            and trade.asset == step.asset
            and trade.side in sides
            and trade.timestamp >= after
            and abs(trade.quantity - step.quantity) <= tolerance
            and trade.ref not in used
        ):
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
