"""A checklist step in words, for the app: what comes next (the `when` column) and what a
confirmation asks — naming the state the step moves to. Times are in the tax zone."""

from __future__ import annotations

from datetime import tzinfo

from engine.core.units import MICROS_PER_SECOND, EpochMicros
from engine.planning.checklist import DONE, IDENTIFIED, PLANNED, REBOUGHT, REBUY_DUE, SOLD, Step, state_words
from tui import format as fmt


def step_when(step: Step, now: EpochMicros, zone: tzinfo) -> str:
    """`identified Nov 30 10:12`, `sold Nov 30 10:15, rebuy in 23h`, a skip's reason…"""
    if step.state == PLANNED:
        return (
            f"identify, sell, then rebuy {step.rebuy_wait_hours}h later"
            if step.rebuy
            else "identify, sell (no rebuy)"
        )
    if step.reason:  # skipped, cancelled, or done without its rebuy: the why is what matters
        return step.reason
    if step.state in (SOLD, REBUY_DUE) and step.sold_at is not None:
        sold = f"sold {fmt.moment(step.sold_at, zone, now)}"
        if not step.rebuy or step.rebuy_after is None:
            return sold
        return f"{sold}, rebuy {fmt.due_in((step.rebuy_after - now) // MICROS_PER_SECOND)}"
    for verb, at in (
        ("rebought", step.rebought_at),
        ("sold", step.sold_at),
        ("identified", step.identified_at),
    ):
        if at is not None:
            return f"{verb} {fmt.moment(at, zone, now)}"
    return ""


def _sale(step: Step) -> str:
    return f"{fmt.exact_qty(step.quantity)} {step.asset} on {step.account}"


def advance_question(step: Step, target: str, notice: str | None = None) -> str:
    """The confirmation for moving `step` on to `target` (what `next_state` said it would be);
    `notice`: where an identification made now must go (engine.planning.broker_notice)."""
    n = step.number
    ask = {
        IDENTIFIED: f"Record the identification of lots {step.lots} for selling {_sale(step)}, now, before the sale?",
        SOLD: f"Mark step {n} sold ({_sale(step)}, sold now)?",
        REBUY_DUE: f"Mark the rebuy of {_sale(step)} due (step {n})?",
        REBOUGHT: f"Record the rebuy of {_sale(step)}, now (step {n})?",
        DONE: f"Mark step {n} done" + ("?" if step.rebuy else f" ({step.asset} has no rebuy)?"),
    }[target]
    if notice and target == IDENTIFIED:
        ask = f"{ask}\n{notice}"
    return f"{ask}\nstep {n}: {state_words(step.state)} → {state_words(target)}"


def skip_question(step: Step, target: str, cancel: bool) -> str:
    """The reason dialog's question for skipping (or cancelling) `step`, naming where it goes."""
    verb = "Cancel" if cancel else "Skip"
    if target == DONE:  # sold already: the sale stays, only the rebuy is dropped
        ask = f"{verb} the rebuy of step {step.number} ({_sale(step)}); the sale stays recorded. Why?"
    else:
        ask = f"{verb} step {step.number} (sell {_sale(step)}): why?"
    return f"{ask}\nstep {step.number}: {state_words(step.state)} → {state_words(target)}"
