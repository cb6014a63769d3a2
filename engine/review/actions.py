"""The decisions that resolve problems, as the CLI and the app make them. Each checks what it is
given against the records and the decisions in force, refuses with one line saying why (an
InputError: exit 2), and otherwise records one decision (engine.ledger.decisions) with its time
and reason — applied when the lots are next matched, listed by `harvest review --decisions`,
undone by id. Every function returns the decision's id and a one-line account of what it does.

    pair(planner, "3fa9c2", "81d0e4")              # a send and a receipt are one move
    unpair(planner, OUT, IN)                       # never pair these two
    classify(planner, "81d0e4", "income", value="1200")
    own_address(planner, "bc1q…", "cold")          # a wallet of yours that is not imported
    price(planner, "5be2aa", "142.50")               # USD per unit of a record without a value
    alias(planner, "9c1d0e")                         # an asset alias problem: XBT is BTC
    migrate(planner, "4e7a21")                       # a MATIC sale and POL buy are one migration
    ignore(planner, "5be2aa", "dust the exchange rounds away")
    undo(planner, 7)"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from engine.core import fixedpoint as fp
from engine.core.dates import fixed_clock
from engine.core.errors import InputError
from engine.core.units import Amount, EpochMicros
from engine.ledger import decided as how
from engine.ledger import identity_decisions
from engine.ledger.decided import DecidedRecord, normal_address, own_account
from engine.ledger.decisions import ALIAS, CLASSIFY, IGNORE, MIGRATION, OWN_ADDRESS, PAIR, PRICE, UNPAIR
from engine.ledger.events import UNCLASSIFIED
from engine.ledger.transfers import pair_refused
from engine.planning.alias_problems import ASSET_ALIAS, alias_of
from engine.planning.data_problems import IGNORE_RESOLVES
from engine.planning.migration_problems import ASSET_MIGRATION, migration_of
from engine.planning.planner import Planner
from engine.review.guide import LABELS
from engine.review.prices import price_undone, set_price
from engine.review.references import References, named, when
from engine.store.decision_tables import UnknownDecision

_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}\Z")


class Recorded(NamedTuple):
    decision_id: int
    message: str


def references(planner: Planner) -> References:
    context = planner.context
    return References(context.problems, planner.engine.store.reviewable_records(), context.lots.pairing)


def pair(planner: Planner, out_text: str, in_text: str, reason: str = "") -> Recorded:
    refs = references(planner)
    out, into = _send(refs, out_text), _receipt(refs, in_text)
    out_leg, in_leg = refs.leg(out), refs.leg(into)
    assert out_leg is not None  # _send and _receipt checked
    assert in_leg is not None
    why = pair_refused(out_leg, in_leg)
    if why:
        raise InputError(f"cannot pair {out.ref} and {into.ref}: {why}")
    decisions = planner.engine.store.decisions()
    for decision in decisions:
        if decision.kind == UNPAIR and decision.subject == out.key and decision.detail.get("in") == into.key:
            raise InputError(f"decision {decision.id} keeps {out.ref} and {into.ref} apart: undo it first")
    for record in (out, into):
        partner = refs.partner(record)
        if partner is not None:
            other, confidence = partner
            if other.index in (out_leg.index, in_leg.index):
                raise InputError(f"{out.ref} and {into.ref} are already one move ({confidence})")
            raise InputError(
                f"{record.ref} is already paired with {other.ref} ({other.account}, {confidence}): "
                f"`harvest review unpair` them first"
            )
    decision_id = _record(planner, PAIR, out.key, {"in": into.key}, reason)
    return Recorded(decision_id, f"decision {decision_id}: {named(planner, out)} and {named(planner, into)} "
                    "are one move: the lots carry their basis and dates")  # fmt: skip


def unpair(planner: Planner, out_text: str, in_text: str, reason: str = "") -> Recorded:
    refs = references(planner)
    out, into = _send(refs, out_text), _receipt(refs, in_text)
    decision_id = _record(planner, UNPAIR, out.key, {"in": into.key}, reason)
    return Recorded(decision_id, f"decision {decision_id}: {named(planner, out)} and {named(planner, into)} "
                    "are never paired")  # fmt: skip


def classify(
    planner: Planner,
    text: str,
    as_: str,
    *,
    value: str | None = None,
    basis: str | None = None,
    acquired: str | None = None,
    to: str | None = None,
    direction: str | None = None,
    reason: str = "",
) -> Recorded:
    """Say what a transfer or an unclassified row was (engine.ledger.decided: the kinds)."""
    refs = references(planner)
    record = refs.record(text)
    side = record.event.side
    receiving = _receiving(record, as_, direction)
    allowed: tuple[str, ...] = how.RECEIVED_AS if receiving else how.SENT_AS
    if side != UNCLASSIFIED:
        allowed = tuple(a for a in allowed if a not in (how.BUY, how.SELL, how.TRANSFER))
    if as_ not in allowed:
        what = "a receipt" if receiving else "a send"
        raise InputError(f"{record.ref} is {what}: classify it as one of {', '.join(allowed)}, not {as_!r}")
    partner = refs.partner(record)
    if partner is not None:
        other, confidence = partner
        raise InputError(f"{record.ref} is paired with {other.ref} ({other.account}, {confidence}): "
                         "`harvest review unpair` them first")  # fmt: skip
    detail: dict[str, Any] = {"as": as_}
    if side == UNCLASSIFIED and as_ not in (how.INCOME, how.AIRDROP, how.BUY, how.PAYMENT, how.SELL):
        detail["direction"] = "in" if receiving else "out"
    if value is not None:
        detail["value"] = fp.fmt(_amount("--value", value), 0)
    if receiving and as_ in (how.GIFT, how.OWN):
        if basis is None or acquired is None:
            raise InputError(
                f"{as_} needs the basis and the date it was acquired: --basis USD --acquired DATE"
            )
        detail["basis"] = fp.fmt(_amount("--basis", basis), 0)
        detail["acquired"], detail["acquired_at"] = acquired, _acquired_at(planner, acquired, record)
    elif basis is not None or acquired is not None:
        raise InputError("--basis and --acquired go with gift or own on a receipt")
    if as_ == how.OWN and not receiving:
        if not to or not _LABEL.match(to):
            raise InputError("own on a send needs the wallet's label: --to LABEL (letters, digits, . _ -)")
        detail["to"] = to
    elif to is not None:
        raise InputError("--to goes with own on a send")
    decision_id = _record(planner, CLASSIFY, record.key, detail, reason)
    said = f"{as_} (no value given: flagged for a price)" if as_ in how.NEEDS_VALUE and value is None else as_
    where = f", lots to {own_account(to)}" if to else ""
    return Recorded(
        decision_id, f"decision {decision_id}: {named(planner, record)} classified as {said}{where}"
    )


def own_address(planner: Planner, address: str, label: str, reason: str = "") -> Recorded:
    subject = normal_address(address)
    if not subject or any(c.isspace() for c in subject):
        raise InputError(f"not an address: {address!r}")
    if not _LABEL.match(label):
        raise InputError(f"--label {label!r}: letters, digits, . _ - (up to 40)")
    decision_id = _record(planner, OWN_ADDRESS, subject, {"label": label}, reason)
    naming = sum(1 for r in planner.engine.store.reviewable_records()
                 if r.event.address and normal_address(r.event.address) == subject)  # fmt: skip
    return Recorded(decision_id, f"decision {decision_id}: {subject} is your wallet {own_account(label)} "
                    f"({naming} transfer(s) name it)")  # fmt: skip


def ignore(planner: Planner, text: str, reason: str) -> Recorded:
    if not reason.strip():
        raise InputError("ignore needs a reason: --reason TEXT (it is part of your records)")
    problem = references(planner).problem(text)
    if problem.ignored is not None:
        raise InputError(f"already ignored by decision {problem.ignored.id}")
    decision_id = _record(planner, IGNORE, problem.key, {"kind": problem.kind}, reason)
    effect = "advice on it resumes" if problem.kind in IGNORE_RESOLVES else "it still holds advice back"
    if problem.kind in (ASSET_ALIAS, ASSET_MIGRATION):
        effect = f"the problems under {problem.asset} stay"
    what = problem.ref or problem.account or problem.asset
    return Recorded(decision_id, f"decision {decision_id}: {LABELS[problem.kind]} {what} ignored; {effect}")


def price(
    planner: Planner, text: str, price_text: str, asset: str | None = None, reason: str = ""
) -> Recorded:
    """A record's USD price per unit, set by the user (engine.review.prices)."""
    return Recorded(*set_price(planner, text, price_text, asset, reason))


