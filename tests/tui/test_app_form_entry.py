"""`a` on the Form 1099-DA screen (`f`): a sale from a paper form typed in, checked by the CSV
import's rules, kept as an imported row is, reconciled; `x` removes it after a confirmation. On
the demo portfolio: coinbase's one 2026 sale is CB-0100 (BTC)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input

from engine.core import fixedpoint as fp
from engine.reports.broker_forms import hand_entries, import_form
from tests.tui.pilot import notifications, settled
from tui.screens.dialogs import ConfirmScreen
from tui.screens.form_entry import FormEntryScreen
from tui.screens.reconcile import ReconcileScreen
from tui.testing import demo_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def rows(app) -> list[list[str]]:  # noqa: ANN001
    table = app.screen.query_one("#reconcile-table")
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def type_in(app, **boxes: str) -> None:  # noqa: ANN001
    for name, text in boxes.items():
        app.screen.query_one(f"#entry-{name}", Input).value = text


async def test_a_paper_form_sale_is_checked_stored_reconciled_and_removed(tmp_path: Path):
    app = demo_app(tmp_path)
    engine = app.session.engine
    sale = [r for r in engine.realized(2026)[0] if r.sale_id == "CB-0100"]
    units, proceeds = fp.fmt(sum(r.quantity for r in sale), 0), fp.fmt_cents(sum(r.proceeds for r in sale))
    sold = date.fromordinal(sale[0].sold_day)
    async with app.run_test(size=(160, 45)) as pilot:
        await settled(pilot)
        await pilot.press("f")
        await settled(pilot)
        assert isinstance(app.screen, ReconcileScreen)
        before = rows(app)
        await pilot.press("a")
        assert isinstance(app.screen, FormEntryScreen)
        assert app.screen.focused is app.screen.query_one("#entry-account")
        type_in(app, account="coinbase", name="Bitcoin", sold=f"{sold.month}/{sold.day}/{sold.year}")
        await pilot.press("ctrl+s")
        await settled(pilot)
        # the first bad box, named and focused; what was typed stays
        assert isinstance(app.screen, FormEntryScreen)
        assert str(app.screen.query_one("#entry-error").render()) == "1c units: missing value"
        assert app.screen.focused is app.screen.query_one("#entry-units")
        assert app.screen.query_one("#entry-name", Input).value == "Bitcoin"
        type_in(app, units=units, proceeds=proceeds, acquired="various")
        app.screen.query_one("#entry-noncovered", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, ReconcileScreen)
        (entry,) = hand_entries(engine)
        assert (entry.account, entry.asset, entry.noncovered, entry.acquired) == (
            "coinbase",
            "BTC",
            True,
            None,
        )
        assert any(text.startswith(f"Entered a Form 1099-DA sale by hand ({entry.entry})")
                   for text, _ in notifications(app))  # fmt: skip
        shown = rows(app)
        matched = [row for row in shown if row[3] == "CB-0100"]
        assert [(row[0], row[6]) for row in matched] == [("matched", "same figures (entered by hand)")]
        assert ["harvest only", "coinbase"] not in [row[:2] for row in shown]
        assert shown != before
        # x on it: confirmed, then gone (the decision undone), the sale back to harvest only
        app.screen.query_one("#reconcile-table").move_cursor(row=shown.index(matched[0]))
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen)
        assert f"Remove the sale entered by hand ({entry.entry}): coinbase BTC" in app.screen.question
        await pilot.press("y")
        await settled(pilot)
        assert hand_entries(engine) == []
        assert rows(app) == before


async def test_x_on_an_imported_row_removes_nothing(tmp_path: Path):
    app = demo_app(tmp_path)
    form = tmp_path / "form.csv"
    form.write_text("asset,1c_units,1e_date_sold,1f_proceeds\nDOGE,100,2026-02-02,10.00\n")
    import_form(app.session.engine, form, "coinbase")
    async with app.run_test(size=(160, 45)) as pilot:
        await settled(pilot)
        await pilot.press("f")
        await settled(pilot)
        before = rows(app)
        assert [row[:4] for row in before if row[2] == "DOGE"] == [
            ["1099-DA only", "coinbase", "DOGE", "line 2"]
        ]
        app.screen.query_one("#reconcile-table").move_cursor(row=[row[2] for row in before].index("DOGE"))
        await pilot.press("x")
        await settled(pilot)
        assert isinstance(app.screen, ReconcileScreen)
        assert rows(app) == before
        assert any(
            text.startswith("Only a sale entered by hand can be removed") for text, _ in notifications(app)
        )


async def test_a_sale_of_10_to_the_15_units_and_dollars_is_shown_exactly(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settled(pilot)
        await pilot.press("f")
        await settled(pilot)
        await pilot.press("a")
        type_in(app, account="kraken", name="Dogecoin", units="1000000000000000", sold="2026-03-03",
                proceeds="$1,000,000,000,000,000.00")  # fmt: skip
        await pilot.press("ctrl+s")
        await settled(pilot)
        doge = [row for row in rows(app) if row[2] == "DOGE" and row[0] != "harvest only"]
        assert [row[:4] + row[5:6] for row in doge] == [
            ["1099-DA only", "kraken", "DOGE", "by hand 1", "1000000000000000"]
        ]


async def test_a_sale_from_another_year_says_where_it_is_reconciled(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settled(pilot)
        await pilot.press("f")
        await settled(pilot)
        before = rows(app)
        await pilot.press("a")
        type_in(app, account="kraken", name="Dogecoin", units="10", sold="2025-03-03", proceeds="5.00")
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert rows(app) == before  # the screen shows 2026's
        assert any(
            text.endswith(
                "— a 2025 sale, not listed here (2026): harvest 1099da reconcile --year 2025 reconciles it"
            )
            for text, _ in notifications(app)
        )
