"""Matcher.__init__ looks at every leg's extras a slice of LEGS_PER_CALL legs at a time (one C
call over a million legs held the GIL 40-70 ms while the app's UI thread waited): a disposal
naming lots is found in any slice, first, last or across a boundary. So does match_lots' look
for a transfer leg (lots._has_moves)."""

from __future__ import annotations

from unittest import mock

import pytest

from engine.ledger import lot_matcher, lots
from engine.ledger.legs import ACQUIRE, DISPOSE, MOVE_IN, MOVE_OUT
from engine.ledger.lot_matcher import Matcher
from engine.ledger.records import Ledger, LegExtra, LegRow

PLAIN: LegRow = (1, ACQUIRE, 1, 10**18, 10**18, "B", None)
TRANSFER = LegExtra(None, "coinbase", "tx", None)  # an extra without an identification
NAMING = LegExtra("B:1", None, None, None)


def legs_with(at: int | None, count: int = 7) -> list[LegRow]:
    legs = [PLAIN if n % 3 else (*PLAIN[:6], TRANSFER) for n in range(count)]
    if at is not None:
        legs[at] = (1, DISPOSE, 2, 10**18, 10**18, "S", NAMING)
    return legs


@pytest.mark.parametrize("per_call", [1, 2, 3, 100_000])
@pytest.mark.parametrize("at", [None, 0, 1, 2, 5, 6])
def test_a_disposal_naming_lots_is_seen_in_any_slice(per_call: int, at: int | None):
    ledger = Ledger(pools={1: ("kraken", "BTC")}, legs=legs_with(at))
    with mock.patch.object(lot_matcher, "LEGS_PER_CALL", per_call):
        assert Matcher(ledger, "fifo", False, lambda ts: 0).track_ids is (at is not None)


def test_no_legs():
    assert Matcher(Ledger(pools={}, legs=[]), "fifo", False, lambda ts: 0).track_ids is False


@pytest.mark.parametrize("per_call", [1, 2, 3, 100_000])
@pytest.mark.parametrize("at", [None, 0, 1, 2, 5, 6])
@pytest.mark.parametrize("kind", [MOVE_OUT, MOVE_IN])
def test_a_transfer_leg_is_seen_in_any_slice(per_call: int, at: int | None, kind: int):
    legs = legs_with(None)
    if at is not None:
        legs[at] = (1, kind, 2, 10**18, None, "T", None)
    with mock.patch.object(lots, "LEGS_PER_CALL", per_call):
        assert lots._has_moves(legs) is (at is not None)
    assert lots._has_moves([]) is False
