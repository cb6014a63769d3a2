"""`harvest sync`: balances, trades and transfers from the configured exchanges, with a progress
bar per account on stderr and one summary line per account on stdout."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from tui.cli.context import Subparsers, open_engine

if TYPE_CHECKING:
    from engine.exchanges.sync import AccountReport

MAX_REJECTED = 10  # rejected records listed per account; the rest are counted
MAX_MARKETS_SHOWN = 8  # markets named per account; the rest are counted


def add_parser(sub: Subparsers) -> None:
    sync = sub.add_parser("sync", help="fetch balances, trades and transfers from the configured exchanges")
    sync.add_argument("--account", help="only this account")


def cmd_sync(args: argparse.Namespace, out: TextIO) -> int:
    from engine.exchanges.sync import sync_accounts
    from engine.planning.checklist import reconcile_checklist
    from tui.cli.progress import ProgressLines

    engine = open_engine(args)
    bars = ProgressLines(sys.stderr)
    reports = sync_accounts(engine.config, engine.store, args.account, bars.update)
    bars.finish()
    for report in reports:
        out.write(account_lines(report))
    engine.invalidate()
    from tui.cli.prices_command import fill_after

    prices_failed = fill_after(engine, out)
    for change in reconcile_checklist(engine):
        out.write(f"checklist: {change}\n")
    # an account that failed, or whose history could not all be read, is not a clean sync
    return 0 if all(report.complete for report in reports) and not prices_failed else 1


def account_lines(report: AccountReport) -> str:
    """What one account's sync brought: counts or the failure, rejected records, and balances
    the exchange reports that the ledger's history does not explain."""
    from engine.core import fixedpoint as fp

    if report.complete:
        lines = [f"{report.account}: {report.added} new record(s) of {report.fetched} fetched\n"]
    elif report.ok:
        lines = [
            f"{report.account}: INCOMPLETE: {report.added} new record(s) of {report.fetched} fetched; "
            f"{len(report.incomplete)} stream(s) not read\n"
        ]
    else:
        lines = [f"{report.account}: FAILED: {report.error} (kept what was fetched)\n"]
    lines += [f"  not read: {why}\n" for why in report.incomplete]
    if report.markets_scanned:
        shown = ", ".join(report.markets_scanned[:MAX_MARKETS_SHOWN])
        more = len(report.markets_scanned) - MAX_MARKETS_SHOWN
        lines.append(
            f"  trades read from {len(report.markets_scanned)} market(s): {shown}"
            + (f" … and {more} more" if more > 0 else "")
            + "\n"
        )
    if report.price_error:
        lines.append(f"  current prices not stored: {report.price_error}\n")
    if report.from_files:
        lines.append(f"  {report.from_files} already imported from a file (the same records: kept once)\n")
    if report.overlaps:
        lines.append(overlap_line(report))
    if report.pending:
        lines.append(f"  {report.pending} transfer(s) still pending: read again by the next sync\n")
    lines += [f"  rejected: {reason}\n" for reason in report.rejected[:MAX_REJECTED]]
    if len(report.rejected) > MAX_REJECTED:
        lines.append(f"  … and {len(report.rejected) - MAX_REJECTED} more rejected\n")
    for asset, ledger, exchange in report.mismatches:
        lines.append(
            f"  {asset}: the exchange reports {fp.fmt(exchange, 0)}, the ledger has {fp.fmt(ledger, 0)} "
            f"(missing history: {fp.fmt(exchange - ledger, 0)})\n"
        )
    return "".join(lines)


def overlap_line(report: AccountReport) -> str:
    """Synced fills kept near trades imported from a file that match none of them."""
    from engine.ledger.cross_source import dates_text

    rows = sum(o.rows for o in report.overlaps)
    dates = dates_text(min(o.first for o in report.overlaps), max(o.last for o in report.overlaps))
    return (f"  warning: {rows} fill(s) overlap trades imported from a file {dates} and match none of them: "
            "kept (see README: Files and sync together)\n")  # fmt: skip
