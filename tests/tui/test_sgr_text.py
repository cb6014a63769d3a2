"""The chart's text decoder gives what `Text.from_ansi` gives — the same characters, spans and
settings — on the chart's own figures in every plotext theme and on any mix of colour codes,
text, newlines, other escapes and control characters (those go to `Text.from_ansi` itself)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from plotext._dict import themes as plotext_themes
from rich.text import Text
from textual_plotext.plot import Plot

from engine.core import fixedpoint as fp
from engine.planning.detail import AssetDetail
from tui.screens.detail import chart_figure
from tui.widgets.sgr_text import text_from_sgr


def same_text(ansi: str) -> None:
    expected, got = Text.from_ansi(ansi), text_from_sgr(ansi)
    assert got.plain == expected.plain
    assert got.spans == expected.spans
    settings = ("style", "justify", "overflow", "no_wrap", "end", "tab_size")
    assert [getattr(got, name) for name in settings] == [getattr(expected, name) for name in settings]


def trades(count: int) -> list[tuple[int, int]]:
    day = 86_400_000_000
    return [(1_700_000_000_000_000 + n * day, fp.parse(str(100 + (n * 37) % 61))) for n in range(count)]


@pytest.mark.parametrize("theme", sorted(plotext_themes))
def test_a_chart_figure_in_every_theme(theme: str):
    costs = [fp.parse(str(95 + n * 3)) for n in range(8)]
    detail = AssetDetail(
        "kraken", "SOL", [], 0, costs, fp.parse("120"), trades(300), Decimal(0), Decimal(0), 0, 0, 0
    )
    plot = Plot()
    chart_figure(detail, plot)
    plot.plotsize(70, 22)
    plot._set_size(70, 22)
    plot.theme(theme)
    ansi = plot.build()
    assert "\x1b[" in ansi or theme == "clear"  # colour codes to decode (the clear theme has none)
    same_text(ansi)


codes = st.sampled_from(
    ["0", "", "1", "2", "3", "4", "7", "9", "22", "39", "49", "1;4", "0;1", "38;5;12", "48;5;3", "38;2;229;229;16",
     "48;2;0;0;0", "38;5", "38;2;1", "38;5;300", "91", "107", "53", "55"]
)  # fmt: skip
pieces = st.one_of(
    st.text(alphabet="ab ⢕┤$\n", max_size=6),
    codes.map(lambda code: f"\x1b[{code}m"),
    st.sampled_from(["\x1b[2K", "\x1b]8;;https://x\x1b\\", "\x1b(B", "\r", "\x07", "\x1bc", "\t"]),
)


@given(st.lists(pieces, max_size=30))
def test_any_mix_decodes_as_rich_decodes_it(parts: list[str]):
    same_text("".join(parts))
