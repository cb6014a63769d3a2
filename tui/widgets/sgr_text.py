"""Rich text from terminal text whose only escapes are colour and style codes (SGR), as the
chart's plotext figures are: the text `Text.from_ansi` makes, in a fraction of its time.

Why: `Text.from_ansi` decodes every code anew (a Style parsed or built per code, 1,200 codes a
figure) — ~11 ms of the chart worker's ~37 ms a figure, on a thread that shares the GIL with
the UI's paints. A figure uses a handful of distinct codes, so each (style, code) step is worked
out once, by rich's own decoder, and reused. Anything else in the text (other escapes, control
characters) goes to `Text.from_ansi` unchanged."""

from __future__ import annotations

import re

from rich.ansi import AnsiDecoder
from rich.style import Style
from rich.text import Span, Text

SGR = re.compile(r"\x1b\[([0-9;]*)m")
# what only Text.from_ansi handles: escapes other than SGR, and the controls it strips or obeys
OTHER = re.compile(r"\x1b(?!\[[0-9;]*m)|[\x07\x08\x0b\x0c\r]")
TAB_SIZE = 8  # as Text.from_ansi's


def text_from_sgr(ansi: str) -> Text:
    """Equal to `Text.from_ansi(ansi)`: the same characters, spans and settings."""
    if OTHER.search(ansi):
        return Text.from_ansi(ansi)
    steps: dict[tuple[Style, str], Style] = {}
    style = Style.null()
    pieces: list[str] = []
    spans: list[Span] = []
    offset = 0
    for index, part in enumerate(SGR.split(ansi)):  # plain text at even indexes, codes at odd
        if index % 2:
            after = steps.get((style, part))  # (a reset's is the null style: falsy)
            if after is None:
                after = steps[style, part] = _step(style, part)
            style = after
            continue
        pieces.append(part)
        if style:  # rich styles each line's text, not the newlines between lines
            for line in part.split("\n"):
                if line:
                    spans.append(Span(offset, offset + len(line), style))
                offset += len(line) + 1
            offset -= 1
        else:
            offset += len(part)
    return Text("".join(pieces), spans=spans, tab_size=TAB_SIZE)


def _step(style: Style, codes: str) -> Style:
    """The style after `codes`, from `style`, as rich's decoder works it out."""
    decoder = AnsiDecoder()
    decoder.style = style
    decoder.decode_line(f"\x1b[{codes}m")
    return decoder.style
