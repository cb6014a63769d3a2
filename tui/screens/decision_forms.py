"""The dialogs a decision asks through: choose the other end of a transfer (with the engine's
confidence), and a form for what a classification or an own address needs (value, basis,
date, a wallet label, a price per unit, a reason). The form records in its own worker and stays open, with what
was typed, when the engine refuses — showing the engine's one line — like the tax profile."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Select

from engine.core.units import EpochMicros
from engine.ledger import decided as how
from engine.planning import data_problems as kinds
from engine.review.problems import OtherEnd
from tui.format import explain
from tui.keys import DEFAULT_KEYS, Keys, bindings
from tui.screens.dialogs import FormDialog
from tui.session import Decided
from tui.widgets.fitted_table import rebuild
from tui.widgets.footer import HarvestFooter
from tui.widgets.problem_view import END_COLUMNS, END_RIGHT, end_cells, labels


class ChooseEndScreen(ModalScreen[OtherEnd | None]):
    """The records that could be a transfer's other end, the likeliest first; enter chooses."""

    BINDINGS = bindings("choose_end")

    def __init__(self, question: str, ends: tuple[OtherEnd, ...], zone: tzinfo, now: EpochMicros,
                 keys: Keys = DEFAULT_KEYS) -> None:  # fmt: skip
        super().__init__(classes="dialog")
        self.question = question
        self.ends = ends
        self.zone = zone
        self.now = now
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box wide"):
            yield Label(Text(self.question), classes="question")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="ends-table")
            hint = f"{self.keys.hint('choose')} chooses, {self.keys.hint('cancel_choice')} cancels"
            yield Label(hint, classes="hint")
        yield HarvestFooter(show_command_palette=False)

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        rebuild(table, labels(END_COLUMNS, END_RIGHT), [end_cells(e, self.zone, self.now) for e in self.ends])
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_choose()

    def action_choose(self) -> None:
        row = self.query_one(DataTable).cursor_row
        if 0 <= row < len(self.ends):
            self.dismiss(self.ends[row])

    def action_cancel(self) -> None:
        self.dismiss(None)


FIELD_LABELS = {
    "price": "USD per unit",
    "value": "Value in USD (blank: flagged)",
    "basis": "Basis in USD",
    "acquired": "Acquired (YYYY-MM-DD)",
    "to": "Wallet label (own:LABEL)",
    "label": "Wallet label (own:LABEL)",
    "reason": "Reason (kept with the decision)",
}
FIELD_ORDER = ("price", "value", "basis", "acquired", "to", "label", "reason")


@dataclass(frozen=True)
class FormOption:
    value: str  # what the form's submit gets: a classification `as[:direction]`, …
    label: str
    fields: tuple[str, ...]  # the inputs it needs (FIELD_LABELS), besides the reason


_IN = "in"
_OUT = "out"
_RECEIVED = {  # what a receipt can be: the fields it needs, what it does
    how.INCOME: (("value",), "income — at its USD value when received"),
    how.AIRDROP: (("value",), "airdrop — at its USD value when received"),
    how.GIFT: (("basis", "acquired", "value"), "a gift received — the donor's basis and date"),
    how.OWN: (("basis", "acquired"), "from your own wallet (not imported) — the basis and date you give"),
    how.BUY: (("value",), "a buy — at the USD value paid"),
    how.TRANSFER: ((), "a transfer in — left to the pairing rules"),
}
_SENT = {  # what a send can be
    how.OWN: (("to",), "to your own wallet — the lots move to account own:LABEL"),
    how.GIFT: ((), "a gift given — the lots leave, no gain or loss"),
    how.PAYMENT: (("value",), "a payment — a disposal at its USD value"),
    how.SELL: (("value",), "a sale — a disposal at its USD value"),
    how.TRANSFER: ((), "a transfer out — left to the pairing rules"),
}
_ROW_ONLY = (how.BUY, how.SELL, how.TRANSFER)  # a transfer is already one: only a raw row can be these


def classify_options(kind: str) -> list[FormOption]:
    """What the engine lets a record of this problem kind be (engine.ledger.decided): a receipt
    one of RECEIVED_AS, a send one of SENT_AS, an unclassified row either (with its direction)."""
    if kind == kinds.UNCLASSIFIED_ROW:
        received = [FormOption(f"{as_}:{_IN}", label, fields) for as_, (fields, label) in _RECEIVED.items()]
        sent = [FormOption(f"{as_}:{_OUT}", label, fields) for as_, (fields, label) in _SENT.items()]
        return received + sent
    table = _SENT if kind == kinds.SENT_OUTSIDE else _RECEIVED
    return [FormOption(as_, label, fields) for as_, (fields, label) in table.items() if as_ not in _ROW_ONLY]


def classification(value: str) -> tuple[str, str | None]:
    """A classify option's value as (as, direction): the direction only where the engine needs it
    (a gift, own or transfer of an unclassified row; the others say their own)."""
    as_, _, direction = value.partition(":")
    needs = direction and as_ in (how.GIFT, how.OWN, how.TRANSFER)
    return as_, direction if needs else None


Submit = Callable[[str, dict[str, str]], Decided]
"""Records the decision (run in the form's worker): the option's value and the fields typed."""


class DecisionForm(FormDialog[Decided | None]):
    """Dismisses with the decision recorded, or None when cancelled."""

    BINDINGS = bindings("decision_form")
    DEFAULT_CSS = """
    DecisionForm #form-error { color: $error; text-style: bold; margin: 1 0 0 0; }
    """

    def __init__(
        self, question: str, options: list[FormOption], submit: Submit, keys: Keys = DEFAULT_KEYS
    ) -> None:
        super().__init__(classes="dialog")
        self.question = question
        self.options = options
        self.submit = submit
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box wide", id="form-box"):
            yield Label(Text(self.question), classes="question")
            if len(self.options) > 1:
                choices = [(option.label, option.value) for option in self.options]
                yield Select(choices, value=self.options[0].value, allow_blank=False, id="form-option")
            needed = {name for option in self.options for name in option.fields} | {"reason"}
            for name in (name for name in FIELD_ORDER if name in needed):
                with Horizontal(classes="field", id=f"field-{name}"):
                    yield Label(FIELD_LABELS[name], classes="field-label")
                    yield Input(id=f"input-{name}")
            yield Label("", id="form-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"Record ({self.keys.hint('save_decision')})", variant="primary", id="save")
                yield Button(f"Cancel ({self.keys.hint('cancel_decision')})", id="cancel")
        yield HarvestFooter(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#form-error").display = False
        self.show_fields()
        first = self.query("#form-option, Input").first()
        first.focus()

    @property
    def chosen(self) -> FormOption:
        if len(self.options) == 1:
            return self.options[0]
        value = self.query_one("#form-option", Select).value
        return next((option for option in self.options if option.value == value), self.options[0])

    def show_fields(self) -> None:
        """Only the inputs the chosen option needs (and the reason)."""
        wanted = set(self.chosen.fields) | {"reason"}
        for row in self.query(".field"):
            row.display = (row.id or "").removeprefix("field-") in wanted

    def on_select_changed(self) -> None:
        self.show_fields()

    def action_save(self) -> None:
        if self.saving:
            return
        option = self.chosen
        typed = {name: self.query_one(f"#input-{name}", Input).value.strip()
                 for name in (*option.fields, "reason")}  # fmt: skip
        self.save_in_worker(lambda: self.submit(option.value, typed))

    def failed(self, error: BaseException | None) -> None:
        line = explain(error)
        label = self.query_one("#form-error", Label)
        label.update(line)
        label.display = True
        self.notify(line, severity="error", markup=False)
