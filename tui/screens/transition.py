"""`l`: the 2025 allocation of unused basis (Rev. Proc. 2024-28), per asset — recorded, or
harvest's suggestion (highest basis to the account sold from first) with what would keep it
from being timely; `r` records the suggestion for the asset under the cursor, after a
confirmation that says it is irrevocable. The CLI (`harvest transition`) does the rest: a global
rule, an edited file, `--made-on`."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.keys import DEFAULT_KEYS, Keys, bindings
from tui.screens.dialogs import ConfirmScreen
from tui.session import Session
from tui.transition_views import AllocationView
from tui.widgets.fitted_table import Cell, rebuild

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
        yield Footer()

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
        title = f" 2025 allocation of unused basis · {len(view)} asset(s) · r records harvest's suggestion (irrevocable)"
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
        question = (f"Record harvest's suggested allocation of {asset}? It is irrevocable (Rev. Proc. 2024-28 "
                    "§4.02(6)).\n" + "\n".join(shown.notes[1:]))  # fmt: skip

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.record(asset)

        self.app.push_screen(ConfirmScreen(question.rstrip(), self.keys), answered)

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
