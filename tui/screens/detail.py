"""Details of one asset in one account: its lots, a price chart with a line at each lot's unit
cost, and what harvesting its losing lots now does to this year's tax — alone, and after the
plan. It follows live prices: the main screen hands it a fresh detail after every snapshot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static
from textual_plotext.plot import Plot

from engine.core import fixedpoint as fp
from engine.core.units import Amount
from engine.planning.detail import AfterPlan, AssetDetail, LotDetail
from tui import format as fmt
from tui.keys import bindings
from tui.looks import COLOUR, Looks, looks_of, money_style
from tui.screens.first_resume import FirstResumeKeepsStyles
from tui.screens.focus_styles import OwnFocusWithin
from tui.screens.split_turns import SplitsLongTurns
from tui.widgets.cell_changes import changed_cells
from tui.widgets.chart import BackgroundPlot
from tui.widgets.fast_table import FastTable
from tui.widgets.fitted_table import Cell, fitted_widths, rebuild, refit
from tui.widgets.footer import FooterSpace, mount_footer_soon
from tui.widgets.paint_budget import MeteredPaint

MAX_TABLE_ROWS = 2000  # the stock table stays fast at this size; the rest is summarised
ROWS_PER_SLICE = 100  # rows added per turn of the event loop (each turn well under 50 ms)
FIRST_SLICES = (12, 12, 12)  # the rows that fill the view go in fewer at a time: each is painted
CELLS_PER_SLICE = 300  # cells updated per turn on a price tick
SLICE_PAUSE = 0.001  # seconds between slices: the loop draws and takes input in between
LOT_COLUMNS = ("lot", "acquired", "quantity", "unit cost", "unrealized", "→LT")
LOT_LABELS = [Text(label, justify="right" if index in (2, 3, 4) else "left") for index, label in enumerate(LOT_COLUMNS)]  # fmt: skip
MIN_SIDE_WIDTH = 40  # narrower than this beside the lots, the chart and tax go below them
Y_TICKS = 5
WAIT = object()  # a slice's answer: it calls next_slice itself once its work is done


class DetailScreen(SplitsLongTurns, OwnFocusWithin, FirstResumeKeepsStyles, MeteredPaint):
    BINDINGS = bindings("detail")

    def __init__(self, detail: AssetDetail, table: LotTable | None = None) -> None:
        super().__init__()
        self.detail = detail
        self.table = table  # formatted by the worker that fetched the detail (None: formatted here)
        self.lot_keys: list[str] = []
        self.lot_rows: list[list[Cell]] = []
        self.lot_table_shown: LotTable | None = None  # what the next tick's worker compares against
        self.slices: list[Callable[[], object]] = []  # table work still to do, a slice per turn
        self.slicing = False  # a timer (or the table's next paint) will run the next slice
        self.slices_to_paint = 0  # slices still to come that wait for the table's paint first
        self.lots_width = 0  # the lot table's full width, borders and scrollbar included

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
        with Horizontal(id="detail-body"):
            with Vertical(id="detail-left", classes="pane"):
                yield FastTable(cursor_type="row", zebra_stripes=True, id="detail-lots")
            with Vertical(id="detail-right"):
                yield BackgroundPlot(id="detail-chart", classes="pane")
                yield Static(id="detail-tax", classes="pane")
        yield FooterSpace()

    def on_mount(self) -> None:
        self.query_one("#detail-left").border_title = "Lots"
        self.query_one("#detail-chart").border_title = "Price and lot costs"
        self.query_one("#detail-tax").border_title = "Harvesting now"
        self.show(self.detail, self.table)
        self.query_one("#detail-lots", DataTable).focus()
        mount_footer_soon(self)  # as the main screen

    def show(self, detail: AssetDetail, table: LotTable | None = None) -> None:
        """Show `detail` (a fresh one on every price tick), keeping the lot table's cursor and
        scroll position. `table`: its lots already formatted (by a worker). The title and tax
        effect now; the lots, then the chart, in slices after it: painting the whole screen,
        chart and lots included, in one turn held the UI thread 120-250 ms."""
        self.detail = d = detail
        title = f" {d.asset} on {d.account} · price {fmt.price(d.price)} · {d.lot_count:,} lot(s)"
        self.query_one("#detail-title", Static).update(Text(title, style="bold"))
        self.query_one("#detail-tax", Static).update(self.tax_effect(looks_of(self.app)))
        self.fill_lots(table or lot_table(detail, looks_of(self.app)))
        # the chart last, once every row (a tick: every changed cell) is in: its build shares the
        # GIL with whatever the UI thread does meanwhile, doubling each of those turns
        self.slices.append(self.draw_chart)
        self.slice_soon()

    def shows(self, account: str, asset: str) -> bool:
        return (self.detail.account, self.detail.asset) == (account, asset)

    def fill_lots(self, table_rows: LotTable) -> None:
        """Every column as wide as its widest cell, and the pane as wide as the table (the chart
        and tax effect take what is left, or go below when too little is). The rows go in a
        slice at a time (ROWS_PER_SLICE, one per turn of the event loop), so thousands of lots
        never hold the screen still; a price tick updates only the cells that changed."""
        table: FastTable[Cell] = self.query_one("#detail-lots", FastTable)
        keys, rows, widths = table_rows.keys, table_rows.rows, table_rows.widths
        if keys == self.lot_keys and rows and not self.slices:  # a price tick: the same lots, new figures
            if widths != [column.width for column in table.ordered_columns]:
                refit(table, widths)
            changed = (
                table_rows.changed  # found by the worker, against the rows shown now
                if table_rows.changed is not None and table_rows.since is self.lot_rows
                else changed_cells(self.lot_rows, rows)
            )
            for start in range(0, len(changed), CELLS_PER_SLICE):
                self.slices.append(partial(table.update_cells, changed[start : start + CELLS_PER_SLICE]))
        else:
            self.slices.clear()  # a fill still going in is replaced whole
            cursor, scroll = table.cursor_row, table.scroll_offset
            current = self.lot_keys[cursor] if 0 <= cursor < len(self.lot_keys) else None
            rebuild(table, LOT_LABELS, [], widths)
            self.slices_to_paint = len(FIRST_SLICES)
            for start, end in slice_bounds(len(rows)):
                self.slices.append(partial(table.add_rows, rows[start:end]))

            def back_in_place() -> None:
                if current in keys:
                    table.move_cursor(row=keys.index(current), animate=False)
                table.scroll_to(scroll.x, scroll.y, animate=False)

            self.slices.append(back_in_place)
        self.lot_keys, self.lot_rows = keys, rows
        # without `since`: the rows before these would stay alive as long as these are shown
        self.lot_table_shown = LotTable(keys, rows, widths)
        padding = 2 * table.cell_padding
        self.lots_width = sum(width + padding for width in widths) + 2 + 1  # borders, scrollbar
        self.lay_out()

    def slice_soon(self) -> None:
        """Run the slices one per turn from the next one on (one chain at a time)."""
        if self.slices and not self.slicing:
            self.slicing = True
            self.set_timer(SLICE_PAUSE, self.next_slice)

    def next_slice(self) -> None:
        self.slicing = False
        if not self.slices:
            return
        if self.slices.pop(0)() is WAIT:  # it calls next_slice itself when its work is done
            self.slicing = True
            return
        if self.slices_to_paint > 0 and self.slices:
            # the rows that fill the view: each slice painted before the next goes in (a 1 ms
            # pause let all three in before one paint, which painted the whole view in one turn)
            self.slices_to_paint -= 1
            self.slicing = True
            self.query_one("#detail-lots", FastTable).call_after_paint(self.next_slice)
        else:
            self.slice_soon()

    def on_resize(self) -> None:
        self.lay_out()

    def lay_out(self) -> None:
        stacked = self.size.width - self.lots_width < MIN_SIDE_WIDTH
        self.set_class(stacked, "-stacked")
        self.query_one("#detail-left").styles.width = "1fr" if stacked else self.lots_width

    def draw_chart(self) -> object:
        """A slice, the last: the chart drawn and built in a worker; a tick's slices queued
        meanwhile wait until it is shown (the build is pure Python: beside the rows' paints, it
        took the GIL for half their turns, doubling each one's wall time)."""
        plot = self.query_one(BackgroundPlot)
        plot.draw(partial(chart_figure, self.detail), then=self.next_slice)
        # the legend under the chart's border, where a narrow plot cannot drop it (plotext hides a
        # title wider than the plot)
        plot.border_subtitle = (
            "trades (line), lot costs and price now (level lines)"
            if self.app.no_color  # the lines' colours would be two greys
            else "trades (line), lot costs (orange), price now (green)"
        )
        return WAIT

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
        text.append("Alone", style="bold")
        text.append(
            f" (the only sale this year): tax {fmt.usd_decimal(d.tax_before)} → {fmt.usd_decimal(d.tax_after)}, saves "
        )
        text.append(fmt.usd_decimal(d.tax_before - d.tax_after), style=looks.savings)
        text.append(f", carryforward +{fmt.usd(d.carryforward_created)}\n")
        if d.after_plan is not None:
            after = d.after_plan
            text.append(after_plan_label(after), style="bold")
            text.append(": saves ")
            text.append(fmt.usd(after.savings_this_year, cents=True), style=looks.savings)
            text.append(
                f", net {fmt.usd(after.net_savings, cents=True)}, carryforward +{fmt.usd(after.carryforward_created)}\n"
            )
        text.append(f"Tax deferred by the rebuy (at LT rates) ≈ {fmt.usd(d.deferred_tax)}")
        text.append("\nEstimates for planning; not tax advice.", style="dim")
        return text


@dataclass(frozen=True)
class LotTable:
    """The lot table's rows, formatted off the UI thread: keys, cells and column widths; on a
    price tick also the cells that changed against the rows shown (`since`), found there too
    (comparing 2,000 rows took the UI thread 20-30 ms a tick)."""

    keys: list[str]
    rows: list[list[Cell]]
    widths: list[int]
    changed: list[tuple[Coordinate, Cell]] | None = None  # None: not compared
    since: list[list[Cell]] | None = None  # the rows `changed` was found against


def lot_table(detail: AssetDetail, looks: Looks = COLOUR, shown: LotTable | None = None) -> LotTable:
    """The rows for `detail`; with `shown` (the table on screen) and the same lots, the cells
    that differ from it."""
    lots = detail.lots[:MAX_TABLE_ROWS]
    keys = [lot.lot_id for lot in lots]
    rows = [lot_cells(lot, looks) for lot in lots]
    if detail.lot_count > len(lots):
        keys.append("…")
        rows.append([f"… {detail.lot_count - len(lots):,} more", "", "", "", "", ""])
    widths = fitted_widths(LOT_LABELS, rows)
    if shown is None or shown.keys != keys:
        return LotTable(keys, rows, widths)
    return LotTable(keys, rows, widths, changed_cells(shown.rows, rows), shown.rows)


def chart_figure(detail: AssetDetail, plt: Plot) -> None:
    """The price chart: trade prices, a level line at the unit cost of the largest lots (picked
    by the engine) and one at the price now (run in the chart's worker)."""
    points = detail.trade_prices
    if not points:
        return
    plt.date_form("Y-m-d")
    xs = [datetime.fromtimestamp(ts / 1_000_000, tz=UTC).strftime("%Y-%m-%d") for ts, _ in points]
    ys = [float(fp.to_decimal(p)) for _, p in points]  # display only
    plt.plot(xs, ys, label="trade prices", marker="braille")
    for unit in detail.cost_levels:
        plt.horizontal_line(float(fp.to_decimal(unit)), color="orange")
    levels = [p for _, p in points] + detail.cost_levels
    if detail.price is not None:
        plt.horizontal_line(float(fp.to_decimal(detail.price)), color="green")
        levels.append(detail.price)
    ticks = dollar_ticks(min(levels), max(levels))
    plt.yticks([float(fp.to_decimal(t)) for t in ticks], [axis_dollars(t, ticks) for t in ticks])


def slice_bounds(rows: int) -> list[tuple[int, int]]:
    """Where each slice of `rows` lot rows starts and ends: FIRST_SLICES, then ROWS_PER_SLICE."""
    bounds, start = [], 0
    sizes = iter(FIRST_SLICES)
    while start < rows:
        end = min(rows, start + next(sizes, ROWS_PER_SLICE))
        bounds.append((start, end))
        start = end
    return bounds


def after_plan_label(after: AfterPlan) -> str:
    """What the figures after the plan are, as the candidate list shows them."""
    if after.planned_steps:
        numbers = ", ".join(str(n) for n in after.planned_steps)
        label = f"In the plan (step {numbers} of {after.plan_steps})"
        return label + (" and after it" if after.rows > len(after.planned_steps) else "")
    if after.plan_steps:
        return f"After the plan ({after.plan_steps} step(s)) and the rows above it"
    return "After the rows above it (no plan yet)"


def lot_cells(lot: LotDetail, looks: Looks = COLOUR) -> list[Cell]:
    unit = None if lot.basis is None else fp.unit_price(lot.basis, lot.quantity)
    loss_style = money_style(lot.unrealized, looks)
    return [
        Text(lot.lot_id), date.fromordinal(lot.acquired_day).isoformat(), Text(fmt.qty(lot.quantity), justify="right"),
        Text(fmt.price(unit) if unit is not None else "unknown", justify="right"),
        Text(fmt.usd(lot.unrealized, sign=True), style=loss_style, justify="right"),
        "LT" if lot.days_to_long_term == 0 else f"{lot.days_to_long_term}d",
    ]  # fmt: skip


def dollar_ticks(low: Amount, high: Amount) -> list[Amount]:
    """Evenly spaced levels from `low` to `high` for the chart's dollar axis."""
    if high <= low:
        return [low]
    step = (high - low) // (Y_TICKS - 1)
    return [Amount(low + step * index) for index in range(Y_TICKS - 1)] + [high]


def axis_dollars(units: Amount, ticks: list[Amount]) -> str:
    """A tick's label: whole dollars when the ticks are dollars apart, else cents or finer."""
    span = ticks[-1] - ticks[0]
    if span >= fp.SCALE * 10 * (Y_TICKS - 1) and units >= fp.SCALE:
        return fmt.usd(units)
    if units >= fp.SCALE:
        return f"${fp.to_decimal(units).quantize(Decimal('0.01')):,}"
    return fmt.price(units)
