"""`harvest review`: the problems that hold advice back (largest blocked savings first), and the
decisions that resolve them — `pair`, `unpair`, `classify`, `own-address`, `price`, `ignore`,
`undo`.
The engine does the work (engine.review); this module is the arguments and the printing."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tui.cli.context import Subparsers, open_planner, prices_file, store_file_prices

if TYPE_CHECKING:
    from engine.core.units import Amount
    from engine.planning.planner import Planner

CLASSES = ("income", "airdrop", "gift", "own", "payment", "buy", "sell", "transfer")  # engine.ledger.decided


def add_parser(sub: Subparsers) -> None:
    review = sub.add_parser(
        "review", help="the problems that hold advice back, and the decisions that resolve them"
    )
    review.add_argument("--format", choices=("table", "json"), default="table")
    review.add_argument("--all", action="store_true", help="also list the problems you ignored")
    review.add_argument(
        "--decisions", action="store_true", help="list your decisions instead (in force and undone)"
    )
    review.add_argument(
        "--prices", type=Path, metavar="FILE", help="CSV asset,price in USD (default: last stored)"
    )
    actions = review.add_subparsers(dest="action", metavar="ACTION")

    pair = actions.add_parser("pair", help="a send and a receipt are one move: lots carry basis and dates")
    unpair = actions.add_parser("unpair", help="never pair this send and this receipt")
    for parser in (pair, unpair):
        parser.add_argument(
            "send", metavar="SEND", help="the transfer out: an id from the list, or its record id"
        )
        parser.add_argument("receipt", metavar="RECEIPT", help="the transfer in")
        parser.add_argument("--reason", default="", help="why (kept with the decision)")

    classify = actions.add_parser("classify", help="say what a transfer or an unclassified row was")
    classify.add_argument("record", metavar="KEY", help="a problem's id or a record's id from the list")
    classify.add_argument("as_", metavar="AS", choices=CLASSES, help=", ".join(CLASSES))
    classify.add_argument(
        "--value", metavar="USD", help="its USD value then (income, airdrop, payment, buy, sell)"
    )
    classify.add_argument("--basis", metavar="USD", help="the basis it carries (gift: the donor's; own)")
    classify.add_argument(
        "--acquired", metavar="DATE", help="when it was first acquired, YYYY-MM-DD (gift, own)"
    )
    classify.add_argument(
        "--to", metavar="LABEL", help="own on a send: the wallet it went to (account own:LABEL)"
    )
    classify.add_argument("--direction", choices=("in", "out"), help="an unclassified row: received or sent")
    classify.add_argument("--reason", default="", help="why (kept with the decision)")

    own = actions.add_parser("own-address", help="an address is a wallet of yours that is not imported")
    own.add_argument("address", metavar="ADDRESS")
    own.add_argument("--label", required=True, help="its name: the account own:LABEL")
    own.add_argument("--reason", default="", help="why (kept with the decision)")

    price = actions.add_parser(
        "price",
        help="the USD price per unit of a record without a USD value (wins over a prices file and candles)",
        epilog='example:\n  harvest review price 5be2aa 142.50 --reason "Kraken\'s close that day"',
    )
    price.add_argument("record", metavar="KEY", help="a no USD value problem's id, or the record's id")
    price.add_argument("price", metavar="USD_PER_UNIT", help="USD per unit at the record's time")
    price.add_argument(
        "--asset", help="the asset priced (a trade: what was received or given; a fee's asset)"
    )
    price.add_argument("--reason", default="", help="why (kept with the decision)")

    ignore = actions.add_parser("ignore", help="leave a problem as it is, with a reason")
    ignore.add_argument("problem", metavar="KEY", help="a problem's id from the list")
    ignore.add_argument("--reason", required=True, help="why (kept with the decision)")

    undo = actions.add_parser("undo", help="undo a decision (see --decisions)")
    undo.add_argument("decision", metavar="ID", type=_decision_id)


def _decision_id(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(
            f"expected a decision number (see harvest review --decisions), got {text!r}"
        )
    return int(text)


def cmd_review(args: argparse.Namespace, out: TextIO) -> int:
    from engine.review import actions

    planner = open_planner(args)
    if args.action is None:
        return _show(planner, args, out)
    if args.action in ("pair", "unpair"):
        act = actions.pair if args.action == "pair" else actions.unpair
        recorded = act(planner, args.send, args.receipt, args.reason)
    elif args.action == "classify":
        recorded = actions.classify(
            planner, args.record, args.as_, value=args.value, basis=args.basis, acquired=args.acquired,
            to=args.to, direction=args.direction, reason=args.reason,
        )  # fmt: skip
    elif args.action == "own-address":
        recorded = actions.own_address(planner, args.address, args.label, args.reason)
    elif args.action == "price":
        recorded = actions.price(planner, args.record, args.price, args.asset, args.reason)
    elif args.action == "ignore":
        recorded = actions.ignore(planner, args.problem, args.reason)
    else:
        recorded = actions.undo(planner, args.decision)
    out.write(recorded.message + "\n")
    return 0


def _show(planner: Planner, args: argparse.Namespace, out: TextIO) -> int:
    if args.decisions:
        from engine.reports.decision_log import decisions_json_text, decisions_table

        decisions = planner.engine.store.decisions(include_undone=True)
        out.write(decisions_json_text(decisions) if args.format == "json" else decisions_table(decisions))
        return 0
    from engine.review.problems import find_review
    from engine.review.render import review_json, review_text

    review = find_review(planner, _prices(planner, args.prices))
    if args.format == "json":
        out.write(review_json(review, args.all))
    else:
        out.write(review_text(review, planner.engine.calendar.zone, args.all))
    return 0


def _prices(planner: Planner, path: Path | None) -> dict[str, Amount] | None:
    """Prices from the file (stored, as scan does), else the last stored; None: no prices at all
    (the dollars blocked are then unknown, never zero)."""
    engine = planner.engine
    chosen = prices_file(engine, path)
    if chosen is not None:
        return store_file_prices(engine, chosen)
    prices, _oldest = engine.store.last_prices()
    return prices or None
