"""`harvest demo`: the bundled demo portfolio in a throwaway store, offline and keyless."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TextIO

from engine.api import Engine
from engine.demo.portfolio import demo_config
from engine.store.store import Store

# The demo's own profile: it never reads or writes the user's config or store.
DEMO_CONFIG = demo_config()


def build_demo_engine(directory: Path, clock: Callable[[], int], extra_lots: int = 0) -> Engine:
    """A store in `directory` loaded with the demo ledger, imported as a user would (CSV)."""
    from engine.demo import portfolio as demo

    engine = Engine(DEMO_CONFIG, Store(directory / "demo.sqlite3"), clock)
    today = date.fromordinal(engine.today())
    csv_path = directory / "demo-ledger.csv"
    demo.write_csv(demo.demo_rows(today), csv_path)
    engine.import_csv(csv_path)
    if extra_lots:
        import_scaled_lots(engine, extra_lots)
    return engine


def import_scaled_lots(engine: Engine, count: int) -> int:
    """`--lots N`: N more demo buys, built as events directly (no CSV round trip)."""
    from engine.core import fixedpoint as fp
    from engine.core.dates import parse_timestamp
    from engine.demo import portfolio as demo
    from engine.ledger.events import Event
    from engine.store.store import keys_of

    today = date.fromordinal(engine.today())
    events = [
        Event(row["account"], row["asset"], "buy", parse_timestamp(row["timestamp"]), fp.parse(row["quantity"]),
              fp.parse(row["price"]), 0, trade_id=row["trade_id"], source="demo")
        for row in demo.scaled_rows(today, count)
    ]  # fmt: skip
    summary = engine.store.import_events(keys_of(events), "demo:scaled", engine.usd_assets)
    engine.invalidate()
    return summary.added


def demo_prices(engine: Engine) -> dict[str, int]:
    from engine.core import fixedpoint as fp
    from engine.demo import portfolio as demo

    today = date.fromordinal(engine.today())
    return {asset: fp.from_decimal(price) for asset, price in demo.demo_prices(today).items()}


def demo_clock(as_of: str | None) -> Callable[[], int]:
    from engine.api import system_clock
    from engine.core.dates import fixed_clock

    return fixed_clock(as_of, DEMO_CONFIG.tax.timezone) if as_of else system_clock


def run_demo(args: argparse.Namespace, out: TextIO) -> int:
    if args.lots < 0:
        from engine.core.errors import InputError

        raise InputError("--lots: must be zero or more")
    if not args.print:
        return run_demo_app(args)
    from engine.reports import ledger_reports as fmt

    with tempfile.TemporaryDirectory(prefix="harvest-demo-") as tmp:
        engine = build_demo_engine(Path(tmp), demo_clock(args.as_of), args.lots)
        try:
            today = date.fromordinal(engine.today())
            print(
                f"harvest demo: a bundled portfolio as of {today.isoformat()} (offline, throwaway store)\n",
                file=out,
            )
            print("Open lots at demo prices", file=out)
            out.write(fmt.lots_table(engine.open_lots(demo_prices(engine)), priced=True))
            rows, _excluded = engine.realized(today.year)
            print(f"\nRealized in {today.year}", file=out)
            out.write(fmt.realized_table(rows))
            print("\nharvest estimates taxes for planning; it is not tax advice.", file=out)
        finally:
            engine.store.close()
    return 0


def run_demo_app(args: argparse.Namespace) -> int:
    """The app on the demo portfolio with a simulated live price feed; nothing outside a
    temporary directory is read or written (the tax profile is saved there too)."""
    from tui.app import HarvestApp
    from tui.feed import DemoFeed
    from tui.session import Session

    with tempfile.TemporaryDirectory(prefix="harvest-demo-") as tmp:
        directory = Path(tmp)
        clock = demo_clock(args.as_of)
        engine = build_demo_engine(directory, clock)
        try:
            feed = DemoFeed(date.fromordinal(engine.today()), clock)
            session = Session(engine, config_path=directory / "demo-config.yaml", export_dir=directory)
            if args.lots:  # imported by the first load, behind the first frame
                session.before_load.append(lambda: import_scaled_lots(engine, args.lots))
            session.set_prices(feed.current(), clock())
            HarvestApp(session, feed).run()
        finally:
            engine.store.close()
    return 0
