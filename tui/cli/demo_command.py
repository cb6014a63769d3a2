"""`harvest demo`: the bundled demo portfolio in a throwaway store, offline and keyless."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from engine.core.errors import ConfigError, InputError
from tui.cli.context import Subparsers
from tui.cli.progress import ProgressLines
from tui.cli.throwaway import throwaway_directory

if TYPE_CHECKING:
    from engine.config.load import UiConfig
    from tui.app import HarvestApp


def add_parser(sub: Subparsers) -> None:
    demo = sub.add_parser("demo", help="the app on a bundled demo portfolio (offline)")
    demo.add_argument("--lots", type=int, default=0, metavar="N", help="add N synthetic open lots")
    demo.add_argument(
        "--print", action="store_true", help="print the demo's reports instead of opening the app"
    )


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    if args.lots < 0:
        raise InputError("--lots: must be zero or more")
    if not args.print:
        return run_demo_app(args)
    from engine.demo.setup import build_demo_engine, demo_clock, demo_prices
    from engine.reports import ledger_reports as fmt

    with throwaway_directory("harvest-demo-") as directory:
        lines = ProgressLines(sys.stderr)
        progress = (lambda done, total: lines.update("demo", done, total, "lots")) if args.lots else None
        engine = build_demo_engine(directory, demo_clock(args.as_of), args.lots, progress)
        lines.finish()
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
    """The app on the demo portfolio with a simulated live price feed. Its store lives in a
    throwaway directory (removed on exit, a hang-up included); an export the user asks for is
    written to the current directory, so it outlives the demo."""
    with throwaway_directory("harvest-demo-") as directory:
        app = demo_app(directory, args)
        try:
            app.run()
        finally:
            app.session.engine.store.close()
    return 0


def demo_app(directory: Path, args: argparse.Namespace) -> HarvestApp:
    from engine.demo.setup import build_demo_engine, demo_clock, import_scaled_lots
    from tui.app import HarvestApp
    from tui.feed import DemoFeed
    from tui.session import Progress, Session

    clock = demo_clock(args.as_of)
    engine = build_demo_engine(directory, clock)
    engine.config = replace(engine.config, ui=user_ui(args))  # the user's theme and keys
    feed = DemoFeed(date.fromordinal(engine.today()), clock)
    # no config file: the tax profile applies in memory only; exports go where the user is
    session = Session(engine, config_path=None, export_dir=Path.cwd())
    if args.lots:  # imported by the first load, behind the first frame, saying how far it got

        def import_lots(say: Progress) -> None:
            import_scaled_lots(
                engine, args.lots, lambda done, total: say(f"demo: imported {done:,} of {total:,} lots")
            )

        session.before_load.append(import_lots)
    session.set_prices(feed.current(), clock())
    return HarvestApp(session, feed)


def user_ui(args: argparse.Namespace) -> UiConfig:
    """The `ui` section of the user's config (`--config`, $HARVEST_CONFIG or the default file);
    the defaults, said on stderr, when it cannot be read: the demo runs anyway."""
    from engine.config.load import UiConfig, load_config

    try:
        return load_config(args.config).ui
    except ConfigError as exc:
        print(f"harvest demo: using the default theme and keys: {exc}", file=sys.stderr)
        return UiConfig()
