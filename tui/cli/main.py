"""The `harvest` command line. Kept light: the import and report paths load neither textual
nor ccxt, so `harvest import` and `harvest report` start fast."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from engine.core.errors import CsvImportError, HarvestError

FORMATS = ("table", "csv", "json")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harvest",
        description="Crypto tax-loss harvesting in the terminal. Estimates for planning; not tax advice.",
    )
    parser.add_argument(
        "--config", metavar="PATH", help="config file (else $HARVEST_CONFIG, else the user config dir)"
    )
    parser.add_argument("--as-of", metavar="DATE", help="treat DATE (YYYY-MM-DD, tax time zone) as today")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    imp = sub.add_parser("import", help="import a CSV ledger (all or nothing)")
    imp.add_argument("path", type=Path, help="CSV file")
    imp.add_argument("--account", help="account for rows without an account column")

    report = sub.add_parser("report", help="print a report")
    kinds = report.add_subparsers(dest="report", metavar="REPORT", required=True)
    realized = kinds.add_parser("realized", help="realized gains, one row per sale-lot slice")
    realized.add_argument("--year", type=int, help="tax year (default: all years)")
    realized.add_argument("--method", choices=("fifo", "lifo", "hifo", "specific"), help="lot method")
    realized.add_argument("--format", choices=FORMATS, default="table")
    lots = kinds.add_parser("lots", help="open lots, with unrealized results given prices")
    lots.add_argument("--prices", type=Path, metavar="FILE", help="CSV asset,price in USD")
    lots.add_argument("--method", choices=("fifo", "lifo", "hifo", "specific"), help="lot method")
    lots.add_argument("--format", choices=FORMATS, default="table")

    from tui.cli.planning_commands import add_commands, add_sync_command, add_watch_command

    add_commands(sub)
    add_sync_command(sub)
    add_watch_command(sub)

    from tui.cli.planning_commands import add_report_commands

    add_report_commands(kinds)

    demo = sub.add_parser("demo", help="the app on a bundled demo portfolio (offline)")
    demo.add_argument("--lots", type=int, default=0, metavar="N", help="add N synthetic open lots")
    demo.add_argument(
        "--print", action="store_true", help="print the demo's reports instead of opening the app"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = run(args, parser, sys.stdout)
    except CsvImportError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"harvest: {exc.path}: nothing imported ({len(exc.problems)} problem(s))", file=sys.stderr)
        code = exc.exit_code
    except HarvestError as exc:
        print(f"harvest: {exc}", file=sys.stderr)
        code = exc.exit_code
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:
        # e.g. `harvest report realized | head`: not an error worth a traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 0
    return code


def run(args: argparse.Namespace, parser: argparse.ArgumentParser, out: TextIO) -> int:
    handlers: dict[str | None, Callable[[argparse.Namespace, TextIO], int]] = {
        "import": cmd_import,
        "report": cmd_report,
        "demo": cmd_demo,
        "tax": _lazy("cmd_tax"),
        "scan": _lazy("cmd_scan"),
        "plan": _lazy("cmd_plan"),
        "checklist": _lazy("cmd_checklist"),
        "sync": _lazy("cmd_sync"),
        "watch": _lazy("cmd_watch"),
    }
    handler = handlers.get(args.command)
    if handler is None:
        return cmd_app(args, out)
    return handler(args, out)


def _lazy(name: str) -> Callable[[argparse.Namespace, TextIO], int]:
    def handler(args: argparse.Namespace, out: TextIO) -> int:
        from tui.cli import planning_commands as cli_harvest

        result: int = getattr(cli_harvest, name)(args, out)
        return result

    return handler


def clock_for(args: argparse.Namespace) -> Callable[[], int]:
    from engine.api import system_clock

    if not args.as_of:
        return system_clock
    from engine.config.load import load_config
    from engine.core.dates import fixed_clock
    from engine.core.errors import InputError

    try:
        return fixed_clock(args.as_of, load_config(args.config).tax.timezone)
    except ValueError as exc:
        raise InputError(f"--as-of: {exc}") from None


def open_engine(args: argparse.Namespace, store_path: Path | None = None):  # type: ignore[no-untyped-def]
    from engine.api import Engine
    from engine.config.load import load_config
    from engine.store.store import open_store

    config = load_config(args.config)
    return Engine(config, open_store(store_path), clock_for(args))


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    from engine.planning.checklist import reconcile_checklist

    engine = open_engine(args)
    summary = engine.import_csv(args.path, args.account)
    print(
        f"imported {summary.added} new event(s) from {args.path} ({summary.duplicates} already in the store)",
        file=out,
    )
    for change in reconcile_checklist(engine) if summary.added else ():
        print(f"checklist: {change}", file=out)
    return 0


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    from engine.reports import ledger_reports as fmt

    if args.report in ("8949", "identifications", "methods", "preliminary"):
        from tui.cli import planning_commands as cli_harvest

        handler: Callable[[argparse.Namespace, TextIO], int] = getattr(
            cli_harvest, f"cmd_report_{args.report}"
        )
        return handler(args, out)

    engine = open_engine(args)
    if args.report == "realized":
        rows, excluded = engine.realized(args.year, args.method)
        warnings = engine.lots(args.method).warnings
        if args.format == "csv":
            out.write(fmt.realized_csv(rows))
        elif args.format == "json":
            out.write(fmt.realized_json(rows, excluded, warnings))
        else:
            out.write(fmt.realized_table(rows))
        _warn(excluded_lines(excluded) + warnings, args.format)
        return 0
    prices = None
    if args.prices:
        from engine.planning.prices import read_prices_file

        prices = read_prices_file(args.prices)
    rows_lots = engine.open_lots(prices, args.method)
    priced = prices is not None
    if args.format == "csv":
        out.write(fmt.lots_csv(rows_lots, priced))
    elif args.format == "json":
        out.write(fmt.lots_json(rows_lots, priced, engine.lots(args.method).warnings))
    else:
        out.write(fmt.lots_table(rows_lots, priced))
    return 0


def excluded_lines(excluded: Sequence[object]) -> list[str]:
    return [
        f"left out: {e.sale_id} {e.account} {e.asset}: {e.problem}"  # type: ignore[attr-defined]
        for e in excluded
    ]


def _warn(lines: Sequence[str], fmt: str, limit: int = 20) -> None:
    if fmt == "json" or not lines:
        return
    for line in lines[:limit]:
        print(f"warning: {line}", file=sys.stderr)
    if len(lines) > limit:
        print(f"warning: … and {len(lines) - limit} more (see --format json)", file=sys.stderr)


def cmd_app(args: argparse.Namespace, out: TextIO) -> int:
    """`harvest` alone: the app on the user's own store and config."""
    from engine.config.load import load_config, resolve_config_path
    from tui.app import HarvestApp
    from tui.feed import StoredFeed
    from tui.session import Session

    config = load_config(args.config)
    engine = open_engine(args)
    session = Session(engine, config_path=config.path or resolve_config_path(args.config)[0])
    feed = live_feed(session) or StoredFeed(session.stored_prices, interval=float(config.prices.poll_seconds))
    try:
        HarvestApp(session, feed).run()
    finally:
        stop = getattr(feed, "live", None)
        if stop is not None:
            stop.stop()
    return 0


def live_feed(session):  # type: ignore[no-untyped-def]
    """Stream prices from the configured exchanges, when there are any."""
    config = session.config
    if not config.accounts:
        return None
    from engine.exchanges.ccxt_adapter import open_client
    from engine.exchanges.live_prices import LivePrices
    from tui.feed import LiveFeed

    def assets() -> set[str]:
        with session.lock:  # the engine is shared with the app's workers
            return {lot.asset for lot in session.engine.lots().open_lots}

    live = LivePrices(config, assets, open_client)
    live.start()
    return LiveFeed(live, session.save_prices)


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from tui.cli.demo_command import run_demo

    return run_demo(args, out)


if __name__ == "__main__":
    sys.exit(main())
