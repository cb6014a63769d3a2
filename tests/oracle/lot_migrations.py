"""The oracle's engine/ledger/lot_migrations.py as it was before the matcher's speed work
(commit b29303c), unchanged (tests/oracle/lots.py)."""

from __future__ import annotations

from typing import Any, Protocol

from engine.core import fixedpoint as fp
from engine.core.units import EpochMicros
from engine.ledger.records import (
    LegRow,
    LotResult,
)
from tests.oracle.lot_pool import Lot

MIGRATED_MORE = "migrated more than was held"  # a cause of unknown basis (LotResult.unresolved)


class LotBook(Protocol):
    """What a migration needs of the lot matcher (engine.ledger.lots._Matcher)."""

    names: dict[int, tuple[str, str]]
    pools: dict[int, Any]  # pool id -> its open lots (engine.ledger.lots._Pool)
    result: LotResult

    def add(self, pool: Any, lot: Lot) -> None: ...

    def new_lot(self, qty: int, basis: int | None, ts: EpochMicros, lot_id: str, account: str) -> Lot: ...

    def unknown(
        self, cause: str, account: str, asset: str, ts: EpochMicros, ref: str, qty: int, index: int
    ) -> None: ...


# a migration between its two legs: the lots leaving, the old quantity, the new quantity (None:
# the MIGRATE_IN leg's own) and the old pool's id
Migrating = tuple[list[Lot], int, "int | None", int]
NOTHING_MIGRATING: Migrating = ([], 0, None, 0)


def migrate_held(matcher: LotBook, leg: LegRow) -> Migrating:
    """A user's migration decision: every lot the leg's account holds in the pool leaves it
    (in a universal pool, only that account's), to arrive as `ratio` times as many units."""
    pool_id, _kind, _ts, ratio, _usd, _ref, _extra = leg
    account = matcher.names[pool_id][0]
    pool = matcher.pools[pool_id]
    held = sorted((lot for lot in pool.lots() if lot[0] > 0), key=lambda lot: (lot[2], lot[4]))
    moving = [lot for lot in held if lot[5] == account]
    if moving:
        pool.queue.clear()
        pool.heap.clear()
        pool.by_id.clear()
        for lot in held:
            if lot[5] != account:
                matcher.add(pool, lot)
    old_quantity = sum(lot[0] for lot in moving)
    return moving, old_quantity, old_quantity * int(ratio) // fp.SCALE, pool_id


def migrate_in(matcher: LotBook, leg: LegRow, migrating: Migrating, index: int) -> None:
    """The lots a migration took from the old asset arrive in the new one: same basis, dates
    and lot ids, quantities scaled to the new asset's (pro rata, rounded down, the last lot
    taking the remainder, so the new quantity is exact; a lot scaled to less than a unit
    gives its basis to another arriving lot, so no basis is lost). What the old pool lacked
    arrives with unknown basis (the shortfall is already recorded against the old asset);
    what the account still holds of the old asset after it is a warning."""
    moving, old_quantity, new_quantity, old_pool_id = migrating
    pool_id, _kind, ts, raw_qty, _usd, ref, _extra = leg
    account, asset = matcher.names[pool_id]
    new_total = int(raw_qty) if new_quantity is None else new_quantity
    moved_old = sum(lot[0] for lot in moving)
    moved_new = new_total if moved_old == old_quantity else new_total * moved_old // old_quantity
    arriving: list[Lot] = []
    left_old, left_new = moved_old, moved_new
    carried = 0  # the basis of lots scaled to nothing, for the next lot of known basis
    for lot in moving:
        part = left_new if lot[0] == left_old else left_new * lot[0] // left_old
        left_old -= lot[0]
        left_new -= part
        basis = lot[1]
        if not part:
            carried += basis or 0
            continue
        if basis is not None:
            basis, carried = basis + carried, 0
        arriving.append([part, basis, *lot[2:5], account, lot[6]])
    known = [lot for lot in arriving if lot[1] is not None]
    if carried and known:
        known[-1][1] += carried
    pool = matcher.pools[pool_id]  # the leg's pool: in a universal pool, the asset's one pool
    for lot in arriving:
        matcher.add(pool, lot)
    if new_total > moved_new:
        matcher.add(pool, matcher.new_lot(new_total - moved_new, None, ts, ref, account))
        matcher.unknown(MIGRATED_MORE, account, asset, ts, ref, new_total - moved_new, index)
        matcher.result.warnings.append(
            f"{ref}: migrated into {asset} more than {account} held before; "
            f"{fp.fmt(new_total - moved_new, 0)} {asset} has unknown basis"
        )
    if old_pool_id not in matcher.pools or matcher.names[old_pool_id][1] == asset:
        return  # nothing left behind to name (or an alias made the old asset the new one)
    old_asset = matcher.names[old_pool_id][1]
    left = sum(lot[0] for lot in matcher.pools[old_pool_id].lots() if lot[0] > 0 and lot[5] == account)
    if left:
        matcher.result.warnings.append(
            f"{ref}: {account} still holds {fp.fmt(left, 0)} {old_asset} after its migration to {asset} "
            "(a partial migration, or a wrong quantity or ratio)"
        )


# --- lots.py ---
