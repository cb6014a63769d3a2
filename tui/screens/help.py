"""`?`: every binding by pane, a glossary, and the one line that matters."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# harvest — keys

*harvest estimates taxes for planning; it is not tax advice.*

| where | key | does |
|---|---|---|
| anywhere | `tab` / `shift+tab` | next / previous pane |
| anywhere | `/` | filter the focused table (esc clears) |
| anywhere | `s` | sync exchanges |
| anywhere | `r` | recompute (reload the store) |
| anywhere | `e` | export the checklist (CSV) |
| anywhere | `t` | tax profile |
| anywhere | `ctrl+p` | command palette |
| anywhere | `?` | this help |
| anywhere | `q` | quit |
| Holdings | `enter` | details: lots, chart, tax effect |
| Holdings | `x` | show / hide the lots under an asset |
| Candidates | `space` | add to / remove from the plan |
| Candidates | `enter` | details |
| Checklist | `a` | advance the step (confirmed) |
| Checklist | `k` | skip the step, with a reason |

Keys can be remapped by binding id under `ui.keymap` in the config.

## Glossary

- **ST / LT** — short-term (held one year or less: a sale on the anniversary is still
  short-term) and long-term. ST gains are taxed as ordinary income, LT gains at 0/15/20%.
- **Savings** — this year's tax without the sale minus with it, after netting this year's
  gains, the $3,000 ordinary-income limit and what is already chosen (marginal).
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


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(HELP)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
