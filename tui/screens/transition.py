"""`l`: the 2025 allocation of unused basis (Rev. Proc. 2024-28), per asset — recorded, or
harvest's suggestion (highest basis to the account sold from first) with what would keep it
from being timely; `r` records the suggestion for the asset under the cursor, `e` edits it first
(lots moved between accounts), `g` records a global rule — each after a confirmation that says
what, with its timeliness flags, and that it is irrevocable (tui.allocation_edits). The CLI
(`harvest transition`) also takes an edited file and `--made-on`."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Static

from engine.api import Engine
from engine.core import fixedpoint as fp
from engine.core.errors import HarvestError
from engine.core.units import Amount, EpochMicros
from tui.allocation_edits import (
    IRREVOCABLE,
    EditedAllocation,
    Pending,
    edited_pending,
    record_pending,
    rule_pending,
)
from tui.keys import DEFAULT_KEYS, Keys, bindings
from tui.screens.allocation_dialogs import EditAllocationScreen, GlobalRuleScreen
from tui.screens.dialogs import ConfirmScreen
from tui.session import Session
from tui.transition_views import AllocationView
from tui.widgets.fitted_table import Cell, rebuild
from tui.widgets.footer import HarvestFooter

COLUMNS = ("asset", "account", "lot", "acquired", "quantity", "basis", "allocation")
LABELS = [Text(label, justify="right" if index in (4, 5) else "left") for index, label in enumerate(COLUMNS)]


class AllocationScreen(Screen[None]):
    BINDINGS = bindings("allocation")
    DEFAULT_CSS = """
    AllocationScreen #allocation-title { padding: 0 1; }
    AllocationScreen #allocation-table { height: 1fr; }
    AllocationScreen #allocation-notes { height: auto; max-height: 12; padding: 0 1; }
    """

    def __init__(self, session: Session, keys: Keys = DEFAULT_KEYS) -> None:
        super().__init__()
        self.session = session
        self.keys = keys
        self.view: AllocationView | None = None
        self.row_assets: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(Text(" 2025 allocation of unused basis · loading…", style="bold"), id="allocation-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="allocation-table", classes="pane")
        yield Static(id="allocation-notes")
        yield HarvestFooter()

    def on_mount(self) -> None:
        self.query_one("#allocation-table").border_title = "Lots of unused basis per account on 2025-01-01"
        self.query_one("#allocation-table", DataTable).focus()
        self.load()

    @work(thread=True, exclusive=True, group="allocation", exit_on_error=False)
    def load(self) -> None:
        view = self.session.allocations()
        self.app.call_from_thread(self.show, view)

    def show(self, view: AllocationView) -> None:
        self.view = view
        rows: list[list[Cell]] = []
        self.row_assets = []
        notes: list[str] = []
        for asset, shown in view.items():
            for account, lot, acquired, quantity, basis in shown.rows:
                rows.append([Text(asset), Text(account), Text(lot), acquired, Text(quantity, justify="right"),
                             Text(basis, justify="right"), shown.status])  # fmt: skip
                self.row_assets.append(asset)
            notes.extend(shown.notes)
        if not rows:
            notes = ["No units held on 2025-01-01: nothing to allocate."]
        keys = "/".join(
            self.keys.hint(key) for key in ("record_allocation", "edit_allocation", "global_rule")
        )
        title = (f" 2025 allocation of unused basis · {len(view)} asset(s) · {keys}: record the suggestion / edit it "
                 "/ a global rule (irrevocable)")  # fmt: skip
        self.query_one("#allocation-title", Static).update(Text(title, style="bold"))
        rebuild(self.query_one("#allocation-table", DataTable), LABELS, rows)
        self.query_one("#allocation-notes", Static).update(Text("\n".join(notes)))

    def action_record(self) -> None:
        table = self.query_one("#allocation-table", DataTable)
        if self.view is None or not 0 <= table.cursor_row < len(self.row_assets):
            return
        asset = self.row_assets[table.cursor_row]
        shown = self.view[asset]
        if shown.status == "recorded":
            self.notify(f"{asset}: an allocation is already recorded; it is irrevocable", severity="warning")
            return
        flags = "\n".join(shown.notes[1:]) or "if recorded today: timely"
        given: dict[str, int] = {}
        for piece in shown.slices:
            given[piece.account] = given.get(piece.account, 0) + piece.quantity
        accounts = ", ".join(f"{account} {fp.fmt(Amount(units), 0)}" for account, units in given.items())
        question = (f"Record harvest's suggested allocation of {asset} ({len(shown.slices)} slice(s): {accounts})? "
                    f"{IRREVOCABLE}\n{flags}")  # fmt: skip

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.record(asset)

        self.app.push_screen(ConfirmScreen(question.rstrip(), self.keys), answered)

    def _unrecorded(self) -> str | None:
        """The asset under the cursor, when its allocation can still be recorded."""
        table = self.query_one("#allocation-table", DataTable)
        if self.view is None or not 0 <= table.cursor_row < len(self.row_assets):
            return None
        asset = self.row_assets[table.cursor_row]
        if self.view[asset].status == "recorded":
            self.notify(f"{asset}: an allocation is already recorded; it is irrevocable", severity="warning")
            return None
        return asset

    def action_edit(self) -> None:
        asset = self._unrecorded()
        if asset is None or self.view is None:
            return
        shown = self.view[asset]
        if shown.snapshot is None:
            return
        day = self.session.engine.calendar.day_function()

        def acquired(micros: EpochMicros) -> str:
            return date.fromordinal(day(micros)).isoformat()

        def submit(edited: EditedAllocation) -> Pending:
            return self.session.transition(lambda engine: edited_pending(engine, edited))

        dialog = EditAllocationScreen(
            EditedAllocation(shown.snapshot, shown.slices), acquired, submit, self.keys
        )
        self.app.push_screen(dialog, self.confirm)

    def action_global_rule(self) -> None:
        if self.view is None:
            return
        open_ = [shown for shown in self.view.values() if shown.status != "recorded" and shown.snapshot]
        assets = [shown.snapshot.asset for shown in open_ if shown.snapshot]
        accounts = sorted({name for shown in open_ if shown.snapshot for name in shown.snapshot.held})
        if not assets:
            self.notify(
                "Every asset held on 2025-01-01 already has its allocation recorded", severity="warning"
            )
            return

        def submit(order: str, named: str, written: str) -> Pending:
            return self.session.transition(lambda engine: rule_pending(engine, order, named, written))

        self.app.push_screen(GlobalRuleScreen(assets, accounts, submit, self.keys), self.confirm)

    def confirm(self, pending: Pending | None) -> None:
        def answered(confirmed: bool | None) -> None:
            if confirmed and pending is not None:
                self.record_confirmed(pending)

        if pending is not None:
            self.app.push_screen(ConfirmScreen(pending.question, self.keys), answered)

    @work(thread=True, exclusive=True, group="allocation", exit_on_error=False)
    def record_confirmed(self, pending: Pending) -> None:
        def recording(engine: Engine) -> str:
            try:
                return record_pending(engine, pending)
            except HarvestError as exc:
                return str(exc)

        said = self.session.transition(recording)
        self.app.call_from_thread(self.recorded, said)

    @work(thread=True, exclusive=True, group="allocation", exit_on_error=False)
    def record(self, asset: str) -> None:
        said = self.session.record_suggestion(asset)
        self.app.call_from_thread(self.recorded, said)

    def recorded(self, said: str) -> None:
        self.notify(said, markup=False)
        self.load()
        main = getattr(self.app, "main", None)
        if main is not None:
            main.reload()  # the lots from 2025 follow the allocation
