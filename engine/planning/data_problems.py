"""The data problems behind the quality gate, one per record (or position) at fault, each with a
stable key made from natural keys — so a decision naming it (an ignore) survives re-imports —
and the positions it holds back. The gate (engine.planning.quality_gate) is their view per
position; the problems list (engine.review) adds what each blocks in dollars and how to resolve it.

Ignoring a problem resolves it only where ignoring is a real answer (IGNORE_RESOLVES): an
unclassified row that moved nothing, a balance mismatch of dust, missing history you accept (the
sale stays left out), a send you leave untracked. It never makes up a basis or a value."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from engine.core import fixedpoint as fp
from engine.core.units import Amount, EpochMicros
from engine.ledger import lots as causes
from engine.ledger.decided import DecidedRecord
from engine.ledger.decisions import CLASSIFY, IGNORE, Decision, active_by_subject
from engine.ledger.open_lots import unknown_basis
from engine.ledger.records import LotResult, Unresolved
from engine.ledger.transfers import AMBIGUOUS, Suggester

RECEIVED_OUTSIDE = "receive_outside"  # a transfer in no send explains: unknown basis
AMBIGUOUS_TRANSFER = "ambiguous_transfer"  # a transfer in several sends could explain
SENT_OUTSIDE = "send_outside"  # a transfer out no receipt explains: lots untracked
UNKNOWN_BASIS = "unknown_basis"  # lots of unknown basis for another reason
MISSING_HISTORY = "missing_history"  # more sold or sent than held
NO_USD_VALUE = "no_usd_value"  # a value the file does not give: basis or proceeds unknown
UNCLASSIFIED_ROW = "unclassified"  # a row no importer could classify
BALANCE_MISMATCH = "balance_mismatch"  # the exchange holds another amount than the ledger
KINDS = (RECEIVED_OUTSIDE, AMBIGUOUS_TRANSFER, SENT_OUTSIDE, UNKNOWN_BASIS, MISSING_HISTORY, NO_USD_VALUE,
         UNCLASSIFIED_ROW, BALANCE_MISMATCH)  # fmt: skip
_TRANSFER_KINDS = (RECEIVED_OUTSIDE, AMBIGUOUS_TRANSFER, SENT_OUTSIDE)  # about a transfer leg
IGNORE_RESOLVES = frozenset({UNCLASSIFIED_ROW, BALANCE_MISMATCH, MISSING_HISTORY, SENT_OUTSIDE})

_LOT_KIND = {
    causes.RECEIVED_FROM_OUTSIDE: RECEIVED_OUTSIDE,
    causes.NO_VALUE: NO_USD_VALUE,
    causes.RECEIVED_MORE: UNKNOWN_BASIS,
    causes.MIGRATED_MORE: UNKNOWN_BASIS,
    causes.NOT_SENT_THERE: UNKNOWN_BASIS,
}
LegName = tuple[str, EpochMicros, str]  # (account, time, leg ref)
KeysOf = Callable[[list[LegName]], dict[LegName, str]]  # leg names -> natural keys (the store)


@dataclass(frozen=True)
class DataProblem:
    kind: str
    key: str  # stable: the kind's stem and the record's natural key (or the position's)
    account: str
    asset: str
    timestamp: EpochMicros | None  # the record's time
    quantity: Amount | None
    ref: str  # the record's id as reports show it (trade id or E<n>); "" for a position
    record: str | None  # the record's natural key (what pair and classify name)
    reason: str  # the gate's line
    blocks: tuple[tuple[str, str], ...] = ()  # the positions it holds back (account, asset)
    leg: int | None = None  # the transfer leg, for its suggested other ends
    ignored: Decision | None = None

    @property
    def gates(self) -> bool:
        """Holds advice back: it blocks a position and no ignore resolved it."""
        return bool(self.blocks) and not (self.ignored is not None and self.kind in IGNORE_RESOLVES)


@dataclass
class _Found:
    origin: Unresolved
    kind: str
    reason: str
    blocks: set[tuple[str, str]] = field(default_factory=set)


def find_problems(
    lots: LotResult,
    keys_of: KeysOf,
    decisions: Sequence[Decision] = (),
    mismatches: Sequence[tuple[str, str, Amount, Amount]] = (),
    unclassified: Sequence[DecidedRecord] = (),
) -> list[DataProblem]:
    """Every data problem of one matched ledger, in time order (positions last)."""
    suggester = Suggester(lots.pairing)
    found: dict[tuple[str, str, int, str], _Found] = {}

    def note(origin: Unresolved, pool: tuple[str, str] | None) -> None:
        name = (origin.cause, origin.account, origin.timestamp, origin.ref)
        entry = found.get(name)
        if entry is None:
            entry = found[name] = _Found(origin, *_kind_and_reason(origin, suggester))
        if pool is not None:
            entry.blocks.add(pool)

    lot_origins: dict[str, list[Unresolved]] = {}
    for origin in lots.unresolved:
        if origin.cause in _LOT_KIND:
            lot_origins.setdefault(origin.ref, []).append(origin)
        elif origin.cause in (causes.RECEIVED_LESS, causes.GIVEN_AWAY):
            continue  # a network fee on the way, a gift the user decided: nothing to resolve
        else:  # a disposal without proceeds blocks its position; a send outside blocks nothing
            note(origin, None if origin.cause == causes.SENT_OUTSIDE else (origin.account, origin.asset))
    for lot in unknown_basis(lots.open_lots):  # not every open lot's row: a million at scale
        note(_origin(lot_origins, lot.lot_id, lot.asset, lot.acquired, lot.quantity, lot.account),
             (lot.account, lot.asset))  # fmt: skip
    for slice_ in lots.excluded:
        if slice_.problem == "unknown basis" and slice_.lot_id is not None:
            origin = _origin(lot_origins, slice_.lot_id, slice_.asset, None, slice_.quantity, slice_.account)
            note(origin, (slice_.account, slice_.asset))
    for gap in lots.shortfalls:
        origin = Unresolved(
            MISSING_HISTORY, gap.account, gap.asset, gap.timestamp, gap.sale_id, gap.quantity, -1
        )
        note(origin, (gap.account, gap.asset))
    entries = [e for e in found.values() if not (e.kind == SENT_OUTSIDE and _folded(e.origin, suggester))]
    natural = keys_of([(e.origin.account, e.origin.timestamp, e.origin.ref) for e in entries])
    by_key: dict[str, DataProblem] = {}
    for entry in entries:  # one problem per record and kind (a trade's two legs without a value: one)
        origin = entry.origin
        problem = _problem(entry, natural.get((origin.account, origin.timestamp, origin.ref)))
        same = by_key.get(problem.key)
        if same is not None:  # the record's own id, not a leg's (`X1`, not `X1:ETH`)
            ref = min(same.ref, problem.ref, key=len)
            problem = replace(same, ref=ref, blocks=tuple(sorted(set(same.blocks) | set(problem.blocks))))
        by_key[problem.key] = problem
    problems = list(by_key.values())
    classified = active_by_subject(list(decisions), CLASSIFY)
    for row in unclassified:
        if row.key in classified:
            continue
        event = row.event
        problems.append(DataProblem(
            UNCLASSIFIED_ROW, f"{UNCLASSIFIED_ROW}|{row.key}", event.account, event.asset, event.timestamp,
            event.quantity, row.ref, row.key, f"unclassified import row: {event.note or ''} ({row.ref})",
            ((event.account, event.asset),),
        ))  # fmt: skip
    problems.sort(key=lambda p: (p.timestamp or 0, p.account, p.asset, p.key))
    for account, asset, ledger, exchange in mismatches:
        reason = f"balance mismatch: exchange reports {fp.fmt(exchange, 0)}, ledger has {fp.fmt(ledger, 0)}"
        key = f"{BALANCE_MISMATCH}|{account}|{asset}|{fp.fmt(exchange - ledger, 0)}"
        problems.append(DataProblem(BALANCE_MISMATCH, key, account, asset, None, Amount(exchange - ledger), "",
                                    None, reason, ((account, asset),)))  # fmt: skip
    ignores = active_by_subject(list(decisions), IGNORE)
    return [replace(p, ignored=ignores[p.key]) if p.key in ignores else p for p in problems]


def _origin(
    by_ref: dict[str, list[Unresolved]],
    lot_id: str,
    asset: str,
    acquired: EpochMicros | None,
    quantity: Amount,
    account: str,
) -> Unresolved:
    """The leg that made a lot of unknown basis (lots keep their id and time when they move)."""
    candidates = [o for o in by_ref.get(lot_id, ()) if o.asset == asset]
    exact = [o for o in candidates if acquired is None or o.timestamp == acquired]
    if exact or candidates:
        return (exact or candidates)[0]
    return Unresolved(UNKNOWN_BASIS, account, asset, acquired or EpochMicros(0), lot_id, quantity, -1)


def _kind_and_reason(origin: Unresolved, suggester: Suggester) -> tuple[str, str]:
    cause, ref = origin.cause, origin.ref
    if cause == MISSING_HISTORY:
        return MISSING_HISTORY, f"missing history: sold {fp.fmt(origin.quantity, 0)} more than held ({ref})"
    if cause == causes.NO_PROCEEDS:
        return NO_USD_VALUE, f"a trade has no USD value ({ref})"
    if cause == causes.SENT_OUTSIDE:
        return SENT_OUTSIDE, f"sent to no known account ({ref})"
    kind = _LOT_KIND.get(cause, UNKNOWN_BASIS)
    if kind == RECEIVED_OUTSIDE and _folded(origin, suggester):  # several sends could explain it
        return AMBIGUOUS_TRANSFER, f"unknown basis (lot {ref}): several sends could be its other end"
    return kind, f"unknown basis (lot {ref}): {cause if cause in _LOT_KIND else 'unknown'}"


def _folded(origin: Unresolved, suggester: Suggester) -> bool:
    """The leg has rivals within the rules: a receipt is an ambiguous transfer, and a send is
    listed with its receipts (their problems name it)."""
    return origin.leg >= 0 and any(s.confidence == AMBIGUOUS for s in suggester.for_leg(origin.leg))


def _problem(entry: _Found, natural_key: str | None) -> DataProblem:
    origin = entry.origin
    stem = RECEIVED_OUTSIDE if entry.kind == AMBIGUOUS_TRANSFER else entry.kind  # ambiguity may change
    subject = natural_key or f"{origin.account}|{origin.asset}|{origin.timestamp}|{origin.ref}"
    return DataProblem(
        kind=entry.kind,
        key=f"{stem}|{subject}",
        account=origin.account,
        asset=origin.asset,
        timestamp=origin.timestamp or None,
        quantity=origin.quantity,
        ref=origin.ref,
        record=natural_key,
        reason=entry.reason,
        blocks=tuple(sorted(entry.blocks)),
        leg=origin.leg if origin.leg >= 0 and entry.kind in _TRANSFER_KINDS else None,
    )
