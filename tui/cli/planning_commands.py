"""CLI handlers for `harvest tax`, `scan`, `plan` and `checklist` (the engine does the work)."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path
from typing import TextIO

from engine.core.errors import InputError


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tax = sub.add_parser("tax", help="this year's estimated tax from realized results and the tax profile")
    tax.add_argument("--year", type=int, help="tax year (default: tax.year, else the current year)")
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

    checklist = sub.add_parser(
        "checklist", help="the saved plan's steps: show, advance, skip, cancel, export"
    )
    actions = checklist.add_subparsers(dest="action", metavar="ACTION")
    show = actions.add_parser("show", help="list the steps (default)")
    show.add_argument("--format", choices=("table", "json"), default="table")
    advance = actions.add_parser("advance", help="move a step to its next state")
    advance.add_argument("step", type=int)
    for name in ("skip", "cancel"):
        act = actions.add_parser(name, help=f"{name} a step, with a reason")
        act.add_argument("step", type=int)
        act.add_argument("--reason", required=True)
    export = actions.add_parser("export", help="write the checklist as CSV")
    export.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")


def _planner(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from engine.planning.planner import Planner
    from tui.cli.main import open_engine

    return Planner(open_engine(args))


def _prices(planner, path: Path | None) -> tuple[dict[str, int], bool]:  # type: ignore[no-untyped-def]
    """Prices from a file, else the store's last prices; and whether they are stale."""
    from engine.planning.prices import prices_stale, read_prices_file

    if path is not None:
        return read_prices_file(path), False
    prices, oldest = planner.engine.store.last_prices()
    if not prices:
        raise InputError("no prices: pass --prices FILE (CSV asset,price) or run `harvest sync`")
    return prices, prices_stale(
        oldest, planner.engine.clock(), planner.engine.config.prices.stale_after_seconds
    )


def cmd_tax(args: argparse.Namespace, out: TextIO) -> int:
    from engine.reports import planning_output as fmt

    summary = _planner(args).tax_summary(args.year)
    out.write(
        json.dumps(fmt.tax_json(summary), indent=2) + "\n" if args.format == "json" else fmt.tax_text(summary)
    )
    return 0


def cmd_scan(args: argparse.Namespace, out: TextIO) -> int:
    from engine.reports import planning_output as fmt

    planner = _planner(args)
    prices, stale = _prices(planner, args.prices)
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
    from engine.core import fixedpoint as fp
    from engine.planning.checklist import Checklist
    from engine.reports import planning_output as fmt

    planner = _planner(args)
    target = None
    if args.target is not None:
        try:
            target = fp.parse(args.target)
        except fp.FixedPointError as exc:
            raise InputError(f"--target: {exc}") from None
        if target <= 0:
            raise InputError("--target: must be a positive amount")
    prices, _stale = _prices(planner, args.prices)
    plan = planner.plan(prices, args.goal, target)
    out.write(fmt.plan_json(plan) if args.format == "json" else fmt.plan_text(plan))
    if args.save:
        if not plan.steps:
            raise InputError("the plan has no steps; nothing saved")
        engine = planner.engine
        Checklist(engine.store.conn).save(
            plan, engine.tax_year(), engine.clock(), engine.config.harvest.rebuy_wait_hours
        )
        if args.format != "json":
            out.write("Saved as the checklist (`harvest checklist`).\n")
    return 0


def cmd_checklist(args: argparse.Namespace, out: TextIO) -> int:
    from engine.planning.checklist import Checklist
    from engine.reports import planning_output as fmt
    from tui.cli.main import open_engine

    engine = open_engine(args)
    checklist = Checklist(engine.store.conn)
    now = engine.clock()
    action = args.action or "show"
    if action == "advance":
        step = checklist.advance(args.step, now)
        out.write(f"step {step.number}: {step.state}\n")
    elif action in ("skip", "cancel"):
        step = checklist.skip(args.step, args.reason, now, cancel=action == "cancel")
        out.write(f"step {step.number}: {step.state} ({step.reason})\n")
    elif action == "export":
        steps = checklist.steps()
        text = fmt.checklist_csv(steps, now)
        if args.output:
            from engine.core.files import write_private

            write_private(args.output, text)
            out.write(f"wrote {len(steps)} step(s) to {args.output}\n")
        else:
            out.write(text)
    elif getattr(args, "format", "table") == "json":
        out.write(json.dumps(fmt.checklist_rows(checklist.steps(), now), indent=2) + "\n")
    else:
        out.write(fmt.checklist_text(checklist.steps(), now))
    return 0


def add_sync_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync = sub.add_parser("sync", help="fetch balances, trades and transfers from the configured exchanges")
    sync.add_argument("--account", help="only this account")


