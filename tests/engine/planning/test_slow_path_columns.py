"""The planner's slow path at a million lots computes two things in bulk that were loops per
lot: each lot's unit cost (fp.unit_price's half-even rounding, inlined) and each asset's latest
acquisition (from the lots frame). Both must give exactly what the loops gave."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
from engine.planning.planner import Planner
from engine.planning.positions import _unit_costs
from tests.support import HEADER, engine_from_csv

AMOUNTS = st.one_of(st.integers(1, 10**6), st.integers(1, 10**33), st.integers(10**15, 10**19))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(AMOUNTS, st.one_of(st.none(), st.integers(-(10**33), 10**33), AMOUNTS)), max_size=30)
)
def test_unit_costs_are_fp_unit_price(lots):
    quantities = tuple(quantity for quantity, _ in lots)
    bases = tuple(basis for _, basis in lots)
    expected = [None if basis is None else fp.unit_price(basis, quantity) for quantity, basis in lots]
    assert _unit_costs(quantities, bases) == expected


def test_unit_costs_round_half_to_even():
    # 5 / 2 units and 7 / 2 units per unit of quantity: halves go to the even neighbour
    assert _unit_costs((2 * fp.SCALE, 2 * fp.SCALE), (5, 7)) == [2, 4]


LEDGER = f"""{HEADER}
2025-01-10T10:00:00Z,kraken,BTC,buy,1,60000,10,B1
2025-06-10T10:00:00Z,coinbase,BTC,buy,1,40000,10,B2
2025-03-01T10:00:00Z,coinbase,ETH,buy,10,3000,5,E1
2026-02-10T10:00:00Z,kraken,BTC,sell,1,30000,10,S1
2026-02-11T10:00:00Z,kraken,SOL,buy,3,100,1,L1
2026-02-12T10:00:00Z,kraken,SOL,sell,3,100,1,L2
2026-02-13T10:00:00Z,kraken,ETH,buy,1,3000,1,E2
2026-02-14T10:00:00Z,kraken,ETH,sell,1,3000,1,E3
"""


def test_latest_acquisitions_are_what_the_loop_gave(tmp_path: Path):
    engine = engine_from_csv(tmp_path, LEDGER)
    result = engine.lots()
    expected: dict[str, int] = {}
    for lot in result.open_lots:
        expected[lot.asset] = max(expected.get(lot.asset, lot.acquired_day), lot.acquired_day)
    for row in result.realized:
        expected[row.asset] = max(expected.get(row.asset, row.acquired_day), row.acquired_day)
    recent = Planner(engine).slow_inputs().recent_buys
    assert recent == expected
    assert list(recent) == list(expected)  # the same order: open lots' assets first
    assert set(recent) == {"BTC", "ETH", "SOL"}  # SOL only from a realized slice
