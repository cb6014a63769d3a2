"""A tick updates in place exactly the cells whose look changed: text, style, spans or
justification (a style given as a name or as a Style compared as given: at worst one needless
update, never a missed one)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.style import Style
from rich.text import Span, Text
from textual.coordinate import Coordinate

from tui.widgets.cell_changes import cell_key, changed_cells
from tui.widgets.fitted_table import Cell

RED, GREEN = Style(color="red"), Style(color="green")


def test_a_change_of_style_spans_or_justification_alone_is_a_change():
    old = [["a", Text("1", style=RED), Text("x", spans=[Span(0, 1, RED)]), Text("5", justify="right")]]
    new = [["a", Text("1", style=GREEN), Text("x", spans=[Span(0, 1, GREEN)]), Text("5", justify="left")]]
    assert [where for where, _ in changed_cells(old, new)] == [
        Coordinate(0, 1),
        Coordinate(0, 2),
        Coordinate(0, 3),
    ]
    assert (
        changed_cells(
            old, [["a", Text("1", style=Style(color="red")), old[0][2], Text("5", justify="right")]]
        )
        == []
    )


texts = st.sampled_from(["", "1", "$5.00", "-$5.00", "LT"])
styles = st.sampled_from(["", "red", RED, GREEN])
cells: st.SearchStrategy[Cell] = st.one_of(
    texts,
    st.builds(
        lambda plain, style, justify, spanned: Text(
            plain,
            style=style,
            justify=justify,
            spans=[Span(0, len(plain), RED)] if spanned and plain else None,
        ),
        texts,
        styles,
        st.sampled_from([None, "left", "right"]),
        st.booleans(),
    ),
)


@given(st.integers(0, 4), st.integers(1, 4), st.data())
def test_the_changes_are_the_cells_that_look_different(rows: int, columns: int, data: st.DataObject):
    row_of = st.lists(cells, min_size=columns, max_size=columns)
    old = data.draw(st.lists(row_of, min_size=rows, max_size=rows))
    new = data.draw(st.lists(row_of, min_size=rows, max_size=rows))
    changes = changed_cells(old, new)
    expected = [
        Coordinate(r, c)
        for r in range(rows)
        for c in range(columns)
        if cell_key(old[r][c]) != cell_key(new[r][c])
    ]
    assert [where for where, _ in changes] == expected
    assert all(cell is new[where.row][where.column] for where, cell in changes)
    updated = [list(row) for row in old]
    for where, cell in changes:
        updated[where.row][where.column] = cell
    assert [[cell_key(cell) for cell in row] for row in updated] == [
        [cell_key(cell) for cell in row] for row in new
    ]
