"""`harvest assets`: one canonical asset per coin — the built-in table, the user's aliases and
migrations (list, alias, migrate, undo) and suggestions. Each alias or migration is a decision
kept in the store with its time and reason (engine.ledger.decisions), applied as the ledger
loads, and undone by marking it."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from engine.core.errors import InputError
from engine.ledger.identity_decisions import REF_HELP
from tui.cli.context import Subparsers, open_engine

if TYPE_CHECKING:
    from engine.api import Engine
    from engine.ledger.identity_decisions import Proposed


def add_parser(sub: Subparsers) -> None:
    assets = sub.add_parser(
        "assets", help="asset identity: the canonical table, your aliases and migrations (MATIC -> POL)"
    )
    actions = assets.add_subparsers(dest="action", metavar="ACTION")
    # each action's own example (set here: `list` and `undo` are common names in main.EXAMPLES)
    show = actions.add_parser(
        "list",
        help="the canonical table, your aliases and migrations (default)",
        epilog="example:\n  harvest assets list --suggest",
    )
    show.add_argument(
        "--suggest", action="store_true", help="also assets the ledger holds that look like another"
    )
    show.add_argument("--all", action="store_true", help="also the decisions undone")
    show.add_argument("--format", choices=("table", "json"), default="table")
    alias = actions.add_parser(
        "alias",
        help="read a source's asset code as another asset (XDG as DOGE)",
        epilog='example:\n  harvest assets alias XDG DOGE --reason "Kraken\'s code for DOGE"',
    )
    alias.add_argument("code", help="the code as a source wrote it")
    alias.add_argument("asset", help="the asset it is")
    alias.add_argument("--reason", default="", help="why (kept with the decision)")
    migrate = actions.add_parser(
        "migrate",
        help="OLD became NEW (MATIC -> POL): non-taxable, basis and dates carried",
        epilog="example:\n  harvest assets migrate MATIC POL --ratio 1 --at 2024-09-04\n"
        "  harvest assets migrate MATIC POL --out T123 --in T124\n"
        "  harvest assets migrate MATIC POL --convert T125",
    )
    migrate.add_argument("old")
    migrate.add_argument("new")
    migrate.add_argument("--ratio", help="new units per old unit (1 for MATIC -> POL, 0.01 for LEND -> AAVE)")
    migrate.add_argument(
        "--at",
        metavar="WHEN",
        help="when: YYYY-MM-DD (its midnight, tax time zone) or an ISO time with a zone",
    )
    migrate.add_argument(
        "--account",
        action="append",
        default=[],
        help="only this account (repeatable; default: every account)",
    )
    migrate.add_argument(
        "--out", dest="out_ref", metavar="REF", help=f"the OLD sale or withdrawal: {REF_HELP}"
    )
    migrate.add_argument("--in", dest="in_ref", metavar="REF", help=f"the NEW buy or deposit: {REF_HELP}")
    migrate.add_argument(
        "--convert",
        dest="convert_ref",
        metavar="REF",
        help=f"one record: OLD sold for NEW, or NEW bought with OLD: {REF_HELP}",
    )
    migrate.add_argument("--reason", default="", help="why (kept with the decision)")
    undo = actions.add_parser(
        "undo",
        help="undo an alias or a migration by its id (kept, marked undone)",
        epilog="example:\n  harvest assets undo 3",
    )
    undo.add_argument("id", type=int)


def cmd_assets(args: argparse.Namespace, out: TextIO) -> int:
    engine = open_engine(args)
    action = args.action or "list"
    if action == "alias":
        return _alias(engine, args, out)
    if action == "migrate":
        return _migrate(engine, args, out)
    if action == "undo":
        return _undo(engine, args.id, out)
    return _list(engine, args, out)


def _list(engine: Engine, args: argparse.Namespace, out: TextIO) -> int:
    import json

    from engine.ledger.asset_suggestions import suggested_aliases
    from engine.ledger.decisions import ALIAS, MIGRATION
    from engine.reports.identity_report import identity_rows, identity_text

    store = engine.store
    decisions = [
        d for d in store.decisions(include_undone=getattr(args, "all", False)) if d.kind in (ALIAS, MIGRATION)
    ]
    identity = store.asset_identity()
    suggestions = suggested_aliases(store.ledger(), identity) if getattr(args, "suggest", False) else None
    rows = identity_rows(decisions, identity, suggestions)
    if getattr(args, "format", "table") == "json":
        out.write(json.dumps(rows, indent=2) + "\n")
    else:
        out.write(identity_text(rows, engine.calendar.zone))
    return 0


def _alias(engine: Engine, args: argparse.Namespace, out: TextIO) -> int:
    from engine.ledger import identity_decisions
    from engine.ledger.decisions import ALIAS

    store = engine.store
    try:
        proposed = identity_decisions.alias(
            args.code, args.asset, store.asset_identity(), store.pool_assets()
        )
    except ValueError as exc:
        raise InputError(str(exc)) from None
    decision_id = store.record_decision(ALIAS, proposed.subject, proposed.detail, args.reason, engine.clock())
    out.write(f"decision {decision_id}: {proposed.subject} is read as {proposed.detail['asset']}\n")
    return _notes(proposed.notes, decision_id, out)


def _migrate(engine: Engine, args: argparse.Namespace, out: TextIO) -> int:
    from engine.ledger.decisions import MIGRATION

    try:
        proposed, what = _migration(engine, args)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    decision_id = engine.store.record_decision(
        MIGRATION, proposed.subject, proposed.detail, args.reason, engine.clock()
    )
    old, _, new = proposed.subject.partition(">")
    out.write(f"decision {decision_id}: {old} -> {new}: {what}\n")
    return _notes(proposed.notes, decision_id, out)


def _migration(engine: Engine, args: argparse.Namespace) -> tuple[Proposed, str]:
    from engine.review.migration_proposal import propose_migration

    return propose_migration(
        engine, args.old, args.new, ratio=args.ratio, at=args.at, accounts=args.account or (),
        out_ref=args.out_ref, in_ref=args.in_ref, convert_ref=args.convert_ref,
    )  # fmt: skip


def _undo(engine: Engine, decision_id: int, out: TextIO) -> int:
    from engine.ledger.decisions import ALIAS, MIGRATION

    found = {d.id: d for d in engine.store.decisions()}.get(decision_id)
    if found is None:
        raise InputError(f"no decision {decision_id} in force (see harvest assets list --all)")
    if found.kind not in (ALIAS, MIGRATION):
        raise InputError(
            f"decision {decision_id} is a {found.kind}, not an alias or migration (harvest review)"
        )
    engine.store.undo_decision(decision_id, engine.clock())
    out.write(f"decision {decision_id} undone: {found.kind} {found.subject}\n")
    return 0


def _notes(notes: list[str], decision_id: int, out: TextIO) -> int:
    for note in notes:
        out.write(f"note: {note}\n")
    out.write(f"undo: harvest assets undo {decision_id}\n")
    return 0
