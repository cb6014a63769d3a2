"""Pairing transfers between own accounts, so lots (basis and acquisition date) move along.

The rules, in order (each leg pairs at most once), with how sure each is:
0. the user's decisions: a PAIR makes two legs one move (YOURS); an UNPAIR keeps two legs apart
   whatever the rules below say;
1. the same transaction id (the on-chain hash) and asset, in two different accounts (CERTAIN);
2. a transfer out naming its counterpart account: that account's first transfer in of the asset
   within the window, not larger than what was sent (HIGH);
3. otherwise the window rule: same asset, another account, the in no earlier than an hour before
   the out and no later than 7 days after, the amount received equal to the amount sent or less
   by at most 1% (a network fee), transaction ids equal or absent on one side — and one-to-one
   (LIKELY): when an out has two candidate ins (or an in two candidate outs) nothing is paired
   (AMBIGUOUS), and a warning names them, never a silent guess.
Legs left unpaired get suggestions (`Suggester`): the AMBIGUOUS candidates, and LOW ones just
outside the rules (up to 30 days, a fee up to 5%) — for the user to pair, never paired here."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import NamedTuple

from engine.core import fixedpoint as fp
from engine.core.units import MICROS_PER_DAY, MICROS_PER_HOUR
from engine.ledger.legs import MOVE_IN, MOVE_OUT
from engine.ledger.records import MoveLeg, Pairing

__all__ = ["MoveLeg", "Pairing", "PairingRules", "Suggester", "pair_refused", "pair_transfers", "pairing"]

PAIR_WINDOW_MICROS = 7 * MICROS_PER_DAY
EARLY_ARRIVAL_MICROS = MICROS_PER_HOUR  # clocks of two venues disagree a little
FEE_TOLERANCE = 100  # the window rule: received >= sent - sent / 100 (a fee of up to 1%)
SUGGEST_WINDOW_MICROS = 30 * MICROS_PER_DAY  # suggestions only: a slower arrival ...
SUGGEST_FEE_TOLERANCE = 20  # ... or a larger fee (up to 5%)
SUGGESTIONS = 5  # at most this many per leg, the likeliest first

# How sure a pairing is (README: Reviewing problems)
YOURS = "yours"  # the user paired them
CERTAIN = "certain"  # the same transaction hash
HIGH = "high"  # the send names the receiving account
LIKELY = "likely"  # the only candidate both ways within the window, fee within tolerance
AMBIGUOUS = "ambiguous"  # within the rules, but one side has several candidates: not paired
LOW = "low"  # outside the rules (slower, a larger fee): a suggestion only
CONFIDENCE = (YOURS, CERTAIN, HIGH, LIKELY, AMBIGUOUS, LOW)


_Pair = Callable[[MoveLeg, MoveLeg, str], None]  # pair(out, in, confidence)
_NONE: tuple[list[MoveLeg], list[int]] = ([], [])


class PairingRules(NamedTuple):
    """The user's decisions, as leg indices: pairs to make first, and pairs never to make."""

    forced: tuple[tuple[int, int], ...] = ()  # (out, in)
    forbidden: frozenset[tuple[int, int]] = frozenset()  # (out, in)


NO_RULES = PairingRules()


def pair_refused(out: MoveLeg, into: MoveLeg) -> str | None:
    """Why a send and a receipt cannot be one move, whatever the rules say (None: they can): the
    same asset, another account, received no earlier than an hour before the send, and no more
    than was sent."""
    if out.asset != into.asset:
        return f"{out.asset} was sent but {into.asset} received"
    if out.account == into.account:
        return f"both are in {out.account}"
    if into.timestamp < out.timestamp - EARLY_ARRIVAL_MICROS:
        return "the receipt is more than an hour before the send"
    if into.quantity > out.quantity:
        return f"more was received ({fp.fmt(into.quantity, 0)}) than sent ({fp.fmt(out.quantity, 0)})"
    return None


def pair_transfers(moves: list[MoveLeg], warnings: list[str] | None = None) -> dict[int, int]:
    """Map each paired transfer-out leg index to its transfer-in leg index (and back); unpaired
    legs are absent. Ambiguous candidates are reported in `warnings`, never paired."""
    return pairing(moves, warnings).pairs


