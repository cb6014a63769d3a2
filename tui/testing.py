"""Building the app on the demo portfolio with a stopped clock and still prices: what the
pilot and snapshot tests (and the TUI benchmark) drive."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from engine.api import Engine
from engine.config.load import AlertsConfig, Config, UiConfig
from engine.core.dates import fixed_clock
from engine.core.units import Amount, EpochMicros
from engine.demo.setup import DEMO_CONFIG, build_demo_engine
from engine.store.store import Store
from tui.app import HarvestApp
from tui.feed import DemoFeed, StoredFeed
from tui.session import Session, SyncRunner

AS_OF = "2026-11-24"
QUIET = AlertsConfig(
    min_net_savings=Decimal(10**9), min_asset_net_savings=Decimal(10**9), long_term_days=0, deadline_days=[]
)


class StillFeed(DemoFeed):
    """The demo market frozen at its first step (polls change nothing)."""

    def poll(self) -> tuple[dict[str, Amount], EpochMicros] | None:
        return None


def demo_app(
    directory: Path,
    *,
    as_of: str = AS_OF,
    quiet: bool = True,
    extra_lots: int = 0,
    sync: SyncRunner | None = None,
    alerts: AlertsConfig | None = None,
    theme: str | None = None,
    keymap: dict[str, str] | None = None,
) -> HarvestApp:
    config: Config = DEMO_CONFIG
    if alerts is not None:
        config = replace(config, alerts=alerts)
    elif quiet:  # no toasts in snapshots unless a test asks for them
        config = replace(config, alerts=QUIET)
    if theme is not None or keymap is not None:
        config = replace(config, ui=UiConfig(theme or UiConfig.theme, keymap or {}))
    clock = fixed_clock(as_of, config.tax.timezone)
    engine = build_demo_engine(directory, clock, extra_lots)
    engine.config = config
    feed = StillFeed(date.fromisoformat(as_of), clock, interval=3600)
    session = Session(engine, config_path=directory / "config.yaml", export_dir=directory, sync=sync)
    session.set_prices(feed.current(), clock())
    return HarvestApp(session, feed)


def empty_app(directory: Path, as_of: str = AS_OF) -> HarvestApp:
    """The app on a store nothing was imported into (what a new user first sees)."""
    engine = Engine(Config(), Store(directory / "empty.sqlite3"), fixed_clock(as_of, None))
    session = Session(engine, config_path=directory / "config.yaml", export_dir=directory)
    return HarvestApp(session, StoredFeed(session.stored_prices, interval=3600))
