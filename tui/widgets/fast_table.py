"""A DataTable that paints its one-line text cells without Rich's general layout machinery, and
takes a batch of cell changes as one update.

Why: a price tick changes most cells of the panes, and DataTable re-renders every visible cell
after any change (its render caches are keyed by an update counter). Each cell went through
`console.render_lines(Styled(Padding(text)))` — measuring, wrapping, splitting and cropping
lines — about 0.2–0.3 ms a cell, 60–90 ms of the UI thread per tick for the ~200 cells on
screen. A one-line Text in a one-line row needs only what that machinery ends up doing: justify
and truncate the text to the column, render its spans, pad, and layer the row's styles. Any
other cell (several lines, tabs, wrapping asked for, full/centre justification) goes the stock
way. tests/tui/test_fast_table.py holds the painted lines identical to DataTable's own on
generated cells.

`update_cells` writes many cells and refreshes once: DataTable.update_cell refreshes the widget
per call (a few hundred calls per tick)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, TypeVar

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._segment_tools import line_crop
from textual._types import SegmentLines
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from tui.widgets.paint_budget import BUDGET

CellT = TypeVar("CellT")
FAST_JUSTIFY = frozenset({"default", "left", "right"})
FAST_OVERFLOW = frozenset({"fold", "crop", "ellipsis"})
NULL_STYLE = Style.null()
LINE_JOINER = Text("\n")  # joining makes the line's own style a span, which is what gets rendered
CELL_CACHE_SIZE = 4_096  # painted cells kept: a few screens' worth (a view is ~500)
LINE_CACHE_SIZE = 512
ROW_CACHE_SIZE = 256  # DataTable's own caches, all keyed by its update count (its default: 1,000)
PAINT_WAIT = 0.1  # seconds call_after_paint waits for a paint that may not come


class PaintSettings(NamedTuple):
    """The table's settings a cell's look depends on, read once per paint (a reactive's read
    costs microseconds, and a paint reads them for every cell)."""

    show_cursor: bool
    foreground_css: bool
    background_css: bool
    fixed_rows: int
    fixed_columns: int
    header_height: int
    cell_padding: int
    console: Console
    line: tuple[object, ...]  # what else a whole line's look depends on (widths, cursor, hover…)
    width: int  # the table's
    widths: tuple[int, ...]  # the columns' render widths, in order
    cursor_row: int
    hover_row: int
    rows_cursor: bool  # the cursor is a row (every table here): a line is painted here, not by DataTable

    @property
    def look(self) -> tuple[bool, bool, bool, int, int, int, int]:
        return (self.show_cursor, self.foreground_css, self.background_css, self.fixed_rows,
                self.fixed_columns, self.header_height, self.cell_padding)  # fmt: skip


class LineWindow(NamedTuple):
    """Where a paint's lines come from: the same for every line of one paint."""

    fixed_height: int  # the header and fixed rows, which do not scroll
    scroll_x: int
    scroll_y: int
    width: int
    base_style: Style


