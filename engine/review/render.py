"""The problems list as text (to read) or JSON (for scripts): JSON keeps exact decimal strings,
ISO 8601 UTC times and every field; the text shows times in the tax zone and dollars to the cent."""

from __future__ import annotations

import json
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from engine.core import fixedpoint as fp
from engine.core.dates import iso_utc, to_datetime
from engine.core.units import Amount, EpochMicros
from engine.review.problems import Blocked, Problem, Review


def dollars(amount: Amount) -> str:
    return f"${Decimal(fp.fmt_cents(amount)):,}"


def blocked_words(blocked: Blocked | None) -> str:
    if blocked is None:
        return "nothing"
    if blocked.amount is None:
        return f"unknown ({blocked.unknown_because})"
    return dollars(blocked.amount) + (" + lots of unknown basis" if blocked.partial else "")


def totals_line(review: Review) -> str:
    count = len(review.problems)
    line = f"{count} problem{'' if count == 1 else 's'}, {dollars(review.blocked_total)} of savings blocked"
    if review.unknown_positions:
        line += f" (and {review.unknown_positions} position(s) whose savings are unknown"
        line += ": no prices given)" if not review.priced else ")"
    if review.ignored:
        line += f"; {len(review.ignored)} ignored"
    return line


def review_text(review: Review, zone: tzinfo, show_ignored: bool = False) -> str:
    shown = review.problems + (review.ignored if show_ignored else [])
    lines: list[str] = []
    for number, problem in enumerate(shown, start=1):
        lines += _problem_lines(number, problem, zone)
    lines.append(totals_line(review))
    return "\n".join(lines) + "\n"


def _problem_lines(number: int, p: Problem, zone: tzinfo) -> list[str]:
    amount = "" if p.quantity is None else f"  {fp.fmt(abs(p.quantity), 0)} {p.asset}"
    when = "" if p.timestamp is None else f"  {_time(p.timestamp, zone)}"
    record = f"  ({p.ref})" if p.ref else ""
    where = " ".join(part for part in (p.account, p.asset) if part)  # an asset alias: no account
    lines = [
        f"{number}. {p.id}  {p.label}  {where}{when}{amount}{record}",
        f"   blocks: {blocked_words(p.blocked)}" + (f" ({_positions(p)})" if p.blocks else ""),
        f"   {p.reason}; {p.why}",
    ]
    if p.ignored is not None:
        lines.append(f"   ignored by decision {p.ignored.id}: {p.ignored.reason}")
    for index, end in enumerate(p.other_ends):
        head = "   other end?" if index == 0 else "             "
        lines.append(f"{head} {end.id or '-'}  {end.ref} ({end.account}, {_time(end.timestamp, zone)}, "
                     f"{fp.fmt(end.quantity, 0)} {end.asset})  {end.confidence}")  # fmt: skip
    for index, action in enumerate(p.actions):
        head = "   resolve:" if index == 0 else "           "
        lines.append(f"{head} {action.usage}  — {action.effect}")
    return lines


def _positions(p: Problem) -> str:
    return ", ".join(f"{account} {asset}" for account, asset in p.blocks)


def _time(moment: EpochMicros, zone: tzinfo) -> str:
    return to_datetime(moment, zone).strftime("%Y-%m-%d %H:%M")


def review_json(review: Review, show_ignored: bool = False) -> str:
    payload = {
        "problems": [problem_json(p) for p in review.problems],
        "ignored": [problem_json(p) for p in review.ignored] if show_ignored else [],
        "count": len(review.problems),
        "blocked_total": fp.fmt(review.blocked_total),
        "unknown_positions": review.unknown_positions,
        "priced": review.priced,
    }
    return json.dumps(payload, indent=2) + "\n"


def problem_json(p: Problem) -> dict[str, Any]:
    blocked = p.blocked
    return {
        "id": p.id,
        "key": p.key,
        "kind": p.kind,
        "label": p.label,
        "account": p.account,
        "asset": p.asset,
        "time": None if p.timestamp is None else iso_utc(p.timestamp),
        "quantity": None if p.quantity is None else fp.fmt(p.quantity, 0),
        "ref": p.ref,
        "record": p.record,
        "record_id": p.record_id,
        "address": p.address,
        "reason": p.reason,
        "why": p.why,
        "blocks": [{"account": a, "asset": b} for a, b in p.blocks],
        "blocked": None
        if blocked is None
        else {
            "amount": None if blocked.amount is None else fp.fmt(blocked.amount),
            "partial": blocked.partial,
            "unknown_because": blocked.unknown_because or None,
        },
        "other_ends": [
            {
                "id": e.id,
                "record": e.record,
                "account": e.account,
                "asset": e.asset,
                "time": iso_utc(e.timestamp),
                "quantity": fp.fmt(e.quantity, 0),
                "ref": e.ref,
                "confidence": e.confidence,
            }
            for e in p.other_ends
        ],  # fmt: skip
        "actions": [
            {"verb": a.verb, "usage": a.usage, "effect": a.effect, "resolves": a.resolves} for a in p.actions
        ],
        "ignored": None
        if p.ignored is None
        else {"decision": p.ignored.id, "reason": p.ignored.reason, "at": iso_utc(p.ignored.made_at)},
    }
