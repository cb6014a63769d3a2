"""An allocation edited lot by lot (tui.allocation_edits.EditedAllocation): moves keep each lot
whole, the units per account are checked, and 10^15 units with 10^15 dollars of basis stay exact."""

from __future__ import annotations

from datetime import date

import pytest

from engine.core import fixedpoint as fp
from engine.core.units import Amount, DayOrdinal, EpochMicros
from engine.ledger.allocation import AssetSnapshot, UnusedLot, suggestion
from tui.allocation_edits import EditedAllocation

E15 = 10**15 * fp.SCALE  # 10^15 units (or dollars) in 1e-18 units: past Int64


def snapshot() -> AssetSnapshot:
    day = DayOrdinal(date(2020, 1, 1).toordinal())
    lots = (
        UnusedLot("A", "A", Amount(E15), Amount(3 * E15), EpochMicros(1), day),
        UnusedLot("B", "B", Amount(E15), Amount(E15), EpochMicros(2), day),
    )
    return AssetSnapshot("SHIB", {"hot": Amount(E15), "cold": Amount(E15)}, lots, {})


def test_moving_part_of_a_lot_of_10_to_the_15_units_is_exact_and_checked():
    edited = EditedAllocation(snapshot(), tuple(suggestion(snapshot()).slices))
    assert [(p[0], p[1]) for p in edited.pieces] == [("cold", "A"), ("hot", "B")]
    assert edited.problems() == []
    said = edited.move(0, "hot", "250000000000000.000000000000000001")  # a quarter of A, and 1e-18
    assert said == "moved 250000000000000.000000000000000001 of lot A from cold to hot"
    moved = E15 // 4 + 1
    assert edited.per_account() == [("cold", E15, E15 - moved), ("hot", E15, E15 + moved)]
    assert [p for p in edited.problems() if "held 1000000000000000 on 2025-01-01 but" in p] != []
    slices = {(s.account, s.key): s for s in edited.slices}
    # pro rata basis, rounded down; the slice taking the last of the lot takes the rest: A stays 3 x 10^15
    assert slices[("hot", "A")].basis == 3 * E15 * moved // E15
    assert slices[("hot", "A")].basis + slices[("cold", "A")].basis == 3 * E15
    edited.move(2, "cold", fp.fmt(Amount(moved), 0))  # as much of hot's B to cold: balanced again
    assert edited.per_account() == [("cold", E15, E15), ("hot", E15, E15)]
    assert edited.problems() == []
    assert [(r.account, r.lot, r.quantity) for r in edited.requests()] == [
        ("cold", "A", E15 - moved),
        ("cold", "B", moved),
        ("hot", "A", moved),
        ("hot", "B", E15 - moved),
    ]


@pytest.mark.parametrize(("units", "said"), [("0", "units: between 0 and"), ("2000000000000000", "units: between 0 and"),
                                             ("many", "units: not a number: 'many'")])  # fmt: skip
def test_a_bad_move_changes_nothing(units: str, said: str):
    edited = EditedAllocation(snapshot(), tuple(suggestion(snapshot()).slices))
    before = list(edited.pieces)
    with pytest.raises(ValueError, match=said):
        edited.move(0, "hot", units)
    with pytest.raises(ValueError, match="already allocated to cold"):
        edited.move(0, "cold", "")
    assert edited.pieces == before
