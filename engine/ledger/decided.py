"""What the user's decisions (engine.ledger.decisions) do to the ledger's legs, applied in memory
when the lots are matched — never by rewriting stored events, so undoing a decision restores
exactly what the rules alone give.

- CLASSIFY a transfer in: `income` / `airdrop` (an acquisition at the value given, else flagged
  for a price), `gift` (the donor's basis and date; a value at the gift below that basis makes
  the value the basis and the receipt the date, the loss rule of Treas. Reg. 1.1015-1(a)), `own`
  (from an own wallet not imported: the basis and date entered). A transfer out: `gift` (the lots
  leave, no disposal), `payment` (a disposal at the value given), `own` (the lots move to the
  account `own:LABEL`). An unclassified row: first made the side it is (`buy`, `sell`, or a
  transfer in or out), then as above; `transfer` leaves it a transfer for the pairing rules.
- PAIR / UNPAIR: leg indices for the pairing (engine.ledger.transfers PairingRules).
- OWN_ADDRESS: a transfer out to the address the rules left unpaired moves its lots to
  `own:LABEL`; a transfer in from it takes them back from there (what was never sent there
  arrives with unknown basis).
A decision whose records are gone, or that no longer fits them, does nothing and says why."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import field
from typing import NamedTuple

from engine.core import fixedpoint as fp
from engine.core.lean_dataclass import lean_dataclass
from engine.core.units import Amount, EpochMicros
from engine.ledger.decisions import CLASSIFY, OWN_ADDRESS, PAIR, UNPAIR, Decision, active_by_subject
from engine.ledger.events import UNCLASSIFIED, USD, Event
from engine.ledger.legs import (
    ACQUIRE,
    ACQUIRE_AS_OF,
    DISPOSE,
    GIFT_OUT,
    MOVE_IN,
    MOVE_OUT,
    event_ref,
    legs_for,
)
from engine.ledger.records import Ledger, LegExtra, LegRow, MoveLeg
from engine.ledger.transfers import NO_RULES, PairingRules, pair_refused

OWN_PREFIX = "own:"  # the account of an own wallet that is not imported: own:LABEL

# How a record may be classified (CLASSIFY detail {"as": ...})
INCOME, AIRDROP, GIFT, OWN, PAYMENT, BUY, SELL, TRANSFER = (
    "income", "airdrop", "gift", "own", "payment", "buy", "sell", "transfer",
)  # fmt: skip
RECEIVED_AS = (INCOME, AIRDROP, GIFT, OWN, BUY, TRANSFER)  # what arrived
SENT_AS = (GIFT, PAYMENT, OWN, SELL, TRANSFER)  # what left
NEEDS_VALUE = (INCOME, AIRDROP, PAYMENT, BUY, SELL)  # valued at the USD value given (else flagged)


def own_account(label: str) -> str:
    return OWN_PREFIX + label


def normal_address(address: str) -> str:
    """Addresses compared as the chains do: hex (0x…) ignoring case, others exactly."""
    text = address.strip()
    return text.lower() if text[:2].lower() == "0x" else text


class DecidedRecord(NamedTuple):
    """A stored record a decision names (read from the store by natural key or address)."""

    key: str  # the event's natural key
    event_id: int
    event: Event

    @property
    def ref(self) -> str:
        return event_ref(self.event, self.event_id)


_Locate = Callable[[DecidedRecord, tuple[int, ...]], "int | None"]  # a record's leg index


class DecisionRecords(NamedTuple):
    by_key: dict[str, DecidedRecord]  # the records decisions name
    by_address: list[DecidedRecord]  # transfers whose address is one marked own


def wanted(decisions: list[Decision]) -> tuple[set[str], set[str]]:
    """The natural keys and own addresses the decisions in force need from the store."""
    keys: set[str] = set()
    addresses: set[str] = set()
    for decision in decisions:
        if not decision.active:
            continue
        if decision.kind in (PAIR, UNPAIR):
            keys.update((decision.subject, str(decision.detail.get("in", ""))))
        elif decision.kind == CLASSIFY:
            keys.add(decision.subject)
        elif decision.kind == OWN_ADDRESS:
            addresses.add(normal_address(decision.subject))
    return keys, addresses


@lean_dataclass()
class Effects:
    """What match_lots does differently because of the decisions (leg indices of the decided
    ledger)."""

    rules: PairingRules = NO_RULES
    own_dest: dict[int, str] = field(default_factory=dict)  # unpaired out -> own account it goes to
    own_source: dict[int, str] = field(default_factory=dict)  # unpaired in -> own account it comes from
    acquired_at: dict[int, EpochMicros] = field(default_factory=dict)  # ACQUIRE_AS_OF legs' dates
    keys: dict[int, str] = field(default_factory=dict)  # leg -> natural key, for the legs decided


class Decided(NamedTuple):
    ledger: Ledger
    effects: Effects
    notes: list[str]  # decisions that did nothing, and why


def apply_decisions(ledger: Ledger, decisions: list[Decision], records: DecisionRecords) -> Decided:
    """The ledger as the decisions in force make it (a new one; `ledger` is not changed)."""
    notes: list[str] = []
    classified = active_by_subject(decisions, CLASSIFY)
    legs, pools = list(ledger.legs), dict(ledger.pools)
    made = _classified_rows(classified, records, pools, legs)
    stamps = [leg[2] for leg in legs]
    effects = Effects()

    def locate(record: DecidedRecord, kinds: tuple[int, ...]) -> int | None:
        index = bisect.bisect_left(stamps, record.event.timestamp)
        ref, account = record.ref, record.event.account
        while index < len(legs) and stamps[index] == record.event.timestamp:
            leg = legs[index]
            if leg[1] in kinds and leg[5] == ref and pools[leg[0]][0] == account:
                effects.keys[index] = record.key
                return index
            index += 1
        return None

    for key, decision in classified.items():
        record = records.by_key.get(key)
        if record is None:
            index = None
        elif record.event.side == UNCLASSIFIED:
            index = made.get(key)
            if index is not None:
                effects.keys[index] = key
        else:
            index = locate(record, (MOVE_IN, MOVE_OUT))
        if index is None:
            notes.append(f"decision {decision.id} (classify as {decision.detail.get('as')}): {_gone(key)}")
            continue
        _reclassify(legs, index, decision, effects)
    effects.rules = _pairing_rules(decisions, records, locate, notes, legs, pools)
    owned = {normal_address(d.subject): d for d in active_by_subject(decisions, OWN_ADDRESS).values()}
    for record in records.by_address:
        mine = owned.get(normal_address(record.event.address or ""))
        index = locate(record, (MOVE_IN, MOVE_OUT)) if mine is not None else None
        if mine is not None and index is not None:
            account = own_account(str(mine.detail.get("label", "wallet")))
            (effects.own_dest if legs[index][1] == MOVE_OUT else effects.own_source)[index] = account
    return Decided(Ledger(pools, legs), effects, notes)


def _gone(key: str) -> str:
    return f"record {key} is not in the store (or no longer a transfer); nothing done"


def _classified_rows(
    classified: dict[str, Decision],
    records: DecisionRecords,
    pools: dict[int, tuple[str, str]],
    legs: list[LegRow],
) -> dict[str, int]:
    """Legs for the unclassified rows the user classified, merged into `legs` in time order
    (after the legs of the same time). Returns each row's main leg index."""
    pool_ids = {names: pool_id for pool_id, names in pools.items()}
    new: list[tuple[EpochMicros, int, str | None, LegRow]] = []
    for key, decision in classified.items():
        record = records.by_key.get(key)
        if record is None or record.event.side != UNCLASSIFIED:
            continue
        event = _as_side(record.event, decision)
        for leg in legs_for(event, record.event_id):
            pool_id = pool_ids.get((leg.account, leg.asset))
            if pool_id is None:
                pool_id = pool_ids[(leg.account, leg.asset)] = max(pools, default=0) + 1
                pools[pool_id] = (leg.account, leg.asset)
            has_extra = leg.identification or leg.counterpart or leg.tx_id or leg.flag
            extra = LegExtra(leg.identification, leg.counterpart, leg.tx_id, leg.flag) if has_extra else None
            row: LegRow = (pool_id, leg.kind, leg.timestamp, leg.quantity, leg.usd, leg.ref, extra)
            new.append((leg.timestamp, len(new), key if leg.seq == 0 else None, row))
    if not new:
        return {}
    new.sort(key=lambda item: item[:2])
    stamps = [leg[2] for leg in legs]
    places = [bisect.bisect_right(stamps, ts) for ts, *_ in new]
    merged: list[LegRow] = []
    start = 0
    made: dict[str, int] = {}
    for place, (_ts, _order, main, row) in zip(places, new, strict=True):
        merged.extend(legs[start:place])
        start = place
        if main is not None:
            made[main] = len(merged)
        merged.append(row)
    merged.extend(legs[start:])
    legs[:] = merged
    return made


