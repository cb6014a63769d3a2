"""What a person types to name a record or a problem, resolved: a short id from the problems
list (a problem's or a record's, any unique start of 4+ hex digits), the record's id as reports
show it (a trade id or E<n>), or its full natural key. Anything else, or a reference that names
two things, is refused with one line saying why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.core import fixedpoint as fp
from engine.core.dates import to_datetime
from engine.core.errors import InputError
from engine.core.units import EpochMicros
from engine.ledger.decided import DecidedRecord
from engine.ledger.legs import MOVE_OUT
from engine.ledger.records import MoveLeg, Pairing
from engine.planning.data_problems import DataProblem
from engine.review import ids

if TYPE_CHECKING:
    from engine.planning.planner import Planner


class References:
    def __init__(self, problems: list[DataProblem], records: list[DecidedRecord], pairing: Pairing) -> None:
        self.problems = problems
        self.records = {r.key: r for r in records}
        self.moves = {(m.account, m.timestamp, m.ref): m for m in pairing.moves}
        self.pairing = pairing

    def problem(self, text: str) -> DataProblem:
        text = text.strip()
        found = [p for p in self.problems if p.key == text] or [
            p for p in self.problems if p.key in ids.matching(text, [p.key])
        ]
        if not found:
            raise InputError(f"no problem {text!r}: use an id from `harvest review --all`")
        if len({p.key for p in found}) > 1:
            raise InputError(f"{text!r} names {len(found)} problems: give more of its id")
        return found[0]

    def record(self, text: str) -> DecidedRecord:
        text = text.strip()
        if text in self.records:
            return self.records[text]
        keys = {p.record for p in self.problems if p.record and ids.matching(text, [p.key])}
        keys.update(ids.matching(text, self.records))
        keys.update(key for key, r in self.records.items() if r.ref == text)
        keys &= self.records.keys()
        if not keys:
            raise InputError(
                f"no transfer or unclassified row {text!r}: use an id from `harvest review` "
                "(or the record's id as reports show it)"
            )
        if len(keys) > 1:
            names = ", ".join(
                sorted(f"{self.records[k].ref} ({self.records[k].event.account})" for k in keys)
            )
            raise InputError(f"{text!r} names {len(keys)} records ({names}): give more of its id")
        return self.records[keys.pop()]

    def leg(self, record: DecidedRecord) -> MoveLeg | None:
        """The transfer leg the record made, as the pairing saw it (None: not a transfer now)."""
        event = record.event
        return self.moves.get((event.account, event.timestamp, record.ref))

    def partner(self, record: DecidedRecord) -> tuple[MoveLeg, str] | None:
        """The leg this record's transfer is paired with now, and how sure that pairing is."""
        leg = self.leg(record)
        other = None if leg is None else self.pairing.pairs.get(leg.index)
        if leg is None or other is None:
            return None
        out_index = leg.index if leg.kind == MOVE_OUT else other
        partner = next(m for m in self.pairing.moves if m.index == other)
        return partner, self.pairing.confidence.get(out_index, "")


def named(planner: Planner, record: DecidedRecord) -> str:
    """A record as a decision's line names it: `r5 (coinbase, 0.5 ETH, 2026-02-03 05:00)`."""
    event = record.event
    return (f"{record.ref} ({event.account}, {fp.fmt(abs(event.quantity), 0)} {event.asset}, "
            f"{when(planner, event.timestamp)})")  # fmt: skip


def when(planner: Planner, moment: EpochMicros) -> str:
    return to_datetime(moment, planner.engine.calendar.zone).strftime("%Y-%m-%d %H:%M")
