"""Pairing transfers between own accounts, so lots (basis and acquisition date) move along."""

from __future__ import annotations

from dataclasses import dataclass

from engine.core.units import MICROS_PER_DAY, MICROS_PER_HOUR, Amount, EpochMicros
from engine.ledger.legs import MOVE_IN, MOVE_OUT

PAIR_WINDOW_MICROS = 7 * MICROS_PER_DAY
EARLY_ARRIVAL_MICROS = MICROS_PER_HOUR  # clocks of two venues disagree a little


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


def pair_transfers(moves: list[MoveLeg]) -> dict[int, int]:
    """Map each paired transfer-out leg index to its transfer-in leg index (and back).

    First by transaction id, then by counterpart account, asset and a time window (the in may
    not exceed the out; the earliest candidate wins), then — for files that name neither end
    (a Coinbase send, a Kraken deposit) — by the exact quantity of the asset arriving in another
    account within the window. Unpaired legs are absent from the map.
    """
    outs = [m for m in moves if m.kind == MOVE_OUT]
    ins = [m for m in moves if m.kind == MOVE_IN]
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    by_tx: dict[tuple[str, str], list[MoveLeg]] = {}
    for leg in ins:
        if leg.tx_id:
            by_tx.setdefault((leg.tx_id, leg.asset), []).append(leg)
    for out in outs:
        if not out.tx_id:
            continue
        for leg in by_tx.get((out.tx_id, out.asset), []):
            if leg.index not in taken and leg.account != out.account:
                pairs[out.index] = leg.index
                pairs[leg.index] = out.index
                taken.add(leg.index)
                break
    for out in outs:
        if out.index in pairs or not out.counterpart:
            continue
        for leg in ins:
            if (
                leg.index not in taken
                and leg.account == out.counterpart
                and leg.asset == out.asset
                and leg.quantity <= out.quantity
                and leg.counterpart in (None, out.account)
                and out.timestamp - EARLY_ARRIVAL_MICROS
                <= leg.timestamp
                <= out.timestamp + PAIR_WINDOW_MICROS
            ):
                pairs[out.index] = leg.index
                pairs[leg.index] = out.index
                taken.add(leg.index)
                break
    _pair_by_quantity(outs, ins, pairs, taken)
    return pairs


def _pair_by_quantity(
    outs: list[MoveLeg], ins: list[MoveLeg], pairs: dict[int, int], taken: set[int]
) -> None:
    """An out naming no account pairs with the earliest unpaired in of exactly its quantity of
    the asset, in another account, within the window; two different tx ids never pair."""
    for out in outs:
        if out.index in pairs or out.counterpart:
            continue
        for leg in ins:
            if (
                leg.index not in taken
                and leg.account != out.account
                and leg.asset == out.asset
                and leg.quantity == out.quantity
                and leg.counterpart in (None, out.account)
                and not (leg.tx_id and out.tx_id and leg.tx_id != out.tx_id)
                and out.timestamp - EARLY_ARRIVAL_MICROS
                <= leg.timestamp
                <= out.timestamp + PAIR_WINDOW_MICROS
            ):
                pairs[out.index] = leg.index
                pairs[leg.index] = out.index
                taken.add(leg.index)
                break
