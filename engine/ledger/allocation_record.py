"""A recorded allocation (engine.ledger.allocation) as the user's decision: kind `allocation`,
subject the asset, and the whole allocation in its detail — method, rule, the units each account
held and every slice with its basis — so the record alone is the document the taxpayer keeps,
whatever the history shows later. Amounts are exact decimal text."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.core import fixedpoint as fp
from engine.core.errors import InputError
from engine.core.units import Amount, DayOrdinal, EpochMicros
from engine.ledger.allocation import METHODS, Allocation, Rule, Slice
from engine.ledger.decisions import ALLOCATION, Decision

AS_OF = "2025-01-01"


def to_detail(allocation: Allocation, held: dict[str, Amount]) -> dict[str, object]:
    rule = allocation.rule
    return {
        "method": allocation.method,
        "as_of": AS_OF,
        "rule": None if rule is None else {"order": rule.order, "accounts": list(rule.accounts)},
        "made_on": _iso(allocation.made_on),
        "rule_written_on": _iso(allocation.rule_written_on),
        "held": {account: fp.fmt(quantity, 0) for account, quantity in sorted(held.items())},
        "slices": [
            [
                s.account,
                s.key,
                s.lot_id,
                fp.fmt(s.quantity, 0),
                None if s.basis is None else fp.fmt(s.basis, 0),
                s.acquired,
            ]
            for s in allocation.slices
        ],  # fmt: skip
    }


def from_decision(decision: Decision) -> tuple[Allocation, dict[str, Amount]]:
    """The allocation a decision records, and the units per account it was made for."""
    detail: dict[str, Any] = decision.detail
    rule = detail.get("rule")
    slices = tuple(
        Slice(str(account), str(key), str(lot_id), fp.parse(quantity),
              None if basis is None else fp.parse(basis), EpochMicros(int(acquired)))
        for account, key, lot_id, quantity, basis, acquired in detail["slices"]
    )  # fmt: skip
    allocation = Allocation(
        asset=decision.subject,
        method=str(detail["method"]),
        slices=slices,
        rule=None if not rule else Rule(str(rule["order"]), tuple(rule["accounts"])),
        made_on=_day(detail.get("made_on")),
        rule_written_on=_day(detail.get("rule_written_on")),
        recorded_at=decision.made_at,
        decision_id=decision.id,
        reason=decision.reason,
    )
    held = {str(account): fp.parse(text) for account, text in detail["held"].items()}
    return allocation, held


def recorded(decisions: list[Decision]) -> dict[str, tuple[Allocation, dict[str, Amount]]]:
    """The allocation in force per asset (the first recorded: an allocation is irrevocable)."""
    found: dict[str, tuple[Allocation, dict[str, Amount]]] = {}
    for decision in sorted(decisions, key=lambda d: d.id):
        usable = decision.kind == ALLOCATION and decision.active and decision.detail.get("method") in METHODS
        if usable and decision.subject not in found:
            found[decision.subject] = from_decision(decision)
    return found


def _iso(day: DayOrdinal | None) -> str | None:
    return None if day is None else date.fromordinal(day).isoformat()


def _day(text: object) -> DayOrdinal | None:
    return None if not text else DayOrdinal(date.fromisoformat(str(text)).toordinal())


def parse_day(text: str | None, name: str) -> DayOrdinal | None:
    """A date the user gives for a record (`--made-on`, `--rule-written-on`, the app's rule
    dialog): YYYY-MM-DD, None when blank; InputError naming `name` otherwise."""
    if text is None or not text.strip():
        return None
    try:
        return DayOrdinal(date.fromisoformat(text.strip()).toordinal())
    except ValueError:
        raise InputError(f"{name}: expected a date YYYY-MM-DD, got {text!r}") from None
