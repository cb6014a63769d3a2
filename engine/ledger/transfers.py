"""Pairing transfers between own accounts, so lots (basis and acquisition date) move along.

The rules, in order (each leg pairs at most once):
1. the same transaction id (the on-chain hash) and asset, in two different accounts;
2. a transfer out naming its counterpart account: that account's first transfer in of the asset
   within the window, not larger than what was sent;
3. otherwise the window rule: same asset, another account, the in no earlier than an hour before
   the out and no later than 7 days after, the amount received equal to the amount sent or less
   by at most 1% (a network fee), transaction ids equal or absent on one side — and one-to-one:
   when an out has two candidate ins (or an in two candidate outs) nothing is paired, and a
   warning names them, never a silent guess."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from engine.core.units import MICROS_PER_DAY, MICROS_PER_HOUR, Amount, EpochMicros
from engine.ledger.legs import MOVE_IN, MOVE_OUT

PAIR_WINDOW_MICROS = 7 * MICROS_PER_DAY
EARLY_ARRIVAL_MICROS = MICROS_PER_HOUR  # clocks of two venues disagree a little
FEE_TOLERANCE = 100  # the window rule: received >= sent - sent / 100 (a fee of up to 1%)


@dataclass(frozen=True, slots=True)
class MoveLeg:
    index: int  # position in the sorted leg list
    account: str
    asset: str
    kind: int
    timestamp: EpochMicros
    quantity: Amount
    counterpart: str | None
    tx_id: str | None
    ref: str = ""  # the record's id, for warnings


def pair_transfers(moves: list[MoveLeg], warnings: list[str] | None = None) -> dict[int, int]:
    """Map each paired transfer-out leg index to its transfer-in leg index (and back); unpaired
    legs are absent. Ambiguous candidates are reported in `warnings`, never paired."""
    outs = [m for m in moves if m.kind == MOVE_OUT]
    ins = [m for m in moves if m.kind == MOVE_IN]
    pairs: dict[int, int] = {}

    def pair(out: MoveLeg, leg: MoveLeg) -> None:
        pairs[out.index] = leg.index
        pairs[leg.index] = out.index

    by_tx: dict[tuple[str, str], list[MoveLeg]] = {}
    for leg in ins:
        if leg.tx_id:
            by_tx.setdefault((leg.tx_id, leg.asset), []).append(leg)
    for out in outs:
        if not out.tx_id:
            continue
        for leg in by_tx.get((out.tx_id, out.asset), []):
            if leg.index not in pairs and leg.account != out.account:
                pair(out, leg)
                break
    for out in outs:
        if out.index in pairs or not out.counterpart:
            continue
        for leg in ins:
            if (
                leg.index not in pairs
                and leg.account == out.counterpart
                and leg.asset == out.asset
                and leg.quantity <= out.quantity
                and leg.counterpart in (None, out.account)
                and out.timestamp - EARLY_ARRIVAL_MICROS
                <= leg.timestamp
                <= out.timestamp + PAIR_WINDOW_MICROS
            ):
                pair(out, leg)
                break
    _pair_by_window(outs, ins, pairs, warnings)
    return pairs


def _candidate(out: MoveLeg, leg: MoveLeg) -> bool:
    return (
        leg.account != out.account
        and leg.counterpart in (None, out.account)
        and out.quantity - out.quantity // FEE_TOLERANCE <= leg.quantity <= out.quantity
        and not (out.tx_id and leg.tx_id and out.tx_id != leg.tx_id)
    )


def _pair_by_window(
    outs: list[MoveLeg], ins: list[MoveLeg], pairs: dict[int, int], warnings: list[str] | None
) -> None:
    """The window rule for what the ids and counterparts left unpaired: one-to-one only."""
    open_ins: dict[str, list[MoveLeg]] = {}
    for leg in ins:
        if leg.index not in pairs:
            open_ins.setdefault(leg.asset, []).append(leg)
    times = {asset: [leg.timestamp for leg in legs] for asset, legs in open_ins.items()}
    for_out: dict[int, list[MoveLeg]] = {}
    for_in: dict[int, list[MoveLeg]] = {}
    for out in outs:
        if out.index in pairs or out.counterpart or out.asset not in open_ins:
            continue
        legs, stamps = open_ins[out.asset], times[out.asset]
        low = bisect.bisect_left(stamps, out.timestamp - EARLY_ARRIVAL_MICROS)
        high = bisect.bisect_right(stamps, out.timestamp + PAIR_WINDOW_MICROS)
        found = [leg for leg in legs[low:high] if _candidate(out, leg)]
        if found:
            for_out[out.index] = found
            for leg in found:
                for_in.setdefault(leg.index, []).append(out)
    by_index = {out.index: out for out in outs}
    for out_index, found in for_out.items():
        out = by_index[out_index]
        if len(found) == 1 and len(for_in[found[0].index]) == 1:
            pairs[out_index] = found[0].index
            pairs[found[0].index] = out_index
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
