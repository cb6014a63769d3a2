"""`harvest prices fill|list`: USD prices for records imported or synced without one, from a
historical prices file and exchange candles (engine.exchanges.price_fill), and where each
filled value came from. `fill_after` runs the same fill at the end of `harvest import` and
`harvest sync`. ccxt is loaded only when exchanges are to be asked."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tui.cli.context import Subparsers, open_engine

if TYPE_CHECKING:
    from engine.api import Engine
    from engine.exchanges.price_fill import FillReport

NO_SOURCE_HINT = (
    " (prices.history_sources is empty: set it to look them up in exchange candles, or give a file)"
)


def add_parser(sub: Subparsers) -> None:
    prices = sub.add_parser("prices", help="USD prices for records without one: fill them in, list them")
    actions = prices.add_subparsers(dest="prices_action", metavar="ACTION", required=True)
    fill = actions.add_parser(
        "fill",
        help="price records without a USD value from a prices file and exchange candles; exit 0 even "
        "with values left missing (listed), 1 when an exchange failed",
    )
    fill.add_argument(
        "--file",
        type=Path,
        metavar="FILE",
        help="CSV asset,timestamp,price (USD): wins over candles (default: prices.history_file)",
    )
    fill.add_argument("--offline", action="store_true", help="ask no exchange: the file only")
    fill.add_argument("--retry", action="store_true", help="ask the exchanges again where they had no price")
    fill.add_argument("--format", choices=("table", "json"), default="table")
    listing = actions.add_parser("list", help="every filled price, with its record, source and interval")
    listing.add_argument("--format", choices=("table", "csv", "json"), default="table")


def cmd_prices(args: argparse.Namespace, out: TextIO) -> int:
    engine = open_engine(args)
    if args.prices_action == "list":
        from engine.reports import price_fill_output as render

        fills = engine.store.listed_fills()
        rendered = {"csv": render.fills_csv, "json": render.fills_json}.get(args.format, render.fills_table)
        out.write(rendered(fills))
        return 0
    from engine.reports.price_fill_output import fill_json, fill_text

    report = run_fill(engine, args.file, offline=args.offline, retry=args.retry)
    out.write(fill_json(report) if args.format == "json" else fill_text(report))
    return _failures(report)


def run_fill(engine: Engine, file: Path | None, *, offline: bool = False, retry: bool = False) -> FillReport:
    from engine.exchanges.price_fill import fill_configured

    report = fill_configured(
        engine.store,
        engine.config,
        engine.clock,
        engine.calendar.day,
        file,
        offline=offline,
        retry_missing=retry,
    )
    if report.filled_count:
        engine.invalidate()
    return report


def fill_after(engine: Engine, out: TextIO) -> int:
    """After an import or a sync: fill what needs a price with the configured file and exchanges
    (with neither, only count it); what was filled on `out`, what still needs a price as a
    warning; 1 when an exchange failed."""
    prices = engine.config.prices
    failed = 0
    if prices.history_sources or prices.history_file:
        from engine.reports.price_fill_output import filled_words

        report = run_fill(engine, None)
        if report.filled_count:
            out.write(f"prices: filled {filled_words(report)}\n")
        failed = _failures(report)
    left = engine.store.flagged_count()
    if left:
        hint = "" if prices.history_sources or prices.history_file else NO_SOURCE_HINT
        print(
            f"warning: {left} record(s) still need a USD price, left out of results: "
            f"run `harvest prices fill`{hint}",
            file=sys.stderr,
        )
    return failed


def _failures(report: FillReport) -> int:
    """Each failed exchange on one line (stderr); 1 if any."""
    for source, reason in sorted(report.failures.items()):
        print(
            f"harvest: prices: {source}: {reason} (its records left unpriced; the rest filled)",
            file=sys.stderr,
        )
    return 1 if report.failures else 0
