"""A Plotext chart built in a thread worker: PlotextPlot builds its figure (a character matrix,
then ANSI text read back into Rich text) in `render`, on the UI thread — 50-150 ms for the
detail screen's chart here, each time it is painted. This one paints the text it last built
and builds anew off the UI thread when the figure, its size or the theme changed: what it
shows is what PlotextPlot would (the same Plot calls, size and theme). Nothing is built before
the first figure is drawn (an empty plot's build is most of a figure's), and a caller can ask to
be told when its figure is shown (`draw(figure, then=...)`): the detail screen holds back its
other work meanwhile, so the build, pure Python, does not share the GIL with the UI's paints
(each of which then took twice its CPU in wall time)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual import work
from textual.app import RenderResult
from textual.geometry import Size
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from tui.widgets.sgr_text import text_from_sgr

Figure = Callable[[Plot], None]  # what to draw: Plot calls on a fresh plot
SHOWN_WAIT = 1.0  # seconds after which `then` is called even if the figure was not shown yet
BuildKey = tuple[int, Size, str]  # the figure's version, the size and the plotext theme


class BackgroundPlot(PlotextPlot):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.figure: Figure = lambda plot: None
        self.version = 0
        self.built: tuple[BuildKey, Text] | None = None
        self.building: BuildKey | None = None
        self.waiting: tuple[int, Callable[[], object]] | None = None  # a version and who waits for it

    def draw(self, figure: Figure, then: Callable[[], object] | None = None) -> None:
        """Show `figure` (built off the UI thread; the last one stays until it is ready). `then`:
        called once when it is shown, when its build failed, or after SHOWN_WAIT (the plot not
        on screen: no paint, so no build)."""
        self.figure = figure
        self.version += 1
        if self.waiting is not None:  # a caller waiting for an older figure waits no longer
            self.call_later(self.waiting[1])
            self.waiting = None
        if then is not None:
            self.waiting = (self.version, then)
            self.set_timer(SHOWN_WAIT, partial(self._release, self.version))
        self.refresh()

    def _release(self, version: int) -> None:
        """Call whoever waits for a figure not newer than `version`."""
        if self.waiting is not None and self.waiting[0] <= version:
            then, self.waiting = self.waiting[1], None
            then()

    def render(self) -> RenderResult:
        key = (self.version, self.size, self._get_plotext_theme_name(self.app.theme))
        if self.built is not None and self.built[0] == key:
            return self.built[1]
        if self.building != key and self.size.area and self.version:
            self.building = key
            self.build(key, self.figure)
        return self.built[1] if self.built is not None else Text()

    # a description of its own: Textual's default is the repr of every argument, and the figure
    # holds the whole AssetDetail (thousands of lots: 10-30 ms on the UI thread at each draw)
    @work(thread=True, exclusive=True, group="chart", description="chart", exit_on_error=False)
    def build(self, key: BuildKey, figure: Figure) -> None:
        version, size, theme = key
        try:
            plot = Plot()  # its own: the UI thread never touches it
            figure(plot)
            plot.plotsize(size.width, size.height)
            plot._set_size(size.width, size.height)  # as PlotextPlot.render does
            plot.theme(theme)
            text = text_from_sgr(plot.build())  # as Text.from_ansi, faster
        except BaseException:
            self.app.call_from_thread(self._release, version)
            raise
        self.app.call_from_thread(self.show_built, key, text)

    def show_built(self, key: BuildKey, text: Text) -> None:
        self.built = (key, text)
        self.refresh()
        self.call_after_refresh(self._release, key[0])  # shown: painted in this refresh
