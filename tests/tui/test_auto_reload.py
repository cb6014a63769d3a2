"""Never stale (issue 12 item 14): what another harvest process writes to the store — an import,
a sync, the CLI moving a checklist step — shows in the running app without pressing `r`."""

from __future__ import annotations

from pathlib import Path

from engine.api import Engine
from engine.store.store import Store
from tests.support import HEADER
from tests.tui.pilot import cells, notifications, settled
from tui.screens.main import MainScreen
from tui.testing import demo_app


async def until(pilot, condition) -> None:  # noqa: ANN001
    for _ in range(3000):  # bounded: the store is looked at every 20 ms here
        if condition():
            return
        await pilot.pause()
    raise AssertionError("the app never showed it")


def holdings_assets(app) -> set[str]:  # noqa: ANN001
    return {row[1].lstrip("▸▾ ") for row in cells(app, "holdings")}


async def test_an_import_by_another_process_appears_without_pressing_r(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(MainScreen, "STORE_POLL_SECONDS", 0.02)
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert "ADA" not in holdings_assets(app)
        # `harvest import` in another process: its own connection to the same store file
        ledger = tmp_path / "more.csv"
        ledger.write_text(f"{HEADER}\n2026-03-02T10:00:00Z,kraken,ADA,buy,1500,0.95,1.00,ADA-1\n")
        other = Engine(app.session.config, Store(tmp_path / "demo.sqlite3"), app.session.engine.clock)
        try:
            assert other.import_csv(ledger).added == 1
        finally:
            other.store.close()
        await until(pilot, lambda: "ADA" in holdings_assets(app))
        assert any("The store changed" in message for message, _ in notifications(app))


async def test_a_step_moved_by_the_cli_appears_without_a_reload(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(MainScreen, "STORE_POLL_SECONDS", 0.02)
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("space")
        await settled(pilot)
        assert cells(app, "checklist")[0][2] == "planned"
        loads = []
        real_load = app.session.load
        monkeypatch.setattr(app.session, "load", lambda progress=None: (loads.append(1), real_load(progress)))
        from engine.planning.checklist import Checklist

        with Store(tmp_path / "demo.sqlite3") as other:  # `harvest checklist skip 1 --reason …`
            Checklist(other.conn).skip(1, "not this year", app.session.engine.clock())
        await until(pilot, lambda: cells(app, "checklist")[0][2] == "skipped")
        assert loads == []  # only a recompute: the lots did not change


async def test_the_apps_own_sync_is_left_to_reload_itself(tmp_path: Path, monkeypatch):
    """While the app's sync writes through its own connection, the watch leaves the store be
    (the sync reloads once, when it is done)."""
    monkeypatch.setattr(MainScreen, "STORE_POLL_SECONDS", 0.02)
    ticks: list[int] = []
    watch = MainScreen.watch_store

    def counted(screen: MainScreen) -> None:
        ticks.append(1)
        watch(screen)

    monkeypatch.setattr(MainScreen, "watch_store", counted)
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.syncing = True
        ledger = tmp_path / "more.csv"
        ledger.write_text(f"{HEADER}\n2026-03-02T10:00:00Z,kraken,ADA,buy,1500,0.95,1.00,ADA-1\n")
        with Store(tmp_path / "demo.sqlite3") as other:
            Engine(app.session.config, other, app.session.engine.clock).import_csv(ledger)
        seen = len(ticks)
        await until(pilot, lambda: len(ticks) > seen + 5)
        await settled(pilot)
        assert "ADA" not in holdings_assets(app)
        screen.syncing = False
        await until(pilot, lambda: "ADA" in holdings_assets(app))
