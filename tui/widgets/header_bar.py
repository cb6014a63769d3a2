"""The line that answers "should I act, and how much is it worth"."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual.widgets import Static

from tui import format as fmt
from tui.session import Snapshot, deadline_text


class HeaderBar(Static):
    def show(self, snapshot: Snapshot, feed_label: str) -> None:
        self.update(header_text(snapshot, feed_label))


def header_text(snapshot: Snapshot, feed_label: str) -> Text:
    result = snapshot.summary.result
    carry_in = snapshot.summary.carryforward_in
    now = datetime.fromtimestamp(snapshot.now / 1_000_000, tz=UTC).astimezone(snapshot.deadline.tzinfo)
    text = Text(overflow="ellipsis")
    text.append(" harvest", style="bold")
    text.append(f" · {snapshot.year} · {snapshot.filing_status} · realized ST ")
    text.append(fmt.usd_decimal(result.realized_short_term, cents=False))
    text.append(" · LT ")
    text.append(fmt.usd_decimal(result.realized_long_term, cents=False))
    text.append(f" · carryforward {fmt.usd_decimal(carry_in[0] + carry_in[1], cents=False)}\n")
    text.append(" harvestable ")
    text.append(fmt.usd(snapshot.harvestable_loss), style="red" if snapshot.harvestable_loss else "")
    text.append(" → saves ")
    text.append(fmt.usd(snapshot.net_savings), style="bold green" if snapshot.net_savings > 0 else "")
    text.append(" net")
    if snapshot.stale:
        text.append(" (estimate)", style="yellow")
    text.append(f" · {deadline_text(snapshot.deadline, now)} · ")
    if snapshot.prices_at is None:
        text.append("no prices", style="yellow")
    else:
        seconds = max(0, (snapshot.now - snapshot.prices_at) / 1_000_000)
        state = "stale" if snapshot.stale else "live"
        text.append(
            f"prices {state} {fmt.age(seconds)} ({feed_label})", style="yellow" if snapshot.stale else ""
        )
    return text
