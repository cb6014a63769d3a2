"""The app's 2025 allocation screen (`l`) and Form 1099-DA screen (`f`), on the demo portfolio:
BTC held in coinbase, DOGE and ETH in kraken on 2025-01-01; 2026 sales in coinbase and kraken."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine.core import fixedpoint as fp
from engine.ledger.allocation_record import recorded
from engine.reports.broker_forms import import_form
from tests.tui.pilot import notifications, settled, widths_fit
from tui.screens.dialogs import ConfirmScreen
from tui.screens.reconcile import ReconcileScreen
from tui.screens.transition import AllocationScreen
from tui.testing import demo_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def rows(app, table_id: str) -> list[list[str]]:  # noqa: ANN001
    table = app.screen.query_one(f"#{table_id}")
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_l_shows_the_suggestion_and_r_records_it_after_a_confirmation(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settled(pilot)
        await pilot.press("l")
        await settled(pilot)
        assert isinstance(app.screen, AllocationScreen)
        shown = rows(app, "allocation-table")
        assert {row[0] for row in shown} == {"BTC", "DOGE", "ETH"}
        assert {row[6] for row in shown} == {"suggested"}
        assert widths_fit(app.screen.query_one("#allocation-table"))
        notes = str(app.screen.query_one("#allocation-notes").render())
        assert "BTC (suggested): held coinbase 0.2330202" in notes
        # recorded today (Nov 24, 2026), after BTC's first sale from 2025: said before recording
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        assert "irrevocable" in app.screen.question
        assert app.screen.question.startswith(
            "Record harvest's suggested allocation of BTC (30 slice(s): coinbase 0.2330202)?"
        )
        assert "not timely: made after the first disposal of BTC from 2025" in app.screen.question
        await pilot.press("y")
        await settled(pilot)
        assert isinstance(app.screen, AllocationScreen)
        assert list(recorded(app.session.engine.store.decisions())) == ["BTC"]
        assert {row[6] for row in rows(app, "allocation-table") if row[0] == "BTC"} == {"recorded"}
        said = [text for text, _ in notifications(app) if text.startswith("Recorded the allocation of BTC")]
        assert said
        assert "not timely" in said[0]
        await pilot.press("r")  # again: refused, it is irrevocable
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("already recorded; it is irrevocable" in text for text, _ in notifications(app))
        await pilot.press("escape")
        assert not isinstance(app.screen, AllocationScreen)


async def test_f_matches_an_imported_1099da_to_the_sales(tmp_path: Path):
    # coinbase's one 2026 sale, CB-0100, reported as harvest has it; and a DOGE sale harvest lacks
    app = demo_app(tmp_path)
    engine = app.session.engine
    slices = [r for r in engine.realized(2026)[0] if r.sale_id == "CB-0100"]
    units = sum(r.quantity for r in slices)
    proceeds = sum(r.proceeds for r in slices)
    form = tmp_path / "form.csv"
    form.write_text(
        "asset,1c_units,1e_date_sold,1f_proceeds\n"
        f"BTC,{fp.fmt(units, 0)},{date.fromordinal(slices[0].sold_day).isoformat()},{fp.fmt_cents(proceeds)}\n"
        "DOGE,100,2026-02-02,10.00\n"
    )
    import_form(engine, form, "coinbase")
    async with app.run_test(size=(160, 45)) as pilot:
        await settled(pilot)
        await pilot.press("f")
        await settled(pilot)
        assert isinstance(app.screen, ReconcileScreen)
        shown = rows(app, "reconcile-table")
        assert [(row[0], row[1], row[3], row[6]) for row in shown] == [
            ("matched", "coinbase", "CB-0100", "same figures"),
            ("1099-DA only", "coinbase", "line 3", "no such sale in harvest"),
        ]
        assert widths_fit(app.screen.query_one("#reconcile-table"))
        title = str(app.screen.query_one("#reconcile-title").render())
        assert "no 1099-DA imported for kraken, ledger" in title
