"""Running the lot engine over in-memory events with the user's decisions, as Engine.lots does
over the store: records found by natural key (and by address for own wallets)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from engine.core import fixedpoint as fp
from engine.core.units import EpochMicros
from engine.ledger.decided import DecidedRecord, DecisionRecords, apply_decisions, normal_address
from engine.ledger.decisions import OWN_ADDRESS, Decision
from engine.ledger.events import Event
from engine.ledger.legs import build_ledger
from engine.ledger.lots import match_lots
from engine.ledger.records import LotResult, MoveLeg

T = 1_767_225_600_000_000  # 2026-01-01T00:00Z (micros)
MIN = 60_000_000
HOUR = 60 * MIN
DAY = 24 * HOUR
_ids = itertools.count(1)


def event(account: str, side: str, quantity: str, at: int, ident: str, *, asset: str = "BTC",
          price: str | None = None, tx: str | None = None, counterpart: str | None = None,
          address: str | None = None, note: str | None = None) -> Event:  # fmt: skip
    return Event(account=account, asset=asset, side=side, timestamp=EpochMicros(at), quantity=fp.parse(quantity),
                 price=None if price is None else fp.parse(price), fee=fp.parse("0"), trade_id=ident, tx_id=tx,
                 counterpart_account=counterpart, address=address, note=note, source="test")  # fmt: skip


def decision(kind: str, subject: str, undone: bool = False, **detail: Any) -> Decision:
    return Decision(
        next(_ids), kind, subject, detail, "test", EpochMicros(T), EpochMicros(T) if undone else None
    )


def key(e: Event) -> str:
    return e.natural_key()


def run(events: Sequence[Event], decisions: Sequence[Decision] = (), method: str = "fifo") -> LotResult:
    """match_lots over the events with the decisions applied (event ids: 1, 2, … in order)."""
    records = [DecidedRecord(e.natural_key(), i, e) for i, e in enumerate(events, start=1)]
    owned = {normal_address(d.subject) for d in decisions if d.kind == OWN_ADDRESS and d.active}
    by_address = [r for r in records if r.event.address and normal_address(r.event.address) in owned]
    ledger = build_ledger(list(events))
    if not decisions:
        return match_lots(ledger, method)
    decided = apply_decisions(
        ledger, list(decisions), DecisionRecords({r.key: r for r in records}, by_address)
    )
    result = match_lots(decided.ledger, method, effects=decided.effects)
    result.warnings.extend(decided.notes)
    return result


def leg(result: LotResult, ref: str) -> MoveLeg:
    (found,) = [m for m in result.pairing.moves if m.ref == ref]
    return found


def confidence(result: LotResult, out_ref: str, in_ref: str) -> str | None:
    """How sure the pairing of these two legs is (None: not paired together)."""
    out, into = leg(result, out_ref), leg(result, in_ref)
    if result.pairing.pairs.get(out.index) != into.index:
        return None
    return result.pairing.confidence[out.index]


def basis_by_account(result: LotResult) -> dict[str, int | None]:
    """Open lots' basis per account (None when any lot there has unknown basis)."""
    found: dict[str, int | None] = {}
    for lot in result.open_lots:
        before = found.get(lot.account, 0)
        found[lot.account] = None if before is None or lot.basis is None else before + lot.basis
    return found