def _as_side(event: Event, decision: Decision) -> Event:
    """An unclassified row as the side the decision gives it (a transfer for everything but a
    buy or a sale; _reclassify then makes the transfer what was decided)."""
    how = str(decision.detail.get("as"))
    quantity = Amount(abs(event.quantity))
    value = _amount(decision, "value")
    if how in (BUY, SELL):
        price = None if value is None or not quantity else fp.unit_price(value, quantity)
        return event._replace(
            side=how, quantity=quantity, quote=USD, price=price, subtotal=value, value_usd=None
        )
    receiving = how in (INCOME, AIRDROP) or decision.detail.get("direction") == "in"
    side = "transfer_in" if receiving else "transfer_out"
    return event._replace(side=side, quantity=quantity, price=None, subtotal=None, value_usd=None)


def _amount(decision: Decision, name: str) -> Amount | None:
    text = decision.detail.get(name)
    return None if text is None else fp.parse(str(text))


def _reclassify(legs: list[LegRow], index: int, decision: Decision, effects: Effects) -> None:
    """Make a transfer leg what the decision says it is."""
    pool_id, kind, ts, quantity, _usd, ref, extra = legs[index]
    how = str(decision.detail.get("as"))
    value = _amount(decision, "value")
    missing = None if value is not None else f"no USD value for what was classified as {how}: set a price"
    flagged = None if value is not None else LegExtra(None, None, None, missing)
    if kind == MOVE_IN:
        if how in (INCOME, AIRDROP):
            legs[index] = (pool_id, ACQUIRE, ts, quantity, value, ref, flagged)
        elif how in (GIFT, OWN):
            basis = _amount(decision, "basis")
            acquired = decision.detail.get("acquired_at")
            if how == GIFT and value is not None and basis is not None and value < basis:
                legs[index] = (pool_id, ACQUIRE, ts, quantity, value, ref, None)  # the loss rule
            else:
                legs[index] = (pool_id, ACQUIRE_AS_OF, ts, quantity, basis, ref, None)
                effects.acquired_at[index] = EpochMicros(int(str(acquired)) if acquired is not None else ts)
    elif kind == MOVE_OUT:
        if how == GIFT:
            legs[index] = (pool_id, GIFT_OUT, ts, quantity, None, ref, None)
        elif how == PAYMENT:
            legs[index] = (pool_id, DISPOSE, ts, quantity, value, ref, flagged)
        elif how == OWN:
            label = own_account(str(decision.detail.get("to", "wallet")))
            kept = extra or LegExtra(None, None, None, None)
            legs[index] = (pool_id, kind, ts, quantity, None, ref, kept._replace(counterpart=label))


