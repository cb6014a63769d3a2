"""The checklist as a user expects it (issue 12 items 8 and 11): a skipped position can be planned
again, `c` cancels, skipping a sold step keeps the sale, confirmations name the state a step moves
to and are not offered for a move that would be refused, and times are in the tax zone, in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.planning.checklist import Checklist
from tests.tui.pilot import cells, notifications, settled, table
from tui.screens.dialogs import ConfirmScreen, ReasonScreen
from tui.screens.main import MainScreen
from tui.testing import demo_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# the demo's tax zone is America/New_York and its clock stops at noon there: 17:00 UTC
NOON_IN_NEW_YORK = "Nov 24 12:00"


async def plan_first_candidate(pilot) -> None:  # noqa: ANN001
    """`space` on the first candidate, then focus the checklist."""
    await settled(pilot)
    await pilot.press("space")
    await settled(pilot)
    await pilot.press("tab")


async def confirm_advance(pilot, answer: str = "y") -> str:  # noqa: ANN001
    """`a` on the selected step: the question asked, then answered."""
    await pilot.press("a")
    assert isinstance(pilot.app.screen, ConfirmScreen)
    question = pilot.app.screen.question
    await pilot.press(answer)
    await settled(pilot)
    return question


async def test_a_skipped_candidate_can_be_planned_again(tmp_path: Path):
    """`space` on a skipped position tried to remove its step ('step 1 is skipped; skip or cancel
    it instead'). The skipped step stays as history; planning again adds a new planned step."""
    app = demo_app(tmp_path)
    async with app.run_test(size=(170, 50)) as pilot:
        await plan_first_candidate(pilot)
        await pilot.press("k", *"price came back", "enter")
        await settled(pilot)
        assert cells(app, "candidates")[0][0] == " "  # not planned any more
        await pilot.press("shift+tab")  # back to the candidates
        await pilot.press("space")
        await settled(pilot)
        assert [row[2] for row in cells(app, "checklist")] == ["skipped", "planned"]
        assert cells(app, "checklist")[0][6] == "price came back"
        assert cells(app, "candidates")[0][0] == "✓"
        assert not [text for text, severity in notifications(app) if severity == "error"]
        await pilot.press("space")  # and out again: only the new step goes
        await settled(pilot)
        assert [row[2] for row in cells(app, "checklist")] == ["skipped"]


async def test_c_cancels_a_step_with_a_reason(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(170, 50)) as pilot:
        await plan_first_candidate(pilot)
        await pilot.press("c")
        assert isinstance(app.screen, ReasonScreen)
        assert app.screen.question.endswith("step 1: planned → cancelled")
        await pilot.press(*"changed my mind", "enter")
        await settled(pilot)
        row = cells(app, "checklist")[0]
        assert (row[2], row[6]) == ("cancelled", "changed my mind")
        step = Checklist(app.session.engine.store.conn).step(1)
        assert (step.state, step.reason) == ("cancelled", "changed my mind")


async def test_c_is_remappable(tmp_path: Path):
    app = demo_app(tmp_path, keymap={"cancel": "x"})
    async with app.run_test(size=(170, 50)) as pilot:
        await plan_first_candidate(pilot)
        await pilot.press("x")
        assert isinstance(app.screen, ReasonScreen)


async def test_confirmations_name_the_target_state_and_times_are_in_the_tax_zone(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(170, 50)) as pilot:
        await plan_first_candidate(pilot)
        question = await confirm_advance(pilot)
        assert question.startswith("Record the identification of lots ")
        assert question.endswith("step 1: planned → identified")
        row = cells(app, "checklist")[0]
        assert (row[2], row[6]) == ("identified", f"identified {NOON_IN_NEW_YORK}")  # not 17:00 (UTC)
        question = await confirm_advance(pilot)
        assert question.startswith("Mark step 1 sold (")
        assert question.endswith("step 1: identified → sold")
        row = cells(app, "checklist")[0]
        assert (row[2], row[6]) == ("sold", f"sold {NOON_IN_NEW_YORK}, rebuy in 24h")
        assert ("step 1: sold", "information") in notifications(app)


async def test_a_refused_advance_is_said_at_once_without_a_dialog(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(170, 50)) as pilot:
        await plan_first_candidate(pilot)
        await confirm_advance(pilot)
        await confirm_advance(pilot)  # sold now: the rebuy waits 24 hours
        await pilot.press("a")
        await settled(pilot)
        assert isinstance(app.screen, MainScreen)
        assert ("step 1: the rebuy is not due until Nov 25 12:00", "warning") in notifications(app)
        assert cells(app, "checklist")[0][2] == "sold"
        await pilot.press("k", *"price ran away", "enter")  # skip the rebuy: done
        await settled(pilot)
        await pilot.press("a")
        await settled(pilot)
        assert isinstance(app.screen, MainScreen)
        assert ("step 1 is done; nothing to advance", "warning") in notifications(app)
        await pilot.press("c")
        await settled(pilot)
        assert isinstance(app.screen, MainScreen)
        assert ("step 1 is already done", "warning") in notifications(app)


async def test_skipping_a_sold_step_skips_its_rebuy_and_keeps_the_sale(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(170, 50)) as pilot:
        await plan_first_candidate(pilot)
        await confirm_advance(pilot)
        await confirm_advance(pilot)
        conn = app.session.engine.store.conn
        sold = Checklist(conn).step(1)
        await pilot.press("k")
        assert isinstance(app.screen, ReasonScreen)
        assert "the rebuy of step 1" in app.screen.question
        assert "the sale stays recorded" in app.screen.question
        assert app.screen.question.endswith("step 1: sold → done")
        await pilot.press(*"price ran away", "enter")
        await settled(pilot)
        row = cells(app, "checklist")[0]
        assert (row[2], row[6]) == ("done", "rebuy skipped: price ran away")
        step = Checklist(conn).step(1)
        assert step.state == "done"
        assert (step.identified_at, step.sold_at) == (sold.identified_at, sold.sold_at)
        recorded = conn.execute("SELECT step_id FROM identifications").fetchall()
        assert recorded == [(step.id,)]
        # the sale happened but its trade is not in the store yet: still counted, and said so
        assert "1 sold, trade not imported yet" in str(app.screen.query_one("#checklist").border_title)
        assert table(app, "checklist").row_count == 1
