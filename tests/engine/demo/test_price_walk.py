"""The demo's simulated market stays plausible for hours (issue 12 item 17): its walk leans back
toward the starting price, so dips recover instead of compounding to nothing."""

from __future__ import annotations

from datetime import date
from itertools import islice

import pytest

from engine.demo import portfolio as demo

TODAY = date(2026, 11, 24)
HOURS_OF_STEPS = 10_000  # one step a second: close to three hours


@pytest.mark.parametrize("seed", [7, 8, 9, 10, 11])
def test_hours_of_steps_stay_within_plausible_bounds(seed: int):
    for asset, start in demo.demo_prices(TODAY).items():
        path = list(islice(demo.price_walk(asset, start, seed), HOURS_OF_STEPS))
        assert min(path) >= start * 3 / 10, f"{asset} fell to {min(path) / start:.1%} of its start"
        assert max(path) <= start * 3 / 2, f"{asset} rose to {max(path) / start:.1%} of its start"
        steps = [later / earlier for earlier, later in zip(path, path[1:], strict=False)]
        assert min(steps) < 0.96  # it still dips