def _pairing_rules(
    decisions: list[Decision],
    records: DecisionRecords,
    locate: _Locate,
    notes: list[str],
    legs: list[LegRow],
    pools: dict[int, tuple[str, str]],
) -> PairingRules:
    forced: list[tuple[int, int]] = []
    forbidden: set[tuple[int, int]] = set()
    for decision in decisions:
        if not decision.active or decision.kind not in (PAIR, UNPAIR):
            continue
        out_record = records.by_key.get(decision.subject)
        in_record = records.by_key.get(str(decision.detail.get("in", "")))
        out = None if out_record is None else locate(out_record, (MOVE_OUT,))
        into = None if in_record is None else locate(in_record, (MOVE_IN,))
        if out is None or into is None:
            missing = decision.subject if out is None else str(decision.detail.get("in"))
            notes.append(f"decision {decision.id} ({decision.kind}): {_gone(missing)}")
            continue
        if decision.kind == UNPAIR:
            forbidden.add((out, into))
            continue
        why = pair_refused(_move(legs, pools, out), _move(legs, pools, into))
        if why:
            notes.append(f"decision {decision.id} (pair): {why}; not paired")
        else:
            forced.append((out, into))
    return PairingRules(tuple(forced), frozenset(forbidden))


def _move(legs: list[LegRow], pools: dict[int, tuple[str, str]], index: int) -> MoveLeg:
    pool_id, kind, ts, quantity, _usd, ref, _extra = legs[index]
    account, asset = pools[pool_id]
    return MoveLeg(index, account, asset, kind, ts, Amount(int(quantity)), None, None, ref)
