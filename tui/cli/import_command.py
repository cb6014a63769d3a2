"""`harvest import`: a CSV ledger into the store, all or nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from tui.cli.context import Subparsers, open_engine


def add_parser(sub: Subparsers) -> None:
    imp = sub.add_parser("import", help="import a CSV ledger (all or nothing)")
    imp.add_argument("path", type=Path, help="CSV file")
    imp.add_argument("--account", help="account for rows without an account column")


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    from engine.planning.checklist import reconcile_checklist

    engine = open_engine(args)
    summary = engine.import_csv(args.path, args.account)
    print(
        f"imported {summary.added} new event(s) from {args.path} ({summary.duplicates} already in the store)",
        file=out,
    )
    if summary.conflicts:
        ids = ", ".join(key.rsplit("|", 1)[-1] for key in summary.conflicts[:10])
        more = f" and {len(summary.conflicts) - 10} more" if len(summary.conflicts) > 10 else ""
        print(f"warning: {len(summary.conflicts)} row(s) reuse a trade id the store holds with other values "
              f"(kept as stored; check the source): {ids}{more}", file=sys.stderr)  # fmt: skip
    for change in reconcile_checklist(engine) if summary.added else ():
        print(f"checklist: {change}", file=out)
    return 0
