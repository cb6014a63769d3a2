"""`harvest transition snapshot|propose|record|show`: the safe-harbor allocation of unused basis
to accounts as of January 1, 2025 (Rev. Proc. 2024-28), used by `lots.basis_scope:
universal_until_2025`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from engine.core.errors import InputError
from tui.cli.context import LOT_METHODS, Subparsers, open_engine

if TYPE_CHECKING:
    from engine.api import Engine
    from engine.ledger.allocation import Rule

RULE_ORDERS = ("hifo", "lofo", "fifo", "lifo")  # engine.ledger.allocation.RULE_ORDERS


def add_parser(sub: Subparsers) -> None:
    transition = sub.add_parser(
        "transition", help="the 2025 allocation of unused basis to accounts (Rev. Proc. 2024-28)"
    )
    actions = transition.add_subparsers(dest="action", metavar="ACTION", required=True)
    snapshot = actions.add_parser(
        "snapshot", help="units per account and the unused-basis lots on 2025-01-01"
    )
    _common(snapshot, ("table", "json"))
    propose = actions.add_parser("propose", help="harvest's suggested allocation, or a global rule's")
    _common(propose, ("table", "csv", "json"))
    _rule(propose)
    propose.add_argument("--prefer", metavar="A,B", help="without a rule: accounts to give the highest basis "
                         "first, after those sold from in 2025")  # fmt: skip
    record = actions.add_parser(
        "record", help="record an allocation (irrevocable), checked, all assets or none"
    )
    _common(record, None)
    _rule(record)
    record.add_argument("--file", type=Path, metavar="FILE",
                        help="your allocation: CSV account,asset,lot,quantity (propose --format csv writes one)")  # fmt: skip
    record.add_argument(
        "--rule-written-on", metavar="DATE", help="a global rule: when your books first held it"
    )
    record.add_argument("--made-on", metavar="DATE", help="when your books first recorded this allocation, "
                        "if before today (harvest keeps both dates)")  # fmt: skip
    record.add_argument("--reason", default="", help="a note kept with the record")
    show = actions.add_parser("show", help="the recorded allocations: the document to keep with your records")
    show.add_argument("--format", choices=("text", "json", "csv"), default="text")


def _common(parser: argparse.ArgumentParser, formats: tuple[str, ...] | None) -> None:
    parser.add_argument(
        "--asset", action="append", default=[], metavar="ASSET", help="only this asset (repeatable)"
    )
    parser.add_argument(
        "--method", choices=LOT_METHODS, help="the lot method used until 2025 (default lots.method)"
    )
    if formats:
        parser.add_argument("--format", choices=formats, default=formats[0])


def _rule(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rule", choices=RULE_ORDERS, help="a global rule: the order of the lots")
    parser.add_argument(
        "--accounts", metavar="A,B,C", help="a global rule: the accounts, filled in this order"
    )


def cmd_transition(args: argparse.Namespace, out: TextIO) -> int:
    engine = open_engine(args)
    if args.action == "snapshot":
        return _snapshot(engine, args, out)
    if args.action == "propose":
        return _propose(engine, args, out)
    if args.action == "record":
        return _record(engine, args, out)
    return _show(engine, args, out)


def _scope_note(engine: Engine) -> None:
    scope = engine.config.lots.basis_scope
    if scope != "universal_until_2025":
        print(
            f"note: lots.basis_scope is {scope}: the allocation applies under universal_until_2025",
            file=sys.stderr,
        )


def _snapshot(engine: Engine, args: argparse.Namespace, out: TextIO) -> int:
    from engine.planning.allocation import held_snapshots, recorded
    from engine.reports.allocation import snapshot_json, snapshot_table

    method = args.method or engine.config.lots.method
    snapshots = held_snapshots(engine, method)
    unknown = [asset for asset in args.asset if asset.upper() not in snapshots]
    if unknown:
        raise InputError(f"no units of {', '.join(unknown)} held on 2025-01-01")
    chosen = [snapshots[a.upper()] for a in args.asset] if args.asset else list(snapshots.values())
    in_force = {item.allocation.asset: item for item in recorded(engine, method)}
    render = snapshot_json if args.format == "json" else snapshot_table
    out.write(render(chosen, in_force, engine.calendar, method))
    _scope_note(engine)
    return 0


def _given_rule(args: argparse.Namespace) -> Rule | None:
    from engine.ledger.allocation import rule_from_text

    if args.rule is None and args.accounts is None:
        return None
    if args.rule is None or not args.accounts:
        raise InputError("a global rule needs both --rule ORDER and --accounts A,B,C")
    try:
        return rule_from_text(args.rule, args.accounts)
    except ValueError as exc:
        raise InputError(f"--accounts: {exc}") from None


def _propose(engine: Engine, args: argparse.Namespace, out: TextIO) -> int:
    from engine.planning.allocation import propose
    from engine.reports import allocation as fmt

    preferred = [name.strip() for name in (args.prefer or "").split(",") if name.strip()]
    assets = [asset.upper() for asset in args.asset]
    proposals = propose(engine, assets, _given_rule(args), preferred, args.method)
    render = {"csv": fmt.proposal_csv, "json": fmt.proposal_json}.get(args.format, fmt.proposal_table)
    out.write(render(proposals, engine.calendar))
    _scope_note(engine)
    return 0


def _record(engine: Engine, args: argparse.Namespace, out: TextIO) -> int:
    from engine.ledger.allocation_record import parse_day
    from engine.planning.allocation import from_requests, propose, record

    rule = _given_rule(args)
    if args.file is not None:
        if rule is not None:
            raise InputError("record: give --file or a global rule (--rule, --accounts), not both")
        from engine.imports.allocation_file import read_allocation_file

        _label, requests = read_allocation_file(args.file)
        wanted = {asset.upper() for asset in args.asset}
        proposals = from_requests(
            engine, [r for r in requests if not wanted or r.asset in wanted], args.method
        )
    else:
        proposals = propose(engine, [asset.upper() for asset in args.asset], rule, (), args.method)
    if rule is None and args.rule_written_on:
        raise InputError("--rule-written-on is for a global rule (--rule, --accounts)")
    done = record(
        engine,
        proposals,
        made_on=parse_day(args.made_on, "--made-on"),
        rule_written_on=parse_day(args.rule_written_on, "--rule-written-on"),
        reason=args.reason,
    )
    for item in done:
        allocation = item.allocation
        out.write(f"recorded {allocation.asset}: {allocation.method.replace('_', '-')} allocation, "
                  f"{len(allocation.slices)} slice(s) (decision {allocation.decision_id})\n")  # fmt: skip
        for flag in item.flags:
            out.write(f"  {flag}\n")
    out.write("keep the document: harvest transition show > allocation-2025.txt\n")
    _scope_note(engine)
    return 0


def _show(engine: Engine, args: argparse.Namespace, out: TextIO) -> int:
    from engine.planning.allocation import recorded
    from engine.reports import allocation_document as fmt

    items = recorded(engine)
    render = {"json": fmt.document_json, "csv": fmt.document_csv}.get(args.format, fmt.document_text)
    out.write(render(items, engine.calendar))
    return 0
