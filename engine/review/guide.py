"""What each kind of data problem is called, why it matters, and which decisions resolve it —
the words the problems list (CLI and app) shows. `usage` strings are the CLI's commands with the
problem's ids filled in; the app shows the same actions as keys."""

from __future__ import annotations

from typing import NamedTuple

from engine.planning import data_problems as kinds
from engine.planning.alias_problems import ASSET_ALIAS
from engine.planning.migration_problems import ASSET_MIGRATION, MigrationRecords

LABELS = {
    kinds.RECEIVED_OUTSIDE: "receive from outside",
    kinds.AMBIGUOUS_TRANSFER: "ambiguous transfer",
    kinds.SENT_OUTSIDE: "send to outside",
    kinds.UNKNOWN_BASIS: "unknown basis",
    kinds.MISSING_HISTORY: "missing history",
    kinds.NO_USD_VALUE: "no USD value",
    kinds.UNCLASSIFIED_ROW: "unclassified row",
    kinds.BALANCE_MISMATCH: "balance mismatch",
    ASSET_ALIAS: "asset alias suggested",
    ASSET_MIGRATION: "asset migration suggested",
}

WHY = {
    kinds.RECEIVED_OUTSIDE: "no send of yours explains it, so its lots have unknown basis: no advice on the "
    "position, and a sale of them is left out of realized results",
    kinds.AMBIGUOUS_TRANSFER: "several of your sends could be its other end and harvest never guesses, so its "
    "lots have unknown basis until you pair it",
    kinds.SENT_OUTSIDE: "the lots left your accounts untracked: a payment would be a disposal (a gain or loss "
    "this year); a move to your own wallet should carry them",
    kinds.UNKNOWN_BASIS: "lots of unknown basis: no advice on the position until their history is imported",
    kinds.MISSING_HISTORY: "more was sold or sent than the history holds: the excess is left out of realized "
    "results, and what is held may be wrong",
    kinds.NO_USD_VALUE: "without a USD value the basis or the proceeds are unknown: left out of results, "
    "never valued at zero",
    kinds.UNCLASSIFIED_ROW: "what the row did to the holdings is unknown until it is classified",
    kinds.BALANCE_MISMATCH: "the exchange holds another amount than the ledger: history is missing or counted "
    "twice",
    ASSET_ALIAS: "two codes for one coin are two pools: lots are matched apart, and a transfer whose other end "
    "is under the other code stays unpaired",
    ASSET_MIGRATION: "a migration written as a trade books a gain or loss that never happened, and the new "
    "coin's lots start at its date and price instead of carrying the old basis and dates",
}


class Action(NamedTuple):
    """One way to resolve a problem: the decision, the command that records it, what it does."""

    verb: str  # pair, classify, own-address, ignore, price, fill, import, alias, migrate
    usage: str
    effect: str
    resolves: bool  # whether it lifts the gate (an ignore only for some kinds)


def actions_for(
    kind: str,
    problem_id: str,
    other_ids: list[str],
    address: str | None,
    alias: tuple[str, str] | None = None,
    migration: MigrationRecords | None = None,
) -> list[Action]:
    """The actions that resolve a problem of this kind (ids filled in: a problem's id names its
    record too; `alias`: the code and the asset an asset alias problem suggests; `migration`: the
    records an asset migration problem names)."""
    this = problem_id
    review = "harvest review"
    found: list[Action] = []
    if kind in (kinds.RECEIVED_OUTSIDE, kinds.AMBIGUOUS_TRANSFER):
        for other in other_ids or ["SEND"]:
            found.append(Action("pair", f"{review} pair {other} {this}", "one move: the send's lots arrive "
                                "with their basis and dates", True))  # fmt: skip
        found += [
            Action("classify", f"{review} classify {this} income --value USD", "income (or airdrop) at its "
                   "value when received", True),
            Action("classify", f"{review} classify {this} gift --basis USD --acquired DATE [--value USD]",
                   "a gift: the donor's basis and date", True),
            Action("classify", f"{review} classify {this} own --basis USD --acquired DATE", "from your own "
                   "wallet, not imported: the basis and date you give", True),
        ]  # fmt: skip
    elif kind == kinds.SENT_OUTSIDE:
        found += [
            Action("pair", f"{review} pair {this} RECEIPT", "one move with a receipt of yours", True),
            Action("classify", f"{review} classify {this} own --to LABEL", "to your own wallet: the lots "
                   "move to account own:LABEL", True),
            Action("classify", f"{review} classify {this} gift", "a gift given: the lots leave, no gain", True),
            Action("classify", f"{review} classify {this} payment --value USD", "a payment: a disposal at "
                   "its value", True),
        ]  # fmt: skip
    elif kind == kinds.UNCLASSIFIED_ROW:
        found.append(
            Action(
                "classify",
                f"{review} classify {this} AS [--direction in|out] [--value USD]",
                "what it was: income, airdrop, buy, sell, payment, gift, own or transfer",
                True,
            )
        )
    elif kind == kinds.NO_USD_VALUE:
        found += [
            Action("price", f"{review} price {this} USD_PER_UNIT [--asset ASSET]", "your price per unit at its "
                   "time: it wins over a prices file and candles", True),
            Action("fill", "harvest prices fill", "look the value up in a prices file or exchange candles", True),
        ]  # fmt: skip
    elif kind == ASSET_ALIAS and alias is not None:
        code, asset = alias
        found.append(Action("alias", f"harvest assets alias {code} {asset}", f"{code} is read as {asset} from "
                            "now on: one pool, and transfers between the codes pair", True))  # fmt: skip
    elif kind == ASSET_MIGRATION and migration is not None:
        found.append(Action("migrate", migration.command(), f"one migration of {migration.old} into "
                            f"{migration.new}: no gain or loss, lots carried with basis and dates", True))  # fmt: skip
    elif kind in (kinds.UNKNOWN_BASIS, kinds.MISSING_HISTORY, kinds.BALANCE_MISMATCH):
        found.append(Action("import", "harvest import FILE / harvest sync", "bring in the missing history",
                            True))  # fmt: skip
    if address and kind in (kinds.RECEIVED_OUTSIDE, kinds.AMBIGUOUS_TRANSFER, kinds.SENT_OUTSIDE):
        found.append(
            Action(
                "own-address",
                f"{review} own-address {address} --label LABEL",
                "the address is your own wallet: lots go there and come back with basis and dates",
                True,
            )
        )
    resolves = kind in kinds.IGNORE_RESOLVES
    effect = "listed as ignored; lifts the gate" if resolves else "listed as ignored; the gate stays"
    if kind in (ASSET_ALIAS, ASSET_MIGRATION):
        effect = "listed as ignored; the problems under the code stay"
    found.append(Action("ignore", f"{review} ignore {problem_id} --reason TEXT", effect, resolves))
    return found
