"""The three panes of the main screen. Each is a bordered container holding a DataTable, a
note saying why it is empty, and a filter line (`/`). Panes post messages; the screen decides
what happens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from engine.core.units import Amount
from engine.planning.candidates import Blocked, Candidate
from engine.planning.checklist import Step, state_words
from engine.planning.holdings import Holding
from tui import format as fmt
from tui.keys import bindings
from tui.looks import Looks, looks_of, money_style
from tui.session import LotPreview, Snapshot
from tui.step_words import step_when
from tui.widgets.cell_changes import changed_cells
from tui.widgets.fast_table import FastTable
from tui.widgets.fitted_table import fitted_widths, rebuild, refit

PANE_FRAME = 3  # a pane's border (two columns) and its table's vertical scroll bar (app.tcss)
RowKey = TypeVar("RowKey")  # what identifies a row of a pane (kept across refreshes for the cursor)


class Pane(Vertical, Generic[RowKey], can_focus=False):
    """A titled table with a filter. Subclasses say which columns and rows."""

    BINDINGS = bindings("pane")
    COLUMNS: tuple[str, ...] = ()
    RIGHT: frozenset[int] = frozenset()

    def __init__(self, title: str, *, id: str) -> None:  # noqa: A002
        super().__init__(id=id, classes="pane")
        self.border_title = title
        self.filter_text = ""
        self.keys: list[RowKey] = []
        self.shown: list[list[Text | str]] = []
        self.widths: list[int] = []
        self.why_empty = ""  # what the note says when there is nothing to show (set by the screen)
        self.note_shown: str | None = None
        self.labels = [
            Text(label, justify="right" if index in self.RIGHT else "left")
            for index, label in enumerate(self.COLUMNS)
        ]

    def compose(self) -> ComposeResult:
        yield Static("", id=f"{self.id}-note", classes="note", markup=False)
        table: FastTable[Any] = FastTable(cursor_type="row", zebra_stripes=True, id=f"{self.id}-table")
        yield table
        yield Input(
            placeholder="filter: account or asset (esc to clear)", id=f"{self.id}-filter", classes="filter"
        )

    def on_mount(self) -> None:
        self.widths = rebuild(self.table, self.labels, [])

    @property
    def table(self) -> FastTable[Any]:
        return self.query_one(FastTable)

    def needed_width(self) -> int:
        """The pane's width with every column shown: its columns, border and scroll bar."""
        table = self.table
        columns = sum(column.get_render_width(table) for column in table.ordered_columns)
        return columns + PANE_FRAME

    @property
    def looks(self) -> Looks:
        return looks_of(self.app)

    def note_text(self) -> str:
        """The note over the table: why it is empty, or nothing."""
        if self.keys:
            return ""
        if self.filter_text:
            return f"Nothing matches “{self.filter_text}” (esc clears the filter)"
        return self.why_empty

    def show_note(self) -> None:
        text = self.note_text()
        if text == self.note_shown:
            return  # an update would lay the screen out again (and repaint every table) for nothing
        self.note_shown = text
        note = self.query_one(".note", Static)
        note.update(text)
        note.set_class(bool(text), "-shown")

    def action_filter(self) -> None:
        box = self.query_one(Input)
        box.add_class("-shown")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip().lower()
        self.post_message(self.FilterChanged(self))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.table.focus()

    def on_key(self, event: events.Key) -> None:
        """`esc` clears the filter, as the help says — while typing it, and afterwards from the
        table it narrows (enter keeps it and returns to the table)."""
        box = self.query_one(Input)
        if event.key == "escape" and (box.has_focus or box.value):
            box.value = ""
            box.remove_class("-shown")
            self.table.focus()
            event.stop()

    def matches(self, *cells: str) -> bool:
        return not self.filter_text or any(self.filter_text in cell.lower() for cell in cells)

    def fill(self, rows: list[tuple[RowKey, list[Text | str]]]) -> None:
        """Show these rows, every column as wide as its widest cell. On a price tick the rows
        are usually the same ones: then only the cells whose text changed are updated (cheap),
        the columns refitted first when a width changed; otherwise the table is rebuilt,
        keeping the cursor on the same key where it still exists."""
        table = self.table
        keys = [key for key, _ in rows]
        cells = [[self._cell(index, cell) for index, cell in enumerate(row)] for _, row in rows]
        widths = fitted_widths(self.labels, cells)
        current = self.selected()
        if len(keys) == len(self.keys):  # (an empty table stays as it is: no rebuild, no layout)
            resized = widths != self.widths
            if resized:
                refit(table, widths)
                self.widths = widths
            table.update_cells(
                (where, cells[where.row][where.column])
                for where, _cell in changed_cells(self.shown, [row for _, row in rows])
            )
            self.keys = keys
            self.shown = [row for _, row in rows]
            if current in keys and keys.index(current) != table.cursor_row:
                table.move_cursor(row=keys.index(current), animate=False)  # follow the row
            self.show_note()
            return
        self.widths = rebuild(table, self.labels, cells, widths)
        self.keys = keys
        self.shown = [row for _, row in rows]
        if current in self.keys:
            table.move_cursor(row=self.keys.index(current), animate=False)
        self.show_note()

    def _cell(self, index: int, cell: Text | str) -> Text:
        """A cell as Text: a plain string is shown as written, never read as markup (an account
        named `Ledger [cold]` or `[/x]` from an imported file)."""
        if isinstance(cell, str):
            return Text(cell, justify="right" if index in self.RIGHT else "left")
        return cell

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """`enter` on a row: the table reports it; panes with details open them."""
        event.stop()
        action = getattr(self, "action_details", None)
        if action is not None:
            action()

    def selected(self) -> RowKey | None:
        row = self.table.cursor_row
        return self.keys[row] if self.keys and 0 <= row < len(self.keys) else None

    @dataclass
    class FilterChanged(Message):
        pane: Pane[Any]


