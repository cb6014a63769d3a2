"""Driving the app in pilot tests: wait for its workers, read its tables and notifications."""

from __future__ import annotations

import contextlib

from textual.widgets import DataTable
from textual.worker import WorkerCancelled, WorkerFailed

from tui.widgets.fitted_table import cell_width


async def settled(pilot) -> None:  # noqa: ANN001
    """Wait until every worker finished and the messages they posted were handled."""
    for _ in range(3):
        # a failed worker shows as a notification; a cancelled one was replaced by a newer one
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    await slices_done(pilot)


async def slices_done(pilot, polls: int = 500) -> None:  # noqa: ANN001
    """Wait for the screens that fill their tables in turns to finish: the main screen's panes
    (MainScreen.pane_fills: the candidates wait for the holdings' paint) and a screen filling its
    table in slices (DetailScreen.slices). A turn may wait for a table's next paint, which
    neither a worker's end nor one pause covers (on a busy machine a test saw the candidates
    still empty, a snapshot the detail view half filled)."""
    for _ in range(polls):
        if not any(
            getattr(screen, "slices", None) or getattr(screen, "pane_fills", None)
            for screen in pilot.app.screen_stack
        ):
            return
        await pilot.pause(0.01)  # a poll for the state, not a wait for a time
    raise AssertionError(f"{type(pilot.app.screen).__name__}: its tables never finished filling")


def table(app, pane_id: str) -> DataTable:  # noqa: ANN001
    return app.screen.query_one(f"#{pane_id}-table", DataTable)


def cells(app, pane_id: str) -> list[list[str]]:  # noqa: ANN001
    t = table(app, pane_id)
    return [[str(c) for c in t.get_row_at(i)] for i in range(t.row_count)]


async def settled_but_sync(pilot) -> None:  # noqa: ANN001
    """`settled`, except for a sync worker a test keeps waiting on purpose."""
    for _ in range(3):
        for worker in [w for w in pilot.app.workers if w.group != "sync"]:
            with contextlib.suppress(WorkerFailed, WorkerCancelled):
                await worker.wait()
        await pilot.pause()


def notifications(app) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(n.message, n.severity) for n in app._notifications]


def widths_fit(t: DataTable) -> bool:
    """Every column exactly as wide as its widest cell or its label."""
    for index, column in enumerate(t.ordered_columns):
        widest = max(
            [cell_width(column.label), *(cell_width(t.get_row_at(r)[index]) for r in range(t.row_count))]
        )
        if column.get_render_width(t) - 2 * t.cell_padding != widest:
            return False
    return True
