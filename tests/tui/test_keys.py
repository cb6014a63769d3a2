"""One key registry: every binding comes from it, ui.keymap remaps by its ids, help shows the
keys in effect."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Markdown
from textual.widgets._footer import FooterKey

from engine.core.errors import ConfigError
from tests.tui.pilot import settled, table
from tui.app import HarvestApp
from tui.keys import DEFAULT_KEYS, HELP_ROWS, KEY_IDS, KEYS, Keys
from tui.screens.allocation_dialogs import EditAllocationScreen, GlobalRuleScreen
from tui.screens.decision_forms import ChooseEndScreen, DecisionForm
from tui.screens.decisions import DecisionsScreen
from tui.screens.detail import DetailScreen
from tui.screens.dialogs import ConfirmScreen, ReasonScreen
from tui.screens.form_entry import FormEntryScreen
from tui.screens.help import HelpScreen, help_markdown
from tui.screens.main import MainScreen
from tui.screens.problems import ProblemsScreen
from tui.screens.reconcile import ReconcileScreen
from tui.screens.tax_profile import TaxProfileScreen
from tui.screens.transition import AllocationScreen
from tui.testing import demo_app
from tui.widgets.panes import CandidatesPane, ChecklistPane, HoldingsPane, Pane

BOUND = [HarvestApp, MainScreen, Pane, HoldingsPane, CandidatesPane, ChecklistPane, DetailScreen, HelpScreen,
         ConfirmScreen, ReasonScreen, TaxProfileScreen, ProblemsScreen, DecisionsScreen, ChooseEndScreen,
         DecisionForm, AllocationScreen, ReconcileScreen, FormEntryScreen,
         EditAllocationScreen, GlobalRuleScreen]  # fmt: skip
HELPED = {
    "app",
    "main",
    "pane",
    "holdings",
    "candidates",
    "checklist",
    "problems",
    "decisions",
    "form_1099da",
    "allocation",
}  # in the help


def test_every_binding_comes_from_the_registry():
    bound = [(binding.id, binding.key) for node in BOUND for binding in node.BINDINGS]  # type: ignore[union-attr]
    assert sorted(bound) == sorted((spec.id, spec.keys) for spec in KEYS)


def test_entries_sharing_an_id_share_their_keys():
    for binding_id in KEY_IDS:
        assert len({spec.keys for spec in KEYS if spec.id == binding_id}) == 1, binding_id


def test_the_help_table_lists_every_main_screen_and_problems_screen_key():
    listed = {binding_id for row in HELP_ROWS for binding_id in row.ids}
    assert listed <= set(KEY_IDS)
    assert {spec.id for spec in KEYS if spec.where in HELPED} == listed


def test_unknown_ids_are_refused_naming_the_known_ones():
    with pytest.raises(ConfigError, match=r"ui.keymap: unknown binding id 'hlep' \(known: quit, help, sync"):
        Keys.from_config({"hlep": "h"})


def test_help_shows_the_keys_in_effect():
    keys = Keys.from_config({"help": "h", "toggle_plan": "p,space", "palette": "ctrl+k"})
    text = help_markdown(keys)
    assert "| anywhere | `h` | this help |" in text
    assert "| Candidates | `p` / `space` | add to / remove from the plan |" in text
    assert "| anywhere | `ctrl+k` | command palette |" in text
    assert "| anywhere | `?` | this help |" in help_markdown(DEFAULT_KEYS)
    assert "not tax advice" in text


async def test_help_shows_a_remapped_key_and_the_footer_uses_it(tmp_path: Path):
    app = demo_app(tmp_path, keymap={"help": "h", "toggle_plan": "p"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        footer = {key.description: key.key_display for key in app.screen.query(FooterKey)}
        assert footer["Plan ±"] == "p"
        assert footer["Help"] == "h"
        await pilot.press("h")
        assert isinstance(app.screen, HelpScreen)
        source = app.screen.query_one(Markdown).source
        assert "| anywhere | `h` | this help |" in source
        assert "| Candidates | `p` | add to / remove from the plan |" in source
        await pilot.press("h")  # the help key closes it again
        assert isinstance(app.screen, MainScreen)
        await pilot.press("p")
        await settled(pilot)
        assert table(app, "checklist").row_count == 1
