"""`t`: the tax profile, edited in place and saved back to the config file (comments kept). A
refused value keeps the dialog open with what was typed, and names the field."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Switch

from engine.config.edits import ConfigValueError, with_tax_changes
from engine.config.load import Config, TaxConfig
from engine.config.schema import key_of
from tui.format import explain
from tui.keys import DEFAULT_KEYS, Keys, bindings
from tui.screens.dialogs import FormDialog
from tui.widgets.footer import HarvestFooter

LABELS: tuple[tuple[str, str], ...] = (
    # (TaxConfig attribute, label): Form 1040's order
    ("year", "Tax year (blank: this year)"),
    ("ordinary_income", "Wages and other ordinary income"),
    ("ordinary_taxable_income", "…or ordinary taxable income (shorthand)"),
    ("taxable_interest", "Taxable interest"),
    ("ordinary_dividends", "Ordinary dividends"),
    ("qualified_dividends", "  of which qualified"),
    ("other_investment_income", "Other investment income (rents…)"),
    ("itemized_deduction", "Deduction: standard or itemized amount"),
    ("itemized_taxes", "  of which taxes (Schedule A 7)"),  # added back for the AMT
    ("other_short_term", "Other short-term gains"),
    ("other_long_term", "Other long-term gains"),
    ("other_collectibles", "  of which collectibles (28%)"),
    ("carryforward_short_term", "Carryforward in, short-term"),
    ("carryforward_long_term", "Carryforward in, long-term"),
    ("amt_adjustments", "AMT adjustments (Form 6251 2b-3)"),
    ("magi", "MAGI before capital results (blank: AGI)"),
    ("state_rate", "State rate (e.g. 0.05)"),
)
BLANK_IS_NONE = ("year", "magi")  # blank: the default (this year, AGI); other blanks are 0
# (dotted config key under `tax.`, label, TaxConfig attribute); the key comes from the declaration
FIELDS: tuple[tuple[str, str, str], ...] = tuple((key_of(TaxConfig, a), label, a) for a, label in LABELS)


SWITCHES: tuple[tuple[str, str], ...] = (  # (config key under `tax.`, label)
    ("niit", "Net investment income tax"),
    ("tax_table", "Tax Table under $100,000"),
)
LABEL_OF = {key: label for key, label, _attribute in FIELDS} | {
    "filing_status": "Filing status",
    "niit": "NIIT",
    "tax_table": "Tax Table",
}
ProfileSaver = Callable[[Config, dict[str, Any]], str]
"""Saves checked changes (in a worker thread): the config with them, and the changed keys
(dotted, under `tax.`); returns what to tell the user, raises HarvestError when it cannot."""


class TaxProfileScreen(FormDialog[str | None]):
    """Dismisses with what the saver said, or None when cancelled."""

    BINDINGS = bindings("tax_profile")
    DEFAULT_CSS = """
    TaxProfileScreen #profile-error { color: $error; text-style: bold; margin: 1 0 0 0; }
    """

    def __init__(self, config: Config, save: ProfileSaver, keys: Keys = DEFAULT_KEYS) -> None:
        super().__init__(classes="dialog")
        self.config = config
        self.tax: TaxConfig = config.tax
        self.save = save
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
                shown = "" if value is None else str(value)
                if key == "deduction":
                    shown = "standard" if value is None else shown
                with Horizontal(classes="field"):
                    yield Label(label, classes="field-label")
                    yield Input(shown, id=key.replace(".", "__"))
            for key, label in SWITCHES:
                with Horizontal(classes="field"):
                    yield Label(label, classes="field-label")
                    yield Switch(value=getattr(self.tax, key), id=key)
            yield Label("", id="profile-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"Save ({self.keys.hint('save_profile')})", variant="primary", id="save")
                yield Button(f"Cancel ({self.keys.hint('cancel_profile')})", id="cancel")
        yield HarvestFooter(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#profile-error").display = False

    def on_input_changed(self, event: Input.Changed) -> None:
        event.input.remove_class("-invalid")

    def action_save(self) -> None:
        if self.saving:
            return
        changes = self.typed_changes()
        if changes is None:
            return
        try:
            config = with_tax_changes(self.config, changes)  # the keys' own checks, before any file
        except ConfigValueError as exc:
            self.refuse(exc.reason, exc.key.removeprefix("tax."))
            return
        self.save_in_worker(lambda: self.save(config, changes))

    def typed_changes(self) -> dict[str, Any] | None:
        """Every field as a config value (dotted keys under `tax.`), or None after saying
        which field is not a number."""
        changes: dict[str, Any] = {"filing_status": self.query_one("#filing_status", Select).value}
        changes |= {key: self.query_one(f"#{key}", Switch).value for key, _label in SWITCHES}
        for key, _label, _attribute in FIELDS:
            raw = self.query_one(f"#{key.replace('.', '__')}", Input).value.strip().replace(",", "")
            if key == "deduction" and raw.lower() in ("", "standard"):
                changes[key] = "standard"
                continue
            if not raw:
                if key in BLANK_IS_NONE:
                    changes[key] = None
                    continue
                raw = "0"
            try:
                value = Decimal(raw)
            except InvalidOperation:
                self.refuse(f"not a number: {raw}", key)
                return None
            if key == "year" and value != value.to_integral_value():
                self.refuse(f"expected a whole year, got {raw}", key)
                return None
            changes[key] = int(value) if key == "year" else value
        return changes

    def refuse(self, reason: str, key: str | None = None) -> None:
        """Say why in the dialog, which stays open with what was typed; point at the field."""
        text = f"{LABEL_OF.get(key, key)} (tax.{key}): {reason}" if key else reason
        error = self.query_one("#profile-error", Label)
        error.update(text)
        error.display = True
        if key is not None and key in LABEL_OF:
            field = self.query_one(f"#{key.replace('.', '__')}")
            field.add_class("-invalid")
            field.focus()
        self.notify(text, severity="error", markup=False)

    def failed(self, error: BaseException | None) -> None:
        reason = explain(error)
        key = error.key.removeprefix("tax.") if isinstance(error, ConfigValueError) else None
        self.refuse(reason if key is None else str(getattr(error, "reason", reason)), key)