def alias(planner: Planner, text: str, reason: str = "") -> Recorded:
    """The code an asset alias problem names is read as the asset it suggests (as `harvest assets
    alias CODE ASSET` records it)."""
    problem = references(planner).problem(text)
    found = alias_of(problem.kind, problem.key)
    if found is None:
        raise InputError(
            f"{text!r} is no asset alias problem: `harvest assets alias CODE ASSET` names any code"
        )
    store = planner.engine.store
    try:
        proposed = identity_decisions.alias(*found, store.asset_identity(), store.pool_assets())
    except ValueError as exc:
        raise InputError(str(exc)) from None
    decision_id = _record(planner, ALIAS, proposed.subject, proposed.detail, reason)
    notes = "".join(f"; {note}" for note in proposed.notes)
    return Recorded(decision_id, f"decision {decision_id}: {found[0]} is read as {found[1]}{notes}")


def migrate(planner: Planner, text: str, reason: str = "") -> Recorded:
    """The records an asset migration problem names are one migration of the old coin into the
    new (as its `harvest assets migrate … --out/--in` or `--convert` command records it)."""
    from engine.review.migration_proposal import propose_migration

    problem = references(planner).problem(text)
    found = migration_of(problem.kind, problem.key)
    if found is None:
        raise InputError(
            f"{text!r} is no asset migration problem: `harvest assets migrate` names any records"
        )
    by_convert = len(found.refs) == 1
    try:
        proposed, what = propose_migration(
            planner.engine, found.old, found.new,
            convert_ref=found.refs[0] if by_convert else None,
            out_ref=None if by_convert else found.refs[0],
            in_ref=None if by_convert else found.refs[1],
        )  # fmt: skip
    except ValueError as exc:
        raise InputError(str(exc)) from None
    decision_id = _record(planner, MIGRATION, proposed.subject, proposed.detail, reason)
    notes = "".join(f"; {note}" for note in proposed.notes)
    return Recorded(decision_id, f"decision {decision_id}: {found.old} -> {found.new}: {what}{notes}")


