"""A class that changes how one widget looks, and no descendant: set it restyling that widget only.

Why: Textual restyles a node and its whole subtree on any class change (a descendant selector
could name the class). A pane's `-active` (the pane the keys act on: its border and title) is
named by no rule outside the pane's own compound selector, yet moving it restyled both panes'
tables (their component classes), notes and filter inputs: ~16 ms of the UI thread for the two
panes in expanding a holding's first beat at 100,000 lots (bench/bench_tui.py, 2026-12-02).

How: the stylesheet's rules are read for the class: when it appears only in the last compound
selector of every rule (`.pane.-active`, `MainScreen.-narrow .pane.-active`), only the widget
itself can look different, and only it is restyled; otherwise, or before the widget is mounted,
Textual's own class change runs (the whole subtree)."""

from __future__ import annotations

from textual.css.model import CombinatorType, SelectorType
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode


def names_for_descendants(stylesheet: Stylesheet, class_name: str, pseudo: bool = False) -> bool:
    """Whether a rule of `stylesheet` names `class_name` (`pseudo`: a pseudo-class, such as
    focus-within) before its last compound selector, so that the class can change how a
    descendant of the node that has it looks."""
    same = CombinatorType.SAME
    for rule in stylesheet.rules:
        for selector_set in rule.selector_set:
            selectors = selector_set.selectors
            last = len(selectors) - 1
            while last > 0 and selectors[last].combinator == same:
                last -= 1  # back to the start of the last compound selector
            for selector in selectors[:last]:
                if (
                    class_name in selector.pseudo_classes
                    if pseudo
                    else (selector.type == SelectorType.CLASS and selector.name == class_name)
                ):
                    return True
    return False


def set_own_class(node: DOMNode, add: bool, class_name: str) -> None:
    """`node.set_class(add, class_name)`, restyling `node` alone when no rule lets the class
    reach its descendants."""
    if node.has_class(class_name) == add:
        return
    if not node.is_attached or names_for_descendants(node.app.stylesheet, class_name):
        node.set_class(add, class_name)
        return
    node.set_class(add, class_name, update=False)
    node.app.stylesheet.update_nodes([node], animate=True)
