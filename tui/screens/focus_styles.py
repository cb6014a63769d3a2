"""A focus move restyles the nodes with a `:focus-within` rule around the focused and blurred
widgets, alone, when no rule lets focus-within reach a descendant.

Why: Textual's Screen._update_focus_styles restyles the whole subtree of the outermost
ancestor that has a `:focus-within` rule, for the focused widget and for the blurred one. On
the main screen that is a pane (`.pane:focus-within`, its border): moving the focus from the
candidates to the holdings restyled both panes' tables (their component classes), notes and
filter inputs, ~15 ms of the UI thread in expanding a holding's first beat at 100,000 lots
(bench/bench_tui.py, sampled, 2026-12-02) — and each table is restyled once more by its own
Focus or Blur (Widget.watch_has_focus).

How: when `focus-within` appears only in the last compound selector of every rule, the move
can change the look of the nodes whose own rules name it, and of no descendant of theirs: those
nodes (the focused and blurred widgets' ancestors, and themselves, with such a rule) are
restyled alone. The focused and blurred widgets' `:focus` looks change with their `has_focus`,
which their Focus and Blur events set a moment later, restyling them and what is under them, as
before. Otherwise (a rule names focus-within for descendants) Textual's own restyle runs."""

from __future__ import annotations

from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget

from tui.widgets.own_class import names_for_descendants


class OwnFocusWithin(Screen[None]):
    """Mixed in before Screen."""

    def _update_focus_styles(self, focused: Widget | None = None, blurred: Widget | None = None) -> None:
        stylesheet = self.app.stylesheet
        if names_for_descendants(stylesheet, "focus-within", pseudo=True):
            super()._update_focus_styles(focused, blurred)
            return
        nodes: dict[DOMNode, None] = {}  # in order, each once
        for widget in (focused, blurred):
            if widget is not None:
                nodes.update(
                    dict.fromkeys(n for n in reversed(widget.ancestors_with_self) if n._has_focus_within)
                )
        if nodes:
            stylesheet.update_nodes(nodes, animate=True)
