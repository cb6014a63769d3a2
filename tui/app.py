"""The Textual app: global bindings (remappable by id), the command palette, themes (a theme
chosen in the palette is saved to `ui.theme`), NO_COLOR. It only wires things together; the
main screen does the work."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from textual.app import App, SystemCommand
from textual.screen import Screen

from engine.config.load import Config
from engine.core.errors import ConfigError
from tui.feed import PriceFeed
from tui.idle_collector import IdleCollector
from tui.keys import Keys, bindings
from tui.looks import empty_no_color_ignored, pane_border
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.session import Session

# The cyclic collector while the app runs: objects allocated (net) between two young collections
# (Python's default 700) and young collections between two of the middle generation (Python's
# 10). With Python's, the app's paints (Textual's strips, segments, caches) set off a full
# collection every few ticks, each scanning every live object on the UI thread (up to 75-100 ms
# of CPU at 100,000 lots; 1.4 s of the UI thread's CPU in collections over 150 ticks); with
# these, 0.34 s, no full collection, young ones up to ~14 ms and middle ones up to ~37 ms
YOUNG_COLLECTION = 10_000
MIDDLE_COLLECTION = 3
# Middle collections between two full ones (Python's 10). A full collection scans every live
# object not frozen at start or by the slow path — the screens' rows, strips and caches, ~70,000
# with the detail screen open — in one turn of whichever thread allocates: 78-99 ms at 1,000,000
# lots (bench_tui --watch, 2026-12-02). At 100 they come a tenth as often; the garbage they free
# (closed screens' cycles) waits longer. Paired at 1,000,000 lots (2 runs each, load 1.4-1.8):
# the detail phase's longest beat 82-123 ms -> 52-73 ms
FULL_COLLECTION = 100
# How long a thread that wants the GIL waits before the holder is made to let it go, while the app
# runs (Python's 5 ms). The UI thread lets the GIL go at every turn of the event loop (select) and
# every write or wake-up, and while a worker runs Python (the slow path's match, the lot frame,
# the snapshot) it waits up to this long to take it back each time: a beat of 1-5 ms of UI CPU
# took 40-190 ms at a million lots, with no wait for a core. At 1 ms (bench_tui 1,000,000 --runs
# 2, 3 pairs alternating, 2026-12-02, load 2.9-3.8) the longest beat less the UI's wait for a core
# a run: 62 (53-142) -> 49.5 (44-82) ms; the reload's 46 (30-71) -> 26.5 (24-35) ms; CPU the same
SWITCH_INTERVAL = 0.001


class HarvestApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "harvest"
    BINDINGS = bindings("app")

    def __init__(self, session: Session, feed: PriceFeed) -> None:
        with empty_no_color_ignored():
            super().__init__()
        self.session = session
        self.feed = feed
        ui = session.config.ui
        self.keys = Keys.from_config(ui.keymap)  # refuses unknown ids
        self.theme_name = ui.theme
        self.theme_applied = False  # until then a theme change is the config's own, not a choice
        self.collector_thresholds = gc.get_threshold()  # the process's, put back when the app ends
        self.switch_interval = sys.getswitchinterval()  # the same
        self.idle_collector: IdleCollector | None = None

    def on_mount(self) -> None:
        # What is alive now (the modules' functions, classes and tables, the app) lives as long as
        # the process: kept out of the collector's full collections, which would otherwise scan
        # it all on the UI thread (50-60 ms at the first load; tests/tui/test_ui_collections.py)
        gc.freeze()
        self.collector_thresholds = gc.get_threshold()
        gc.set_threshold(YOUNG_COLLECTION, MIDDLE_COLLECTION, FULL_COLLECTION)
        self.switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)  # the UI thread's waits for the GIL beside a worker
        # the collector's middle collections in turns of their own, not inside a paint
        self.idle_collector = IdleCollector(asyncio.get_running_loop())
        self.idle_collector.start()
        if self.theme_name in self.available_themes:
            self.theme = self.theme_name
        else:
            self.notify(f"ui.theme: unknown theme {self.theme_name!r}; using the default", severity="warning")
        self.theme_applied = True
        if self.keys.keymap:
            self.set_keymap(self.keys.keymap)
        self.push_screen(MainScreen(self.session, self.feed, self.keys))

    def on_unmount(self) -> None:
        if self.idle_collector is not None:
            self.idle_collector.stop()
        gc.set_threshold(*self.collector_thresholds)  # the process's own again (tests run many apps)
        sys.setswitchinterval(self.switch_interval)

    @property
    def _background_screens(self) -> list[Screen[Any]]:
        """The screens under the top one that show through it: none when it is opaque. Textual's
        list always holds the screen just under the top one, so that screen counts as current
        (`Screen.is_current`) and keeps painting behind it, and each of its turns with anything
        to paint ended in a full repaint of the top screen and a repaint of its own whole
        region the next turn: with the detail screen over the main screen at 100,000 lots,
        ~30 full repaints of 30-45 ms of the UI thread in a tenth of a second. A dialog (not
        opaque) keeps the screen it is over painted, as before."""
        if self._screen_stack and self._screen_stack[-1].styles.background.a == 1:
            return []
        return super()._background_screens

    def get_css_variables(self) -> dict[str, str]:
        variables = super().get_css_variables()
        variables["pane-border"] = pane_border(variables)
        return variables

    def watch_theme(self, name: str) -> None:
        """A theme chosen in the palette is kept: `ui.theme` in the config file."""
        if self.theme_applied and name != self.session.config.ui.theme:
            self.save_theme(name)

    def save_theme(self, name: str) -> None:
        config = self.session.config
        self.session.engine.config = replace(config, ui=replace(config.ui, theme=name))
        path = self.session.config_path
        if path is None:
            self.notify(f"Theme {name} for this session only (no config file)", markup=False)
            return
        if not path.exists():  # a config file is the user's to create; say what it would hold
            self.notify(f"Theme {name} for this session: {path} does not exist, so it is not saved "
                        f"(put `ui: {{theme: {name}}}` there to keep it)", timeout=10, markup=False)  # fmt: skip
            return
        from engine.config.writer import save_ui_theme

        try:
            save_ui_theme(path, name)
        except ConfigError as exc:
            self.notify(str(exc), severity="error", timeout=8, markup=False)
            return
        self.notify(f"Theme {name} saved to {path} (ui.theme)", markup=False)

    @property
    def main(self) -> MainScreen:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("main screen not mounted")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Sync exchanges", "Fetch balances, trades and transfers", self.action_sync)
        yield SystemCommand("Recompute", "Reload the store and recompute candidates", self.action_recompute)
        yield SystemCommand("Export checklist", "Write the checklist as CSV", self.action_export)
        yield SystemCommand(
            "Tax profile", "Edit income, filing status, carryforward", self.action_tax_profile
        )
        yield SystemCommand(
            "2025 allocation",
            "Unused basis allocated to accounts (Rev. Proc. 2024-28)",
            self.action_allocation,
        )
        yield SystemCommand("Form 1099-DA", "Your brokers' forms against your sales", self.action_form_1099da)
        yield SystemCommand("Problems", "What holds advice back, and the decisions that resolve it",
                            self.action_problems)  # fmt: skip
        yield SystemCommand("Keys and glossary", "Every binding; not tax advice", self.action_help)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.keys))

    def action_problems(self) -> None:
        self.main.action_problems()

    def action_recompute(self) -> None:
        self.main.reload()
        self.notify("Recomputing…", timeout=2)

    def action_export(self) -> None:
        self.main.export()

    def action_sync(self) -> None:
        self.main.sync()

    def action_allocation(self) -> None:
        from tui.screens.transition import AllocationScreen

        self.push_screen(AllocationScreen(self.session, self.keys))

    def action_form_1099da(self) -> None:
        from tui.screens.reconcile import ReconcileScreen

        self.push_screen(ReconcileScreen(self.session, self.keys))

    def action_tax_profile(self) -> None:
        from tui.screens.tax_profile import TaxProfileScreen

        def saved(message: str | None) -> None:
            if message is not None:
                self.notify(message, markup=False)
                self.main.reload()

        self.push_screen(TaxProfileScreen(self.session.config, self.save_profile, self.keys), saved)

    def save_profile(self, config: Config, changes: dict[str, Any]) -> str:
        """Run by the dialog's worker once the edited values passed their checks: the config
        file (when there is one) keeps its comments and other keys, and the running engine
        takes the edited keys only (the rest of its config stays as it is)."""
        from engine.config.writer import save_tax_profile

        path = self.session.config_path
        if path is not None:
            save_tax_profile(path, changes)
        self.session.set_config(config)
        if path is None:
            return "Tax profile applied for this session; not saved to a file (the demo has none)"
        return f"Saved the tax profile to {path}"
