"""Every key of the app in one registry. The screens' and panes' `BINDINGS`, the footer (Textual
draws it from those), the help screen's key table and the dialogs' button hints all come from
here, and `ui.keymap` remaps any entry by its id (unknown ids are refused at start)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType
from textual.keys import KEY_DISPLAY_ALIASES, format_key

from engine.core.errors import ConfigError


@dataclass(frozen=True)
class KeySpec:
    """One binding. Entries sharing an id (`details` on two panes, `help` opening and closing
    the help) share their default keys and are remapped together."""

    id: str  # what `ui.keymap` remaps
    keys: str  # the default key(s), comma separated, in Textual's names
    action: str
    label: str  # the short description: footer and binding
    where: str  # the screen or pane it is bound on
    show: bool = True  # in the footer


KEYS: tuple[KeySpec, ...] = (
    # the app: anywhere (footer order)
    KeySpec("quit", "q", "quit", "Quit", "app"),
    KeySpec("help", "question_mark", "help", "Help", "app"),
    KeySpec("sync", "s", "sync", "Sync", "app"),
    KeySpec("recompute", "r", "recompute", "Recompute", "app"),
    KeySpec("export", "e", "export", "Export", "app"),
    KeySpec("tax_profile", "t", "tax_profile", "Tax", "app"),
    KeySpec("allocation", "l", "allocation", "2025 allocation", "app", show=False),
    KeySpec("form_1099da", "f", "form_1099da", "1099-DA", "app", show=False),
    KeySpec("palette", "ctrl+p", "command_palette", "Commands", "app", show=False),
    # the main screen and its panes
    KeySpec("next_pane", "tab", "next_pane", "Pane", "main", show=False),
    KeySpec("previous_pane", "shift+tab", "previous_pane", "Pane", "main", show=False),
    KeySpec("filter", "slash", "filter", "Filter", "pane"),
    KeySpec("details", "enter", "details", "Details", "holdings"),
    KeySpec("expand", "x", "expand", "Lots", "holdings"),
    KeySpec("toggle_plan", "space", "toggle_plan", "Plan ±", "candidates"),
    KeySpec("details", "enter", "details", "Details", "candidates"),
    KeySpec("advance", "a", "advance", "Advance", "checklist"),
    KeySpec("skip", "k", "skip", "Skip", "checklist"),
    KeySpec("cancel", "c", "cancel_step", "Cancel", "checklist"),
    KeySpec("problems", "p", "problems", "Problems", "main"),
    # other screens and dialogs
    KeySpec("back", "escape,q", "app.pop_screen", "Back", "detail"),
    KeySpec("close_help", "escape,q", "dismiss", "Close", "help"),  # first: the footer shows esc
    KeySpec("help", "question_mark", "dismiss", "Close", "help"),  # the help key closes it again
    KeySpec("back", "escape,q", "app.pop_screen", "Back", "allocation"),
    KeySpec("record_allocation", "r", "record", "Record suggestion", "allocation"),
    KeySpec("edit_allocation", "e", "edit", "Edit", "allocation"),
    KeySpec("global_rule", "g", "global_rule", "Global rule", "allocation"),
    KeySpec("move_lot", "m", "move", "Move", "allocation_edit"),
    KeySpec("save_allocation", "ctrl+s", "save", "Record…", "allocation_edit"),
    KeySpec("cancel_allocation", "escape", "cancel", "Cancel", "allocation_edit"),
    KeySpec("save_allocation", "ctrl+s", "save", "Record…", "allocation_rule"),
    KeySpec("cancel_allocation", "escape", "cancel", "Cancel", "allocation_rule"),
    KeySpec("back", "escape,q", "app.pop_screen", "Back", "form_1099da"),
    KeySpec("add_1099da", "a", "add", "Add sale", "form_1099da"),
    KeySpec("remove_1099da", "x", "remove", "Remove", "form_1099da"),
    KeySpec("save_1099da", "ctrl+s", "save", "Save", "form_1099da_entry"),
    KeySpec("cancel_1099da", "escape", "cancel", "Cancel", "form_1099da_entry"),
    KeySpec("save_profile", "ctrl+s", "save", "Save", "tax_profile"),
    KeySpec("cancel_profile", "escape", "cancel", "Cancel", "tax_profile"),
    KeySpec("yes", "y", "answer(True)", "Yes", "confirm"),
    KeySpec("no", "n,escape", "answer(False)", "No", "confirm"),
    KeySpec("cancel_reason", "escape", "cancel", "Cancel", "reason"),
    # the problems screen (tui/screens/problems.py): each decision's key acts on the highlighted problem
    KeySpec("back", "escape,q", "app.pop_screen", "Back", "problems"),
    KeySpec("pair", "p", "act('pair')", "Pair", "problems"),
    KeySpec("unpair", "n", "act('unpair')", "Never pair", "problems"),
    KeySpec("classify", "c", "act('classify')", "Classify", "problems"),
    KeySpec("own_address", "o", "act('own-address')", "Own address", "problems"),
    KeySpec("price", "v", "act('price')", "Price", "problems"),
    KeySpec("alias", "m", "act('alias')", "Alias", "problems"),
    KeySpec("ignore", "i", "act('ignore')", "Ignore", "problems"),
    KeySpec("show_ignored", "a", "show_ignored", "Ignored ±", "problems"),
    KeySpec("decisions", "d", "decisions", "Decisions", "problems"),
    KeySpec("back", "escape,q", "app.pop_screen", "Back", "decisions"),
    KeySpec("undo", "u", "undo", "Undo", "decisions"),
    KeySpec("choose", "enter", "choose", "Choose", "choose_end"),
    KeySpec("cancel_choice", "escape", "cancel", "Cancel", "choose_end"),
    KeySpec("save_decision", "ctrl+s", "save", "Record", "decision_form"),
    KeySpec("cancel_decision", "escape", "cancel", "Cancel", "decision_form"),
)
KEY_IDS: tuple[str, ...] = tuple(dict.fromkeys(spec.id for spec in KEYS))


@dataclass(frozen=True)
class HelpRow:
    where: str  # as the help screen names it
    ids: tuple[str, ...]  # the bindings shown on this row (their effective keys)
    does: str


HELP_ROWS: tuple[HelpRow, ...] = (
    HelpRow("anywhere", ("next_pane", "previous_pane"), "next / previous pane"),
    HelpRow("anywhere", ("filter",), "filter the focused table (esc clears)"),
    HelpRow("anywhere", ("sync",), "sync exchanges"),
    HelpRow("anywhere", ("recompute",), "recompute (reload the store)"),
    HelpRow("anywhere", ("export",), "export the checklist (CSV)"),
    HelpRow("anywhere", ("tax_profile",), "tax profile"),
    HelpRow("anywhere", ("allocation",), "the 2025 allocation of unused basis to accounts"),
    HelpRow("anywhere", ("form_1099da",), "Form 1099-DA against your sales (this tax year)"),
    HelpRow("anywhere", ("palette",), "command palette"),
    HelpRow("anywhere", ("help",), "this help"),
    HelpRow("anywhere", ("quit",), "quit"),
    HelpRow("main", ("problems",), "the problems that hold advice back"),
    HelpRow("Holdings", ("details",), "details: lots, chart, tax effect"),
    HelpRow("Holdings", ("expand",), "show / hide the lots under an asset"),
    HelpRow("Candidates", ("toggle_plan",), "add to / remove from the plan"),
    HelpRow("Candidates", ("details",), "details"),
    HelpRow("Checklist", ("advance",), "advance the step (confirmed)"),
    HelpRow("Checklist", ("skip",), "skip, with a reason (sold: its rebuy)"),
    HelpRow("Checklist", ("cancel",), "cancel, with a reason (sold: its rebuy)"),
    HelpRow(
        "2025 allocation", ("record_allocation",), "record harvest's suggestion for the asset (confirmed)"
    ),
    HelpRow(
        "2025 allocation",
        ("edit_allocation",),
        "edit it first: move a lot, or part of one, to another account",
    ),
    HelpRow("2025 allocation", ("global_rule",), "record a global rule for every asset not yet recorded"),
    HelpRow("Form 1099-DA", ("add_1099da",), "enter a sale from a paper Form 1099-DA (a form)"),
    HelpRow(
        "Form 1099-DA", ("remove_1099da",), "remove the sale entered by hand under the cursor (confirmed)"
    ),
    HelpRow("Problems", ("back",), "back (from the decisions: to the problems)"),
    HelpRow("Problems", ("pair",), "pair with one of the other ends listed (enter pairs)"),
    HelpRow("Problems", ("unpair",), "never pair with one of them (the rules stop offering it)"),
    HelpRow("Problems", ("classify",), "say what it was: income, gift, own wallet, payment…"),
    HelpRow("Problems", ("own_address",), "its address is a wallet of yours (with a label)"),
    HelpRow("Problems", ("price",), "set its USD price per unit (a record without a USD value)"),
    HelpRow(
        "Problems",
        ("alias",),
        "read the code as the asset it suggests, or record the migration it suggests (confirmed)",
    ),
    HelpRow("Problems", ("ignore",), "ignore, with a reason"),
    HelpRow("Problems", ("show_ignored",), "show / hide the ignored ones"),
    HelpRow("Problems", ("decisions",), "your decisions, in force and undone"),
    HelpRow("Decisions", ("undo",), "undo the decision (confirmed)"),
)


def bindings(where: str) -> list[BindingType]:
    """The `BINDINGS` of one screen or pane (Textual applies the keymap to them by id)."""
    return [
        Binding(spec.keys, spec.action, spec.label, show=spec.show, id=spec.id)
        for spec in KEYS
        if spec.where == where
    ]


@dataclass(frozen=True)
class Keys:
    """The keys in effect: the registry's defaults with `ui.keymap` applied."""

    keymap: Mapping[str, str]

    @classmethod
    def from_config(cls, keymap: Mapping[str, str]) -> Keys:
        unknown = sorted(set(keymap) - set(KEY_IDS))
        if unknown:
            raise ConfigError(f"ui.keymap: unknown binding id {unknown[0]!r} (known: {', '.join(KEY_IDS)})")
        return cls(dict(keymap))

    def keys(self, binding_id: str) -> list[str]:
        default = next(spec.keys for spec in KEYS if spec.id == binding_id)
        return [key.strip() for key in self.keymap.get(binding_id, default).split(",") if key.strip()]

    def hint(self, binding_id: str) -> str:
        """The first key as the footer writes it (`esc`, `y`, `ctrl+s`), for button labels."""
        return format_key(self.keys(binding_id)[0])

    def help_keys(self, row: HelpRow) -> str:
        return " / ".join(f"`{_readable(key)}`" for binding_id in row.ids for key in self.keys(binding_id))


DEFAULT_KEYS = Keys({})


def _readable(key: str) -> str:
    """A punctuation key as its character (`?`, `/`); names otherwise (`enter`, `tab`, `ctrl+p`),
    and by name the two characters that would break the help table's Markdown."""
    if "+" in key:
        return key
    char = key if len(key) == 1 else None if key in KEY_DISPLAY_ALIASES else format_key(key)
    if char is not None and len(char) == 1 and char.isprintable() and not char.isspace() and char not in "`|":
        return char
    return {"`": "grave_accent", "|": "vertical_line"}.get(key, key)
