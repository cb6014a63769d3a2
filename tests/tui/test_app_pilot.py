"""Every pane and binding, driven through Textual's pilot on the demo portfolio."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input
from textual.worker import WorkerFailed

from tui.screens.detail import DetailScreen
from tui.screens.dialogs import ConfirmScreen, ReasonScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.tax_profile import TaxProfileScreen
from tui.testing import demo_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def settled(pilot) -> None:  # noqa: ANN001
    """Wait until every worker finished and the messages they posted were handled."""
    for _ in range(3):
        with contextlib.suppress(WorkerFailed):  # a failed worker shows as a notification
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def table(app, pane_id: str) -> DataTable:  # noqa: ANN001
    return app.screen.query_one(f"#{pane_id}-table", DataTable)


def cells(app, pane_id: str) -> list[list[str]]:  # noqa: ANN001
    t = table(app, pane_id)
    return [[str(c) for c in t.get_row_at(i)] for i in range(t.row_count)]


async def test_main_screen_fills_all_three_panes(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert isinstance(app.screen, MainScreen)
        holdings = cells(app, "holdings")
        assert {row[0] for row in holdings} == {"coinbase", "kraken", "ledger"}
        candidates = cells(app, "candidates")
        assert candidates
        assert all(row[4].startswith("−$") for row in candidates if row[0] != "?")
        header = str(app.screen.query_one("#header").render())
        assert "2026 · single" in header
        assert "to Dec 31" in header
        assert "prices live" in header
        assert table(app, "checklist").row_count == 0


async def test_space_adds_a_candidate_to_the_plan_and_again_removes_it(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        first = cells(app, "candidates")[0]
        await pilot.press("space")
        await settled(pilot)
        steps = cells(app, "checklist")
        assert len(steps) == 1
        assert steps[0][2] == "planned"
        assert steps[0][3].startswith("sell ")
        assert first[2] in steps[0][3]
        assert first[1] in steps[0][3]
        assert cells(app, "candidates")[0][0] == "✓"
        await pilot.press("space")
        await settled(pilot)
        assert table(app, "checklist").row_count == 0


async def test_advance_is_confirmed_and_records_the_identification(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("space")
        await settled(pilot)
        await pilot.press("tab", "a")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settled(pilot)
        assert cells(app, "checklist")[0][2] == "planned"
        await pilot.press("a")
        await pilot.press("y")
        await settled(pilot)
        assert cells(app, "checklist")[0][2] == "identified"
        recorded = app.session.engine.store.conn.execute("SELECT count(*) FROM identifications").fetchone()[0]
        assert recorded == 1


async def test_skip_asks_for_a_reason(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("space")
        await settled(pilot)
        await pilot.press("tab", "k")
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press("enter")  # empty: refused, the dialog stays
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press(*"price came back", "enter")
        await settled(pilot)
        row = cells(app, "checklist")[0]
        assert row[2] == "skipped"
        assert row[6] == "price came back"


async def test_export_writes_the_checklist_after_confirmation(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("space")
        await settled(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settled(pilot)
    (exported,) = tmp_path.glob("harvest-checklist-*.csv")
    text = exported.read_text()
    assert text.splitlines()[0].startswith("step,state,account,asset")
    assert exported.stat().st_mode & 0o777 == 0o600


async def test_tab_moves_between_panes_and_narrow_terminals_show_one(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        screen = app.screen
        assert screen.has_class("-narrow")
        assert table(app, "candidates").has_focus
        assert (
            not app.screen.query_one("#holdings").display or not app.screen.query_one("#holdings").region.area
        )
        await pilot.press("tab")
        assert table(app, "checklist").has_focus
        await pilot.press("tab")
        assert table(app, "holdings").has_focus
        await pilot.press("shift+tab")
        assert table(app, "checklist").has_focus


async def test_filter_narrows_the_focused_table(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("slash")
        box = app.screen.query_one("#candidates-filter", Input)
        assert box.has_focus
        await pilot.press(*"sol")
        await settled(pilot)
        assert {row[2] for row in cells(app, "candidates")} == {"SOL"}
        await pilot.press("escape")
        await settled(pilot)
        assert len({row[2] for row in cells(app, "candidates")}) > 1


async def test_enter_opens_details_and_escape_returns(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, DetailScreen)
        lots = app.screen.query_one("#detail-lots", DataTable)
        assert lots.row_count >= 1
        tax = str(app.screen.query_one("#detail-tax").render())
        assert "This year's tax" in tax
        assert "saves" in tax
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_x_expands_a_holding_to_its_lots(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("shift+tab")  # holdings
        before = table(app, "holdings").row_count
        await pilot.press("x")
        await settled(pilot)
        rows = cells(app, "holdings")
        assert len(rows) > before
        assert rows[1][1].startswith("  └ ")


async def test_help_lists_bindings_and_the_disclaimer(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        from textual.widgets import Markdown

        assert "not tax advice" in app.screen.query_one(Markdown).source
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_tax_profile_saves_to_the_config_and_recomputes(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        before = str(app.screen.query_one("#header").render())
        await pilot.press("t")
        assert isinstance(app.screen, TaxProfileScreen)
        box = app.screen.query_one("#ordinary_taxable_income", Input)
        box.value = "600000"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, MainScreen)
        assert "ordinary_taxable_income: 600000" in (tmp_path / "config.yaml").read_text()
        assert app.session.config.tax.ordinary_taxable_income == 600000
        assert str(app.screen.query_one("#header").render()) != before


async def test_sync_without_accounts_says_so_and_keeps_working(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("s")
        await settled(pilot)
        messages = [n.message for n in app._notifications]
        assert any("no exchange accounts configured" in m for m in messages)
        await pilot.press("r")
        await settled(pilot)
        assert table(app, "candidates").row_count > 0


async def test_keymap_remaps_by_binding_id(tmp_path: Path):
    app = demo_app(tmp_path, keymap={"help": "h"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("h")
        assert isinstance(app.screen, HelpScreen)


async def test_command_palette_and_light_theme(tmp_path: Path):
    app = demo_app(tmp_path, theme="textual-light")
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert app.theme == "textual-light"
        await pilot.press("ctrl+p")
        await pilot.pause()
        from textual.command import CommandPalette

        assert isinstance(app.screen, CommandPalette)


async def test_q_quits(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def settled_but_sync(pilot) -> None:  # noqa: ANN001
    """`settled`, except for a sync worker a test keeps waiting on purpose."""
    for _ in range(3):
        for worker in [w for w in pilot.app.workers if w.group != "sync"]:
            with contextlib.suppress(WorkerFailed):
                await worker.wait()
        await pilot.pause()


def notifications(app) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(n.message, n.severity) for n in app._notifications]


async def test_sync_shows_the_runners_progress_and_summary(tmp_path: Path):
    calls: list[str] = []

    def runner(progress) -> str:  # noqa: ANN001
        calls.append("sync")
        progress("kraken: trades (1/3)")
        return "3 new record(s) from 1 account(s)"

    app = demo_app(tmp_path, sync=runner)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("s")
        await settled(pilot)
        shown = [message for message, _ in notifications(app)]
        assert calls == ["sync"]
        assert "kraken: trades (1/3)" in shown
        assert "sync: 3 new record(s) from 1 account(s)" in shown
        assert table(app, "candidates").row_count > 0


async def test_a_failed_sync_is_an_error_notification_and_the_app_goes_on(tmp_path: Path):
    from engine.core.errors import HarvestError

    def runner(progress) -> str:  # noqa: ANN001
        raise HarvestError("2 new record(s); failed: kraken: timed out")

    app = demo_app(tmp_path, sync=runner)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("s")
        await settled(pilot)
        assert ("2 new record(s); failed: kraken: timed out", "error") in notifications(app)
        await pilot.press("space")
        await settled(pilot)
        assert table(app, "checklist").row_count == 1


async def test_the_app_stays_responsive_while_the_runner_waits_on_the_network(tmp_path: Path):
    import threading

    started, release = threading.Event(), threading.Event()

    def runner(progress) -> str:  # noqa: ANN001
        started.set()
        assert release.wait(timeout=60), "the test never released the runner"
        return "0 new record(s) from 1 account(s)"

    app = demo_app(tmp_path, sync=runner)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settled(pilot)
            await pilot.press("s")
            for _ in range(1000):  # bounded: the worker thread starts the runner
                if started.is_set():
                    break
                await pilot.pause()
            assert started.is_set()
            await pilot.press("tab")  # a key handled while the runner waits
            assert table(app, "checklist").has_focus
            await pilot.press("shift+tab", "space")  # a worker that takes the engine's lock
            await settled_but_sync(pilot)
            assert table(app, "checklist").row_count == 1  # so the runner holds no lock
            assert not release.is_set()
            await pilot.press("s")
            assert any("already running" in message for message, _ in notifications(app))
            release.set()
            await settled(pilot)
            assert ("sync: 0 new record(s) from 1 account(s)", "information") in notifications(app)
    finally:
        release.set()


async def test_the_detail_screen_shows_the_engines_asset_detail(tmp_path: Path):
    from engine.planning.detail import asset_detail
    from tui import format as fmt

    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        account, asset = cells(app, "candidates")[0][1:3]
        await pilot.press("enter")
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        session = app.session
        expected = asset_detail(
            session.planner.context, session.prices, account, asset, session.engine.store.trade_prices(asset)
        )
        assert screen.detail == expected
        lots = screen.query_one("#detail-lots", DataTable)
        rows = [[str(c) for c in lots.get_row_at(i)] for i in range(lots.row_count)]
        assert [row[0] for row in rows] == [lot.lot_id for lot in expected.lots]
        assert [row[2] for row in rows] == [fmt.qty(lot.quantity) for lot in expected.lots]
        assert [row[4] for row in rows] == [fmt.usd(lot.unrealized, sign=True) for lot in expected.lots]
        assert [row[5] for row in rows] == [
            "LT" if lot.days_to_long_term == 0 else f"{lot.days_to_long_term}d" for lot in expected.lots
        ]
        tax = str(screen.query_one("#detail-tax").render())
        assert f"loss {fmt.usd(expected.loss)}" in tax
        assert f"saves {fmt.usd_decimal(expected.tax_before - expected.tax_after)}" in tax
        assert f"≈ {fmt.usd(expected.deferred_tax)}" in tax


async def test_an_alert_fires_once_per_crossing_and_not_again_as_candidates_swap(tmp_path: Path):
    """The monitor's rule (engine.monitor.alerts), kept in the app's memory. The demo's net
    savings are $3,287.44: the line sits just above, a 10% PEPE dip crosses it."""
    from decimal import Decimal

    from engine.config.load import AlertsConfig

    line = AlertsConfig(min_net_savings=Decimal(3288), min_asset_net_savings=Decimal(10**9), long_term_days=0,
                        deadline_days=[], cooldown_minutes=60)  # fmt: skip
    app = demo_app(tmp_path, alerts=line)
    toasts: list[tuple[str, str]] = []
    notify = app.notify

    def recording(message: str, **options) -> None:  # noqa: ANN003
        toasts.append((str(options.get("title")), message))
        notify(message, **options)

    app.notify = recording  # type: ignore[method-assign]

    async def at(pilot, changes: dict[str, float]) -> list[tuple[str, str]]:  # noqa: ANN001
        prices = {asset: int(base[asset] * factor) for asset, factor in changes.items()}
        app.session.set_prices({**base, **prices}, app.session.engine.clock())
        app.screen.recompute()
        await settled(pilot)
        raised = [toast for toast in toasts if toast[0] == "Harvest alert"]
        toasts.clear()
        return raised

    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        base = dict(app.session.prices)
        assert await at(pilot, {}) == []  # below the line
        ((_, message),) = await at(pilot, {"PEPE": 0.9})  # crosses: once
        assert message.startswith("harvesting now saves $3289.60 net across")
        assert cells(app, "candidates")[0][2] == "AVAX"
        assert await at(pilot, {"PEPE": 0.9, "BTC": 0.9}) == []  # BTC and AVAX swap: still the same crossing
        assert cells(app, "candidates")[0][2] == "BTC"
        assert await at(pilot, {"PEPE": 0.9}) == []
        assert await at(pilot, {}) == []  # back below: re-armed
        assert len(await at(pilot, {"PEPE": 0.9})) == 1  # a new crossing speaks at once


async def test_help_shows_a_remapped_key_and_the_footer_uses_it(tmp_path: Path):
    from textual.widgets import Markdown
    from textual.widgets._footer import FooterKey

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


async def test_enter_on_a_blocked_row_opens_its_details(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        del app.session.prices["DOGE"]  # no price: blocked, shown at the end with a reason
        app.screen.recompute()
        await settled(pilot)
        rows = cells(app, "candidates")
        assert rows[-1][:3] == ["?", "kraken", "DOGE"]
        table(app, "candidates").move_cursor(row=len(rows) - 1)
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert (app.screen.detail.account, app.screen.detail.asset, app.screen.detail.price) == (
            "kraken",
            "DOGE",
            None,
        )


def widths_fit(t: DataTable) -> bool:
    """Every column exactly as wide as its widest cell or its label."""
    from tui.widgets.fitted_table import cell_width

    for index, column in enumerate(t.ordered_columns):
        widest = max(
            [cell_width(column.label), *(cell_width(t.get_row_at(r)[index]) for r in range(t.row_count))]
        )
        if column.get_render_width(t) - 2 * t.cell_padding != widest:
            return False
    return True


async def test_a_tick_that_widens_a_number_widens_its_column(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        holdings = table(app, "holdings")
        before = [column.get_render_width(holdings) for column in holdings.ordered_columns]
        app.session.set_prices({"BTC": app.session.prices["BTC"] * 100}, app.session.engine.clock())
        app.screen.recompute()  # the same holdings rows: cells update in place, columns refit
        await settled(pilot)
        assert [column.get_render_width(holdings) for column in holdings.ordered_columns] != before
        for pane in ("holdings", "candidates", "checklist"):
            assert widths_fit(table(app, pane)), pane
        lines = [holdings.render_line(y).text for y in range(holdings.row_count + 1)]
        values = [str(holdings.get_row_at(r)[4]) for r in range(holdings.row_count)]
        assert max(values, key=len).startswith("$2,")  # the coinbase BTC value, now millions
        assert all(any(value in line for line in lines) for value in values)  # none clipped
        assert holdings.virtual_size.width == sum(
            column.get_render_width(holdings) for column in holdings.ordered_columns
        )
