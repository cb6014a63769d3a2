"""`harvest tax`, `harvest scan` and `harvest plan`: the year's tax estimate, the harvest
candidates ranked by net savings, and a plan of exact lots to sell (the planner does the work)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from engine.core.errors import InputError
from engine.core.units import Amount
from tui.cli.context import Subparsers, open_planner, prices_for, tax_year


def add_parser(sub: Subparsers) -> None:
    tax = sub.add_parser("tax", help="this year's estimated tax from realized results and the tax profile")
    tax.add_argument("--year", type=tax_year, help="tax year (default: tax.year, else the current year)")
    tax.add_argument("--format", choices=("table", "json"), default="table")

    scan = sub.add_parser("scan", help="harvest candidates ranked by net tax savings")
    scan.add_argument(
        "--prices", type=Path, metavar="FILE", help="CSV asset,price in USD (default: last stored prices)"
    )
    scan.add_argument("--format", choices=("table", "json"), default="table")

    plan = sub.add_parser("plan", help="a harvest plan: exact lots to sell per account, and the rebuys")
    plan.add_argument(
        "--goal", choices=("max_savings", "offset_gains", "target"), help="default: harvest.goal"
    )
    plan.add_argument("--target", metavar="AMOUNT", help="loss to harvest, USD (with --goal target)")
    plan.add_argument("--prices", type=Path, metavar="FILE", help="CSV asset,price in USD")
    plan.add_argument("--format", choices=("table", "json"), default="table")
    plan.add_argument("--save", action="store_true", help="store the plan as the checklist")
    plan.add_argument(
        "--replace",
        action="store_true",
        help="with --save: replace a saved plan even when some of its steps were acted on",
    )


def cmd_tax(args: argparse.Namespace, out: TextIO) -> int:
    import json

    from engine.reports import planning_output as fmt

    summary = open_planner(args).tax_summary(args.year)
    out.write(
        json.dumps(fmt.tax_json(summary), indent=2) + "\n" if args.format == "json" else fmt.tax_text(summary)
    )
    return 0


def cmd_scan(args: argparse.Namespace, out: TextIO) -> int:
    from engine.reports import planning_output as fmt

    planner = open_planner(args)
    prices, stale = prices_for(planner, args.prices)
    candidates, blocked = planner.scan(prices, with_lot_ids=True)
    summary = planner.tax_summary()
    if args.format == "json":
        out.write(fmt.scan_json(summary, candidates, blocked, stale))
        return 0
    out.write(fmt.tax_text(summary) + "\n")
    if stale:
        out.write("Prices are stale: savings are estimates.\n")
    out.write(fmt.candidates_text(candidates, blocked))
    return 0


def cmd_plan(args: argparse.Namespace, out: TextIO) -> int:
    from engine.planning.checklist import Checklist
    from engine.reports import planning_output as fmt

    planner = open_planner(args)
    target = _target(args.target)
    prices, _stale = prices_for(planner, args.prices)
    plan = planner.plan(prices, args.goal, target)
    out.write(fmt.plan_json(plan) if args.format == "json" else fmt.plan_text(plan))
    if args.save:
        if not plan.steps:
            raise InputError("the plan has no steps; nothing saved")
        engine = planner.engine
        Checklist(engine.store.conn).save(
            plan,
            engine.tax_year(),
            engine.clock(),
            engine.config.harvest.rebuy_wait_hours,
            replace=args.replace,
        )
        if args.format != "json":
            out.write("Saved as the checklist (`harvest checklist`).\n")
    return 0


def _target(text: str | None) -> Amount | None:
    """`--target AMOUNT`: a positive USD amount, fixed-point."""
    from engine.core import fixedpoint as fp

    if text is None:
        return None
    try:
        target = fp.parse(text)
    except fp.FixedPointError as exc:
        raise InputError(f"--target: {exc}") from None
    if target <= 0:
        raise InputError("--target: must be a positive amount")
    return target