def cmd_sync(args: argparse.Namespace, out: TextIO) -> int:
    import sys

    from engine.exchanges.sync import sync_accounts
    from tui.cli.main import open_engine
    from tui.cli.progress import ProgressLines

    engine = open_engine(args)
    bars = ProgressLines(sys.stderr)
    reports = sync_accounts(engine.config, engine.store, args.account, bars.update)
    bars.finish()
    failed = 0
    for report in reports:
        if report.ok:
            out.write(f"{report.account}: {report.added} new record(s) of {report.fetched} fetched\n")
        else:
            failed += 1
            out.write(f"{report.account}: FAILED: {report.error} (kept what was fetched)\n")
        for reason in report.rejected[:10]:
            out.write(f"  rejected: {reason}\n")
        if len(report.rejected) > 10:
            out.write(f"  … and {len(report.rejected) - 10} more rejected\n")
        from engine.core import fixedpoint as fp

        for asset, ledger, exchange in report.mismatches:
            out.write(
                f"  {asset}: the exchange reports {fp.fmt(exchange, 0)}, the ledger has {fp.fmt(ledger, 0)} "
                f"(missing history: {fp.fmt(exchange - ledger, 0)})\n"
            )
    from engine.planning.checklist import reconcile_checklist

    engine.invalidate()
    for change in reconcile_checklist(engine):
        out.write(f"checklist: {change}\n")
    return 1 if failed else 0


def add_report_commands(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    form = kinds.add_parser("8949", help="Form 8949 rows (digital assets), Part I and II, with box totals")
    form.add_argument("--year", type=int, required=True)
    form.add_argument("--format", choices=("table", "csv"), default="table")
    idents = kinds.add_parser("identifications", help="the specific-identification log")
    idents.add_argument("--format", choices=("table", "csv", "json"), default="table")
    prelim = kinds.add_parser(
        "preliminary", help="the fall report: realized, tax, unrealized, plan, deadline"
    )
    prelim.add_argument("--year", type=int, help="tax year (default: tax.year, else this year)")
    prelim.add_argument("--prices", type=Path, metavar="FILE", help="CSV asset,price (default: last stored)")
    prelim.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    methods = kinds.add_parser("methods", help="realized ST/LT and tax under fifo, lifo and hifo")
    methods.add_argument("--year", type=int, required=True)
    methods.add_argument("--format", choices=("table", "json"), default="table")


def cmd_report_8949(args: argparse.Namespace, out: TextIO) -> int:
    from engine.core import fixedpoint as fp
    from engine.reports.form8949 import COLUMNS, form_rows, totals
    from engine.reports.ledger_reports import table
    from tui.cli.main import open_engine

    engine = open_engine(args)
    rows, excluded = engine.realized(args.year)
    boxes = {a.name: a.form_8949_box for a in engine.config.accounts}
    form = form_rows(rows, boxes, engine.store.chain_ids())
    sums = totals(form)
    if args.format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(item.cells() for item in form)
        out.write(buffer.getvalue())
    else:
        for part, title in (("I", "Part I — short-term"), ("II", "Part II — long-term")):
            records = [item.cells()[1:10] for item in form if item.part == part]
            out.write(f"{title}\n")
            out.write(table(COLUMNS[1:10], records, right={4, 5, 8}) if records else "  (none)\n")
            out.write("\n")
        out.write("Totals to carry to Schedule D\n")
        out.write(table(("part", "box", "proceeds", "cost_basis", "gain"),
                        [[p, b, fp.fmt_cents(x), fp.fmt_cents(y), fp.fmt_cents(z)] for p, b, x, y, z in sums],
                        right={2, 3, 4}))  # fmt: skip
    if excluded:
        import sys

        print(
            f"warning: {len(excluded)} sale slice(s) left out (see `harvest report realized --format json`)",
            file=sys.stderr,
        )
    return 0


def cmd_report_identifications(args: argparse.Namespace, out: TextIO) -> int:
    from engine.reports.identifications import identification_log
    from engine.reports.ledger_reports import table
    from tui.cli.main import open_engine

    engine = open_engine(args)
    rows = identification_log(engine.store)
    columns = ("account", "asset", "sale_id", "lots", "recorded_at", "sold_at", "source", "in_time")
    if args.format == "json":
        out.write(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], indent=2) + "\n")
    elif args.format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        out.write(buffer.getvalue())
    else:
        out.write(table(columns, [[str(c) if c is not None else "" for c in r] for r in rows]))
    return 0


