"""`harvest import --opening-lots FILE`: start an account from the lots it held on a date (another
tool's holdings export) instead of its full history. The file is read whole before anything is
written; history the store already holds for the account before that date is pointed out (the
opening lots are the holdings on that date: that history would count twice)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING, TextIO

from engine.core.errors import InputError
from tui.cli.context import open_engine

if TYPE_CHECKING:
    from engine.api import Engine
    from engine.imports.opening_lots import OpeningLots


def import_opening_lots(args: argparse.Namespace, out: TextIO) -> int:
    from engine.imports.opening_lots import SOURCE, read_opening_lots

    if args.paths or args.import_format or args.mapping:
        raise InputError("import: --opening-lots FILE is read alone (no other files, --format or --map)")
    as_of = None
    if args.lots_as_of:
        try:
            as_of = date.fromisoformat(args.lots_as_of)
        except ValueError:
            raise InputError(f"--lots-as-of: expected a date YYYY-MM-DD, got {args.lots_as_of!r}") from None
    engine = open_engine(args)
    lots = read_opening_lots(args.opening_lots, engine.calendar.zone, args.account, as_of)
    dates = ", ".join(f"{name} as of {day.isoformat()}" for name, day in sorted(lots.as_of.items()))
    print(f"{lots.label}: opening lots, {len(lots.events)} lot(s): {dates}", file=out)
    if args.dry_run:
        print("dry run: nothing written", file=out)
        return 0
    from engine.store.store import keys_of

    summary = engine.store.import_events(keys_of(lots.events), f"{SOURCE}:{args.opening_lots.name}",
                                         engine.usd_assets)  # fmt: skip
    engine.invalidate()
    print(f"imported {summary.added} new lot(s) ({summary.duplicates} already in the store)", file=out)
    if summary.conflicts:
        ids = ", ".join(key.rsplit("|", 1)[-1] for key in summary.conflicts[:10])
        print(f"warning: {len(summary.conflicts)} lot id(s) already name other records in the store (kept as "
              f"stored): {ids}", file=sys.stderr)  # fmt: skip
    for line in _history_before(engine, lots):
        print(f"warning: {line}", file=sys.stderr)
    return 0


def _history_before(engine: Engine, lots: OpeningLots) -> list[str]:
    """Accounts whose stored history reaches before their as-of date, besides opening lots."""
    from engine.imports.opening_lots import midnight_after

    opening = {(event.account, event.trade_id) for event in lots.events}
    ends = {name: midnight_after(day, engine.calendar.zone) for name, day in lots.as_of.items()}
    counts: dict[str, int] = {}
    ledger = engine.store.ledger()
    for leg in ledger.legs:
        account = ledger.pools[leg[0]][0]
        end = ends.get(account)
        if end is not None and leg[2] < end and (account, leg[5]) not in opening:
            counts[account] = counts.get(account, 0) + 1
    return [
        f"{name}: the store holds {count} other record(s) before {lots.as_of[name].isoformat()}; opening lots are "
        "the holdings on that date, so that history counts twice (import one or the other)"
        for name, count in sorted(counts.items())
    ]
