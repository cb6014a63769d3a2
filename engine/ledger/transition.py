"""`lots.basis_scope: universal_until_2025`: one pool per asset for disposals before January 1,
2025 (in the tax zone), one pool per account and asset from then on (Treas. Reg. §1.1012-1(j)),
joined by the allocation of unused basis as of that date (Rev. Proc. 2024-28).

Done outside the matcher, as three runs of it: the history before the cutover universally (the
realized results a universal filer already reported, and the lots of unused basis left), the
same history per account (how many units each account held, and which lots tracing puts there),
and the history from the cutover per account, starting from the allocated lots. A transfer in
transit at midnight counts as arrived: both its legs belong to the history before."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from engine.core import fixedpoint as fp
from engine.core.dates import DayOf
from engine.core.units import MICROS_PER_HOUR, Amount, EpochMicros
from engine.ledger.allocation import Allocation, AssetSnapshot, Slice, UnusedLot, actual_units
from engine.ledger.legs import ACQUIRE, DISPOSE, MOVE_IN, MOVE_OUT
from engine.ledger.lots import match_lots
from engine.ledger.records import Ledger, LegRow, LotResult, OpenLot
from engine.ledger.transfers import PAIR_WINDOW_MICROS, MoveLeg, pair_transfers

SCOPE = "universal_until_2025"
TRANSITION_YEAR = 2025
_NEAR = PAIR_WINDOW_MICROS + MICROS_PER_HOUR  # how far from the cutover a transfer pair can reach


@dataclass
class Transition:
    """The whole run: the lot results, each asset's snapshot, and the allocation applied."""

    result: LotResult
    snapshots: dict[str, AssetSnapshot] = field(default_factory=dict)
    applied: dict[str, Allocation] = field(default_factory=dict)


def split(ledger: Ledger, cutover: EpochMicros) -> tuple[Ledger, Ledger]:
    """The legs before the cutover and from it; a transfer pair across the cutover goes whole
    to the history before (units in transit at midnight count as arrived)."""
    legs = ledger.legs
    at = bisect.bisect_left(legs, cutover, key=lambda leg: leg[2])
    low = bisect.bisect_left(legs, cutover - _NEAR, key=lambda leg: leg[2])
    high = bisect.bisect_left(legs, cutover + _NEAR, key=lambda leg: leg[2])
    moves = [_move(i, legs[i], ledger.pools) for i in range(low, high) if legs[i][1] in (MOVE_OUT, MOVE_IN)]
    pairs = pair_transfers(moves) if moves else {}
    early = sorted({later for one, later in pairs.items() if one < at <= later})
    before = legs[:at] + [legs[i] for i in early]
    if early:
        skipped = set(early)
        after = [leg for i, leg in enumerate(legs[at:], start=at) if i not in skipped]
    else:
        after = legs[at:]
    return Ledger(ledger.pools, before), Ledger(ledger.pools, after)


def _move(index: int, leg: LegRow, pools: dict[int, tuple[str, str]]) -> MoveLeg:
    account, asset = pools[leg[0]]
    extra = leg[6]
    return MoveLeg(index, account, asset, leg[1], leg[2], Amount(int(leg[3])),
                   extra.counterpart if extra else None, extra.tx_id if extra else None, leg[5])  # fmt: skip


def snapshots(universal: LotResult, traced: LotResult, after: Ledger) -> dict[str, AssetSnapshot]:
    """Each asset as of the cutover, from the universal run (unused lots) and the per-account
    run (units held, traced lots) of the history before it, and the disposals after it."""
    unused: dict[str, list[OpenLot]] = {}
    for lot in universal.open_lots:
        unused.setdefault(lot.asset, []).append(lot)
    held: dict[str, dict[str, int]] = {}
    paths: dict[str, dict[str, list[tuple[str, EpochMicros, Amount]]]] = {}
    for lot in traced.open_lots:
        per = held.setdefault(lot.asset, {})
        per[lot.account] = per.get(lot.account, 0) + lot.quantity
        paths.setdefault(lot.asset, {}).setdefault(lot.account, []).append(
            (lot.lot_id, lot.acquired, lot.quantity)
        )
    first: dict[str, dict[str, EpochMicros]] = {}
    for leg in after.legs:
        if leg[1] == DISPOSE:
            account, asset = after.pools[leg[0]]
            first.setdefault(asset, {}).setdefault(account, leg[2])
    found = {}
    for asset in sorted(set(unused) | set(held)):
        found[asset] = AssetSnapshot(
            asset=asset,
            held={name: Amount(q) for name, q in sorted(held.get(asset, {}).items()) if q > 0},
            unused=tuple(_keyed(sorted(unused.get(asset, []), key=lambda lot: (lot.acquired, lot.lot_id)))),
            traced=paths.get(asset, {}),
            first_disposals=first.get(asset, {}),
        )
    return found


