"""A pane with nothing to show says why, in the table's place: how to bring data in, or why no
position is a candidate."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from textual.widgets import Static

from engine.planning.candidates import Blocked
from tests.tui.pilot import notifications, settled, table
from tui.app import HarvestApp
from tui.keys import DEFAULT_KEYS, Keys
from tui.session import Snapshot
from tui.testing import demo_app, empty_app
from tui.widgets.empty_states import candidates_note


def note(app: HarvestApp, pane: str) -> str | None:
    """The pane's note, or None when it is hidden."""
    shown = app.screen.query_one(f"#{pane}-note", Static)
    return str(shown.render()) if shown.display else None


async def test_an_empty_store_says_how_to_bring_data_in_in_every_pane(tmp_path: Path):
    app = empty_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert table(app, "holdings").row_count == 0
        assert note(app, "holdings") == (
            "Nothing here yet — `harvest import FILE` or press s to sync (`harvest demo` shows a sample)"
        )
        assert (
            note(app, "candidates")
            == "No candidates: nothing held yet — `harvest import FILE` or press s to sync"
        )
        assert note(app, "checklist") == "No steps — press space on a candidate to plan it"
        assert not notifications(app)  # said where it applies, not in a toast over the screen


async def test_a_pane_with_rows_shows_no_note_and_the_checklist_says_how_to_plan(tmp_path: Path):
    app = demo_app(tmp_path, keymap={"toggle_plan": "p"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert note(app, "holdings") is None
        assert note(app, "candidates") is None
        assert note(app, "checklist") == "No steps — press p on a candidate to plan it"  # the key in effect
        await pilot.press("p")
        await settled(pilot)
        assert note(app, "checklist") is None


async def test_a_filter_that_matches_nothing_says_so(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("slash", *"zzz")
        await settled(pilot)
        assert table(app, "candidates").row_count == 0
        assert note(app, "candidates") == "Nothing matches “zzz” (esc clears the filter)"
        await pilot.press("escape")
        await settled(pilot)
        assert note(app, "candidates") is None


async def test_candidates_below_the_minimum_loss_say_so_in_the_pane(tmp_path: Path):
    app = demo_app(tmp_path)
    config = app.session.engine.config
    app.session.engine.config = replace(config, harvest=replace(config.harvest, min_loss=Decimal(1_000_000)))
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert table(app, "candidates").row_count == 0
        assert note(app, "candidates") == "No candidates: no loss is above harvest.min_loss ($1,000,000.00)"


def demo_snapshot(directory: Path) -> Snapshot:
    session = demo_app(directory).session
    session.load()
    return replace(session.snapshot(), candidates=[])


def test_why_there_are_no_candidates_most_basic_cause_first(tmp_path: Path):
    snapshot = demo_snapshot(tmp_path)
    keys, zero = DEFAULT_KEYS, Decimal(0)
    held = snapshot.holdings
    assert candidates_note(replace(snapshot, holdings=[]), zero, keys).startswith(
        "No candidates: nothing held yet"
    )
    unpriced = [replace(h, price=None, value=None, unrealized_short=None, unrealized_long=None) for h in held]
    assert candidates_note(replace(snapshot, holdings=unpriced), zero, keys).startswith(
        "No candidates: no prices yet — press s to sync, or give a prices file (harvest --prices FILE"
    )
    everything = [Blocked(h.account, h.asset, ("missing history",)) for h in held]
    assert candidates_note(replace(snapshot, blocked=everything), zero, keys) == (
        f"No candidates: every position is blocked ({len(held)}) — the ? rows say why"
    )
    assert candidates_note(replace(snapshot, blocked=[]), Decimal(500), keys) == (
        "No candidates: no loss is above harvest.min_loss ($500.00)"
    )
    gaining = [replace(h, unrealized_short=abs(h.unrealized_short or 0), unrealized_long=0) for h in held]
    assert candidates_note(replace(snapshot, holdings=gaining, blocked=everything[:1]), zero, keys) == (
        "No candidates: nothing is under water at current prices (1 blocked: the ? rows)"
    )
    assert candidates_note(replace(snapshot, holdings=[]), zero, Keys({"sync": "ctrl+y"})).endswith(
        "press ctrl+y to sync"
    )
