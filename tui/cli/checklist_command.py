"""`harvest checklist`: the saved plan's steps — show, advance, skip, cancel, export."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tui.cli.context import Subparsers, open_engine

if TYPE_CHECKING:
    from engine.api import Engine
    from engine.planning.checklist import Step


def add_parser(sub: Subparsers) -> None:
    checklist = sub.add_parser(
        "checklist", help="the saved plan's steps: show, advance, skip, cancel, export"
    )
    actions = checklist.add_subparsers(dest="action", metavar="ACTION")
    show = actions.add_parser("show", help="list the steps (default)")
    show.add_argument("--format", choices=("table", "json"), default="table")
    advance = actions.add_parser("advance", help="move a step to its next state")
    advance.add_argument("step", type=int)
    for name in ("skip", "cancel"):
        act = actions.add_parser(
            name, help=f"{name} a step, with a reason (a sold step: its rebuy; the sale stays)"
        )
        act.add_argument("step", type=int)
        act.add_argument("--reason", required=True)
    export = actions.add_parser("export", help="write the checklist as CSV")
    export.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")


def cmd_checklist(args: argparse.Namespace, out: TextIO) -> int:
    import json

    from engine.planning.checklist import Checklist, state_words
    from engine.reports import planning_output as fmt

    engine = open_engine(args)
    zone = engine.calendar.zone  # times for people are in the tax zone; JSON and CSV stay UTC
    checklist = Checklist(engine.store.conn, zone)
    now = engine.clock()
    action = args.action or "show"
    if action == "advance":
        step = checklist.advance(args.step, now)
        out.write(f"step {step.number}: {state_words(step.state)}\n")
        for notice in _notices(engine, [step]).values():
            out.write(f"  identification: {notice}\n")
    elif action in ("skip", "cancel"):
        step = checklist.skip(args.step, args.reason, now, cancel=action == "cancel")
        out.write(f"step {step.number}: {state_words(step.state)} ({step.reason})\n")
    elif action == "export":
        steps = checklist.steps()
        text = fmt.checklist_csv(steps, now)
        if args.output:
            from engine.core.files import write_private

            write_private(args.output, text)
            out.write(f"wrote {len(steps)} step(s) to {args.output}\n")
        else:
            out.write(text)
    elif getattr(args, "format", "table") == "json":  # plain `harvest checklist` has no --format
        out.write(json.dumps(fmt.checklist_rows(checklist.steps(), now), indent=2) + "\n")
    else:
        steps = checklist.steps()
        out.write(fmt.checklist_text(steps, now, zone, _notices(engine, steps)))
    return 0


def _notices(engine: Engine, steps: list[Step]) -> dict[int, str]:
    """Where each step's identification must go, from 2027 (engine.planning.broker_notice)."""
    from engine.ledger.broker_forms import stored_forms
    from engine.planning.broker_notice import broker_accounts, step_notices

    brokers = broker_accounts(
        (a.name for a in engine.config.accounts), stored_forms(engine.store.decisions())
    )
    return step_notices(steps, engine.today(), engine.calendar.day_function(), brokers)
