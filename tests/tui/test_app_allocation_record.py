"""Recording the 2025 allocation from the app (`l`): `e` edits harvest's suggestion lot by lot
with the constraints checked at every move, `g` records a global rule; each after a confirmation
naming what and its timeliness flags. On the transition story (tests/tui/transition_app.py):
harvest suggests kraken K1 0.5; coinbase C2 0.5 + K1 0.5; ledger C1 0.5 + C2 0.5."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Select

from engine.core import fixedpoint as fp
from engine.ledger.allocation_record import recorded
from tests.tui.pilot import notifications, settled
from tests.tui.transition_app import transition_app
from tui.screens.allocation_dialogs import EditAllocationScreen, GlobalRuleScreen
from tui.screens.dialogs import ConfirmScreen
from tui.screens.transition import AllocationScreen

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def edit_rows(app) -> list[tuple[str, str, str, str]]:  # noqa: ANN001
    table = app.screen.query_one("#edit-table")
    return [
        tuple(str(c) for i, c in enumerate(table.get_row_at(r)) if i != 2) for r in range(table.row_count)
    ]


async def move(app, pilot, row: int, to: str, units: str) -> None:  # noqa: ANN001
    app.screen.query_one("#edit-table").move_cursor(row=row)
    app.screen.query_one("#edit-to", Select).value = to
    app.screen.query_one("#edit-units", Input).value = units
    app.screen.query_one("#edit-table").focus()
    await pilot.press("m")
    await pilot.pause()


async def test_e_edits_the_suggestion_lot_by_lot_then_records_it(tmp_path: Path):
    app = transition_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settled(pilot)
        await pilot.press("l")
        await settled(pilot)
        assert isinstance(app.screen, AllocationScreen)
        await pilot.press("e")
        assert isinstance(app.screen, EditAllocationScreen)
        assert edit_rows(app) == [
            ("coinbase", "C2", "0.5", "10000.00"), ("coinbase", "K1", "0.5", "25000.00"),
            ("kraken", "K1", "0.5", "25000.00"), ("ledger", "C1", "0.5", "5000.00"), ("ledger", "C2", "0.5", "10000.00"),
        ]  # fmt: skip
        await move(app, pilot, 0, "ledger", "0.75")  # more than the row holds: said, nothing moved
        assert str(app.screen.query_one(".allocation-error").render()).startswith("units: between 0 and 0.5")
        await move(app, pilot, 0, "ledger", "0.2")  # part of C2 to ledger: both accounts now wrong
        check = str(app.screen.query_one("#edit-check").render())
        assert "✗ coinbase: held 1, allocated 0.8" in check
        assert "✗ ledger: held 1, allocated 1.2" in check
        assert "BTC: coinbase held 1 on 2025-01-01 but 0.8 is allocated to it" in check
        await pilot.press("ctrl+s")  # refused here: nothing asked of the engine
        assert isinstance(app.screen, EditAllocationScreen)
        assert "fix the ✗ accounts first" in str(app.screen.query_one(".allocation-error").render())
        await move(app, pilot, 3, "coinbase", "0.2")  # ledger's C1 0.2 to coinbase: balanced again
        assert edit_rows(app) == [
            ("coinbase", "C1", "0.2", "2000.00"), ("coinbase", "C2", "0.3", "6000.00"),
            ("coinbase", "K1", "0.5", "25000.00"), ("kraken", "K1", "0.5", "25000.00"),
            ("ledger", "C1", "0.3", "3000.00"), ("ledger", "C2", "0.7", "14000.00"),
        ]  # fmt: skip
        assert "Every account gets the units it held." in str(app.screen.query_one("#edit-check").render())
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        question = app.screen.question
        assert question.startswith("Record your specific-unit allocation of BTC (6 slice(s): coinbase 1, kraken 0.5, "
                                   "ledger 1)? It is irrevocable")  # fmt: skip
        assert "BTC, if recorded now: not timely: made after the first disposal of BTC from 2025" in question
        await pilot.press("y")
        await settled(pilot)
        assert isinstance(app.screen, AllocationScreen)
        (allocation, held) = recorded(app.session.engine.store.decisions())["BTC"]
        assert allocation.method == "specific_unit"
        assert [(s.account, s.key, fp.fmt(s.quantity, 0)) for s in allocation.slices] == [
            ("coinbase", "C1", "0.2"), ("coinbase", "C2", "0.3"), ("coinbase", "K1", "0.5"),
            ("kraken", "K1", "0.5"), ("ledger", "C1", "0.3"), ("ledger", "C2", "0.7"),
        ]  # fmt: skip
        assert allocation.reason == "edited in the app"
        assert any(
            text.startswith("Recorded the allocation of BTC (decision") for text, _ in notifications(app)
        )
        await pilot.press("e")  # recorded: irrevocable
        assert isinstance(app.screen, AllocationScreen)


async def test_g_records_a_global_rule_after_checking_it(tmp_path: Path):
    app = transition_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settled(pilot)
        await pilot.press("l")
        await settled(pilot)
        await pilot.press("g")
        assert isinstance(app.screen, GlobalRuleScreen)
        assert app.screen.query_one("#rule-accounts", Input).value == "coinbase, kraken, ledger"
        await pilot.press("ctrl+s")
        await settled(pilot)
        error = app.screen.query_one(".allocation-error")
        assert str(error.render()) == "rule written on: the date your books first held the rule (YYYY-MM-DD)"
        app.screen.query_one("#rule-written", Input).value = "2024-12-01"
        app.screen.query_one("#rule-accounts", Input).value = "kraken, coinbase"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, GlobalRuleScreen)
        assert "the rule names no turn for ledger" in str(error.render())
        app.screen.query_one("#rule-accounts", Input).value = "kraken, coinbase, ledger"
        app.screen.query_one("#rule-order", Select).value = "fifo"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        question = app.screen.question
        assert question.startswith("Record a global allocation rule for BTC: units of unused basis ordered earliest "
                                   "acquired first")  # fmt: skip
        assert "in your books since 2024-12-01? It is irrevocable" in question
        assert "BTC, if recorded now: sales from 2025 before the allocation was complete" in question
        assert "not a global allocation" not in question  # written before 2025
        await pilot.press("y")
        await settled(pilot)
        (allocation, _) = recorded(app.session.engine.store.decisions())["BTC"]
        assert allocation.method == "global"
        assert allocation.rule is not None
        assert (allocation.rule.order, allocation.rule.accounts) == ("fifo", ("kraken", "coinbase", "ledger"))
        assert allocation.rule_written_on is not None
        await pilot.press("g")  # nothing left to allocate
        assert isinstance(app.screen, AllocationScreen)
        assert any("already has its allocation recorded" in text for text, _ in notifications(app))


async def test_a_rule_written_in_2025_is_flagged_in_the_confirmation(tmp_path: Path):
    app = transition_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settled(pilot)
        await pilot.press("l")
        await settled(pilot)
        await pilot.press("g")
        app.screen.query_one("#rule-written", Input).value = "2025-02-01"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert (
            "not a global allocation: its rule must be in your books before 2025-01-01" in app.screen.question
        )
        await pilot.press("n")
        await settled(pilot)
        assert recorded(app.session.engine.store.decisions()) == {}
