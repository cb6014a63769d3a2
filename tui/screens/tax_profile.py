"""`t`: the tax profile, edited in place and saved back to the config file (comments kept)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select, Switch

from engine.config.load import TaxConfig
from engine.config.schema import key_of
from tui.keys import DEFAULT_KEYS, Keys, bindings

LABELS: tuple[tuple[str, str], ...] = (
    # (TaxConfig attribute, label)
    ("year", "Tax year (blank: this year)"),
    ("ordinary_taxable_income", "Ordinary taxable income"),
    ("other_short_term", "Other short-term gains"),
    ("other_long_term", "Other long-term gains"),
    ("carryforward_short_term", "Carryforward in, short-term"),
    ("carryforward_long_term", "Carryforward in, long-term"),
    ("magi", "MAGI before capital results (blank: income)"),
    ("state_rate", "State rate (e.g. 0.05)"),
)
# (dotted config key under `tax.`, label, TaxConfig attribute); the key comes from the declaration
FIELDS: tuple[tuple[str, str, str], ...] = tuple((key_of(TaxConfig, a), label, a) for a, label in LABELS)


class TaxProfileScreen(ModalScreen[dict[str, Any] | None]):
    """Dismisses with the changed keys (dotted, under `tax.`), or None when cancelled."""

    BINDINGS = bindings("tax_profile")

    def __init__(self, tax: TaxConfig, keys: Keys = DEFAULT_KEYS) -> None:
        super().__init__(classes="dialog")
        self.tax = tax
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box", id="profile-box"):
            yield Label("Tax profile — savings recompute on save", classes="question")
            with Horizontal(classes="field"):
                yield Label("Filing status", classes="field-label")
                yield Select(
                    [("single", "single"), ("married filing jointly", "mfj"), ("married filing separately", "mfs"),
                     ("head of household", "hoh")],
                    value=self.tax.filing_status, allow_blank=False, id="filing_status",
                )  # fmt: skip
            for key, label, attribute in FIELDS:
                value = getattr(self.tax, attribute)
                with Horizontal(classes="field"):
                    yield Label(label, classes="field-label")
                    yield Input("" if value is None else str(value), id=key.replace(".", "__"))
            with Horizontal(classes="field"):
                yield Label("Net investment income tax", classes="field-label")
                yield Switch(value=self.tax.niit, id="niit")
            with Horizontal(classes="buttons"):
                yield Button(f"Save ({self.keys.hint('save_profile')})", variant="primary", id="save")
                yield Button(f"Cancel ({self.keys.hint('cancel_profile')})", id="cancel")
        yield Footer(show_command_palette=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        changes: dict[str, Any] = {"filing_status": self.query_one("#filing_status", Select).value,
                                   "niit": self.query_one("#niit", Switch).value}  # fmt: skip
        for key, label, _attribute in FIELDS:
            raw = self.query_one(f"#{key.replace('.', '__')}", Input).value.strip().replace(",", "")
            if not raw:
                if key in ("year", "magi"):
                    changes[key] = None
                    continue
                raw = "0"
            try:
                value = Decimal(raw)
            except InvalidOperation:
                self.notify(f"{label}: not a number: {raw}", severity="error", markup=False)
                return
            changes[key] = int(value) if key == "year" else value
        self.dismiss(changes)
