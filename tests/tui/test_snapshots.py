"""Screens as pictures (SVG, committed): main, help, detail and tax profile at 80x24 and 120x40;
NO_COLOR, a light theme, a new user's empty store, and the Problems screen on issue 15's story.
Update with `uv run pytest tests/tui/test_snapshots.py --snapshot-update` after a deliberate
change, and look at the report before committing."""

from __future__ import annotations

import contextlib

import pytest
from textual.widgets import Input
from textual.worker import WorkerFailed

from tests.tui.pilot import slices_done
from tests.tui.review_story import story_app
from tests.tui.transition_app import transition_app
from tui.testing import demo_app, empty_app

pytestmark = pytest.mark.slow

SIZES = [(80, 24), (120, 40)]


async def settle(pilot) -> None:  # noqa: ANN001
    for _ in range(3):
        with contextlib.suppress(WorkerFailed):  # a failed worker shows as a notification
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    await slices_done(pilot)
    # A focused field's cursor blinks every 0.5 s: on a busy machine the picture caught it off.
    # Stopped, it is hidden in every picture, whenever it is taken.
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(snap_compare, tmp_path, size):
    assert snap_compare(demo_app(tmp_path), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_with_a_plan(snap_compare, tmp_path, size):
    async def plan_two(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await pilot.press("space", "down", "space")
        await settle(pilot)
        await pilot.press("tab")
        await settle(pilot)

    assert snap_compare(demo_app(tmp_path), terminal_size=size, run_before=plan_two)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, tmp_path, size):
    async def open_help(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=size, run_before=open_help)


@pytest.mark.parametrize("size", SIZES)
def test_detail(snap_compare, tmp_path, size):
    async def open_detail(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(demo_app(tmp_path), terminal_size=size, run_before=open_detail)


@pytest.mark.parametrize("size", SIZES)
def test_tax_profile(snap_compare, tmp_path, size):
    async def open_profile(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await pilot.press("t")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=size, run_before=open_profile)


def test_light_theme(snap_compare, tmp_path):
    assert snap_compare(demo_app(tmp_path, theme="textual-light"), terminal_size=(120, 40), run_before=settle)


def test_no_color(snap_compare, tmp_path, monkeypatch):
    """Greys only: losses bold, badges reversed, the focused pane's border heavy."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(demo_app(tmp_path), terminal_size=(120, 40), run_before=settle)


def test_empty_store_one_pane_at_a_time(snap_compare, tmp_path):
    """What a new user sees at 80x24: which pane is shown, and what to do."""
    assert snap_compare(empty_app(tmp_path), terminal_size=(80, 24), run_before=settle)


def test_problems_screen(snap_compare, tmp_path):
    """Issue 15's story: six problems, largest blocked first (unknown ones say why), the total
    line, and the ambiguous Kraken deposit highlighted: its two possible sends with their
    confidence and the keys that resolve it."""

    async def open_problems(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("down", "down")
        await pilot.pause()

    assert snap_compare(story_app(tmp_path), terminal_size=(120, 40), run_before=open_problems)


def test_form_1099da_entry(snap_compare, tmp_path):
    """`a` on the Form 1099-DA screen: a paper form's boxes, saved without box 1c: the dialog stays
    open with the box named (and focused)."""

    async def enter(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        for name, text in (("account", "coinbase"), ("name", "Bitcoin"), ("sold", "2026-03-02")):
            pilot.app.screen.query_one(f"#entry-{name}").value = text
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(demo_app(tmp_path), terminal_size=(120, 40), run_before=enter)


def test_allocation_edit(snap_compare, tmp_path):
    """`e` on the 2025 allocation screen (the transition story): harvest's suggestion for BTC after
    0.2 of coinbase's C2 moved to ledger — the two accounts marked ✗ and the violations listed."""

    async def edit(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        pilot.app.screen.query_one("#edit-to").value = "ledger"
        pilot.app.screen.query_one("#edit-units").value = "0.2"
        pilot.app.screen.query_one("#edit-table").focus()
        await pilot.press("m")
        await settle(pilot)

    assert snap_compare(transition_app(tmp_path), terminal_size=(120, 40), run_before=edit)


def test_allocation_global_rule(snap_compare, tmp_path):
    """`g` on the 2025 allocation screen: the rule's order, the accounts in turn (prefilled), and
    the date it was written, saved without that date: the dialog says it is needed."""

    async def rule(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(transition_app(tmp_path), terminal_size=(120, 40), run_before=rule)
