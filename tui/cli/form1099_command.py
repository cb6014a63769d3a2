"""`harvest 1099da import FILE | reconcile --year Y`: your brokers' Forms 1099-DA in the store, and
each reported sale matched to harvest's (see README: Form 1099-DA)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from tui.cli.context import Subparsers, open_engine, tax_year


def add_parser(sub: Subparsers) -> None:
    form = sub.add_parser("1099da", help="Form 1099-DA: import a broker's form, reconcile it with your sales")
    actions = form.add_subparsers(dest="action", metavar="ACTION", required=True)
    imported = actions.add_parser(
        "import", help="import a Form 1099-DA CSV (replaces that account's earlier one for the year)"
    )
    imported.epilog = "example:\n  harvest 1099da import coinbase-1099-da-2026.csv --account coinbase"
    imported.add_argument("path", type=Path, metavar="FILE")
    imported.add_argument(
        "--account", help="the harvest account the form is for (when the file has no account column)"
    )
    reconcile = actions.add_parser(
        "reconcile", help="each reported sale matched to harvest's, with the differences"
    )
    reconcile.add_argument("--year", type=tax_year, required=True)
    reconcile.add_argument("--format", choices=("table", "json"), default="table")


def cmd_1099da(args: argparse.Namespace, out: TextIO) -> int:
    engine = open_engine(args)
    if args.action == "import":
        from engine.reports.broker_forms import import_form

        imported = import_form(engine, args.path, args.account)
        out.write(f"{imported.label}: {imported.layout} layout\n")
        for (account, year), count in imported.counts.items():
            again = " (replacing the earlier import)" if (account, year) in imported.replaced else ""
            out.write(f"  {account} {year}: {count} row(s){again}\n")
        out.write(f"next: harvest 1099da reconcile --year {max(year for _, year in imported.counts)}\n")
        return 0
    from engine.reports.broker_forms import reconcile_year
    from engine.reports.reconcile_output import reconciliation_json, reconciliation_table

    result = reconcile_year(engine, args.year)
    out.write(reconciliation_json(result) if args.format == "json" else reconciliation_table(result))
    return 0
