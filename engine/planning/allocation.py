"""The safe-harbor allocation as the user works with it: the snapshot as of January 1, 2025,
a proposal (harvest's suggestion, a global rule, or the user's own file), and recording it —
checked, all assets or none, once per asset (irrevocable: Rev. Proc. 2024-28 §4.02(6)).
The arithmetic is engine.ledger.allocation; this module ties it to the engine and the store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from engine.api import Engine
from engine.core.errors import InputError
from engine.core.units import Amount, DayOrdinal
from engine.imports.allocation_file import Request
from engine.ledger import allocation_record
from engine.ledger.allocation import (
    GLOBAL,
    SPECIFIC_UNIT,
    Allocation,
    AssetSnapshot,
    Rule,
    cut,
    global_allocation,
    problems,
    suggestion,
)
from engine.ledger.allocation_timing import timeliness
from engine.ledger.decisions import ALLOCATION


@dataclass(frozen=True)
class Proposal:
    """An allocation of one asset, with what is wrong with it (it cannot be recorded) and what
    would keep it from being timely."""

    allocation: Allocation
    snapshot: AssetSnapshot
    problems: tuple[str, ...]
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Recorded:
    allocation: Allocation
    held: dict[str, Amount]  # the units per account it was made for
    snapshot: AssetSnapshot | None  # the asset as the records show it now (None: no longer held)
    flags: tuple[str, ...]


def held_snapshots(engine: Engine, method: str | None = None) -> dict[str, AssetSnapshot]:
    """Every asset some account held on 2025-01-01, as of that date."""
    run = engine.transition_run(method)
    return {asset: snapshot for asset, snapshot in run.snapshots.items() if snapshot.held}


def _chosen(snapshots: dict[str, AssetSnapshot], assets: Sequence[str]) -> list[AssetSnapshot]:
    unknown = [asset for asset in assets if asset not in snapshots]
    if unknown:
        raise InputError(
            f"no units of {', '.join(unknown)} held on 2025-01-01 (see harvest transition snapshot)"
        )
    return [snapshots[asset] for asset in (assets or sorted(snapshots))]


def propose(
    engine: Engine,
    assets: Sequence[str] = (),
    rule: Rule | None = None,
    preferred: Sequence[str] = (),
    method: str | None = None,
) -> list[Proposal]:
    """harvest's suggestion (or the global `rule`) per asset, checked, timed as if made now."""
    proposals = []
    for snapshot in _chosen(held_snapshots(engine, method), assets):
        if rule is None:
            proposals.append(_checked(engine, suggestion(snapshot, preferred), snapshot))
            continue
        proposal = _checked(engine, global_allocation(snapshot, rule), snapshot)
        unnamed = sorted(name for name in snapshot.held if name not in rule.accounts)
        if unnamed:  # the rule, not harvest, must say where every account's basis comes from
            missing = (f"{snapshot.asset}: the rule names no turn for {', '.join(unnamed)}; a global rule allocates "
                       "to every account holding units (Rev. Proc. 2024-28 §5.02(2)(b))",)  # fmt: skip
            proposal = replace(proposal, problems=proposal.problems + missing)
        proposals.append(proposal)
    return proposals


def from_requests(engine: Engine, requests: Sequence[Request], method: str | None = None) -> list[Proposal]:
    """The user's own specific-unit allocation (engine.imports.allocation_file), per asset."""
    snapshots = held_snapshots(engine, method)
    by_asset: dict[str, list[Request]] = {}
    for request in requests:
        by_asset.setdefault(request.asset, []).append(request)
    proposals = []
    for snapshot in _chosen(snapshots, sorted(by_asset)):
        keys = {lot.key for lot in snapshot.unused}
        unknown = [f"line {r.line}: lot {r.lot} is not unused basis of {snapshot.asset} as of 2025-01-01"
                   for r in by_asset[snapshot.asset] if r.lot not in keys]  # fmt: skip
        if unknown:
            proposals.append(
                Proposal(Allocation(snapshot.asset, SPECIFIC_UNIT, ()), snapshot, tuple(unknown), ())
            )
            continue
        wanted = [(r.account, r.lot, int(r.quantity)) for r in by_asset[snapshot.asset]]
        try:
            slices = cut(snapshot.unused, wanted)
        except ValueError as exc:
            proposals.append(
                Proposal(Allocation(snapshot.asset, SPECIFIC_UNIT, ()), snapshot, (str(exc),), ())
            )
            continue
        proposals.append(_checked(engine, Allocation(snapshot.asset, SPECIFIC_UNIT, tuple(slices)), snapshot))
    return proposals


def _checked(engine: Engine, allocation: Allocation, snapshot: AssetSnapshot) -> Proposal:
    now = replace(allocation, recorded_at=engine.clock())
    flags = timeliness(now, snapshot, engine.calendar.day_function())
    return Proposal(allocation, snapshot, tuple(problems(snapshot, allocation.slices)), tuple(flags))


def record(
    engine: Engine,
    proposals: Sequence[Proposal],
    *,
    made_on: DayOrdinal | None = None,
    rule_written_on: DayOrdinal | None = None,
    reason: str = "",
) -> list[Recorded]:
    """Record every proposal, or none: InputError lists what stands in the way (constraints,
    an allocation already recorded for the asset, a global rule not naming every account)."""
    in_force = allocation_record.recorded(engine.store.decisions())
    today = engine.today()
    refused: list[str] = []
    if made_on is not None and made_on > today:
        refused.append("--made-on: a date in the future")
    if rule_written_on is not None and rule_written_on > today:
        refused.append("--rule-written-on: a date in the future")
    for proposal in proposals:
        asset = proposal.snapshot.asset
        if asset in in_force:
            refused.append(f"{asset}: an allocation is already recorded (decision {in_force[asset][0].decision_id}); "
                           "it is irrevocable (Rev. Proc. 2024-28 §4.02(6))")  # fmt: skip
        refused.extend(proposal.problems)
        if proposal.allocation.method == GLOBAL and rule_written_on is None:
            refused.append(
                f"{asset}: a global rule needs the date your books first held it (--rule-written-on)"
            )
    if refused:
        raise InputError("nothing recorded: " + "; ".join(refused))
    for proposal in proposals:
        allocation = replace(
            proposal.allocation,
            made_on=made_on,
            rule_written_on=rule_written_on if proposal.allocation.method == GLOBAL else None,
        )
        detail = allocation_record.to_detail(allocation, proposal.snapshot.held)
        engine.store.record_decision(ALLOCATION, proposal.snapshot.asset, detail, reason, engine.clock())
    engine.invalidate()
    assets = {proposal.snapshot.asset for proposal in proposals}
    return [item for item in recorded(engine) if item.allocation.asset in assets]


def recorded(engine: Engine, method: str | None = None) -> list[Recorded]:
    """The allocations in force, each with the asset as the records show it now and its flags."""
    snapshots = engine.transition_run(method).snapshots
    found = []
    day = engine.calendar.day_function()
    for asset, (allocation, held) in sorted(allocation_record.recorded(engine.store.decisions()).items()):
        snapshot = snapshots.get(asset)
        flags = timeliness(allocation, snapshot, day) if snapshot is not None else []
        found.append(Recorded(allocation, held, snapshot, tuple(flags)))
    return found
