"""Recording the 2025 allocation from the app, as plain Python (the screens call it; the engine
parts under the session's lock): harvest's suggestion edited lot by lot (a lot, or part of one,
moved to another account, the constraints checked at each move), or a global rule. Both end as a
`Pending` — the proposals engine.planning.allocation would record and the confirmation that says
what and with which timeliness flags — recorded by the same `record` as `harvest transition
record`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from engine.api import Engine
from engine.core import fixedpoint as fp
from engine.core.errors import InputError
from engine.core.units import Amount, DayOrdinal
from engine.imports.allocation_file import Request
from engine.ledger.allocation import AssetSnapshot, Slice, cut, problems, rule_from_text
from engine.ledger.allocation_record import parse_day
from engine.ledger.allocation_timing import timeliness
from engine.planning.allocation import Proposal, from_requests, propose, record, recorded

IRREVOCABLE = "It is irrevocable (Rev. Proc. 2024-28 §4.02(6))."


@dataclass(frozen=True)
class Pending:
    proposals: list[Proposal]
    rule_written_on: DayOrdinal | None
    reason: str
    question: str  # the confirmation: what will be recorded, and the flags it gets


class EditedAllocation:
    """One asset's allocation being edited: (account, lot key, units) pieces, one per account and
    lot, starting from harvest's suggestion. Moves keep every lot's total, so only the units per
    account can go wrong: `problems` says how (engine.ledger.allocation.problems)."""

    def __init__(self, snapshot: AssetSnapshot, slices: tuple[Slice, ...]) -> None:
        self.snapshot = snapshot
        self.pieces = sorted((s.account, s.key, int(s.quantity)) for s in slices)  # by account, then lot

    @property
    def accounts(self) -> list[str]:
        return sorted(self.snapshot.held)

    @property
    def slices(self) -> list[Slice]:
        return cut(self.snapshot.unused, self.pieces)

    def move(self, index: int, to: str, units: str) -> str:
        """Move `units` (blank: all) of piece `index` to account `to`; ValueError saying why not."""
        account, key, quantity = self.pieces[index]
        try:
            moved = quantity if not units.strip() else fp.parse(units.strip().replace(",", ""))
        except ValueError as exc:
            raise ValueError(f"units: {exc}") from None
        if not 0 < moved <= quantity:
            raise ValueError(f"units: between 0 and {fp.fmt(quantity, 0)} (the slice's), got {units.strip()}")
        if to == account:
            raise ValueError(f"lot {key} is already allocated to {to}")
        self.pieces[index] = (account, key, quantity - moved)
        same = next((i for i, (a, k, _) in enumerate(self.pieces) if (a, k) == (to, key)), None)
        if same is None:
            self.pieces.append((to, key, moved))
        else:
            self.pieces[same] = (to, key, self.pieces[same][2] + moved)
        self.pieces = sorted((p for p in self.pieces if p[2]), key=lambda p: (p[0], p[1]))
        return f"moved {fp.fmt(Amount(moved), 0)} of lot {key} from {account} to {to}"

    def problems(self) -> list[str]:
        return problems(self.snapshot, self.slices)

    def per_account(self) -> list[tuple[str, Amount, Amount]]:
        """(account, units held on 2025-01-01, units of basis allocated to it)."""
        given: dict[str, int] = {}
        for account, _, quantity in self.pieces:
            given[account] = given.get(account, 0) + quantity
        names = sorted(set(given) | set(self.snapshot.held))
        return [(name, self.snapshot.held.get(name, Amount(0)), Amount(given.get(name, 0))) for name in names]

    def requests(self) -> list[Request]:
        return [Request(line, account, self.snapshot.asset, key, Amount(quantity))
                for line, (account, key, quantity) in enumerate(self.pieces, 1)]  # fmt: skip


def edited_pending(engine: Engine, edited: EditedAllocation) -> Pending:
    """The edited allocation checked by the engine (as a `--file` would be); InputError when it
    cannot be recorded."""
    (proposal,) = from_requests(engine, edited.requests())
    if proposal.problems:
        raise InputError("cannot be recorded: " + "; ".join(proposal.problems))
    accounts = ", ".join(f"{account} {fp.fmt(got, 0)}" for account, _, got in edited.per_account())
    question = (f"Record your specific-unit allocation of {edited.snapshot.asset} ({len(proposal.allocation.slices)} "
                f"slice(s): {accounts})? {IRREVOCABLE}\n{_flags([proposal])}")  # fmt: skip
    return Pending([proposal], None, "edited in the app", question)


def rule_pending(engine: Engine, order: str, accounts: str, written_on: str) -> Pending:
    """A global rule for every asset without a recorded allocation; InputError when it cannot be
    recorded (a bad date, an account holding units the rule does not name, …)."""
    done = {item.allocation.asset for item in recorded(engine)}
    assets = [asset for asset in held_assets(engine) if asset not in done]
    if not assets:
        raise InputError("every asset held on 2025-01-01 already has its allocation recorded")
    try:
        rule = rule_from_text(order, accounts)
    except ValueError as exc:
        raise InputError(f"accounts: {exc}") from None
    written = parse_day(written_on, "rule written on")
    if written is None:
        raise InputError("rule written on: the date your books first held the rule (YYYY-MM-DD)")
    if written > engine.today():
        raise InputError("rule written on: a date in the future")
    proposals = propose(engine, assets, rule)
    refused = [problem for proposal in proposals for problem in proposal.problems]
    if refused:
        raise InputError("cannot be recorded: " + "; ".join(refused))
    now, day = engine.clock(), engine.calendar.day_function()
    proposals = [  # timed with the rule's date, as the record will be
        replace(p, flags=tuple(timeliness(replace(p.allocation, rule_written_on=written, recorded_at=now),
                                          p.snapshot, day)))
        for p in proposals
    ]  # fmt: skip
    question = (f"Record a global allocation rule for {', '.join(assets)}: {rule.words()}; in your books since "
                f"{date.fromordinal(written).isoformat()}? {IRREVOCABLE}\n{_flags(proposals)}")  # fmt: skip
    return Pending(proposals, written, "global rule recorded in the app", question)


def held_assets(engine: Engine) -> list[str]:
    return sorted(proposal.snapshot.asset for proposal in propose(engine))


def _flags(proposals: list[Proposal]) -> str:
    lines = [
        f"{p.snapshot.asset}, if recorded now: {'; '.join(p.flags) if p.flags else 'timely'}"
        for p in proposals
    ]
    return "\n".join(lines)


def record_pending(engine: Engine, pending: Pending) -> str:
    """Record what the user confirmed (engine.planning.allocation.record: all or none)."""
    done = record(engine, pending.proposals, rule_written_on=pending.rule_written_on, reason=pending.reason)
    said = "; ".join(f"{item.allocation.asset} (decision {item.allocation.decision_id}"
                     f"{': ' + '; '.join(item.flags) if item.flags else ', timely'})" for item in done)  # fmt: skip
    return f"Recorded the allocation of {said}"