def money_text(units: Amount | None, looks: Looks, sign: bool = True) -> Text:
    return Text(fmt.usd(units, sign=sign), style=money_style(units, looks), justify="right")


def term_text(days_to_long_term: int) -> str:
    """A lot's term: LT, or ST and the days until a sale would be long-term."""
    return "LT" if days_to_long_term == 0 else f"ST {days_to_long_term}d"


class HoldingsPane(Pane[tuple[str, ...]]):  # (account, asset), or (account, asset, lot id)
    COLUMNS = ("account", "asset", "quantity", "basis", "value", "unreal ST", "unreal LT", "change")
    RIGHT = frozenset({2, 3, 4, 5, 6, 7})
    BINDINGS = bindings("holdings")

    def __init__(self) -> None:
        super().__init__("Holdings", id="holdings")
        self.expanded: set[tuple[str, str]] = set()
        self.lots_by_key: dict[tuple[str, str], list[LotPreview]] = {}

    def show(self, snapshot: Snapshot, lots: dict[tuple[str, str], list[LotPreview]]) -> None:
        self.lots_by_key = lots
        rows: list[tuple[tuple[str, ...], list[Text | str]]] = []
        for h in snapshot.holdings:
            if not self.matches(h.account, h.asset):
                continue
            rows.append(((h.account, h.asset), self._holding_cells(h)))
            if (h.account, h.asset) in self.expanded:
                shown = lots.get((h.account, h.asset), [])
                for lot in shown[:20]:
                    rows.append(((h.account, h.asset, lot.lot_id), self._lot_cells(lot)))
                if h.lots > 20:
                    rows.append(
                        (
                            (h.account, h.asset, "…"),
                            ["", f"  … {h.lots - 20} more (enter)", "", "", "", "", "", ""],
                        )
                    )
        self.fill(rows)

    def _holding_cells(self, h: Holding) -> list[Text | str]:
        basis = fmt.usd(h.cost_basis) + (" ?" if h.unknown_basis_quantity else "")
        marker = "▾ " if (h.account, h.asset) in self.expanded else "▸ "
        return [
            h.account, marker + h.asset, fmt.qty(h.quantity, 6), basis, fmt.usd(h.value),
            money_text(h.unrealized_short, self.looks), money_text(h.unrealized_long, self.looks),
            fmt.percent(h.change),
        ]  # fmt: skip

    def _lot_cells(self, lot: LotPreview) -> list[Text | str]:
        """A lot under its asset, in the asset's columns: its unrealized result sits under ST or
        LT by its own term, and the term (days to long-term) follows its id."""
        unrealized = money_text(lot.unrealized, self.looks)
        short, long = ("", unrealized) if lot.days_to_long_term == 0 else (unrealized, "")
        return [
            "", f"  └ {lot.lot_id} {term_text(lot.days_to_long_term)}", fmt.qty(lot.quantity, 6),
            "?" if lot.basis is None else fmt.usd(lot.basis), fmt.usd(lot.value), short, long,
            fmt.percent(lot.change),
        ]  # fmt: skip

    def action_expand(self) -> None:
        key = self.selected()
        if key is None:
            return
        pair = (key[0], key[1])
        self.expanded.symmetric_difference_update({pair})
        self.post_message(self.ExpandToggled(self))

    def action_details(self) -> None:
        key = self.selected()
        if key is not None:
            self.post_message(self.DetailsWanted(key[0], key[1]))

    @dataclass
    class ExpandToggled(Message):
        pane: HoldingsPane

    @dataclass
    class DetailsWanted(Message):
        account: str
        asset: str


