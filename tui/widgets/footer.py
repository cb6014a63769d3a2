"""Textual's Footer, built with less work: the same keys, looks and clicks.

Why: the stock Footer rebuilds all its keys whenever the screen's bindings are updated (every
focus move, every screen shown again), and each key it builds is bound to the footer's
`compact`, whose watcher restyles the key twice as it mounts (added, then removed "-compact").
At 100,000 lots that was 20–40 ms of the UI thread per rebuild: most of what opening and
closing the problems and detail screens cost in one turn. Here a key starts with the footer's
`compact` already set (no watcher restyling it; `compact` is never changed in this app), the
keys are rebuilt only when what they show changed, and a change that keeps their number and
kinds (a focus move between the panes: three keys of each pane's own) is made to the keys in
place — rebuilding removed and mounted every key, styled each, and walked the DOM twice a key
for its component styles at its first paint."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any, NamedTuple

from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

KeysShown = tuple[tuple[object, ...], ...]
PALETTE = "-command-palette"
FOOTER_PAUSE = 0.001  # seconds after the first frame: the footer's mount is a timer's turn


class KeySpec(NamedTuple):
    """What Footer.compose gives a FooterKey for a binding outside any group."""

    key: str
    key_display: str
    description: str
    action: str
    disabled: bool
    tooltip: str
    palette: bool  # the command palette's key (docked right)


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
        if (
            self._bindings_ready
            and screen.app.app_focus
            and self.is_attached
            and screen is self.screen
            and self.update_keys()
        ):
            self.keys_shown = self.keys_to_show()
            return
        super().bindings_changed(screen)

    def key_specs(self) -> list[KeySpec] | None:
        """The keys Footer.compose would build now, in order; None when it would build anything
        else (a group of bindings, shown with a label)."""
        app = self.app
        bindings = self.screen.active_bindings
        first: dict[str, tuple[Binding, bool, str]] = {}  # Footer.compose: an action's first binding
        for _node, binding, enabled, tooltip in bindings.values():
            if binding.show:
                if binding.group is not None:
                    return None
                first.setdefault(binding.action, (binding, enabled, tooltip))
        specs = [
            KeySpec(b.key, app.get_key_display(b), b.description, b.action, not enabled, tooltip, False)
            for b, enabled, tooltip in first.values()
        ]
        if (
            self.show_command_palette
            and app.ENABLE_COMMAND_PALETTE
            and app.COMMAND_PALETTE_BINDING in bindings
        ):
            _node, b, enabled, _tooltip = bindings[app.COMMAND_PALETTE_BINDING]
            specs.append(KeySpec(b.key, app.get_key_display(b), b.description, b.action, not enabled,
                                 b.tooltip or b.description, True))  # fmt: skip
        return specs

    def update_keys(self) -> bool:
        """The keys shown made to show the bindings now, in place, when there are as many of
        each kind; False (nothing changed) otherwise."""
        specs = self.key_specs()
        keys = list(self.children)
        if specs is None or len(specs) != len(keys):
            return False
        if not all(
            isinstance(key, FooterKey) and key.has_class(PALETTE) == spec.palette
            for key, spec in zip(keys, specs, strict=True)
        ):
            return False
        for key, spec in zip(keys, specs, strict=True):
            assert isinstance(key, FooterKey)
            shown = (key.key, key.key_display, key.description, key.action, key._disabled, key.tooltip or "")
            if shown == spec[:6]:
                continue
            key.key, key.key_display, key.description, key.action = spec[:4]
            key._disabled = spec.disabled
            key.set_class(spec.disabled, "-disabled")
            key.tooltip = spec.tooltip or None
            key.refresh(layout=True)  # its width follows its text
        return True


class FooterSpace(Widget):
    """The footer's line, held from a screen's first frame until its footer is mounted: without
    it, the footer's arrival took a line from the rest of the screen, which was laid out again
    and every pane, table and scroll bar painted again at its new height (at 100,000 lots 25-35
    ms of the UI thread, the detail screen's second-longest turn)."""

    DEFAULT_CSS = """
    FooterSpace {
        dock: bottom;
        height: 1;
        background: $footer-background;
    }
    """


def mount_footer_soon(screen: Screen[Any], before: Widget | None = None) -> None:
    """After the screen's first frame, the footer in a turn of its own (a timer's: a callback
    after the refresh runs in the very turn that painted the frame, and so did the footer)."""
    screen.call_after_refresh(screen.set_timer, FOOTER_PAUSE, partial(mount_footer, screen, before))


async def mount_footer(screen: Screen[Any], before: Widget | None = None) -> None:
    """A screen's footer (its keys a widget each) mounted after the screen's first frame
    (mount_footer_soon), in place of its FooterSpace if it has one: mounted with the screen, its
    keys were mounted, styled and painted in the longest turn of showing it. Its keys come with
    a bindings update, which the screen's first focus has already had: asked for once it is
    there."""
    await screen.mount(HarvestFooter(), before=before)
    for space in screen.query(FooterSpace):
        await space.remove()
    screen.refresh_bindings()
