"""Details of one asset in one account: its lots, a price chart with a line at each lot's unit
cost, and what harvesting its losing lots now does to this year's tax."""

from __future__ import annotations

from datetime import UTC, date, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual_plotext import PlotextPlot

from engine.core import fixedpoint as fp
from engine.planning.detail import AssetDetail
from tui import format as fmt
from tui.keys import bindings
from tui.looks import COLOUR, Looks, looks_of, money_style
from tui.widgets.fitted_table import rebuild

MAX_TABLE_ROWS = 2000  # the stock table stays fast at this size; the rest is summarised
MAX_COST_LINES = 8
LOT_COLUMNS = ("lot", "acquired", "quantity", "unit cost", "unrealized", "→LT")


class DetailScreen(Screen[None]):
    BINDINGS = bindings("detail")

    def __init__(self, detail: AssetDetail) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        d = self.detail
        yield Static(Text(f" {d.asset} on {d.account} · price {fmt.price(d.price)} · {len(d.lots)} lot(s)", style="bold"),
                     id="detail-title")  # fmt: skip
        with Horizontal(id="detail-body"):
            with Vertical(id="detail-left", classes="pane"):
                yield DataTable(cursor_type="row", zebra_stripes=True, id="detail-lots")
            with Vertical(id="detail-right"):
                yield PlotextPlot(id="detail-chart", classes="pane")
                yield Static(self.tax_effect(looks_of(self.app)), id="detail-tax", classes="pane")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#detail-left").border_title = "Lots"
        self.query_one("#detail-chart").border_title = "Price and lot costs"
        self.query_one("#detail-tax").border_title = "Harvesting now"
        table: DataTable[str | Text] = self.query_one("#detail-lots", DataTable)
        rows: list[list[Text | str]] = []
        looks = looks_of(self.app)
        for lot in self.detail.lots[:MAX_TABLE_ROWS]:
            unit = None if lot.basis is None else fp.unit_price(lot.basis, lot.quantity)
            loss_style = money_style(lot.unrealized, looks)
            rows.append([
                lot.lot_id, date.fromordinal(lot.acquired_day).isoformat(), Text(fmt.qty(lot.quantity), justify="right"),
                Text(fmt.price(unit) if unit is not None else "unknown", justify="right"),
                Text(fmt.usd(lot.unrealized, sign=True), style=loss_style, justify="right"),
                "LT" if lot.days_to_long_term == 0 else f"{lot.days_to_long_term}d",
            ])  # fmt: skip
        if len(self.detail.lots) > MAX_TABLE_ROWS:
            rows.append([f"… {len(self.detail.lots) - MAX_TABLE_ROWS} more", "", "", "", "", ""])
        rebuild(table, [Text(label) for label in LOT_COLUMNS], rows)
        table.focus()
        self.draw_chart()

    def draw_chart(self) -> None:
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        points = self.detail.trade_prices
        if points:
            plt.date_form("Y-m-d")
            xs = [datetime.fromtimestamp(ts / 1_000_000, tz=UTC).strftime("%Y-%m-%d") for ts, _ in points]
            ys = [float(fp.to_decimal(p)) for _, p in points]  # display only
            plt.plot(xs, ys, label="trade prices", marker="braille")
            costs = sorted(
                (
                    (fp.unit_price(lot.basis, lot.quantity), lot.quantity)
                    for lot in self.detail.lots
                    if lot.basis is not None
                ),
                key=lambda pair: -pair[1],
            )[:MAX_COST_LINES]
            for unit, _qty in costs:
                plt.horizontal_line(float(fp.to_decimal(unit)), color="orange")
            if self.detail.price is not None:
                plt.horizontal_line(float(fp.to_decimal(self.detail.price)), color="green")
        plt.title(
            "trades (line), lot costs and price now (level lines)"
            if self.app.no_color  # the lines' colours would be two greys
            else "trades (line), lot costs (orange), price now (green)"
        )
        plot.refresh()

    def tax_effect(self, looks: Looks = COLOUR) -> Text:
        d = self.detail
        text = Text()
        if d.price is None:  # nothing can be said about losses without a price
            text.append(f"No current price for {d.asset}: import or sync prices to see what harvesting does.")
            return text
        if d.loss >= 0:
            text.append("No lot is under water at the current price.")
            return text
        text.append(f"Sell the losing lots: loss {fmt.usd(d.loss)}\n")
        text.append(
            f"This year's tax {fmt.usd_decimal(d.tax_before)} → {fmt.usd_decimal(d.tax_after)}: saves "
        )
        text.append(fmt.usd_decimal(d.tax_before - d.tax_after), style=looks.savings)
        text.append(f"\nCarryforward created {fmt.usd(d.carryforward_created)}")
        text.append(f"\nTax deferred by the rebuy (at LT rates) ≈ {fmt.usd(d.deferred_tax)}")
        text.append("\nEstimates for planning; not tax advice.", style="dim")
        return text
