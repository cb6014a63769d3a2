"""The 2025 allocation screen's dialogs (`l`): `e` edits harvest's suggestion for one asset before
recording it — a lot, or part of one, moved to another account, the units per account checked
against the units each held at every move, the violations listed — and `g` writes a global rule
(the order of the lots, the accounts filled in turn, the date your books first held it). Both
dismiss with what to record (tui.allocation_edits.Pending); the screen asks for the confirmation
and records it as `harvest transition record` does."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from engine.core import fixedpoint as fp
from engine.core.units import EpochMicros
from engine.ledger.allocation import RULE_ORDERS, Rule
from tui.allocation_edits import EditedAllocation, Pending
from tui.format import explain
from tui.keys import DEFAULT_KEYS, Keys, bindings
from tui.widgets.fitted_table import Cell, rebuild
from tui.widgets.footer import HarvestFooter

EDIT_COLUMNS = ("account", "lot", "acquired", "units", "basis")
EDIT_LABELS = [
    Text(label, justify="right" if label in ("units", "basis") else "left") for label in EDIT_COLUMNS
]
CSS = """
{screen} .allocation-field {{ height: auto; margin-bottom: 1; }}
{screen} .allocation-label {{ width: auto; padding: 1 1 0 0; }}
{screen} .allocation-field Input {{ width: 1fr; }}
{screen} .allocation-field Select {{ width: 1fr; }}
{screen} .allocation-error {{ width: 100%; color: $error; text-style: bold; margin: 1 0 0 0; }}
{screen} .allocation-body {{ height: auto; max-height: 45vh; }}  /* scrolls: the error and buttons stay in view */
"""


class _RecordDialog(ModalScreen[Pending | None]):
    """Checks what is to be recorded in a worker (the engine's lock); an error stays in the dialog."""

    def __init__(self, keys: Keys) -> None:
        super().__init__(classes="dialog")
        self.keys = keys
        self.saving = False

    def buttons(self) -> Horizontal:
        return Horizontal(
            Button(f"Record… ({self.keys.hint('save_allocation')})", variant="primary", id="save"),
            Button(f"Cancel ({self.keys.hint('cancel_allocation')})", id="cancel"),
            classes="buttons",
        )

    def on_mount(self) -> None:
        self.query_one(".allocation-error").display = False

    def say(self, line: str) -> None:
        label = self.query_one(".allocation-error", Label)
        label.update(line)
        label.display = bool(line)

    def check(self) -> Pending:
        raise NotImplementedError

    def action_save(self) -> None:
        if not self.saving:
            self.saving = True
            self.run_worker(self.check, thread=True, exit_on_error=False)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        {"save": self.action_save, "cancel": self.action_cancel}.get(
            event.button.id or "", self.action_move
        )()

    def action_move(self) -> None:
        pass

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.SUCCESS:
            self.dismiss(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self.saving = False
            error = event.worker.error
            self.say(explain(error))


class EditAllocationScreen(_RecordDialog):
    BINDINGS = bindings("allocation_edit")
    DEFAULT_CSS = (
        CSS.format(screen="EditAllocationScreen")
        + """
    EditAllocationScreen #edit-check { height: auto; margin-top: 1; }
    """
    )

    def __init__(self, edited: EditedAllocation, acquired: Callable[[EpochMicros], str],
                 submit: Callable[[EditedAllocation], Pending], keys: Keys = DEFAULT_KEYS) -> None:  # fmt: skip
        super().__init__(keys)
        self.edited = edited
        self.acquired = acquired  # an EpochMicros as the day the lot was acquired
        self.submit = submit

    def compose(self) -> ComposeResult:
        asset = self.edited.snapshot.asset
        with Vertical(classes="dialog-box wide"):
            question = (f"Your specific-unit allocation of {asset}, from harvest's suggestion: move a lot (or part "
                        f"of one) to another account ({self.keys.hint('move_lot')}). Each account must get the "
                        "units it held on 2025-01-01 (Rev. Proc. 2024-28 §5.01).")  # fmt: skip
            with VerticalScroll(classes="allocation-body"):
                yield Label(Text(question), classes="question")
                yield DataTable(cursor_type="row", zebra_stripes=True, id="edit-table")
                with Horizontal(classes="allocation-field"):
                    yield Label("move to", classes="allocation-label")
                    accounts = [(name, name) for name in self.edited.accounts]
                    yield Select(accounts, allow_blank=False, id="edit-to")
                    yield Label("units", classes="allocation-label")
                    yield Input(placeholder="blank: all of the row's", id="edit-units")
                    yield Button(f"Move ({self.keys.hint('move_lot')})", id="move")
                yield Static(id="edit-check")
            yield Label("", classes="allocation-error", markup=False)
            yield self.buttons()
        yield HarvestFooter(show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.show()
        self.query_one("#edit-table").focus()

    def show(self) -> None:
        table = self.query_one("#edit-table", DataTable)
        row = table.cursor_row
        rows: list[list[Cell]] = [
            [Text(piece.account), Text(piece.key), self.acquired(piece.acquired),
             Text(fp.fmt(piece.quantity, 0), justify="right"),
             Text("unknown" if piece.basis is None else fp.fmt_cents(piece.basis), justify="right")]
            for piece in self.edited.slices
        ]  # fmt: skip
        rebuild(table, EDIT_LABELS, rows)
        table.move_cursor(row=min(max(row, 0), max(table.row_count - 1, 0)))
        lines = [
            Text(
                f"{'✓' if held == got else '✗'} {account}: held {fp.fmt(held, 0)}, allocated {fp.fmt(got, 0)}"
            )
            for account, held, got in self.edited.per_account()
        ]
        found = self.edited.problems()
        lines += [Text(problem, style="bold") for problem in found] or [
            Text("Every account gets the units it held.")
        ]
        self.query_one("#edit-check", Static).update(Text("\n").join(lines))

    def on_input_submitted(self) -> None:
        self.action_move()

    def action_move(self) -> None:
        row = self.query_one("#edit-table", DataTable).cursor_row
        if not 0 <= row < len(self.edited.pieces):
            return
        to = self.query_one("#edit-to", Select).value
        units = self.query_one("#edit-units", Input)
        try:
            said = self.edited.move(row, str(to), units.value)
        except ValueError as exc:
            self.say(str(exc))
            return
        units.value = ""
        self.say("")
        self.show()
        self.notify(said, markup=False)

    def action_save(self) -> None:
        found = self.edited.problems()
        if found:  # nothing the engine would record: say so here
            self.say("fix the ✗ accounts first: " + "; ".join(found))
            return
        super().action_save()

    def check(self) -> Pending:
        return self.submit(self.edited)


class GlobalRuleScreen(_RecordDialog):
    BINDINGS = bindings("allocation_rule")
    DEFAULT_CSS = (
        CSS.format(screen="GlobalRuleScreen")
        + """
    GlobalRuleScreen .allocation-label { width: 34; }
    """
    )

    def __init__(self, assets: Sequence[str], accounts: Sequence[str],
                 submit: Callable[[str, str, str], Pending], keys: Keys = DEFAULT_KEYS) -> None:  # fmt: skip
        super().__init__(keys)
        self.assets = list(assets)
        self.accounts = list(accounts)
        self.submit = submit

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box wide"):
            question = (f"A global allocation rule for {', '.join(self.assets) or 'no asset'} (every asset without "
                        "a recorded allocation): the order of the units of unused basis, and the accounts "
                        "filled in turn. It is a global allocation only if your books held it before "
                        "2025-01-01 (Rev. Proc. 2024-28 §5.02(2)(b), §5.02(5)).")  # fmt: skip
            with VerticalScroll(classes="allocation-body"):
                yield Label(Text(question), classes="question")
                orders = [(f"{order}: {_lots_in(order)}", order) for order in RULE_ORDERS]
                for label, widget in (
                    ("order of the lots", Select(orders, allow_blank=False, id="rule-order")),
                    ("accounts, filled in turn", Input(", ".join(self.accounts), id="rule-accounts")),
                    ("in your books since", Input(placeholder="YYYY-MM-DD", id="rule-written")),
                ):
                    yield Horizontal(
                        Label(label, classes="allocation-label"), widget, classes="allocation-field"
                    )
            yield Label("", classes="allocation-error", markup=False)
            yield self.buttons()
        yield HarvestFooter(show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#rule-order").focus()

    def on_input_submitted(self) -> None:
        self.action_save()

    def check(self) -> Pending:
        order = str(self.query_one("#rule-order", Select).value)
        accounts = self.query_one("#rule-accounts", Input).value
        written = self.query_one("#rule-written", Input).value
        return self.submit(order, accounts, written)


def _lots_in(order: str) -> str:
    """How a rule's order puts the lots, in engine.ledger.allocation.Rule's words."""
    return Rule(order, ()).words().split(" ordered ", 1)[1].split(", allocated", 1)[0]
