"""`harvest 1099da import FILE | add | list | remove ID | reconcile --year Y`: your brokers' Forms
1099-DA in the store (imported, or a paper form's sales typed in), and each reported sale matched to
harvest's (see README: Form 1099-DA)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from engine.core import fixedpoint as fp
from engine.ledger.broker_forms import ENTRY_FIELDS
from tui.cli.context import Subparsers, open_engine, tax_year

if TYPE_CHECKING:
    from engine.api import Engine
    from engine.ledger.broker_forms import FormRow

# `harvest 1099da add`'s options -> the form's fields (engine.ledger.broker_forms.ENTRY_FIELDS)
ADD_OPTIONS = {
    "--account": "account", "--code": "code", "--name": "name", "--asset": "asset", "--units": "units",
    "--acquired": "acquired", "--sold": "sold", "--proceeds": "proceeds", "--basis": "basis",
    "--term": "term", "--basis-reported": "reported", "--customer-info": "customer",
    "--noncovered": "noncovered", "--transferred-in": "moved", "--box": "checkbox",
}  # fmt: skip
FLAGS = ("reported", "customer", "noncovered")


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
    add = actions.add_parser("add", help="enter one sale of a paper Form 1099-DA by hand")
    add.epilog = ("example:\n  harvest 1099da add --account coinbase --name Bitcoin --units 0.1 "
                  "--sold 2026-05-01 --proceeds 9000 --basis 6000 --term long")  # fmt: skip
    for option, field in ADD_OPTIONS.items():
        if field in FLAGS:
            add.add_argument(
                option, action="store_true", dest=field, help=f"box {ENTRY_FIELDS[field]}: checked"
            )
        else:
            add.add_argument(option, dest=field, default="", metavar="TEXT", help=ENTRY_FIELDS[field])
    listed = actions.add_parser("list", help="the sales entered by hand, with their ids")
    listed.add_argument("--year", type=tax_year)
    listed.epilog = "example:\n  harvest 1099da list --year 2026"
    removed = actions.add_parser("remove", help="remove a sale entered by hand (by its id; list shows them)")
    removed.add_argument("entry", type=int, metavar="ID")
    removed.epilog = "example:\n  harvest 1099da remove 12"
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
    if args.action in ("add", "list", "remove"):
        return _hand(engine, args, out)
    from engine.reports.broker_forms import reconcile_year
    from engine.reports.reconcile_output import reconciliation_json, reconciliation_table

    result = reconcile_year(engine, args.year)
    out.write(reconciliation_json(result) if args.format == "json" else reconciliation_table(result))
    return 0


def _hand(engine: Engine, args: argparse.Namespace, out: TextIO) -> int:
    from engine.reports.broker_forms import enter_form_row, hand_entries, remove_entry

    if args.action == "add":
        values = {field: "x" if getattr(args, field) is True else getattr(args, field) or ""
                  for field in ADD_OPTIONS.values()}  # fmt: skip
        if not args.reported:
            del values["reported"]  # not given: basis shown for a covered sale counts as reported
        row = enter_form_row(engine, values)
        out.write(f"entered {hand_line(row)}\n")
        out.write(f"next: harvest 1099da reconcile --year {row.year}\n")
    elif args.action == "remove":
        out.write(f"removed {hand_line(remove_entry(engine, args.entry))}\n")
    else:
        rows = hand_entries(engine, args.year)
        out.write("".join(f"{hand_line(row)}\n" for row in rows) or "no Form 1099-DA sales entered by hand\n")
    return 0


def hand_line(row: FormRow) -> str:
    basis = "no basis" if row.basis is None else f"basis {fp.fmt_cents(row.basis)}"
    sold = date.fromordinal(row.sold).isoformat()
    return (f"{row.entry}: {row.account} {row.asset} sold {sold}: {fp.fmt(row.units, 0)} units, proceeds "
            f"{fp.fmt_cents(row.proceeds)}, {basis}")  # fmt: skip
