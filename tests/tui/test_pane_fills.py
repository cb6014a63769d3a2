"""A snapshot reaches the panes one at a time — holdings in the turn the snapshot arrives, the
candidates and the checklist each after the pane before has painted — so no turn of the UI
thread fills and paints all three (issue 18); a newer snapshot replaces the panes still to
fill, so a pane never ends on an older snapshot than the others."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.tui.pilot import cells, settled
from tui.messages import SnapshotReady
from tui.screens.main import MainScreen
from tui.testing import demo_app


async def test_the_holdings_fill_first_and_the_other_panes_after_it_painted(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.snapshot is not None
        assert screen.shown is screen.snapshot
        fewer = replace(screen.snapshot, holdings=screen.snapshot.holdings[:1], candidates=[])
        screen.on_snapshot_ready(SnapshotReady(fewer, screen.preview))
        # in this turn: the holdings only
        assert len(cells(app, "holdings")) == 1
        assert len(cells(app, "candidates")) > 0
        assert [pane.id for pane, _ in screen.pane_fills] == ["candidates", "checklist"]
        assert screen.shown is not fewer
        await settled(pilot)
        assert screen.pane_fills == []
        assert screen.shown is fewer
        assert len(cells(app, "holdings")) == 1
        assert all(row[0] == "?" for row in cells(app, "candidates"))  # only blocked rows left


async def test_a_newer_snapshot_replaces_the_panes_still_to_fill(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.snapshot is not None
        first = screen.snapshot
        older = replace(first, candidates=[], blocked=[])
        newer = replace(first, holdings=first.holdings[:2])
        screen.on_snapshot_ready(SnapshotReady(older, screen.preview))
        screen.on_snapshot_ready(SnapshotReady(newer, screen.preview))  # before older's candidates
        await settled(pilot)
        assert screen.shown is newer
        assert len(cells(app, "holdings")) == 2
        assert len(cells(app, "candidates")) == len(first.candidates) + len(first.blocked)  # never older's
