"""`harvest report KIND`: realized gains, open lots, Form 8949, the identification log, the lot
methods compared and the preliminary (fall) report. The engine builds and renders each one;
realized and lots stay off the planner (no polars) so they start fast."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from tui.cli import quick_exit
from tui.cli.context import (
    FORMATS,
    LOT_METHODS,
    Subparsers,
    excluded_lines,
    open_engine,
    open_planner,
    prices_for,
    tax_year,
    warn,
)


def add_parser(sub: Subparsers) -> None:
    report = sub.add_parser("report", help="print a report")
    kinds = report.add_subparsers(dest="report", metavar="REPORT", required=True)

    realized = kinds.add_parser("realized", help="realized gains, one row per sale-lot slice")
    realized.add_argument("--year", type=tax_year, help="tax year (default: all years)")
    realized.add_argument("--method", choices=LOT_METHODS, help="lot method")
    realized.add_argument("--format", choices=FORMATS, default="table")

    lots = kinds.add_parser("lots", help="open lots, with unrealized results given prices")
    lots.add_argument("--prices", type=Path, metavar="FILE", help="CSV asset,price in USD")
    lots.add_argument("--method", choices=LOT_METHODS, help="lot method")
    lots.add_argument("--format", choices=FORMATS, default="table")

    form = kinds.add_parser("8949", help="Form 8949 rows (digital assets), Part I and II, with box totals")
    form.add_argument("--year", type=tax_year, required=True)
    form.add_argument("--format", choices=("table", "csv"), default="table")

    idents = kinds.add_parser(
        "identifications", help="the specific-identification log, with your decisions (harvest review)"
    )
    idents.add_argument("--format", choices=FORMATS, default="table")

    prelim = kinds.add_parser(
        "preliminary", help="the fall report: realized, tax, unrealized, plan, deadline"
    )
    prelim.add_argument("--year", type=tax_year, help="tax year (default: tax.year, else this year)")
    prelim.add_argument("--prices", type=Path, metavar="FILE", help="CSV asset,price (default: last stored)")
    prelim.add_argument("--format", choices=("table", "json", "markdown"), default="table")

    methods = kinds.add_parser("methods", help="realized ST/LT and tax under fifo, lifo and hifo")
    methods.add_argument("--year", type=tax_year, required=True)
    methods.add_argument("--format", choices=("table", "json"), default="table")


def cmd_report_realized(args: argparse.Namespace, out: TextIO) -> int:
    from engine.core.collector import paused_gc

    # no cyclic GC for the whole report: the ledger, lots and rows are millions of acyclic objects,
    # and each collection after the match rescanned them all (3 s of a million-row report). They
    # are freed as _report_realized returns, before the collector is back on, or, in the `harvest`
    # process itself, left to its exit (quick_exit.leave), the store closed first.
    with paused_gc():
        _report_realized(args, out)
    return 0


def _report_realized(args: argparse.Namespace, out: TextIO) -> None:
    from engine.reports import ledger_reports as fmt

    engine = open_engine(args)
    rows, excluded = engine.realized(args.year, args.method)
    warnings = engine.lots(args.method).warnings
    if args.format == "csv":
        fmt.write_realized_csv(rows, out)
    elif args.format == "json":
        out.write(fmt.realized_json(rows, excluded, warnings))
    else:
        out.write(fmt.realized_table(rows))
    warn(excluded_lines(excluded) + warnings, args.format)
    engine.store.close()
    quick_exit.leave(engine)  # in the `harvest` process: not freed as this returns, left to the exit


def cmd_report_lots(args: argparse.Namespace, out: TextIO) -> int:
    from engine.planning.prices import read_prices_file
    from engine.reports import ledger_reports as fmt

    engine = open_engine(args)
    prices = read_prices_file(args.prices) if args.prices else None
    rows = engine.open_lots(prices, args.method)
    priced = prices is not None
    if args.format == "csv":
        out.write(fmt.lots_csv(rows, priced))
    elif args.format == "json":
        out.write(fmt.lots_json(rows, priced, engine.lots(args.method).warnings))
    else:
        out.write(fmt.lots_table(rows, priced))
    return 0


def cmd_report_8949(args: argparse.Namespace, out: TextIO) -> int:
    from engine.reports.broker_forms import form_8949
    from engine.reports.form8949 import form_csv, form_table

    form, excluded = form_8949(open_engine(args), args.year)
    out.write(form_csv(form) if args.format == "csv" else form_table(form))
    if excluded:
        print(
            f"warning: {len(excluded)} sale slice(s) left out (see `harvest report realized --format json`)",
            file=sys.stderr,
        )
    return 0


def cmd_report_identifications(args: argparse.Namespace, out: TextIO) -> int:
    from engine.reports.identifications import (
        identification_log,
        identifications_csv,
        identifications_json,
        identifications_table,
    )

    store = open_engine(args).store
    rows = identification_log(store)
    render = {"json": identifications_json, "csv": identifications_csv}.get(
        args.format, identifications_table
    )
    out.write(render(rows, store.decisions(include_undone=True)))  # with the user's decisions
    return 0


def cmd_report_methods(args: argparse.Namespace, out: TextIO) -> int:
    from engine.reports.methods import compare_methods, methods_json, methods_table

    results = compare_methods(open_planner(args), args.year)
    out.write(methods_json(args.year, results) if args.format == "json" else methods_table(results))
    return 0


def cmd_report_preliminary(args: argparse.Namespace, out: TextIO) -> int:
    from dataclasses import replace

    from engine.planning.planner import Planner
    from engine.reports import preliminary as report

    engine = open_engine(args)
    if args.year:  # the report's year is the tax year everything in it is computed for
        engine.config = replace(engine.config, tax=replace(engine.config.tax, year=args.year))
    planner = Planner(engine)
    prices, stale = prices_for(planner, args.prices)
    data = report.preliminary(planner, prices, stale)
    render = {"json": report.as_json, "markdown": report.as_markdown}.get(args.format, report.as_table)
    out.write(render(data))
    return 0
