"""A Plotext chart built in a thread worker: PlotextPlot builds its figure (a character matrix,
then ANSI text read back into Rich text) in `render`, on the UI thread — 50-150 ms for the
detail screen's chart here, each time it is painted. This one paints the text it last built
and builds anew off the UI thread when the figure, its size or the theme changed: what it
shows is what PlotextPlot would (the same Plot calls, size and theme)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import RenderResult
from textual.geometry import Size
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

Figure = Callable[[Plot], None]  # what to draw: Plot calls on a fresh plot
BuildKey = tuple[int, Size, str]  # the figure's version, the size and the plotext theme


class BackgroundPlot(PlotextPlot):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.figure: Figure = lambda plot: None
        self.version = 0
        self.built: tuple[BuildKey, Text] | None = None
        self.building: BuildKey | None = None

    def draw(self, figure: Figure) -> None:
        """Show `figure` (built off the UI thread; the last one stays until it is ready)."""
        self.figure = figure
        self.version += 1
        self.refresh()

    def render(self) -> RenderResult:
        key = (self.version, self.size, self._get_plotext_theme_name(self.app.theme))
        if self.built is not None and self.built[0] == key:
            return self.built[1]
        if self.building != key and self.size.area:
            self.building = key
            self.build(key, self.figure)
        return self.built[1] if self.built is not None else Text()

    # a description of its own: Textual's default is the repr of every argument, and the figure
    # holds the whole AssetDetail (thousands of lots: 10-30 ms on the UI thread at each draw)
    @work(thread=True, exclusive=True, group="chart", description="chart", exit_on_error=False)
    def build(self, key: BuildKey, figure: Figure) -> None:
        version, size, theme = key
        plot = Plot()  # its own: the UI thread never touches it
        figure(plot)
        plot.plotsize(size.width, size.height)
        plot._set_size(size.width, size.height)  # as PlotextPlot.render does
        plot.theme(theme)
        text = Text.from_ansi(plot.build())
        self.app.call_from_thread(self.show_built, key, text)

    def show_built(self, key: BuildKey, text: Text) -> None:
        self.built = (key, text)
        self.refresh()