def undo(planner: Planner, decision_id: int) -> Recorded:
    try:
        decision = planner.engine.store.undo_decision(decision_id, planner.engine.clock())
    except UnknownDecision as exc:
        raise InputError(str(exc)) from None
    if decision.kind == PRICE:  # the fill it replaced is put back (else the record is flagged again)
        price_undone(planner, decision)
    planner.refresh()
    return Recorded(decision.id, f"decision {decision.id} ({decision.kind}) undone")


def _send(refs: References, text: str) -> DecidedRecord:
    record = refs.record(text)
    if record.event.side != "transfer_out" or refs.leg(record) is None:
        raise InputError(f"{record.ref} is not a send (a transfer out){_classified_note(record)}")
    return record


def _receipt(refs: References, text: str) -> DecidedRecord:
    record = refs.record(text)
    if record.event.side != "transfer_in" or refs.leg(record) is None:
        raise InputError(f"{record.ref} is not a receipt (a transfer in){_classified_note(record)}")
    return record


def _classified_note(record: DecidedRecord) -> str:
    side = record.event.side
    return "; it is classified (undo that first)" if side in ("transfer_in", "transfer_out") else f" ({side})"


def _receiving(record: DecidedRecord, as_: str, direction: str | None) -> bool:
    side = record.event.side
    if side in ("transfer_in", "transfer_out"):
        if direction is not None:
            raise InputError("--direction is only for an unclassified row")
        return side == "transfer_in"
    if side != UNCLASSIFIED:
        raise InputError(f"{record.ref} is a {side}: only transfers and unclassified rows are classified")
    if as_ in (how.INCOME, how.AIRDROP, how.BUY):
        return True
    if as_ in (how.PAYMENT, how.SELL):
        return False
    if direction not in ("in", "out"):
        raise InputError(f"{as_} on an unclassified row needs --direction in (received) or out (sent)")
    return direction == "in"


def _amount(option: str, text: str) -> Amount:
    try:
        amount = fp.parse(text)
    except ValueError:
        raise InputError(f"{option}: not an amount: {text!r}") from None
    if amount < 0:
        raise InputError(f"{option}: must not be negative: {text!r}")
    return amount


def _acquired_at(planner: Planner, text: str, record: DecidedRecord) -> EpochMicros:
    try:
        moment = fixed_clock(text, planner.engine.config.tax.timezone)()
    except ValueError as exc:
        raise InputError(f"--acquired: {exc}") from None
    if planner.engine.calendar.day(moment) > planner.engine.calendar.day(record.event.timestamp):
        raise InputError(f"--acquired {text} is after the receipt ({when(planner, record.event.timestamp)})")
    return moment


def _record(planner: Planner, kind: str, subject: str, detail: dict[str, Any], reason: str) -> int:
    decision_id = planner.engine.store.record_decision(
        kind, subject, detail, reason.strip(), planner.engine.clock()
    )
    planner.refresh()
    return decision_id
