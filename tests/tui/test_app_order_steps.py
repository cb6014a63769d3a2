"""The app asks to sell what the exchange accepts (issue 12 item 9): whole steps of the account's
market precision, rounded down, and it says so; the exact quantity where no step is known."""

from __future__ import annotations

from pathlib import Path

from engine.core import fixedpoint as fp
from engine.core.units import EpochMillis
from tests.tui.pilot import cells, notifications, settled
from tui.testing import demo_app


async def test_a_step_sells_whole_exchange_steps_and_says_it_was_rounded_down(tmp_path: Path):
    app = demo_app(tmp_path)
    app.session.engine.store.save_amount_steps(
        "coinbase", {"AVAX": (fp.parse("0.01"), "AVAX/USD")}, EpochMillis(0)
    )
    async with app.run_test(size=(160, 40)) as pilot:
        await settled(pilot)
        first = cells(app, "candidates")[0]
        assert first[1:3] == ["coinbase", "AVAX"]
        await pilot.press("space")
        await settled(pilot)
        assert (
            "Step 1: sell 199.14 AVAX on coinbase (rounded down to the exchange's 0.01 step)",
            "information",
        ) in notifications(app)
        assert "sell 199.14 AVAX on coinbase" in cells(app, "checklist")[0][3]
        (step,) = app.session.snapshot().steps
        assert step.quantity == fp.parse("199.14")


async def test_without_a_known_step_the_quantity_is_exact(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settled(pilot)
        await pilot.press("space")
        await settled(pilot)
        assert ("Step 1: sell 199.14253879 AVAX on coinbase", "information") in notifications(app)
