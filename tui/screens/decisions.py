"""`d` on the Problems screen: every decision you made — in force and undone — with its id, when,
its kind, what it names, what it decided and why; `u` undoes the highlighted one after asking.
An undo is recorded like any decision (nothing is deleted) and the problems list is recomputed."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from engine.ledger.decisions import Decision
from tui.keys import DEFAULT_KEYS, Keys, bindings
from tui.screens.dialogs import ConfirmScreen
from tui.session import ReviewView
from tui.widgets.fitted_table import rebuild
from tui.widgets.footer import HarvestFooter
from tui.widgets.problem_view import DECISION_COLUMNS, DECISION_RIGHT, decision_cells, labels


class DecisionsScreen(Screen[None]):
    BINDINGS = bindings("decisions")

    def __init__(self, view: ReviewView, undo: Callable[[Decision], None], keys: Keys = DEFAULT_KEYS) -> None:
        super().__init__()
        self.view = view
        self.undo = undo  # records the undo (the Problems screen's worker) and shows the result
        self.keys = keys

    def compose(self) -> ComposeResult:
        yield Static(id="decisions-title")
        with Vertical(id="decisions", classes="pane -active"):
            yield Static("", classes="note", markup=False)
            yield DataTable(cursor_type="row", zebra_stripes=True, id="decisions-table")
        yield HarvestFooter()

    def on_mount(self) -> None:
        self.query_one("#decisions").border_title = "Decisions"
        self.show(self.view)
        self.query_one(DataTable).focus()

    def show(self, view: ReviewView) -> None:
        """The decisions as they now are, the cursor kept on the same decision."""
        self.view = view
        decisions = view.decisions
        in_force = sum(1 for d in decisions if d.active)
        title = f" Decisions · {in_force} in force, {len(decisions) - in_force} undone"
        self.query_one("#decisions-title", Static).update(Text(title, style="bold"))
        table: DataTable[Text] = self.query_one(DataTable)
        current = self.highlighted()
        rebuild(table, labels(DECISION_COLUMNS, DECISION_RIGHT),
                [decision_cells(d, view.zone, view.now) for d in decisions])  # fmt: skip
        ids = [d.id for d in decisions]
        if current is not None and current.id in ids:
            table.move_cursor(row=ids.index(current.id), animate=False)
        note = self.query_one(".note", Static)
        note.update("No decisions yet: they are made on the Problems screen." if not decisions else "")
        note.set_class(not decisions, "-shown")

    def highlighted(self) -> Decision | None:
        row = self.query_one(DataTable).cursor_row
        decisions = self.view.decisions
        return decisions[row] if 0 <= row < len(decisions) else None

    def action_undo(self) -> None:
        decision = self.highlighted()
        if decision is None:
            return
        if not decision.active:
            self.notify(f"decision {decision.id} is already undone", severity="warning")
            return
        question = (f"Undo decision {decision.id} ({decision.kind} {decision.subject})? The problem it "
                    "resolved comes back; the undo is kept in your records.")  # fmt: skip

        def answered(yes: bool | None) -> None:
            if yes:
                self.undo(decision)

        self.app.push_screen(ConfirmScreen(question, self.keys), answered)
