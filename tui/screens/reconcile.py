"""`f`: the tax year's Forms 1099-DA against harvest's sales, one row per sale — matched, differing
(what and the likely cause), on the form only, in harvest only. Import a form with `harvest 1099da
import FILE`; `a` enters a sale from a paper form (tui.screens.form_entry), `x` removes one entered
by hand; `harvest 1099da reconcile --year Y` prints the same with the amounts."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui.keys import DEFAULT_KEYS, Keys, bindings
from tui.screens.dialogs import ConfirmScreen
from tui.screens.form_entry import FormEntryScreen
from tui.session import Session
from tui.transition_views import ReconcileView, enter_sale, remove_sale
from tui.widgets.fitted_table import Cell, rebuild
from tui.widgets.footer import HarvestFooter

COLUMNS = ("status", "account", "asset", "sale", "sold", "units", "what differs")
LABELS = [Text(label, justify="right" if label == "units" else "left") for label in COLUMNS]


class ReconcileScreen(Screen[None]):
    BINDINGS = bindings("form_1099da")
    DEFAULT_CSS = """
    ReconcileScreen #reconcile-title { padding: 0 1; }
    ReconcileScreen #reconcile-table { height: 1fr; }
    """

    def __init__(self, session: Session, keys: Keys = DEFAULT_KEYS) -> None:
        super().__init__()
        self.session = session
        self.keys = keys
        self.view: ReconcileView | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(" Form 1099-DA · loading…", style="bold"), id="reconcile-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="reconcile-table", classes="pane")
        yield HarvestFooter()

    def on_mount(self) -> None:
        self.query_one("#reconcile-table", DataTable).focus()
        self.load()

    @work(thread=True, exclusive=True, group="reconcile", exit_on_error=False)
    def load(self) -> None:
        view = self.session.reconciliation()
        self.app.call_from_thread(self.show, view)

    def show(self, view: ReconcileView) -> None:
        self.view = view
        title = f" Form 1099-DA, {view.year} · {view.summary}"
        if not view.rows:
            title += (
                f" · import a form: harvest 1099da import FILE, or {self.keys.hint('add_1099da')} adds a sale"
            )
        self.query_one("#reconcile-title", Static).update(Text(title, style="bold"))
        table = self.query_one("#reconcile-table", DataTable)
        table.border_title = "Each reported sale matched to harvest's"
        rows: list[list[Cell]] = [
            [
                Text(status),
                Text(account),
                Text(asset),
                Text(sale),
                sold,
                Text(units, justify="right"),
                Text(what),
            ]
            for status, account, asset, sale, sold, units, what in view.rows
        ]
        rebuild(table, LABELS, rows)

    def action_add(self) -> None:
        if self.view is None:
            return

        def saved(said: str | None) -> None:
            if said:
                self.changed(said)

        year = self.view.year

        def submit(values: dict[str, str]) -> str:
            return self.session.transition(lambda engine: enter_sale(engine, values, year))

        self.app.push_screen(FormEntryScreen(year, self.view.accounts, submit, self.keys), saved)

    def action_remove(self) -> None:
        row = self.query_one("#reconcile-table", DataTable).cursor_row
        if self.view is None or not 0 <= row < len(self.view.entries):
            return
        entry = self.view.entries[row]
        if entry is None:
            self.notify("Only a sale entered by hand can be removed here; an imported form is replaced by "
                        "importing it again", severity="warning")  # fmt: skip
            return
        _, account, asset, _, sold, units, _ = self.view.rows[row]
        question = f"Remove the sale entered by hand ({entry}): {account} {asset} {units} sold {sold}?"

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.remove_entry(entry)

        self.app.push_screen(ConfirmScreen(question, self.keys), answered)

    @work(thread=True, exclusive=True, group="reconcile-write", exit_on_error=False)
    def remove_entry(self, entry: int) -> None:
        said = self.session.transition(lambda engine: remove_sale(engine, entry))
        self.app.call_from_thread(self.changed, said)

    def changed(self, said: str) -> None:
        self.notify(said, markup=False)
        self.load()