CANDIDATES_RANKED = "Candidates — saves in rank order"  # each after the rows ranked above it
CANDIDATES_AFTER_PLAN = "Candidates — saves after the plan (✓: in it)"


class CandidatesPane(Pane[tuple[str, str, str] | Blocked]):  # (account, asset, term)
    COLUMNS = ("", "account", "asset", "quantity", "loss", "term", "→LT", "saves", "carryfwd", "net", "warn")
    RIGHT = frozenset({3, 4, 6, 7, 8, 9})
    BINDINGS = bindings("candidates")

    def __init__(self) -> None:
        super().__init__("Candidates", id="candidates")
        self.by_key: dict[tuple[str, str, str], Candidate] = {}

    def show(self, snapshot: Snapshot) -> None:
        # one savings model (engine.planning.scan): say which figures these are
        self.border_title = CANDIDATES_AFTER_PLAN if snapshot.plan.steps else CANDIDATES_RANKED
        self.by_key = {}
        rows: list[tuple[tuple[str, str, str] | Blocked, list[Text | str]]] = []
        looks = self.looks
        for c in snapshot.candidates:
            if not self.matches(c.account, c.asset):
                continue
            mark = "✓" if c.planned_step is not None else " "
            self.by_key[(c.account, c.asset, c.term)] = c
            rows.append(((c.account, c.asset, c.term), [
                mark, c.account, c.asset, fmt.qty(c.quantity, 6), money_text(c.loss, looks), "ST" if c.term == "short" else "LT",
                "—" if c.term == "long" else f"{c.days_to_long_term}d", money_text(c.savings_this_year, looks, sign=False),
                fmt.usd(c.carryforward_created), money_text(c.net_savings, looks, sign=False), badges(c, snapshot.stale, looks),
            ]))  # fmt: skip
        for b in snapshot.blocked:
            if self.matches(b.account, b.asset):
                blank: list[Text | str] = [""] * 7  # quantity through net: nothing to show
                rows.append(
                    (b, ["?", b.account, b.asset, *blank, Text("? " + b.reasons[0], style=looks.caution)])
                )
        self.fill(rows)

    def note_text(self) -> str:
        """With only blocked positions listed, the note still says why there is no candidate."""
        if self.keys and not self.by_key and not self.filter_text:
            return self.why_empty
        return super().note_text()

    def action_toggle_plan(self) -> None:
        key = self.selected()
        chosen = self.by_key.get(key) if isinstance(key, tuple) else None
        if chosen is not None:
            self.post_message(self.TogglePlan(chosen))

    def action_details(self) -> None:
        key = self.selected()
        if isinstance(key, Blocked):  # a blocked position's row: its lots are still worth a look
            self.post_message(HoldingsPane.DetailsWanted(key.account, key.asset))
        elif key is not None:
            self.post_message(HoldingsPane.DetailsWanted(key[0], key[1]))

    @dataclass
    class TogglePlan(Message):
        candidate: Candidate