def _keyed(lots: list[OpenLot]) -> list[UnusedLot]:
    """Unused lots with keys unique within the asset: the lot id, else `id@account`, else `#n`."""
    counts: dict[str, int] = {}
    for lot in lots:
        counts[lot.lot_id] = counts.get(lot.lot_id, 0) + 1
    seen: set[str] = set()
    keyed = []
    for lot in lots:
        key = lot.lot_id if counts[lot.lot_id] == 1 else f"{lot.lot_id}@{lot.account}"
        base, n = key, 1
        while key in seen:
            n += 1
            key = f"{base}#{n}"
        seen.add(key)
        keyed.append(UnusedLot(key, lot.lot_id, lot.quantity, lot.basis, lot.acquired, lot.acquired_day))
    return keyed


def take_snapshot(ledger: Ledger, method: str, day: DayOf, cutover: EpochMicros) -> tuple[
    LotResult, dict[str, AssetSnapshot], Ledger
]:  # fmt: skip
    """The universal results before the cutover, every asset's snapshot, and the history after."""
    before, after = split(ledger, cutover)
    universal = match_lots(before, method, True, day)
    traced = match_lots(before, method, False, day)
    return universal, snapshots(universal, traced, after), after


def match_transition(
    ledger: Ledger,
    method: str,
    day: DayOf,
    cutover: EpochMicros,
    recorded: dict[str, tuple[Allocation, dict[str, Amount]]],
) -> Transition:
    """Lot results under the transition: universal before the cutover, per account after,
    each asset starting from its recorded allocation, else the actual-units default."""
    universal, assets, after = take_snapshot(ledger, method, day, cutover)
    applied: dict[str, Allocation] = {}
    warnings: list[str] = []
    opening: list[LegRow] = []
    pool_ids = {names: pool_id for pool_id, names in after.pools.items()}
    pools = dict(after.pools)
    defaulted = []
    for asset, snapshot in assets.items():
        if not snapshot.held:
            continue
        if asset in recorded:
            allocation, held_then = recorded[asset]
            warnings.extend(_changed_holdings(allocation, held_then, snapshot))
        else:
            allocation = actual_units(snapshot)
            if len(snapshot.held) > 1 or snapshot.units_of_basis != snapshot.units_held:
                defaulted.append(asset)
        applied[asset] = allocation
        for piece in _fitted(allocation, snapshot, cutover, warnings):
            names = (piece.account, asset)
            if names not in pool_ids:
                pool_ids[names] = max(pools, default=0) + 1
                pools[pool_ids[names]] = names
            opening.append(
                (pool_ids[names], ACQUIRE, piece.acquired, piece.quantity, piece.basis, piece.lot_id, None)
            )
    if defaulted:
        warnings.append(f"no allocation of unused basis recorded for {', '.join(defaulted)}: harvest allocated "
                        "by actual units (not the safe harbor; see `harvest transition snapshot`)")  # fmt: skip
    opening.sort(key=lambda leg: (leg[2], leg[5]))
    later = match_lots(Ledger(pools, opening + after.legs), method, False, day)
    result = LotResult(
        realized=universal.realized + later.realized,
        excluded=universal.excluded + later.excluded,
        open_lots=later.open_lots,
        shortfalls=universal.shortfalls + later.shortfalls,
        warnings=universal.warnings + warnings + later.warnings,
    )
    return Transition(result, assets, applied)


def _fitted(
    allocation: Allocation, snapshot: AssetSnapshot, cutover: EpochMicros, warnings: list[str]
) -> list[Slice]:
    """The slices to open each account with: the allocation's, trimmed to what the account holds
    now; units with no allocated basis become a lot of unknown basis (said in `warnings`)."""
    pieces: list[Slice] = []
    by_account = allocation.by_account()
    for account in sorted(set(snapshot.held) | set(by_account)):
        need = int(snapshot.held.get(account, 0))
        for piece in by_account.get(account, []):
            if not need:
                break
            if piece.quantity <= need:
                pieces.append(piece)
                need -= piece.quantity
            else:
                basis = None if piece.basis is None else piece.basis * need // piece.quantity
                pieces.append(
                    piece._replace(quantity=Amount(need), basis=None if basis is None else Amount(basis))
                )
                need = 0
        if need:
            lot_id = f"unallocated:{account}:{snapshot.asset}"
            # acquired before 2025 is all that is known: it counts as acquired just before the cutover
            pieces.append(Slice(account, lot_id, lot_id, Amount(need), None, EpochMicros(cutover - 1)))
            warnings.append(f"{account} held {fp.fmt(need, 0)} {snapshot.asset} on 2025-01-01 with no unused basis "
                            "allocated to it; basis unknown")  # fmt: skip
    return pieces


def _changed_holdings(
    allocation: Allocation, held_then: dict[str, Amount], snapshot: AssetSnapshot
) -> list[str]:
    """Say so when the history now shows other holdings than the allocation was recorded for
    (history imported since): it still applies, as far as it goes."""
    if held_then == snapshot.held:
        return []
    parts = [
        f"{account} {fp.fmt(held_then.get(account, 0), 0)} then, {fp.fmt(snapshot.held.get(account, 0), 0)} now"
        for account in sorted(set(held_then) | set(snapshot.held))
        if held_then.get(account, 0) != snapshot.held.get(account, 0)
    ]
    return [f"{snapshot.asset}: the recorded allocation was made for other holdings on 2025-01-01 "
            f"({'; '.join(parts)}); it applies as far as it goes"]  # fmt: skip
