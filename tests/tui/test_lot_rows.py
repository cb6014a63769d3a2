"""`x` on a holding: its lots under it, each with the asset row's figures (quantity, basis,
value, unrealized under its own term) and its term — the same numbers as the detail screen."""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from rich.text import Text

from engine.core import fixedpoint as fp
from engine.planning.detail import asset_detail
from tests.tui.pilot import cells, settled, table, widths_fit
from tui import format as fmt
from tui.session import LotPreview
from tui.testing import demo_app


async def test_expanded_lots_show_value_unrealized_and_term_like_the_asset_rows(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(170, 50)) as pilot:
        await settled(pilot)
        await pilot.press("shift+tab", "down", "down", "down", "x")  # holdings; kraken DOGE: both terms
        await settled(pilot)
        rows = cells(app, "holdings")
        assert rows[3][:2] == ["kraken", "▾ DOGE"]
        prices = app.session.prices
        detail = asset_detail(app.session.planner.context, prices, "kraken", "DOGE", [])
        lots = {lot.lot_id: lot for lot in detail.lots}
        shown = [(index, row) for index, row in enumerate(rows) if row[1].startswith("  └ ")]
        assert len(shown) == len(lots)
        terms = set()
        for index, row in shown:
            lot_id, term = row[1].removeprefix("  └ ").split(" ", 1)
            lot = lots[lot_id]
            short = lot.days_to_long_term > 0
            terms.add(short)
            assert term == (f"ST {lot.days_to_long_term}d" if short else "LT")
            assert row[2] == fmt.qty(lot.quantity, 6)
            assert row[3] == fmt.usd(lot.basis)
            assert row[4] == fmt.usd(fp.mul(lot.quantity, prices["DOGE"]))
            unrealized = fmt.usd(lot.unrealized, sign=True)
            assert (row[5], row[6]) == ((unrealized, "") if short else ("", unrealized))
            cell = table(app, "holdings").get_row_at(index)[5 if short else 6]
            assert isinstance(cell, Text)
            colour = Style.parse(str(cell.style)).color
            assert colour == Style.parse("red" if lot.unrealized < 0 else "green").color  # as the asset rows
            assert row[7] == fmt.percent((lot.unrealized or 0) / (lot.basis or 1))
        assert terms == {True, False}
        assert widths_fit(table(app, "holdings"))


def test_the_lot_preview_is_typed_values_not_text(tmp_path: Path):
    session = demo_app(tmp_path).session
    session.load()
    preview = session.lot_preview(frozenset({("kraken", "SOL")}))
    (lot,) = preview[("kraken", "SOL")]
    assert isinstance(lot, LotPreview)
    assert isinstance(lot.quantity, int)
    assert lot.value == fp.mul(lot.quantity, session.prices["SOL"])
    assert lot.unrealized == lot.value - (lot.basis or 0)
    assert lot.days_to_long_term > 0
