"""The Problems screen's text: a problem as a table row and as the detail under the table, a
decision as a row of the decisions list. Dollars as the engine's review writes them (to the
cent, engine.review.render); what a problem blocks is "unknown" with the reason when it cannot be
known — never $0 — and "partial" when lots of unknown basis were left out of it."""

from __future__ import annotations

from datetime import tzinfo

from rich.text import Text

from engine.core.units import Amount, EpochMicros
from engine.ledger.decisions import Decision, detail_text
from engine.review.problems import Blocked, OtherEnd, Problem
from engine.review.render import blocked_words, dollars
from tui import format as fmt
from tui.keys import Keys
from tui.looks import Looks
from tui.problem_actions import BY_VERB, offered
from tui.widgets.fitted_table import fitted_widths

PROBLEM_COLUMNS = ("blocked", "problem", "account", "asset", "date", "amount", "id")
PROBLEM_RIGHT = frozenset({0, 5})
DECISION_COLUMNS = ("id", "made", "kind", "subject", "detail", "reason", "status")
DECISION_RIGHT = frozenset({0})
END_COLUMNS = ("id", "record", "account", "date", "amount", "confidence")
END_RIGHT = frozenset({4})


def unsigned(quantity: Amount) -> str:
    """A quantity sent or received as the records give it: every digit, without its sign."""
    return fmt.exact_qty(Amount(abs(quantity)))


def labels(columns: tuple[str, ...], right: frozenset[int]) -> list[Text]:
    return [Text(label, justify="right" if index in right else "left") for index, label in enumerate(columns)]


def blocked_cell(blocked: Blocked | None, looks: Looks) -> Text:
    """What the problem holds back, short: dollars, `unknown: why`, or `none`."""
    if blocked is None:
        return Text("none", justify="right")
    if blocked.amount is None:
        return Text(f"unknown: {blocked.unknown_because}", style=looks.caution, justify="right")
    cell = Text(dollars(blocked.amount), justify="right")
    if blocked.partial:
        cell.append(" partial", style=looks.caution)
    return cell


def problem_cells(problem: Problem, zone: tzinfo, now: EpochMicros, looks: Looks) -> list[Text]:
    label = problem.label + (" (ignored)" if problem.ignored is not None else "")
    when = "" if problem.timestamp is None else fmt.moment(problem.timestamp, zone, now)
    amount = "" if problem.quantity is None else unsigned(problem.quantity)
    return [
        blocked_cell(problem.blocked, looks),
        Text(label),
        Text(problem.account),
        Text(problem.asset),
        Text(when),
        Text(amount, justify="right"),
        Text(problem.id),
    ]


def end_cells(end: OtherEnd, zone: tzinfo, now: EpochMicros) -> list[Text]:
    return [
        Text(end.id or "-"),
        Text(end.ref),
        Text(end.account),
        Text(fmt.moment(end.timestamp, zone, now)),
        Text(f"{unsigned(end.quantity)} {end.asset}", justify="right"),
        Text(end.confidence),
    ]


def problem_detail(problem: Problem, zone: tzinfo, now: EpochMicros, keys: Keys, looks: Looks) -> Text:
    """Everything about one problem: the record, what it blocks and why that matters, the other
    ends it could be paired with, and the actions that resolve it — with their keys, or the
    command that does it where the app has no key for it."""
    text = Text(no_wrap=False)
    head = f"{problem.label} — " + " ".join(part for part in (problem.account, problem.asset) if part)
    if problem.timestamp is not None:
        head += f", {fmt.moment(problem.timestamp, zone, now)}"
    if problem.quantity is not None:
        head += f", {unsigned(problem.quantity)} {problem.asset}"
    if problem.ref:
        head += f" (record {problem.ref})"
    text.append(head + "\n", style="bold")
    _field(text, "blocks", blocked_words(problem.blocked) + _positions(problem))
    _field(text, "why", f"{problem.reason}; {problem.why}")
    if problem.address:
        _field(text, "address", problem.address)
    if problem.ignored is not None:
        decision = problem.ignored
        _field(text, "ignored", f"by decision {decision.id} ({fmt.moment(decision.made_at, zone, now)}): "
               f"{decision.reason}")  # fmt: skip
    if problem.other_ends:
        text.append("other end?\n", style="bold")
        rows = [end_cells(end, zone, now) for end in problem.other_ends]
        widths = fitted_widths(labels(END_COLUMNS, END_RIGHT), rows)
        for cells in rows:
            line = "  ".join(
                cell.plain.rjust(width) if index in END_RIGHT else cell.plain.ljust(width)
                for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
            )
            text.append("  " + line.rstrip() + "\n")
    text.append("resolve\n", style="bold")
    for key, effect in action_lines(problem, keys):
        text.append(f"  {key:>5}  ", style=looks.caution if key == "cli" else "bold")
        text.append(effect + "\n")
    text.rstrip()
    return text


def action_lines(problem: Problem, keys: Keys) -> list[tuple[str, str]]:
    """(key, what it does) per action, in the engine's order, each said once: a verb the app
    carries out shows its key, any other its command line (key `cli`)."""
    here = offered(problem)
    lines: list[tuple[str, str]] = []
    for action in problem.actions:
        if action.verb in here:
            line = (keys.hint(BY_VERB[action.verb].key_id), action.effect)
            if action.verb == "pair":
                line = (line[0], f"{action.effect} (choose the other end; enter pairs)")
        else:
            line = ("cli", f"{action.usage} — {action.effect}")
        if line not in lines:
            lines.append(line)
    if "unpair" in here:
        lines.insert(_after_pairs(lines, keys), (keys.hint("unpair"), "never pair it with one of them"))
    return lines


def _after_pairs(lines: list[tuple[str, str]], keys: Keys) -> int:
    pair_key = keys.hint("pair")
    return max((index + 1 for index, (key, _) in enumerate(lines) if key == pair_key), default=0)


def _field(text: Text, name: str, value: str) -> None:
    text.append(f"{name:<8}", style="bold")
    text.append(value + "\n")


def _positions(problem: Problem) -> str:
    if not problem.blocks:
        return ""
    return " — " + ", ".join(f"{account} {asset}" for account, asset in problem.blocks)


def decision_cells(decision: Decision, zone: tzinfo, now: EpochMicros) -> list[Text]:
    status = (
        "in force" if decision.undone_at is None else f"undone {fmt.moment(decision.undone_at, zone, now)}"
    )
    return [
        Text(str(decision.id), justify="right"),
        Text(fmt.moment(decision.made_at, zone, now)),
        Text(decision.kind),
        Text(decision.subject),
        Text(detail_text(decision.detail)),
        Text(decision.reason),
        Text(status),
    ]
