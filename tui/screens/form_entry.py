"""`a` on the Form 1099-DA screen: one sale of a paper Form 1099-DA, box by box. The boxes are
read by the rules a CSV import uses (engine.imports.form_1099da.parse_row); a bad one keeps the
dialog open, what was typed kept, the box named and focused. Saved, the sale is kept as an
imported row is (source `entered by hand`), and the reconciliation shows it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Button, Checkbox, Input, Label, Select

from engine.imports.form_1099da import FormEntryError
from engine.ledger.broker_forms import ENTRY_FIELDS
from tui.format import explain
from tui.keys import DEFAULT_KEYS, Keys, bindings
from tui.screens.dialogs import FormDialog
from tui.widgets.footer import HarvestFooter

TYPED = ("account", "code", "name", "asset", "units", "acquired", "sold", "proceeds", "basis", "moved",
         "checkbox")  # fmt: skip
CHECKED = ("reported", "customer", "noncovered")  # checkboxes: "x" when checked, as in a CSV
HINTS = {
    "account": "the harvest account",
    "code": "optional",
    "name": "Bitcoin, Ethereum… (or the code)",
    "asset": "blank: from 1b (Bitcoin -> BTC)",
    "units": "e.g. 0.5",
    "acquired": "YYYY-MM-DD, M/D/YYYY, various or blank",
    "sold": "YYYY-MM-DD or M/D/YYYY",
    "proceeds": "USD, e.g. 9,000.00",
    "basis": "USD; blank when not shown",
    "moved": "blank when not shown",
    "checkbox": "G to L, when the form prints one",
}
TERMS = (("short", "short"), ("long", "long"), ("ordinary", "ordinary"))

Submit = Callable[[dict[str, str]], str]
"""Stores the sale (run in the dialog's worker): the boxes' text -> what to tell the user."""


class FormEntryScreen(FormDialog[str | None]):
    """Dismisses with what was saved (a line for a notification), or None when cancelled."""

    BINDINGS = bindings("form_1099da_entry")
    DEFAULT_CSS = """
    FormEntryScreen #entry-box { height: 90%; }
    FormEntryScreen #entry-fields { height: 1fr; }  /* scrolls: the error and the buttons stay in view */
    FormEntryScreen #entry-error { width: 100%; color: $error; text-style: bold; margin: 1 0 0 0; }
    FormEntryScreen .entry-field { height: auto; margin-bottom: 1; }
    FormEntryScreen .entry-label { width: 26; }
    FormEntryScreen .entry-field Input { width: 1fr; border: none; height: 1; padding: 0 1; background: $boost; }
    FormEntryScreen .entry-field Input:focus { border: none; background: $accent 30%; }
    FormEntryScreen .entry-field Select { width: 1fr; }
    FormEntryScreen Checkbox { margin: 0 0 0 26; border: none; padding: 0; }
    """

    def __init__(self, year: int, accounts: Sequence[str], submit: Submit, keys: Keys = DEFAULT_KEYS) -> None:
        super().__init__(classes="dialog")
        self.year = year
        self.accounts = list(accounts)
        self.submit = submit
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box wide", id="entry-box"):
            question = (f"A sale from a paper Form 1099-DA (the reconciliation shows {self.year}'s). "
                        "Boxes as on the form; the same rules as an imported CSV.")  # fmt: skip
            yield Label(Text(question), classes="question")
            with VerticalScroll(id="entry-fields"):
                for name in TYPED[:9]:
                    yield self._typed(name)
                with Horizontal(classes="entry-field", id="field-term"):
                    yield Label(ENTRY_FIELDS["term"], classes="entry-label")
                    yield Select(TERMS, prompt="blank (not shown)", id="entry-term")
                for name in CHECKED:
                    yield Checkbox(ENTRY_FIELDS[name], id=f"entry-{name}")
                for name in TYPED[9:]:
                    yield self._typed(name)
            yield Label("", id="entry-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"Save ({self.keys.hint('save_1099da')})", variant="primary", id="save")
                yield Button(f"Cancel ({self.keys.hint('cancel_1099da')})", id="cancel")
        yield HarvestFooter(show_command_palette=False)

    def _typed(self, name: str) -> Horizontal:
        suggest = SuggestFromList(self.accounts, case_sensitive=False) if name == "account" else None
        return Horizontal(
            Label(ENTRY_FIELDS[name], classes="entry-label"),
            Input(placeholder=HINTS[name], id=f"entry-{name}", suggester=suggest),
            classes="entry-field",
            id=f"field-{name}",
        )

    def on_mount(self) -> None:
        self.query_one("#entry-error").display = False
        self.query_one("#entry-account", Input).focus()

    def values(self) -> dict[str, str]:
        """The boxes as a CSV row would give them: text, `x` for a checked box."""
        found = {name: self.query_one(f"#entry-{name}", Input).value.strip() for name in TYPED}
        term = self.query_one("#entry-term", Select).value
        found["term"] = term if isinstance(term, str) else ""
        for name in CHECKED:
            found[name] = "x" if self.query_one(f"#entry-{name}", Checkbox).value else ""
        return found

    def action_save(self) -> None:
        if self.saving:
            return
        values = self.values()
        self.save_in_worker(lambda: self.submit(values))

    def failed(self, error: BaseException | None) -> None:
        line = explain(error)
        label = self.query_one("#entry-error", Label)
        label.update(line)
        label.display = True
        if isinstance(error, FormEntryError):
            self.query_one(f"#entry-{error.field}").focus()  # the box to fix
