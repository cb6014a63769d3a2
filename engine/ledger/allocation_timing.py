"""Whether an allocation of unused basis was made in time (Rev. Proc. 2024-28 §5.02(4), (5)).

A specific-unit allocation must be complete before the earlier of the first sale (or other
disposition) of that asset on or after January 1, 2025 and the due date, with extensions, of the
2025 return. A global allocation's rule must be in the books before January 1, 2025, and the
allocation complete before the later of those two dates. harvest flags, never refuses: a late
allocation is still the user's record, only the safe harbor may not cover it."""

from __future__ import annotations

from datetime import date

from engine.core.dates import DayOf
from engine.core.units import DayOrdinal, EpochMicros
from engine.ledger.allocation import ACTUAL_UNITS, GLOBAL, Allocation, AssetSnapshot

CUTOVER_DAY = DayOrdinal(date(2025, 1, 1).toordinal())
# the 2025 return (Form 1040) is due April 15, 2026, and October 15, 2026 with an extension
DUE_DAY = DayOrdinal(date(2026, 4, 15).toordinal())
EXTENDED_DUE_DAY = DayOrdinal(date(2026, 10, 15).toordinal())


def timeliness(allocation: Allocation, snapshot: AssetSnapshot, day: DayOf) -> list[str]:
    """What keeps the allocation from being timely (empty: it was made in time)."""
    if allocation.method == ACTUAL_UNITS:
        return ["no allocation recorded: harvest allocated the unused basis by actual units, which the "
                "safe harbor does not cover (Rev. Proc. 2024-28 §5.03)"]  # fmt: skip
    if allocation.recorded_at is None and allocation.made_on is None:
        return []  # a proposal: its time is when it is recorded
    made = (
        allocation.made_on
        if allocation.made_on is not None
        else day(allocation.recorded_at or EpochMicros(0))
    )
    flags: list[str] = []
    first = snapshot.first_disposal
    if allocation.method == GLOBAL:
        written = allocation.rule_written_on
        if written is not None and written >= CUTOVER_DAY:  # (record asks for the date)
            flags.append("not a global allocation: its rule must be in your books before 2025-01-01 "
                         "(Rev. Proc. 2024-28 §5.02(5)(a))")  # fmt: skip
        if first is not None and day(first[0]) <= made:
            flags.append(f"sales from 2025 before the allocation was complete (the first on {_on(first, day)}) "
                         "could identify units only by a standing order (§5.02(5)(c))")  # fmt: skip
    elif first is not None:
        first_day = day(first[0])
        if allocation.made_on is None and allocation.recorded_at is not None:
            late = allocation.recorded_at >= first[0]
        else:
            late = made > first_day
        if late:
            flags.append(f"not timely: made after the first disposal of {snapshot.asset} from 2025 "
                         f"({_on(first, day)}; Rev. Proc. 2024-28 §5.02(4)(a))")  # fmt: skip
        elif made == first_day and allocation.made_on is not None:
            flags.append(f"made the day of the first disposal from 2025 ({_on(first, day)}): timely only if "
                         "made before it (§5.02(4)(a))")  # fmt: skip
    if made > EXTENDED_DUE_DAY:
        flags.append("not timely: made after October 15, 2026, the 2025 return's due date with an "
                     "extension (§5.02(4)(b))")  # fmt: skip
    elif made > DUE_DAY:
        flags.append("made after April 15, 2026: timely only if your 2025 return was extended "
                     "(§5.02(4)(b))")  # fmt: skip
    return flags


def _on(first: tuple[EpochMicros, str], day: DayOf) -> str:
    when = date.fromordinal(day(first[0])).isoformat()
    return f"{when} in {first[1]}"
