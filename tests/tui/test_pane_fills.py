"""A snapshot reaches the panes in two turns — holdings in the turn the snapshot arrives, the
candidates with the checklist after the holdings have painted — so no turn of the UI thread
fills and paints all three (issue 18); a newer snapshot replaces the panes still to fill, so a
pane never ends on an older snapshot than the others. The footer mounts after the first
frame, in a turn of its own."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual.compose import compose
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

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


async def test_the_checklist_fills_in_the_candidates_turn(tmp_path: Path):
    """Waiting for the candidates' paint before the checklist (the plan's few steps) added a
    frame to every tick."""
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.snapshot is not None
        fewer = replace(screen.snapshot, holdings=screen.snapshot.holdings[:1], candidates=[])
        screen.on_snapshot_ready(SnapshotReady(fewer, screen.preview))
        screen.pane_fills[0][0].table.call_after_paint = lambda _callback: None  # type: ignore[method-assign]
        screen.fill_next_pane(fewer)  # the candidates' turn
        assert screen.pane_fills == []
        assert screen.shown is fewer


async def test_the_footer_mounts_after_the_first_frame(tmp_path: Path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert not [widget for widget in compose(screen) if isinstance(widget, Footer)]  # not with the rest
        await settled(pilot)
        assert len(screen.query(Footer)) == 1
        assert screen.query_one(Footer).query(FooterKey)
