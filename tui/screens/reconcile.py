"""`f`: the tax year's Forms 1099-DA against harvest's sales, one row per sale — matched, differing
(what and the likely cause), on the form only, in harvest only. Import a form with `harvest 1099da
import FILE`; `harvest 1099da reconcile --year Y` prints the same with the amounts."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.keys import bindings
from tui.session import Session
from tui.transition_views import ReconcileView
from tui.widgets.fitted_table import Cell, rebuild

COLUMNS = ("status", "account", "asset", "sale", "sold", "units", "what differs")
LABELS = [Text(label, justify="right" if label == "units" else "left") for label in COLUMNS]


class ReconcileScreen(Screen[None]):
    BINDINGS = bindings("form_1099da")
    DEFAULT_CSS = """
    ReconcileScreen #reconcile-title { padding: 0 1; }
    ReconcileScreen #reconcile-table { height: 1fr; }
    """

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Static(Text(" Form 1099-DA · loading…", style="bold"), id="reconcile-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="reconcile-table", classes="pane")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#reconcile-table", DataTable).focus()
        self.load()

    @work(thread=True, exclusive=True, group="reconcile", exit_on_error=False)
    def load(self) -> None:
        view = self.session.reconciliation()
        self.app.call_from_thread(self.show, view)

    def show(self, view: ReconcileView) -> None:
        title = f" Form 1099-DA, {view.year} · {view.summary}"
        if not view.rows:
            title += " · import a form: harvest 1099da import FILE --account NAME"
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