def badges(c: Candidate, stale: bool, looks: Looks) -> Text:
    labels = []
    for warning in c.warnings:
        if warning.startswith("turns long-term"):
            labels.append("⚠LT")
        elif warning.startswith("nft"):
            labels.append("nft")
        elif warning.startswith("wash"):
            labels.append("wash")
        elif warning.startswith("near worthless"):
            labels.append("≈0")
        elif "Dec 31" in warning or "deadline" in warning:
            labels.append("⏰")
    if stale:
        labels.append("stale")
    text = Text()
    for index, label in enumerate(labels):
        if index:
            text.append(" ")
        text.append(label, style=looks.badges.get(label, ""))
    return text


STATE_MARKS = {"done": "✓", "skipped": "–", "cancelled": "✗", "planned": "☐", "identified": "◐", "sold": "◑",
               "rebuy_due": "⏰", "rebought": "◕"}  # fmt: skip


class ChecklistPane(Pane[int]):  # the step number
    COLUMNS = ("#", "", "state", "action", "lots", "expected loss", "when")
    RIGHT = frozenset({0, 5})
    BINDINGS = bindings("checklist")

    def __init__(self) -> None:
        super().__init__("Checklist", id="checklist")

    def show(self, snapshot: Snapshot) -> None:
        rows: list[tuple[int, list[Text | str]]] = []
        self.border_title = checklist_title(snapshot)
        for s in snapshot.steps:
            if not self.matches(s.account, s.asset):
                continue
            action = f"sell {fmt.exact_qty(s.quantity)} {s.asset} on {s.account}"
            when = step_when(s, snapshot.now, snapshot.zone)
            rows.append((s.number, [str(s.number), STATE_MARKS.get(s.state, "☐"), state_words(s.state), action,
                                    lots_summary(s.lots), fmt.usd(s.loss), when]))  # fmt: skip
        self.fill(rows)

    def action_advance(self) -> None:
        number = self.selected()
        if number is not None:
            self.post_message(self.StepAction(number, "advance"))

    def action_skip(self) -> None:
        number = self.selected()
        if number is not None:
            self.post_message(self.StepAction(number, "skip"))

    def action_cancel_step(self) -> None:
        number = self.selected()
        if number is not None:
            self.post_message(self.StepAction(number, "cancel"))

    @dataclass
    class StepAction(Message):
        number: int
        action: str  # advance | skip | cancel


def checklist_title(snapshot: Snapshot) -> str:
    """The plan's unsold steps combined at the current prices (engine.planning.plan_value), not
    the figures the steps were saved with; sold steps whose trade is in the store are in the
    realized totals instead, and those still waiting for it are valued with the plan."""
    if not snapshot.steps:
        return "Checklist"
    plan = snapshot.plan
    title = f"Checklist — {len(snapshot.steps)} step(s)"
    if plan.steps:
        title += f": plan saves {fmt.usd(plan.savings_this_year)} at current prices"
    if plan.sold:
        title += f"; {len(plan.sold)} sold, realized"
    if plan.awaiting:
        title += f"; {len(plan.awaiting)} sold, trade not imported yet"
    if plan.unpriced:
        title += f"; {len(plan.unpriced)} without a price"
    return title


def lots_summary(spec: str) -> str:
    """'A:1;B:2;C:3' as 'A +2 more' for a narrow column."""
    ids = [part.split(":")[0] for part in spec.split(";") if part]
    return ids[0] + (f" +{len(ids) - 1}" if len(ids) > 1 else "") if ids else ""


def step_by_number(steps: list[Step], number: int) -> Step | None:
    return next((s for s in steps if s.number == number), None)
