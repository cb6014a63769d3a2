"""Every pane and binding, driven through Textual's pilot on the demo portfolio."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding
from textual.widgets import DataTable, Input

from tests.tui.pilot import cells, settled, table, widths_fit
from tui.screens.detail import DetailScreen
from tui.screens.dialogs import ConfirmScreen, ReasonScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.tax_profile import TaxProfileScreen
from tui.testing import demo_app
from tui.widgets.panes import Pane

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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
        assert "Alone (the only sale this year): tax" in tax
        assert "saves" in tax
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


@pytest.mark.slow
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


def rendered_help(screen: HelpScreen) -> tuple[list[str], list[tuple[str, ...]]]:
    """What the help screen shows: the text of its headings and paragraphs, and its key table
    as (where, key, does) rows, read from the widgets the Markdown rendered."""
    texts = [str(widget.render()) for widget in screen.query("MarkdownH1, MarkdownH2, MarkdownParagraph")]
    cells = [str(widget.render()) for widget in screen.query("MarkdownTableCellContents")]
    return texts, [tuple(cells[i : i + 3]) for i in range(0, len(cells), 3)]


KEY_SHOWN = {"slash": "/", "question_mark": "?"}  # how the help writes these keys


@pytest.mark.slow
async def test_help_lists_bindings_and_the_disclaimer(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        texts, rows = rendered_help(app.screen)
        disclaimer = "harvest estimates taxes for planning; it is not tax advice."
        assert texts[0] == "harvest — keys"
        assert texts[1] == disclaimer  # right under the title, on screen without scrolling
        assert app.screen.query("MarkdownParagraph").first().region.height > 0
        assert texts[-1] == disclaimer  # and again at the end
        assert rows[0] == ("where", "key", "does")
        assert ("Candidates", "space", "add to / remove from the plan") in rows
        assert ("Checklist", "k", "skip, with a reason (sold: its rebuy)") in rows
        assert ("Checklist", "c", "cancel, with a reason (sold: its rebuy)") in rows
        # every key harvest binds on the main screen (Textual's own, like ctrl+q, aside) is listed
        shown = {key for _, keys, _ in rows[1:] for key in keys.split(" / ")}
        main = app.screen_stack[-2]
        ours = [cls for owner in (app, main, *main.query(Pane)) for cls in type(owner).__mro__]
        bindings = [
            b for cls in ours if cls.__module__.startswith("tui.") for b in vars(cls).get("BINDINGS", [])
        ]
        keys = {
            KEY_SHOWN.get(key, key) for b in bindings if isinstance(b, Binding) for key in b.key.split(",")
        }
        assert {"q", "?", "/", "space", "enter", "x", "a", "k", "tab", "ctrl+p"} <= keys
        assert keys - shown == set()
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
async def test_keymap_remaps_by_binding_id(tmp_path: Path):
    app = demo_app(tmp_path, keymap={"help": "h"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("h")
        assert isinstance(app.screen, HelpScreen)


@pytest.mark.slow
async def test_command_palette_and_light_theme(tmp_path: Path):
    app = demo_app(tmp_path, theme="textual-light")
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert app.theme == "textual-light"
        await pilot.press("ctrl+p")
        await pilot.pause()
        from textual.command import CommandPalette

        assert isinstance(app.screen, CommandPalette)


@pytest.mark.slow
async def test_q_quits(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


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
        tick = session.planner.tick(session.prices)  # no plan: the candidates in rank order
        expected = asset_detail(
            session.planner.context, session.prices, account, asset, session.engine.store.trade_prices(asset),
            tick.candidates, 0,
        )  # fmt: skip
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


@pytest.mark.slow
async def test_names_that_look_like_markup_are_shown_as_written(tmp_path):
    """`Ledger [cold]` and `Ledger [hot]` once both showed as "Ledger", and `[/x]` crashed the
    app (exit 0): every user string is plain text on screen."""
    from engine.imports.generic_csv import parse_csv
    from engine.store.store import keys_of

    app = demo_app(tmp_path)
    rows = "timestamp,account,asset,side,quantity,price,fee,trade_id\n" + "".join(
        f"2026-0{n + 1}-05T15:00:00Z,{account},BTC,buy,0.1,90000,0,M{n}\n"
        for n, account in enumerate(["Ledger [cold]", "Ledger [hot]", "[/x]", "[bold red]x"])
    )
    store = app.session.engine.store
    store.import_events(keys_of(parse_csv(rows, "markup.csv")), "markup.csv", frozenset({"USD"}))
    app.session.engine.invalidate()
    async with app.run_test(size=(170, 50)) as pilot:
        await settled(pilot)
        accounts = {row[0] for row in cells(app, "holdings")}
        assert {"Ledger [cold]", "Ledger [hot]", "[/x]", "[bold red]x"} <= accounts
        assert app.is_running


@pytest.mark.slow
async def test_a_confirmation_acts_only_on_the_step_the_user_saw(tmp_path: Path):
    """The dialog asked to record the identification of a planned step; meanwhile the CLI moved
    that step on. Confirming must not move it again (it went to `sold`)."""
    from engine.planning.checklist import Checklist
    from tests.tui.pilot import notifications

    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("space")
        await settled(pilot)
        await pilot.press("tab", "a")
        assert isinstance(app.screen, ConfirmScreen)
        engine = app.session.engine
        Checklist(engine.store.conn).advance(1, engine.clock())  # `harvest checklist advance 1`, elsewhere
        await pilot.press("y")
        await settled(pilot)
        assert Checklist(engine.store.conn).step(1).state == "identified"
        assert any("changed since it was shown (now identified)" in text for text, _ in notifications(app))


async def test_the_checklist_asks_to_sell_the_exact_quantity_never_a_rounded_one(tmp_path: Path):
    """`sell 199.14254 AVAX` rounded up asked for more than held (199.14253879)."""
    from engine.core import fixedpoint as fp
    from engine.planning.checklist import Checklist

    app = demo_app(tmp_path)
    async with app.run_test(size=(170, 50)) as pilot:
        await settled(pilot)
        await pilot.press("space")
        await settled(pilot)
        (step,) = Checklist(app.session.engine.store.conn).steps()
        action = cells(app, "checklist")[0][3]
        assert action == f"sell {fp.fmt(step.quantity, 0)} {step.asset} on {step.account}"
        held = sum(lot.quantity for lot in app.session.engine.lots().open_lots
                   if (lot.account, lot.asset) == (step.account, step.asset))  # fmt: skip
        assert fp.parse(action.split()[1]) <= held


async def test_esc_clears_a_filter_also_after_enter_returned_to_the_table(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("slash", *"sol", "enter")
        await settled(pilot)
        assert {row[2] for row in cells(app, "candidates")} == {"SOL"}
        assert table(app, "candidates").has_focus
        await pilot.press("escape")
        await settled(pilot)
        assert len({row[2] for row in cells(app, "candidates")}) > 1
        assert app.screen.query_one("#candidates-filter", Input).value == ""


def test_the_detail_screen_says_no_price_rather_than_no_loss():
    from decimal import Decimal

    from engine.planning.detail import AssetDetail

    def detail(price: int | None) -> AssetDetail:
        return AssetDetail(account="kraken", asset="SOL", lots=[], lot_count=0, cost_levels=[], price=price,
                           trade_prices=[],
                           tax_before=Decimal(0), tax_after=Decimal(0), carryforward_created=0,
                           deferred_tax=0, loss=0)  # fmt: skip

    assert DetailScreen(detail(None)).tax_effect().plain.startswith("No current price for SOL")
    assert DetailScreen(detail(10**20)).tax_effect().plain == "No lot is under water at the current price."