class FastTable(DataTable[CellT]):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # DataTable keeps 1,000 rows, row renderables and lines (and 10,000 cells) per table, each
        # entry keyed by its update count, so a tick leaves them all dead until evicted; with our
        # caches as large they held ~150,000 objects after 150 ticks, which every full collection
        # of the cyclic collector scans on the UI thread (0.2-0.4 s each): a few screens' worth
        self._row_render_cache = LRUCache(ROW_CACHE_SIZE)
        self._row_renderable_cache = LRUCache(ROW_CACHE_SIZE)
        self._line_cache = LRUCache(ROW_CACHE_SIZE)
        self._cell_render_cache = LRUCache(CELL_CACHE_SIZE)
        # painted cells by what decides their look (content, place, width, styles), so a cell
        # whose text did not change on an update is not painted again
        self._painted: LRUCache[tuple[object, ...], SegmentLines] = LRUCache(CELL_CACHE_SIZE)
        # a cell's text as segments, padded to its column, before the row's and cursor's styles:
        # rows that moved (a holding's lots inserted above them) or a new look (a focus move)
        # restyle these instead of rendering the text again (~15 of a cell's ~60 µs)
        self._texts: LRUCache[tuple[object, ...], list[Segment]] = LRUCache(CELL_CACHE_SIZE)
        self._painted_lines: LRUCache[tuple[object, ...], Strip] = LRUCache(LINE_CACHE_SIZE)
        self._paint_settings: PaintSettings | None = None
        self._row_styles: dict[tuple[object, ...], Style] = {}  # DataTable computes each per line
        self._after_paint: list[Callable[[], object]] = []
        self._line_window: LineWindow | None = None  # set for the length of a paint
        self._painted_with: tuple[Style, ...] | None = None  # the styles the caches were painted with
        self._styles_updated = False  # since the last paint: check them before the next
        # lines the paint budget left for a later turn (content lines): blank meanwhile, never
        # what the line showed before (a row that moved or changed would show stale figures)
        self._deferred: set[int] = set()

    @property
    def changes(self) -> int:
        """A count that moves whenever the table's rows, cells or columns change."""
        return self._update_count

    def call_after_paint(self, callback: Callable[[], object]) -> None:
        """Call `callback` in a turn of its own once the table has painted its latest change, so
        work queued behind a paint does not add to the paint's turn. At once (next turn) when the
        table is not on screen; after PAINT_WAIT when no paint comes (its screen covered)."""
        if not self.region or not self.screen.is_current:
            self.call_later(callback)
            return
        self._after_paint.append(callback)
        self.set_timer(PAINT_WAIT, self._run_after_paint)

    def _run_after_paint(self) -> None:
        callbacks, self._after_paint = self._after_paint, []
        for callback in callbacks:
            callback()

    def update_cells(self, changes: Iterable[tuple[Coordinate, CellT]]) -> None:
        """Put each value at its coordinate (all valid), then refresh once."""
        changed = False
        for coordinate, value in changes:
            row_key, column_key = self.coordinate_to_cell_key(coordinate)
            self._data[row_key][column_key] = value
            changed = True
        if changed:
            self._update_count += 1  # what DataTable.update_cell does to drop its render caches
            self.refresh()

    def widths_changed(self) -> None:
        """Columns were given new widths: DataTable's render caches (not keyed by width) go; the
        painted cells (keyed by width) stay."""
        self._update_count += 1
        self.refresh()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """DataTable measures every cell of the rows just added (for auto-width columns and
        auto-height rows) on its next idle: 600 cells for 100 lot rows. With explicit widths,
        one-line rows and no row labels (every table here) only the scrollable size is needed."""
        rows = list(new_rows)
        measured = any(column.auto_width for column in self.columns.values()) or any(
            row.label is not None or row.auto_height
            for key in rows
            if (row := self.rows.get(key)) is not None
        )
        if measured:
            super()._update_dimensions(rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header_height = self.header_height if self.show_header else 0
        self.set_virtual_size(
            Size(width + self._row_label_column_width, self._total_row_height + header_height)
        )

    def set_virtual_size(self, size: Size) -> None:
        """The scrollable size, without the layout pass a new one asks for when the table's own
        size does not depend on it (neither its width nor its height is auto) and it is laid
        out: only its scroll bars can change then, and a scroll bar shown or hidden still lays
        the screen out (their reactives say so). A layout pass repaints the whole screen, every
        pane, header and footer key (~25-40 ms of the UI thread at 100,000 lots: expanding a
        holding adds rows, a tick may widen a column)."""
        if size == self.virtual_size:
            return
        width, height = self.styles.width, self.styles.height
        if not self.size or any(scalar is not None and scalar.is_auto for scalar in (width, height)):
            self.virtual_size = size
            return
        self.set_reactive(DataTable.virtual_size, size)
        self._scroll_update(size)  # the scroll bars: shown or hidden, their lengths; the scroll kept in range
        self.refresh()

    def notify_style_update(self) -> None:
        """A theme or CSS change: the painted cells and lines go at the next paint if what they
        are painted with changed (the component classes' styles are worked out after this
        call). Textual calls this on every descendant when an ancestor's class changes (the
        pane's -active as the focus moves), which repainted all three panes' every visible cell
        (~50 ms of the UI thread at 100,000 lots) to the same look."""
        super().notify_style_update()
        self._styles_updated = True

    def _keep_painted_if_same_styles(self) -> None:
        if not self._styles_updated:
            return
        self._styles_updated = False
        look = self._style_look()
        if look != self._painted_with:
            self._painted_with = look
            self._painted.clear()
            self._painted_lines.clear()
            self._row_styles.clear()
            self._texts.clear()

    def _style_look(self) -> tuple[Style, ...]:
        """The styles a paint reads: the table's own and its component classes' (cursor, hover,
        header, fixed, stripes), whole and partial."""
        styles = [self.rich_style]
        for name in sorted(self.COMPONENT_CLASSES):
            styles.append(self.get_component_rich_style(name, default=NULL_STYLE))
            styles.append(self.get_component_rich_style(name, partial=True, default=NULL_STYLE))
        return tuple(styles)

    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        """DataTable's row style (header, fixed, odd or even stripe), kept until the styles
        change as Widget keeps its component styles: working it out walks the DOM."""
        self._keep_painted_if_same_styles()
        kind = -1 if row_index == -1 else -2 if row_index < self.fixed_rows else row_index % 2
        key = (kind, base_style, self.zebra_stripes)
        style = self._row_styles.get(key)
        if style is None:
            style = self._row_styles[key] = super()._get_row_style(row_index, base_style)
        return style

    def render_lines(self, crop: Region) -> list[Strip]:
        self._keep_painted_if_same_styles()
        width = self.size.width
        widths = tuple(column.get_render_width(self) for column in self.ordered_columns)
        cursor, hover, cursor_type = self.cursor_coordinate, self.hover_coordinate, self.cursor_type
        line = (width, widths, cursor, hover, cursor_type, self.zebra_stripes,
                self._labelled_row_exists and self.show_row_labels)  # fmt: skip
        self._paint_settings = PaintSettings(
            self.show_cursor, self.cursor_foreground_priority == "css", self.cursor_background_priority == "css",
            self.fixed_rows, self.fixed_columns, self.header_height, self.cell_padding, self.app.console, line,
            width, widths, cursor.row, hover.row, cursor_type == "row",
        )  # fmt: skip
        self._line_window = self._window()
        deferred = bool(self._deferred)
        try:
            return super().render_lines(crop)
        finally:
            self._paint_settings = None
            self._line_window = None
            if self._deferred and not deferred:  # once a paint: asked for in the next turn
                self.call_later(self._repaint_deferred)
            if self._after_paint:
                self.call_later(self._run_after_paint)

    def _window(self) -> LineWindow:
        """What DataTable.render_line works out for every line (the table's style walks the DOM;
        the fixed rows' height, size and scroll), once per paint."""
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        fixed_keys = [self._row_locations.get_key(row_index) for row_index in range(self.fixed_rows)]
        fixed_height = sum(self.get_row_height(row_key) for row_key in fixed_keys if row_key is not None)
        if self.show_header:
            fixed_height += self.get_row_height(self._header_row_key)
        return LineWindow(fixed_height, scroll_x, scroll_y, width, self.rich_style)

    def render_line(self, y: int) -> Strip:
        window = self._line_window
        if window is None:  # outside a paint
            return super().render_line(y)
        line_y = y + window.scroll_y if y >= window.fixed_height else y
        x1, x2 = window.scroll_x, window.scroll_x + window.width
        place = self._line_key(line_y, x1, x2, window.base_style)
        if place is not None and place[0] not in self._painted_lines and not BUDGET.take():
            self._deferred.add(y)
            return Strip.blank(window.width, window.base_style)
        return self._line_at(place, line_y, x1, x2, window.base_style)

    def _repaint_deferred(self) -> None:
        """The lines the paint budget left: painted in the next turn's paint."""
        lines, self._deferred = sorted(self._deferred), set()
        width = self.size.width
        self.refresh(*(Region(0, y, width, 1) for y in lines))

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """DataTable's line, kept by what it shows (its cells' text and styles, the widths, the
        cursor…) rather than until the next change anywhere in the table: rows added below the
        view, or a tick that changed other rows, leave a line as it was."""
        return self._line_at(self._line_key(y, x1, x2, base_style), y, x1, x2, base_style)

    def _line_at(
        self, place: tuple[tuple[object, ...], int, int] | None, y: int, x1: int, x2: int, base_style: Style
    ) -> Strip:
        if place is None:
            return super()._render_line(y, x1, x2, base_style)
        key, row_index, line_in_row = place
        strip = self._painted_lines.get(key)
        if strip is None:
            settings = self._paint_settings
            if settings is not None and settings.rows_cursor:
                strip = self._paint_line(settings, row_index, line_in_row, x1, x2, base_style)
            else:
                strip = super()._render_line(y, x1, x2, base_style)
            self._painted_lines.set(key, strip)
        return strip

    def _paint_line(
        self, settings: PaintSettings, row_index: int, line_in_row: int, x1: int, x2: int, base_style: Style
    ) -> Strip:
        """What DataTable._render_line and _render_line_in_row paint for a line of a row cursor's
        table with no fixed columns or row labels (the only lines `_line_key` keys), with what
        they work out per line read once per paint: the columns and their widths, the cursor and
        hover, and none of the header's style and the background colours, which they compute
        for every line (each a walk up the DOM) and use only for fixed columns, row labels or
        another cursor type."""
        row_style = self._get_row_style(row_index, base_style)
        cursor, hover = settings.cursor_row == row_index, settings.hover_row == row_index
        segments: list[Segment] = []
        for column_index, width in enumerate(settings.widths):
            segments.extend(
                self._render_cell(row_index, column_index, row_style, width, cursor, hover)[line_in_row]
            )
        width = settings.width
        remaining = max(0, width - (sum(settings.widths) + self._row_label_column_width))
        extend_style, _ = self._get_styles_to_render_cell(
            row_index == -1, False, False, hover, cursor, settings.show_cursor, self._show_hover_cursor, False, False
        )  # fmt: skip
        extend_style = row_style + extend_style
        extend_style += Style.from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
        segments.append(Segment(" " * remaining, extend_style))
        return Strip(line_crop(segments, x1, x2, width)).adjust_cell_length(width, base_style).simplify()

    def _line_key(
        self, y: int, x1: int, x2: int, base_style: Style
    ) -> tuple[tuple[object, ...], int, int] | None:
        """What a line's look depends on, its row's index and the line within the row; None for
        a line this class does not keep (DataTable paints it)."""
        settings = self._paint_settings
        if settings is None or settings.fixed_columns or settings.line[-1]:  # fixed columns, row labels
            return None
        try:
            row_key, line_in_row = self._get_offsets(y)
        except LookupError:
            return None
        if row_key is self._header_row_key:
            row_index: int | None = -1
        else:
            row_index = self._row_locations.get(row_key)
            row = self.rows.get(row_key)
            if row is None or row.auto_height or row.height != 1:
                return None
        if row_index is None:
            return None
        looks = []
        for cell in self._get_row_renderables(row_index).cells:
            if not isinstance(cell, Text):
                return None
            looks.append(text_look(cell))
        key = (row_index, line_in_row, tuple(looks), x1, x2, base_style, self._show_hover_cursor,
               self._pseudo_class_state, settings.look, settings.line)  # fmt: skip
        return key, row_index, line_in_row

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        lines = self._render_one_line_cell(row_index, column_index, base_style, width, cursor, hover)
        if lines is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        return lines

    def _render_one_line_cell(
        self, row_index: int, column_index: int, base_style: Style, width: int, cursor: bool, hover: bool
    ) -> SegmentLines | None:
        """The cell's lines when it is a one-line Text in a one-line row, else None: DataTable
        renders it."""
        settings = self._paint_settings
        if settings is None or column_index == -1:  # outside a paint, or a row label (unused here)
            return None
        is_header_cell = row_index == -1
        if is_header_cell:
            if settings.header_height != 1:
                return None
        else:
            row_key = self._row_locations.get_key(row_index)
            row = self.rows.get(row_key) if row_key is not None else None
            if row is None or row.auto_height or row.height != 1:
                return None
        cells = self._get_row_renderables(row_index).cells
        cell = cells[column_index] if column_index < len(cells) else None
        if not isinstance(cell, Text):
            return None
        key = (row_index, column_index, text_look(cell), width, base_style, cursor, hover,
               self._show_hover_cursor, self._pseudo_class_state, settings.look)  # fmt: skip
        lines = self._painted.get(key)
        if lines is not None:
            return lines
        padding = settings.cell_padding
        text_key = (key[2], width, padding)
        text = self._texts.get(text_key)
        if text is None:
            inner = width - 2 * padding
            line = one_line(cell, inner)
            if line is None:
                return None
            segments = list(
                LINE_JOINER.join([line]).render(settings.console)
            )  # as Text.__rich_console__ does
            segments = Segment.adjust_line_length(segments, inner, style=NULL_STYLE, pad=True)
            pad = [Segment(" " * padding, NULL_STYLE)] if padding else []
            text = [*pad, *segments, *pad]
            self._texts.set(text_key, text)
        is_fixed = not is_header_cell and (
            row_index < settings.fixed_rows or column_index < settings.fixed_columns
        )
        component_style, post_style = self._get_styles_to_render_cell(
            is_header_cell, False, is_fixed, hover, cursor, settings.show_cursor, self._show_hover_cursor,
            settings.foreground_css, settings.background_css,
        )  # fmt: skip
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
        lines = [list(Segment.apply_style(text, pre_style, post_style))]
        self._painted.set(key, lines)
        return lines


def text_look(cell: Text) -> tuple[object, ...]:
    """Everything about a Text that decides how it is painted in a cell."""
    return (cell.plain, cell.style, tuple(cell.spans), cell.justify, cell.overflow, cell.no_wrap)


def one_line(cell: Text, width: int) -> Text | None:
    """`cell` justified and truncated to `width` as Rich does for a one-line cell that does not
    wrap (Text.wrap with no_wrap, then Lines.justify), or None when Rich would do more."""
    plain = cell.plain
    if width < 1 or "\n" in plain or "\t" in plain or cell.no_wrap is False:
        return None
    justify = cell.justify or "default"
    overflow = cell.overflow or "fold"
    if justify not in FAST_JUSTIFY or overflow not in FAST_OVERFLOW:
        return None
    line = cell.copy()
    if justify == "left":
        line.truncate(width, overflow=overflow, pad=True)
    elif justify == "right":
        line.rstrip()
        line.truncate(width, overflow=overflow)
        line.pad_left(width - cell_len(line.plain))
    line.truncate(width, overflow=overflow)
    return line
