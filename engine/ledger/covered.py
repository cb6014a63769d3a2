"""Covered status of a sold lot (Form 1099-DA instructions, "Covered security"; Treas. Reg.
§1.6045-1): a digital asset acquired after 2025 in a custodial account and held in that account
until the sale. Its broker must report its basis (box 2 checked: Form 8949 box G or J); every
other unit is noncovered (acquired before 2026, or transferred in: box H or K at most).

harvest knows where a lot was acquired (its acquisition leg) and when units of the asset left
the account. It cannot always tell which units a transfer out carried, so a lot counts as
covered only when it was bought in the account selling it, on or after 2026-01-01, and none of
the asset left that account between the purchase and the sale (a transfer out and back in makes
units noncovered). An imported Form 1099-DA settles it for the sales it lists."""

from __future__ import annotations

import bisect
from datetime import date

from engine.core.dates import DayOf
from engine.core.units import DayOrdinal
from engine.ledger.legs import ACQUIRE, MIGRATE_OUT, MOVE_OUT
from engine.ledger.records import Ledger, RealizedRow

COVERED_FROM = DayOrdinal(date(2026, 1, 1).toordinal())


class LotOrigins:
    """Where each lot was bought and when units left each account: built once from the ledger,
    asked per realized slice."""

    def __init__(self, ledger: Ledger, day: DayOf) -> None:
        self.bought: dict[tuple[str, str], set[int]] = {}  # (account, lot id) -> acquisition days
        self.left: dict[tuple[str, str], list[int]] = {}  # (account, asset) -> days units left it
        for pool_id, kind, ts, _qty, _usd, ref, _extra in ledger.legs:
            account, asset = ledger.pools[pool_id]
            if kind == ACQUIRE:
                self.bought.setdefault((account, ref), set()).add(day(ts))
            elif kind in (MOVE_OUT, MIGRATE_OUT):
                self.left.setdefault((account, asset), []).append(day(ts))

    def moved_in(self, account: str, lot_id: str) -> bool:
        """The lot was not bought in this account: it came by transfer (or the 2025 allocation)."""
        return (account, lot_id) not in self.bought

    def covered(self, row: RealizedRow) -> bool:
        """Was this slice's lot a covered security in the account that sold it?"""
        if row.acquired_day < COVERED_FROM or row.acquired_day not in self.bought.get(
            (row.account, row.lot_id), ()
        ):
            return False
        days = self.left.get((row.account, row.asset), [])
        return bisect.bisect_left(days, row.acquired_day) == bisect.bisect_right(days, row.sold_day)
