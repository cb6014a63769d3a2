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
from dataclasses import dataclass, field, replace
from typing import NamedTuple, TypeVar

from engine.core import fixedpoint as fp
from engine.core.dates import DayOf
from engine.core.units import MICROS_PER_HOUR, Amount, EpochMicros
from engine.ledger.allocation import Allocation, AssetSnapshot, Slice, UnusedLot, actual_units
from engine.ledger.decided import Effects
from engine.ledger.legs import ACQUIRE, DISPOSE, MOVE_IN, MOVE_OUT
from engine.ledger.lots import match_lots
from engine.ledger.realized_slices import joined
from engine.ledger.records import Ledger, LegRow, LotResult, OpenLot, Pairing
from engine.ledger.transfers import NO_RULES, PAIR_WINDOW_MICROS, MoveLeg, PairingRules, pairing

SCOPE = "universal_until_2025"
TRANSITION_YEAR = 2025
_NEAR = PAIR_WINDOW_MICROS + MICROS_PER_HOUR  # how far from the cutover a transfer pair can reach
T = TypeVar("T")


@dataclass
class Transition:
    """The whole run: the lot results, each asset's snapshot, and the allocation applied."""

    result: LotResult
    snapshots: dict[str, AssetSnapshot] = field(default_factory=dict)
    applied: dict[str, Allocation] = field(default_factory=dict)


def split(
    ledger: Ledger, cutover: EpochMicros, rules: PairingRules = NO_RULES
) -> tuple[list[int], list[int]]:
    """The indices of the legs before the cutover and of those from it; a transfer pair across
    the cutover — by the rules near it, or the user's own pair at any distance — goes whole to
    the history before (units in transit at midnight count as arrived)."""
    legs = ledger.legs
    at = bisect.bisect_left(legs, cutover, key=lambda leg: leg[2])
    low = bisect.bisect_left(legs, cutover - _NEAR, key=lambda leg: leg[2])
    high = bisect.bisect_left(legs, cutover + _NEAR, key=lambda leg: leg[2])
    moves = [_move(i, legs[i], ledger.pools) for i in range(low, high) if legs[i][1] in (MOVE_OUT, MOVE_IN)]
    near = {m.index for m in moves}
    window_rules = PairingRules(
        tuple(p for p in rules.forced if p[0] in near and p[1] in near), rules.forbidden
    )
    pairs = pairing(moves, rules=window_rules).pairs if moves else {}
    ends = [(min(a, b), max(a, b)) for a, b in [*pairs.items(), *rules.forced]]
    early = sorted({later for first, later in ends if first < at <= later})
    skipped = set(early)
    before = list(range(at)) + early
    after = [i for i in range(at, len(legs)) if i not in skipped]
    return before, after


def part(ledger: Ledger, indices: list[int]) -> Ledger:
    return Ledger(ledger.pools, [ledger.legs[i] for i in indices])


def effects_for(effects: Effects, indices: list[int], offset: int = 0) -> Effects:
    """The decisions' effects on a part of the ledger: the legs at `indices` of the whole,
    numbered from `offset` in the part (what the part has of a pair or an own wallet)."""
    place = {whole: offset + n for n, whole in enumerate(indices)}

    def moved(found: dict[int, T]) -> dict[int, T]:
        return {place[i]: value for i, value in found.items() if i in place}

    forced = tuple((place[o], place[i]) for o, i in effects.rules.forced if o in place and i in place)
    forbidden = frozenset(
        (place[o], place[i]) for o, i in effects.rules.forbidden if o in place and i in place
    )
    return Effects(
        PairingRules(forced, forbidden),
        moved(effects.own_dest),
        moved(effects.own_source),
        moved(effects.acquired_at),
        moved(effects.keys),
    )


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


class _Parts(NamedTuple):
    """The history before the cutover and from it, with where each of their legs is in the whole."""

    before: Ledger
    before_at: list[int]
    after: Ledger
    after_at: list[int]
    effects: Effects


def _parts(ledger: Ledger, cutover: EpochMicros, effects: Effects) -> _Parts:
    before_at, after_at = split(ledger, cutover, effects.rules)
    return _Parts(part(ledger, before_at), before_at, part(ledger, after_at), after_at, effects)


def take_snapshot(
    ledger: Ledger, method: str, day: DayOf, cutover: EpochMicros, effects: Effects | None = None
) -> tuple[LotResult, dict[str, AssetSnapshot], Ledger]:
    """The universal results before the cutover, every asset's snapshot, and the history after."""
    parts = _parts(ledger, cutover, effects or Effects())
    universal, traced = _runs_before(parts, method, day)
    return universal, snapshots(universal, traced, parts.after), parts.after


def _runs_before(parts: _Parts, method: str, day: DayOf) -> tuple[LotResult, LotResult]:
    """The history before the cutover matched universally and per account."""
    effects = effects_for(parts.effects, parts.before_at)
    universal = match_lots(parts.before, method, True, day, effects)
    traced = match_lots(parts.before, method, False, day, effects)
    return universal, traced


def match_transition(
    ledger: Ledger,
    method: str,
    day: DayOf,
    cutover: EpochMicros,
    recorded: dict[str, tuple[Allocation, dict[str, Amount]]],
    effects: Effects | None = None,
) -> Transition:
    """Lot results under the transition: universal before the cutover, per account after,
    each asset starting from its recorded allocation, else the actual-units default; the
    user's decisions (`effects`, made with `ledger` by engine.ledger.decided) in every run."""
    parts = _parts(ledger, cutover, effects or Effects())
    universal, traced = _runs_before(parts, method, day)
    after = parts.after
    assets = snapshots(universal, traced, after)
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
    later_effects = effects_for(parts.effects, parts.after_at, len(opening))
    later = match_lots(Ledger(pools, opening + after.legs), method, False, day, later_effects)
    result = LotResult(
        realized=joined(universal.realized, later.realized),
        excluded=universal.excluded + later.excluded,
        open_lots=later.open_lots,
        shortfalls=universal.shortfalls + later.shortfalls,
        warnings=universal.warnings + warnings + later.warnings,
    )
    # the problems list names legs of the whole ledger: the runs' pairings and unresolved legs
    # numbered back (an opening lot of the allocation is no leg of it: -1)
    whole = [parts.before_at, [-1] * len(opening) + parts.after_at]
    result.pairing = _joined(whole, [universal.pairing, later.pairing], parts.effects.rules.forbidden)
    result.unresolved = [
        u._replace(leg=at[u.leg] if u.leg >= 0 else -1)
        for at, run in zip(whole, (universal, later), strict=True)
        for u in run.unresolved
    ]
    return Transition(result, assets, applied)


def _joined(
    whole: list[list[int]], pairings: list[Pairing], forbidden: frozenset[tuple[int, int]]
) -> Pairing:
    """The runs' pairings as one, in the whole ledger's leg numbers."""
    joined = Pairing(forbidden=forbidden)
    for at, run in zip(whole, pairings, strict=True):
        joined.moves.extend(replace(m, index=at[m.index]) for m in run.moves)
        joined.pairs.update({at[a]: at[b] for a, b in run.pairs.items()})
        joined.confidence.update({at[a]: how for a, how in run.confidence.items()})
    joined.moves.sort(key=lambda m: m.index)
    return joined


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
