"""`?`: every binding by pane, a glossary, and the one line that matters."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from tui.keys import HELP_ROWS, Keys, bindings
from tui.widgets.footer import HarvestFooter

KEYS_HEADING = """\
# harvest — keys

*harvest estimates taxes for planning; it is not tax advice.*

| where | key | does |
|---|---|---|
"""

GLOSSARY = """
Keys can be remapped by binding id under `ui.keymap` in the config.

## Glossary

- **ST / LT** — short-term (held one year or less: a sale on the anniversary is still
  short-term) and long-term. ST gains are taxed as ordinary income, LT gains at 0/15/20%.
- **Savings** — this year's tax without the sale minus with it, after netting this year's
  gains, the $3,000 ordinary-income limit and what is already chosen (marginal).
- **Alone / after the plan** — a sale valued as the only one this year, or after the saved
  plan's unsold steps and the candidates ranked above it; a ✓ row shows its share of the plan,
  and the checklist's title the plan's total at current prices.
- **Carryforward** — loss beyond gains and the limit; it carries to later years, keeping its
  character. Shown apart from savings.
- **Specific identification** — naming the exact lots a sale uses. US rules require it no
  later than the sale; the checklist records it (with its time) at `identified`.
- **Wash sale** — the rule that disallows a loss when you rebuy within 30 days. It does not
  apply to crypto today; harvest keeps it as a switch (`harvest.wash_sale`) for the day it does.
- **Badges** — ⚠LT turns long-term soon · nft no rebuy · wash wash-sale window · ≈0 near
  worthless: needs a real sale · ⏰ deadline close · stale old prices · ? data problem.

**harvest estimates taxes for planning; it is not tax advice.**
"""


def help_markdown(keys: Keys) -> str:
    """The help text, its key table with the keys in effect (`ui.keymap` applied)."""
    rows = "".join(f"| {row.where} | {keys.help_keys(row)} | {row.does} |\n" for row in HELP_ROWS)
    return KEYS_HEADING + rows + GLOSSARY


class HelpScreen(ModalScreen[None]):
    BINDINGS = bindings("help")

    def __init__(self, keys: Keys) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(help_markdown(self.keys))
        yield HarvestFooter(show_command_palette=False)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