def cmd_report_methods(args: argparse.Namespace, out: TextIO) -> int:
    from engine.core import fixedpoint as fp
    from engine.planning.planner import Planner
    from engine.reports import planning_output as plan_format
    from engine.reports.ledger_reports import table
    from engine.tax.model import compute_tax
    from engine.tax.profile import tax_profile
    from tui.cli.main import open_engine

    planner = Planner(open_engine(args))
    engine = planner.engine
    results = []
    for method in ("fifo", "lifo", "hifo"):
        rows, _ = engine.realized(args.year, method)
        st = sum(r.gain for r in rows if r.term == "short")
        lt = sum(r.gain for r in rows if r.term == "long")
        tax = compute_tax(
            tax_profile(engine.config, args.year), fp.to_decimal(st), fp.to_decimal(lt), planner.params
        )
        results.append((method, st, lt, tax.total_tax))
    if args.format == "json":
        payload = [{"method": m, "short_term": fp.fmt(st), "long_term": fp.fmt(lt), "total_tax": plan_format.money(t)}
                   for m, st, lt, t in results]  # fmt: skip
        out.write(json.dumps({"year": args.year, "methods": payload}, indent=2) + "\n")
    else:
        records = [[m, fp.fmt_cents(st), fp.fmt_cents(lt), plan_format.money(t)] for m, st, lt, t in results]
        out.write(table(("method", "short_term", "long_term", "total_tax"), records, right={1, 2, 3}))
        out.write("Identifications recorded for a sale apply under every method.\n")
    return 0


def add_watch_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    watch = sub.add_parser("watch", help="headless monitor: sync, refresh prices, recompute, alert")
    watch.add_argument("--once", action="store_true", help="run one cycle and exit (for cron and scripts)")
    watch.add_argument(
        "--format", choices=("text", "json"), default="text", help="alerts on stdout as text or JSON lines"
    )
    watch.add_argument(
        "--prices", type=Path, metavar="FILE", help="use these prices (CSV asset,price) instead of live ones"
    )


def cmd_watch(args: argparse.Namespace, out: TextIO) -> int:
    import signal
    import sys
    import threading

    from engine.config.load import data_dir
    from engine.monitor.monitor import Monitor, MonitorLock
    from tui.cli.main import open_engine

    engine = open_engine(args)
    config = engine.config
    home = data_dir()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with MonitorLock(home / "watch.lock"):
        prices_source = _monitor_prices(engine, args.prices)
        sync = None
        if config.accounts and args.prices is None:

            def sync() -> list[str]:
                from engine.exchanges.ccxt_adapter import open_client
                from engine.exchanges.sync import sync_accounts

                def client(account):  # type: ignore[no-untyped-def]
                    # retry waits end at once on SIGTERM: the monitor exits within 2 s
                    return open_client(account, sleep=stop.wait)

                reports = sync_accounts(config, engine.store, client_factory=client)
                return [f"{r.account}: {r.error}" for r in reports if not r.ok]

        monitor = Monitor(engine, prices_source, sync, out=out, text_format=args.format == "text",
                          log_path=home / "watch.log", sleep=stop.wait)  # fmt: skip
        if args.once:
            monitor.cycle()
        else:
            print(f"harvest watch: monitoring {engine.store.path} (ctrl+c to stop)", file=sys.stderr)
            monitor.run(stop, float(config.prices.poll_seconds))
        for problem in monitor.problems:
            print(f"harvest watch: {problem}", file=sys.stderr)
    return 0


def _monitor_prices(engine, path: Path | None):  # type: ignore[no-untyped-def]
    """Latest prices: a file, else the exchanges (saved to the store), else the store's last."""
    if path is not None:
        from engine.planning.prices import read_prices_file

        fixed = read_prices_file(path)
        now = engine.clock()
        return lambda: (fixed, now)
    if not engine.config.accounts:
        return engine.store.last_prices
    from engine.exchanges.ccxt_adapter import open_client
    from engine.exchanges.live_prices import LivePrices

    live = LivePrices(
        engine.config,
        lambda: {lot.asset for lot in engine.lots().open_lots},
        open_client,
        now_ms=lambda: engine.clock() // 1000,
    )

    def latest() -> tuple[dict[str, int], int | None]:
        found = live.poll()
        if found:
            engine.store.save_prices(found, engine.clock(), "live")
        return engine.store.last_prices()  # what we have, stale or not, when an exchange is down

    return latest


def cmd_report_preliminary(args: argparse.Namespace, out: TextIO) -> int:
    from dataclasses import replace

    from engine.planning.planner import Planner
    from engine.reports import preliminary as report
    from tui.cli.main import open_engine

    engine = open_engine(args)
    if args.year:
        engine.config = replace(engine.config, tax=replace(engine.config.tax, year=args.year))
    planner = Planner(engine)
    prices, stale = _prices(planner, args.prices)
    data = report.preliminary(planner, prices, stale)
    render = {"json": report.as_json, "markdown": report.as_markdown}.get(args.format, report.as_table)
    out.write(render(data))
    return 0
