"""One line under the panes for work in progress (a sync's account and step, a load's stage):
updated in place, hidden when nothing is going on, so progress never stacks up as toasts."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine {
        dock: bottom; height: 1; padding: 0 1; display: none;
        background: $panel; color: $text;
    }
    """

    def say(self, text: str | None) -> None:
        """Show `text` (plain: account names are never markup), or hide the line with None."""
        self.display = text is not None
        self.update(Text(text or "", overflow="ellipsis", no_wrap=True))
