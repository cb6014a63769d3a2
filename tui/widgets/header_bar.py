"""The line that answers "should I act, and how much is it worth"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rich.text import Text
from textual.widgets import Static

from tui import format as fmt
from tui.looks import COLOUR, Looks, looks_of
from tui.session import Snapshot, deadline_text


class HeaderBar(Static):
    """Two lines, each fitted to the width on its own (shortened from its least needed parts),
    so a narrow terminal never pushes the savings line out."""

    shown: tuple[Snapshot, str] | None = None

    def show(self, snapshot: Snapshot, feed_label: str) -> None:
        self.shown = (snapshot, feed_label)
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        if self.shown is not None:
            # its height is fixed (app.tcss): no layout pass, which would repaint every table
            self.update(header_text(*self.shown, looks_of(self.app), self.size.width or None), layout=False)


@dataclass(frozen=True)
class Part:
    """A piece of a header line: its forms from full to shortest (the last may be empty)."""

    forms: tuple[Text, ...]
    give_way: int = 0  # 1 is shortened first, then 2…; 0 never


def header_text(snapshot: Snapshot, feed_label: str, looks: Looks = COLOUR, width: int | None = None) -> Text:
    result = snapshot.summary.result
    carry_in = snapshot.summary.carryforward_in
    short_term = fmt.usd_decimal(result.realized_short_term, cents=False)
    long_term = fmt.usd_decimal(result.realized_long_term, cents=False)
    carry = fmt.usd_decimal(carry_in[0] + carry_in[1], cents=False)
    first = [
        Part((Text(" harvest", style="bold"),)),
        Part((Text(f" · {snapshot.year}"),)),
        *problems_part(snapshot.problems, looks),
        Part((Text(f" · {snapshot.filing_status}"), Text()), give_way=3),
        Part((Text(f" · realized ST {short_term} · LT {long_term}"), Text(f" · ST {short_term} LT {long_term}")),
             give_way=2),
        Part((Text(f" · carryforward {carry}"), Text(f" · cf {carry}"), Text()), give_way=1),
    ]  # fmt: skip
    lines = [fitted(first, width), fitted(savings_line(snapshot, feed_label, looks), width)]
    return Text("\n", no_wrap=True, overflow="ellipsis").join(lines)  # a line too long is cut, never wrapped


def problems_part(count: int, looks: Looks) -> list[Part]:
    """The open problems (`p` lists them), as a warning; never shortened away while there are any."""
    if not count:
        return []
    return [Part((Text(f" · {count} problem{'' if count == 1 else 's'}", style=looks.caution),))]


def savings_line(snapshot: Snapshot, feed_label: str, looks: Looks) -> list[Part]:
    now = datetime.fromtimestamp(snapshot.now / 1_000_000, tz=UTC).astimezone(snapshot.deadline.tzinfo)
    savings = Text(" harvestable ")
    savings.append(fmt.usd(snapshot.harvestable_loss), style=looks.loss if snapshot.harvestable_loss else "")
    savings.append(" → saves ")
    savings.append(fmt.usd(snapshot.net_savings), style=looks.savings if snapshot.net_savings > 0 else "")
    savings.append(" net")
    parts = [Part((savings,))]
    if snapshot.stale:
        parts.append(Part((Text(" (estimate)", style=looks.caution),)))
    parts.append(Part((Text(f" · {deadline_text(snapshot.deadline, now)}"), Text()), give_way=2))
    if snapshot.prices_at is None:
        parts.append(Part((Text(" · no prices", style=looks.caution),)))
    else:
        seconds = max(0, (snapshot.now - snapshot.prices_at) / 1_000_000)
        state = f"{'stale' if snapshot.stale else 'live'} {fmt.age(seconds)}"
        style = looks.caution if snapshot.stale else ""
        forms = (Text(f" · prices {state}", style=style), Text(f" · {state}", style=style), Text())
        parts.append(Part(forms, give_way=3))
        parts.append(Part((Text(f" ({feed_label})", style=style), Text()), give_way=1))
    return parts


def fitted(parts: list[Part], width: int | None) -> Text:
    """The parts in their longest forms that fit `width`: the lowest `give_way` part is
    shortened, form by form, until the line fits (what still does not is cut with an ellipsis)."""
    chosen = [0] * len(parts)

    def length() -> int:
        return sum(part.forms[form].cell_len for part, form in zip(parts, chosen, strict=True))

    while width is not None and length() > width:
        shorter = [i for i, part in enumerate(parts) if part.give_way and chosen[i] < len(part.forms) - 1]
        if not shorter:
            break
        index = min(shorter, key=lambda i: parts[i].give_way)
        chosen[index] += 1
    line = Text(no_wrap=True, overflow="ellipsis")
    for part, form in zip(parts, chosen, strict=True):
        line.append_text(part.forms[form])
    return line
