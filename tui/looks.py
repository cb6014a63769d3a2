"""How the app shows meaning: in colour, or — with NO_COLOR set — in the terminal's default
colours with bold, reverse and signs; and pane borders that every theme draws visibly."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from textual.app import App
from textual.color import Color, ColorParseError

NO_COLOR_ENV = "NO_COLOR"
BORDER_CONTRAST = 3.0  # WCAG 2.1 (1.4.11): what a part of the interface one must see needs
BLEND_STEPS = 40
ANSI_BORDER = "ansi_bright_black"


@dataclass(frozen=True)
class Looks:
    """Rich styles for what carries meaning on screen."""

    loss: str  # a loss (its amount also carries a minus sign)
    gain: str  # a gain (and a plus sign)
    caution: str  # estimates, stale or missing prices, blocked positions
    savings: str  # the header's net savings
    badges: Mapping[str, str] = field(default_factory=dict)  # a candidate's badge: its style


COLOUR = Looks(
    loss="red",
    gain="green",
    caution="yellow",
    savings="bold green",
    badges={"⚠LT": "yellow", "nft": "magenta", "wash": "red", "≈0": "red", "⏰": "yellow", "stale": "dim"},
)
# no colour: losses bold (the reason the app exists), badges in reverse video, gains by their sign
NO_COLOUR = Looks(
    loss="bold",
    gain="",
    caution="underline",
    savings="bold",
    badges={
        "⚠LT": "reverse",
        "nft": "reverse",
        "wash": "bold reverse",
        "≈0": "bold reverse",
        "⏰": "reverse",
        "stale": "italic",
    },
)


def no_color_wanted(environ: Mapping[str, str]) -> bool:
    """no-color.org: NO_COLOR set to any non-empty value turns colour off (an empty one does not)."""
    return bool(environ.get(NO_COLOR_ENV))


@contextmanager
def empty_no_color_ignored() -> Iterator[None]:
    """Textual turns colour off for any NO_COLOR, even an empty one, reading it once while the
    app is built; no-color.org (and Rich) only for a non-empty value. Build the app inside this."""
    value = os.environ.get(NO_COLOR_ENV)
    if value is None or no_color_wanted(os.environ):
        yield
        return
    del os.environ[NO_COLOR_ENV]
    try:
        yield
    finally:
        os.environ[NO_COLOR_ENV] = value


def looks_of(app: App[Any]) -> Looks:
    return NO_COLOUR if app.no_color else COLOUR


def money_style(units: int | None, looks: Looks) -> str:
    """A signed amount's style: losses and gains apart, zero and unknown plain."""
    if not units:
        return ""
    return looks.gain if units > 0 else looks.loss


def luminance(color: Color) -> float:
    """WCAG relative luminance of an opaque colour."""

    def channel(value: int) -> float:
        scaled = value / 255
        return scaled / 12.92 if scaled <= 0.03928 else ((scaled + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(first: Color, second: Color) -> float:
    """WCAG contrast ratio, 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def pane_border(variables: Mapping[str, str]) -> str:
    """The inactive pane border for a theme's CSS variables: its quiet panel colour where that
    stands out from the background by BORDER_CONTRAST, else that colour moved towards the
    foreground just far enough (light themes' panels are nearly their background). Themes in
    the terminal's own ANSI colours get its grey (their panel is transparent): the contrast is
    the terminal palette's to decide."""
    natural = variables["panel-lighten-2"]
    try:
        background = Color.parse(variables["background"])
        foreground = background + Color.parse(variables["foreground"])
        colour = background + Color.parse(natural)
    except ColorParseError:
        return ANSI_BORDER
    if background.ansi is not None or foreground.ansi is not None:
        return ANSI_BORDER
    for step in range(BLEND_STEPS + 1):
        candidate = colour.blend(foreground, step / BLEND_STEPS)
        if contrast(candidate, background) >= BORDER_CONTRAST:
            return candidate.hex
    return foreground.hex
