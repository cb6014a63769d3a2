"""Textual's Footer, built with less work: the same keys, looks and clicks.

Why: the stock Footer rebuilds all its keys whenever the screen's bindings are updated (every
focus move, every screen shown again), and each key it builds is bound to the footer's
`compact`, whose watcher restyles the key twice as it mounts (added, then removed "-compact").
At 100,000 lots that was 20–40 ms of the UI thread per rebuild: most of what opening and
closing the problems and detail screens cost in one turn. Here a key starts with the footer's
`compact` already set (no watcher restyling it; `compact` is never changed in this app), and
the keys are rebuilt only when what they show changed."""

from __future__ import annotations

from collections.abc import Iterator

from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

KeysShown = tuple[tuple[object, ...], ...]


class HarvestFooter(Footer):
    def __init__(self, *, show_command_palette: bool = True) -> None:
        super().__init__(show_command_palette=show_command_palette)
        self.keys_shown: KeysShown | None = None  # what the keys built last show

    def compose(self) -> Iterator[Widget]:
        self.keys_shown = self.keys_to_show() if self._bindings_ready else None
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget._reactive_connect:
                widget._reactive_connect = None  # bound to `compact` only: set it once instead
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget

    def keys_to_show(self) -> KeysShown:
        """Everything Footer.compose reads from the screen's bindings, in their order."""
        app = self.app
        return tuple(
            (name, binding.key, app.get_key_display(binding), binding.description, binding.action,
             binding.group, binding.show, binding.tooltip, enabled, tooltip)
            for name, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
        )  # fmt: skip

    def bindings_changed(self, screen: Screen[object]) -> None:
        if (
            self._bindings_ready
            and self.keys_shown is not None
            and self.is_attached
            and screen is self.screen
            and self.keys_to_show() == self.keys_shown
        ):
            return  # the keys already show these bindings
        super().bindings_changed(screen)