def pairing(
    moves: list[MoveLeg], warnings: list[str] | None = None, rules: PairingRules = NO_RULES
) -> Pairing:
    """The rules above over `moves` (in leg order): the pairs, and how sure each one is."""
    outs: list[MoveLeg] = []
    ins: list[MoveLeg] = []
    for move in moves:
        (outs if move.kind == MOVE_OUT else ins).append(move)
    result = Pairing(moves=moves, forbidden=rules.forbidden)
    pairs, confidence, forbidden = result.pairs, result.confidence, rules.forbidden

    def pair(out: MoveLeg, leg: MoveLeg, how: str) -> None:
        pairs[out.index] = leg.index
        pairs[leg.index] = out.index
        confidence[out.index] = how

    by_index = {m.index: m for m in moves} if rules.forced else {}
    for out_index, in_index in rules.forced:
        if out_index not in pairs and in_index not in pairs:
            pair(by_index[out_index], by_index[in_index], YOURS)
    by_tx: dict[tuple[str, str], list[MoveLeg]] = {}
    for leg in ins:
        if leg.tx_id:
            by_tx.setdefault((leg.tx_id, leg.asset), []).append(leg)
    for out in outs:
        if not out.tx_id or out.index in pairs:
            continue
        for leg in by_tx.get((out.tx_id, out.asset), []):
            if (
                leg.index not in pairs
                and leg.account != out.account
                and (out.index, leg.index) not in forbidden
            ):
                pair(out, leg, CERTAIN)
                break
    _pair_by_counterpart(outs, ins, pairs, forbidden, pair)
    _pair_by_window(outs, ins, pairs, forbidden, warnings, pair)
    return result


def _pair_by_counterpart(outs: list[MoveLeg], ins: list[MoveLeg], pairs: dict[int, int],
                         forbidden: frozenset[tuple[int, int]], pair: _Pair) -> None:  # fmt: skip
    """Rule 2: the first in of the named account and asset in the window (ins indexed by
    account and asset, in time order, so each out looks only at its window)."""
    naming = [out for out in outs if out.counterpart and out.index not in pairs]
    wanted = {(out.counterpart, out.asset) for out in naming}
    by_pool: dict[tuple[str | None, str], list[MoveLeg]] = {}
    for leg in ins:
        if (leg.account, leg.asset) in wanted and leg.index not in pairs:
            by_pool.setdefault((leg.account, leg.asset), []).append(leg)
    stamps = {pool: [leg.timestamp for leg in legs] for pool, legs in by_pool.items()}
    for out in naming:
        pool = (out.counterpart, out.asset)
        legs = by_pool.get(pool)
        if not legs:
            continue
        for position in range(
            bisect.bisect_left(stamps[pool], out.timestamp - EARLY_ARRIVAL_MICROS), len(legs)
        ):
            leg = legs[position]
            if leg.timestamp > out.timestamp + PAIR_WINDOW_MICROS:
                break
            if (
                leg.index not in pairs
                and leg.quantity <= out.quantity
                and leg.counterpart in (None, out.account)
                and (out.index, leg.index) not in forbidden
            ):
                pair(out, leg, HIGH)
                break


def _size(quantity: int) -> int:
    """A quantity's size step: its bit length and the 6 bits from its top, an increasing key
    whose steps are at least 1/63 (1.6%) wide — so a receipt at most 1% short of its send (the
    fee tolerance) is in the send's step or the one below."""
    shift = max(quantity.bit_length() - 6, 0)
    return (shift << 6) | (quantity >> shift)


def _candidate(out: MoveLeg, leg: MoveLeg, tolerance: int = FEE_TOLERANCE) -> bool:
    return (
        leg.account != out.account
        and leg.counterpart in (None, out.account)
        and out.quantity - out.quantity // tolerance <= leg.quantity <= out.quantity
        and not (out.tx_id and leg.tx_id and out.tx_id != leg.tx_id)
    )


def _in_window(out: MoveLeg, leg: MoveLeg, after: int = PAIR_WINDOW_MICROS) -> bool:
    return out.timestamp - EARLY_ARRIVAL_MICROS <= leg.timestamp <= out.timestamp + after


