"""The problems list: every data problem with the account, asset, date and amount of the record
at fault, why it matters, what it blocks in dollars, and the decisions that resolve it. This is
the engine's API for `harvest review` and for the app's Problems screen (plain Python, called
from a worker thread):

    review = find_review(planner, prices)   # prices: {asset: USD} or None (dollars unknown)
    review.problems       # open problems, the largest blocked savings first
    review.ignored        # ignored ones (shown with --all), not counted
    review.blocked_total  # savings held back over the distinct positions blocked
    problem.id / .label / .account / .asset / .timestamp / .quantity / .why / .blocked
    problem.actions       # guide.Action: verb, the command, its effect, whether it lifts the gate
    problem.other_ends    # for a transfer: the records that could be its other end, with confidence

Decisions are recorded by engine.review.actions (pair, unpair, classify, own_address, price,
alias, ignore, undo); after one, `planner.refresh()` and a new find_review show the list as it now is.

What a problem blocks is what the planner would offer for the positions it holds back if the
gate let them through: one scan at these prices with the gate open (the same walk and savings
model as `harvest scan`), each blocked position's candidates summed (positive net savings only).
Unknown — never zero — when the asset has no price or the position has no lot of known basis;
`partial` when some of its lots have unknown basis (those are not counted)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from engine.core.units import ZERO, Amount, EpochMicros
from engine.ledger.decided import normal_address
from engine.ledger.decisions import Decision
from engine.ledger.records import MoveLeg
from engine.ledger.transfers import Suggester
from engine.planning.alias_problems import alias_of
from engine.planning.data_problems import DataProblem
from engine.planning.migration_problems import migration_of
from engine.planning.planner import Planner
from engine.planning.scan import scan
from engine.review import ids
from engine.review.guide import LABELS, WHY, Action, actions_for

Position = tuple[str, str]  # (account, asset)


@dataclass(frozen=True)
class Blocked:
    """Harvest net savings a problem holds back: `amount` None when it cannot be known."""

    amount: Amount | None
    partial: bool = False  # lots of unknown basis in the position were not counted
    unknown_because: str = ""  # no current price, no lot of known basis, no prices at all


@dataclass(frozen=True)
class OtherEnd:
    """A record that could be the other end of an unpaired transfer."""

    id: str  # its short record id
    record: str  # natural key (empty when the store has none for it)
    account: str
    asset: str
    timestamp: EpochMicros
    quantity: Amount
    ref: str
    confidence: str  # engine.ledger.transfers: AMBIGUOUS or LOW


@dataclass(frozen=True)
class Problem:
    id: str  # short, stable: what `ignore` and the screen name
    key: str  # the stable key an IGNORE decision records
    kind: str  # engine.planning.data_problems KINDS
    label: str
    account: str
    asset: str
    timestamp: EpochMicros | None
    quantity: Amount | None
    ref: str  # the record's id in reports (trade id or E<n>)
    record: str | None  # the record's natural key (what pair and classify name)
    record_id: str | None  # its short id
    address: str | None  # the address the record names, if any
    reason: str
    why: str
    blocks: tuple[Position, ...]
    blocked: Blocked | None  # None: it holds back no position
    actions: tuple[Action, ...]
    other_ends: tuple[OtherEnd, ...] = ()
    ignored: Decision | None = None


@dataclass(frozen=True)
class Review:
    problems: list[Problem]
    ignored: list[Problem]
    blocked_total: Amount  # over the distinct positions held back whose savings are known
    unknown_positions: int  # positions held back whose savings cannot be known
    priced: bool  # prices were given


def find_review(planner: Planner, prices: dict[str, Amount] | None = None) -> Review:
    context = planner.context
    found = context.problems
    result = context.lots
    savings = _blocked_savings(planner, prices, {pool for p in found if p.gates for pool in p.blocks})
    suggester = Suggester(result.pairing)
    ends = {p.leg: suggester.for_leg(p.leg) for p in found if p.leg is not None}
    end_names = [
        (s.leg.account, s.leg.timestamp, s.leg.ref) for found_ends in ends.values() for s in found_ends
    ]
    end_keys = planner.engine.store.natural_keys(end_names)
    addresses = _addresses(planner, found)
    shown = ids.abbreviations(
        [p.key for p in found] + [p.record for p in found if p.record] + list(end_keys.values())
    )
    problems: list[Problem] = []
    for data in found:
        other = tuple(
            _other_end(
                s.leg, s.confidence, end_keys.get((s.leg.account, s.leg.timestamp, s.leg.ref), ""), shown
            )
            for s in (ends.get(data.leg, []) if data.leg is not None else [])
        )
        problems.append(_problem(data, shown, other, addresses.get(data.record or ""), savings))
    problems.sort(key=_order)
    open_ = [p for p in problems if p.ignored is None]
    held = {pool for p in open_ if p.blocked is not None for pool in p.blocks}
    known = [savings[pool] for pool in held]
    return Review(
        problems=open_,
        ignored=[p for p in problems if p.ignored is not None],
        blocked_total=Amount(sum(b.amount for b in known if b.amount is not None)),
        unknown_positions=sum(1 for b in known if b.amount is None),
        priced=prices is not None,
    )


def _problem(data: DataProblem, shown: dict[str, str], other: tuple[OtherEnd, ...], address: str | None,
             savings: dict[Position, Blocked]) -> Problem:  # fmt: skip
    problem_id = shown[data.key]
    record_id = shown.get(data.record) if data.record else None
    blocked = _sum([savings[pool] for pool in data.blocks if pool in savings]) if data.gates else None
    actions = actions_for(
        data.kind, problem_id, [o.id for o in other], address, alias_of(data.kind, data.key),
        migration_of(data.kind, data.key),
    )  # fmt: skip
    return Problem(
        id=problem_id, key=data.key, kind=data.kind, label=LABELS[data.kind], account=data.account,
        asset=data.asset, timestamp=data.timestamp, quantity=data.quantity, ref=data.ref, record=data.record,
        record_id=record_id, address=address, reason=data.reason, why=WHY[data.kind], blocks=data.blocks,
        blocked=blocked, actions=tuple(actions), other_ends=other, ignored=data.ignored,
    )  # fmt: skip


def _other_end(leg: MoveLeg, confidence: str, record: str, shown: dict[str, str]) -> OtherEnd:
    return OtherEnd(shown.get(record, ""), record, leg.account, leg.asset, leg.timestamp, leg.quantity, leg.ref,
                    confidence)  # fmt: skip


def _order(problem: Problem) -> tuple[int, int, int, str]:
    """Largest blocked first; then unknown amounts (they may be large), then nothing blocked."""
    blocked = problem.blocked
    if blocked is None:
        group, amount = 3, 0
    elif blocked.amount is None:
        group, amount = 1, 0
    else:
        group, amount = (0 if blocked.amount > 0 else 2), -blocked.amount
    return group, amount, problem.timestamp or 0, problem.key


def _sum(parts: list[Blocked]) -> Blocked:
    unknown = [b for b in parts if b.amount is None]
    if unknown:
        return unknown[0]
    return Blocked(Amount(sum(b.amount or 0 for b in parts)), any(b.partial for b in parts))


def _blocked_savings(
    planner: Planner, prices: dict[str, Amount] | None, held: set[Position]
) -> dict[Position, Blocked]:
    """Per position the gate holds back: what the planner would offer for it with the gate open."""
    if not held:
        return {}
    if prices is None:
        return {pool: Blocked(None, False, "no prices") for pool in held}
    context = planner.context
    tick = scan(replace(context, quality={}), prices)
    offered: dict[Position, int] = {}
    for candidate in tick.candidates:
        if candidate.net_savings > 0:
            pool = (candidate.account, candidate.asset)
            offered[pool] = offered.get(pool, 0) + candidate.net_savings
    known_lots = {(t.account, t.asset): t for t in context.totals}
    savings: dict[Position, Blocked] = {}
    for pool in held:
        total = known_lots.get(pool)
        if total is None:  # nothing held there now: nothing to harvest
            savings[pool] = Blocked(ZERO)
        elif pool[1] not in prices:
            savings[pool] = Blocked(None, False, f"no current price for {pool[1]}")
        elif total.unknown_basis_quantity >= total.quantity:
            savings[pool] = Blocked(None, False, "no lot of known basis")
        else:
            savings[pool] = Blocked(Amount(offered.get(pool, ZERO)), total.unknown_basis_quantity > 0)
    return savings


def _addresses(planner: Planner, found: list[DataProblem]) -> dict[str, str]:
    """The addresses the problems' transfer records name (for the own-address action)."""
    wanted = {p.record for p in found if p.record and p.leg is not None}
    if not wanted:
        return {}
    records = planner.engine.store.records(wanted)
    return {r.key: normal_address(r.event.address) for r in records if r.event.address}