def _pair_by_window(
    outs: list[MoveLeg],
    ins: list[MoveLeg],
    pairs: dict[int, int],
    forbidden: frozenset[tuple[int, int]],
    warnings: list[str] | None,
    pair: _Pair,
) -> None:
    """The window rule for what the decisions, ids and counterparts left unpaired: one-to-one.
    The open ins are kept per asset and size step (_size), each in time order: an out looks only
    at the receipts near its time in its own step and the one below."""
    open_ins: dict[tuple[str, int], tuple[list[MoveLeg], list[int]]] = {}
    for leg in ins:
        if leg.index not in pairs:
            legs, _ = open_ins.setdefault((leg.asset, _size(leg.quantity)), ([], []))
            legs.append(leg)
    for legs, stamps in open_ins.values():
        stamps.extend(leg.timestamp for leg in legs)
    for_out: dict[int, list[MoveLeg]] = {}
    for_in: dict[int, list[MoveLeg]] = {}
    left, right = bisect.bisect_left, bisect.bisect_right
    for out in outs:  # the hot loop of matching: _candidate's tests inlined
        index = out.index
        if index in pairs or out.counterpart:
            continue
        found: list[MoveLeg] = []
        sent, account, tx, asset, ts = out.quantity, out.account, out.tx_id, out.asset, out.timestamp
        least = sent - sent // FEE_TOLERANCE
        small, large = _size(least), _size(sent)
        for size in (small,) if small == large else (small, large):
            legs, stamps = open_ins.get((asset, size), _NONE)
            for position in range(
                left(stamps, ts - EARLY_ARRIVAL_MICROS), right(stamps, ts + PAIR_WINDOW_MICROS)
            ):
                leg = legs[position]
                if (
                    least <= leg.quantity <= sent
                    and leg.account != account
                    and (leg.counterpart is None or leg.counterpart == account)
                    and not (tx and leg.tx_id and tx != leg.tx_id)
                    and not (forbidden and (index, leg.index) in forbidden)
                ):
                    found.append(leg)
        if found:
            if len(found) > 1:
                found.sort(key=lambda leg: leg.index)
            for_out[out.index] = found
            for leg in found:
                for_in.setdefault(leg.index, []).append(out)
    by_index = {out.index: out for out in outs}
    for out_index, found in for_out.items():
        out = by_index[out_index]
        if len(found) == 1 and len(for_in[found[0].index]) == 1:
            pair(out, found[0], LIKELY)
        elif warnings is not None and len(found) > 1:
            names = ", ".join(f"{leg.ref} ({leg.account})" for leg in found)
            warnings.append(
                f"{out.ref}: transfer out of {out.account} could be received as any of {names}; "
                "not paired (name the counterpart_account, or the transaction id)"
            )
    if warnings is not None:
        in_legs = {leg.index: leg for leg in ins}
        for leg_index, candidates in for_in.items():
            if len(candidates) > 1:
                leg = in_legs[leg_index]
                names = ", ".join(f"{out.ref} ({out.account})" for out in candidates)
                warnings.append(
                    f"{leg.ref}: transfer into {leg.account} could have been sent as any of {names}; "
                    "not paired (name the counterpart_account, or the transaction id)"
                )


class Suggestion(NamedTuple):
    """A leg that could be the other end of an unpaired transfer, and how sure that is."""

    leg: MoveLeg
    confidence: str  # AMBIGUOUS (within the rules, with rivals) or LOW (outside them)


class Suggester:
    """The other ends an unpaired leg could have: unpaired legs of the other direction, same
    asset, another account, the in at most an hour before the out and 30 days after it, the
    amount received at most what was sent and at least 95% of it, hashes not in conflict, not
    kept apart by the user. Built once per result; each question is a window search."""

    def __init__(self, result: Pairing) -> None:
        self.pairs = result.pairs
        self.forbidden = result.forbidden
        self.by_index = {m.index: m for m in result.moves}
        self._sides: dict[tuple[int, str], tuple[list[MoveLeg], list[int]]] = {}
        for leg in result.moves:
            if leg.index not in self.pairs:
                legs, _ = self._sides.setdefault((leg.kind, leg.asset), ([], []))
                legs.append(leg)
        for legs, stamps in self._sides.values():
            stamps.extend(leg.timestamp for leg in legs)

    def for_leg(self, index: int) -> list[Suggestion]:
        leg = self.by_index[index]
        receiving = leg.kind == MOVE_IN
        legs, stamps = self._sides.get((MOVE_OUT if receiving else MOVE_IN, leg.asset), ([], []))
        if receiving:  # sends up to 30 days before it (or an hour after: venue clocks)
            low = bisect.bisect_left(stamps, leg.timestamp - SUGGEST_WINDOW_MICROS)
            high = bisect.bisect_right(stamps, leg.timestamp + EARLY_ARRIVAL_MICROS)
        else:
            low = bisect.bisect_left(stamps, leg.timestamp - EARLY_ARRIVAL_MICROS)
            high = bisect.bisect_right(stamps, leg.timestamp + SUGGEST_WINDOW_MICROS)
        suggestions: list[Suggestion] = []
        for other in legs[low:high]:
            out, into = (other, leg) if receiving else (leg, other)
            if _candidate(out, into, SUGGEST_FEE_TOLERANCE) and (out.index, into.index) not in self.forbidden:
                suggestions.append(Suggestion(other, self._confidence(out, into)))
        suggestions.sort(key=lambda s: (s.confidence != AMBIGUOUS, abs(s.leg.timestamp - leg.timestamp)))
        return suggestions[:SUGGESTIONS]

    @staticmethod
    def _confidence(out: MoveLeg, into: MoveLeg) -> str:
        return AMBIGUOUS if _candidate(out, into) and _in_window(out, into) and not out.counterpart else LOW
