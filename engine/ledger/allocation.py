"""Allocating unused basis to accounts as of January 1, 2025 (Rev. Proc. 2024-28).

Until 2025 a taxpayer could pool one asset across all their accounts ("universal"); from 2025
each wallet or account is its own pool (Treas. Reg. §1.1012-1(j)). The bridge: the lots of
basis not yet used by a pre-2025 sale ("unused basis", §3.09) are allocated to the units each
account actually held at the close of December 31, 2024 (§3.07, §3.10), so that every account
gets exactly as many units of basis as it holds units (§5.01), and no basis already used is
allocated again (§5.02(7)). The allocation is irrevocable (§4.02(6)).

This module is the vocabulary and the arithmetic: the snapshot an allocation is made from, the
slices it consists of, the ways harvest proposes one (a global rule; harvest's specific-unit
suggestion; the actual-units default used when none is recorded), and the constraint check.
Timeliness is in engine.ledger.allocation_rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from engine.core import fixedpoint as fp
from engine.core.units import Amount, DayOrdinal, EpochMicros

SPECIFIC_UNIT = "specific_unit"  # the user names lots per account (§5.02(2)(a))
GLOBAL = "global"  # a rule written before 2025 orders lots and fills accounts in turn (§5.02(2)(b))
ACTUAL_UNITS = "actual_units"  # harvest's default when nothing is recorded: not the safe harbor
METHODS = (SPECIFIC_UNIT, GLOBAL)
# the orders a global rule may put units of unused basis in (Rev. Proc. 2024-28 §5.02(2)(b):
# "earliest or latest acquisition dates and, for each of those dates, the highest or lowest")
RULE_ORDERS = ("hifo", "lofo", "fifo", "lifo")


class UnusedLot(NamedTuple):
    """A lot of unused basis at the snapshot: what the universal pool still held."""

    key: str  # the lot id, made unique within the asset where ids repeat
    lot_id: str
    quantity: Amount
    basis: Amount | None  # None: unknown basis (a transfer in with no source)
    acquired: EpochMicros
    acquired_day: DayOrdinal


class Slice(NamedTuple):
    """Part (or all) of one unused lot allocated to one account."""

    account: str
    key: str
    lot_id: str
    quantity: Amount
    basis: Amount | None
    acquired: EpochMicros


@dataclass(frozen=True)
class AssetSnapshot:
    """One asset as of January 1, 2025: units per account, the unused lots, and what the 2025
    disposals were (for the suggestion and the timeliness test)."""

    asset: str
    held: dict[str, Amount]  # account -> remaining units (only accounts holding some)
    unused: tuple[UnusedLot, ...]  # in acquisition order
    traced: dict[str, list[tuple[str, EpochMicros, Amount]]]  # account -> lots tracing puts there
    first_disposals: dict[str, EpochMicros] = field(default_factory=dict)  # account -> first 2025+ sale

    @property
    def units_held(self) -> int:
        return sum(self.held.values())

    @property
    def units_of_basis(self) -> int:
        return sum(lot.quantity for lot in self.unused)

    @property
    def first_disposal(self) -> tuple[EpochMicros, str] | None:
        """The first disposal of the asset on or after January 1, 2025: (time, account)."""
        if not self.first_disposals:
            return None
        account = min(self.first_disposals, key=lambda name: (self.first_disposals[name], name))
        return self.first_disposals[account], account


@dataclass(frozen=True)
class Rule:
    """A global allocation rule: the order of the lots, and the accounts filled in turn."""

    order: str
    accounts: tuple[str, ...]

    def words(self) -> str:
        lots = {
            "hifo": "highest unit basis first (earliest first on ties)",
            "lofo": "lowest unit basis first (earliest first on ties)",
            "fifo": "earliest acquired first (highest basis first on ties)",
            "lifo": "latest acquired first (highest basis first on ties)",
        }[self.order]
        return f"units of unused basis ordered {lots}, allocated to {', then '.join(self.accounts)}"


def rule_from_text(order: str, accounts: str) -> Rule:
    """A global rule as the user writes it (`--rule hifo --accounts A,B,C`, the app's rule
    dialog); ValueError saying what is missing or unknown."""
    names = tuple(dict.fromkeys(name.strip() for name in accounts.split(",") if name.strip()))
    if order not in RULE_ORDERS:
        raise ValueError(f"a global rule's order is one of {', '.join(RULE_ORDERS)}, got {order!r}")
    if not names:
        raise ValueError("a global rule names the accounts, filled in turn (A,B,C)")
    return Rule(order, names)


@dataclass(frozen=True)
class Allocation:
    """An allocation of one asset: recorded by the user (with its decision id and times) or
    computed by harvest (the default, or a proposal not yet recorded)."""

    asset: str
    method: str  # SPECIFIC_UNIT, GLOBAL or ACTUAL_UNITS
    slices: tuple[Slice, ...]
    rule: Rule | None = None
    made_on: DayOrdinal | None = None  # when the user's books first recorded it, if earlier
    rule_written_on: DayOrdinal | None = None  # a global rule: when it was written in the books
    recorded_at: EpochMicros | None = None  # when harvest recorded it
    decision_id: int | None = None
    reason: str = ""

    def by_account(self) -> dict[str, list[Slice]]:
        found: dict[str, list[Slice]] = {}
        for piece in self.slices:
            found.setdefault(piece.account, []).append(piece)
        return found


# -- building slices -------------------------------------------------------------------------


def cut(lots: Sequence[UnusedLot], wanted: Iterable[tuple[str, str, int]]) -> list[Slice]:
    """Slices for (account, lot key, quantity) requests, in order. Basis is split pro rata and
    rounded down, the slice that takes the last of a lot taking the remainder, so the slices of
    a lot add up to its basis exactly. KeyError for an unknown key; ValueError past a lot's size."""
    by_key = {lot.key: lot for lot in lots}
    left: dict[str, tuple[int, int | None]] = {lot.key: (int(lot.quantity), lot.basis) for lot in lots}
    pieces: list[Slice] = []
    for account, key, quantity in wanted:
        lot = by_key[key]
        remaining, basis = left[key]
        if quantity > remaining:
            raise ValueError(f"lot {key}: {fp.fmt(quantity, 0)} asked, {fp.fmt(remaining, 0)} unused")
        # pro rata, rounded down; the slice taking the last of the lot takes what basis is left
        part = None if basis is None else basis if quantity == remaining else basis * quantity // remaining
        left[key] = (remaining - quantity, None if basis is None or part is None else basis - part)
        pieces.append(Slice(account, key, lot.lot_id, Amount(quantity), _amount(part), lot.acquired))
    return pieces


def _amount(value: int | None) -> Amount | None:
    return None if value is None else Amount(value)


def fill(lots: Sequence[UnusedLot], accounts: Sequence[str], held: dict[str, Amount]) -> list[Slice]:
    """The lots, in the order given, allocated to the accounts in turn, each account taking
    exactly what it holds (the last ones fall short when there is less basis than units)."""
    wanted: list[tuple[str, str, int]] = []
    available = [int(lot.quantity) for lot in lots]
    position = 0
    for account in accounts:
        need = int(held.get(account, 0))
        while need and position < len(lots):
            take = min(need, available[position])
            wanted.append((account, lots[position].key, take))
            need -= take
            available[position] -= take
            if not available[position]:
                position += 1
    return cut(lots, wanted)


def ordered(lots: Sequence[UnusedLot], order: str) -> list[UnusedLot]:
    """The lots in a rule's order; lots of unknown basis last."""

    def unit(lot: UnusedLot) -> int:
        return -1 if lot.basis is None else fp.unit_price(lot.basis, lot.quantity)

    keys = {
        "hifo": lambda lot: (lot.basis is None, -unit(lot), lot.acquired, lot.key),
        "lofo": lambda lot: (lot.basis is None, unit(lot), lot.acquired, lot.key),
        "fifo": lambda lot: (lot.acquired, lot.basis is None, -unit(lot), lot.key),
        "lifo": lambda lot: (-lot.acquired, lot.basis is None, -unit(lot), lot.key),
    }
    if order not in keys:
        raise ValueError(f"unknown order {order!r}: expected one of {', '.join(RULE_ORDERS)}")
    return sorted(lots, key=keys[order])


# -- the three ways harvest arrives at an allocation -------------------------------------------


def global_allocation(snapshot: AssetSnapshot, rule: Rule) -> Allocation:
    """A global rule applied (Rev. Proc. 2024-28 §5.02(2)(b), Example 4). Accounts holding
    units that the rule does not name are filled last, by name, and the proposal says so."""
    accounts = [name for name in rule.accounts if name in snapshot.held]
    accounts += sorted(name for name in snapshot.held if name not in accounts)
    slices = fill(ordered(snapshot.unused, rule.order), accounts, snapshot.held)
    return Allocation(snapshot.asset, GLOBAL, tuple(slices), Rule(rule.order, tuple(accounts)))


def suggested_order(snapshot: AssetSnapshot, preferred: Sequence[str] = ()) -> list[str]:
    """Accounts in the order harvest gives them basis: the account sold from first in 2025
    first, then the `preferred` ones, then the rest by name."""
    sold = sorted(snapshot.first_disposals, key=lambda name: (snapshot.first_disposals[name], name))
    order = [name for name in sold if name in snapshot.held]
    order += [name for name in preferred if name in snapshot.held and name not in order]
    return order + sorted(name for name in snapshot.held if name not in order)


def suggestion(snapshot: AssetSnapshot, preferred: Sequence[str] = ()) -> Allocation:
    """harvest's specific-unit suggestion: the highest unit basis to the account sold from
    first (a sale's gain is smallest, or its loss largest, where the basis is highest)."""
    order = suggested_order(snapshot, preferred)
    slices = fill(ordered(snapshot.unused, "hifo"), order, snapshot.held)
    return Allocation(snapshot.asset, SPECIFIC_UNIT, tuple(slices))


def actual_units(snapshot: AssetSnapshot) -> Allocation:
    """The default when no allocation is recorded: each account gets the unused lots that
    tracing its own history places in it (as far as that basis is unused), then the oldest
    unused lots left. Not the safe harbor: harvest flags it (Rev. Proc. 2024-28 §5.03)."""
    left = {lot.key: int(lot.quantity) for lot in snapshot.unused}
    keys_of: dict[tuple[str, EpochMicros], list[str]] = {}
    for lot in snapshot.unused:
        keys_of.setdefault((lot.lot_id, lot.acquired), []).append(lot.key)
    wanted: list[tuple[str, str, int]] = []
    need = {name: int(quantity) for name, quantity in snapshot.held.items()}
    for account in sorted(snapshot.traced):
        for lot_id, acquired, quantity in snapshot.traced[account]:
            want = min(int(quantity), need.get(account, 0))
            for key in keys_of.get((lot_id, acquired), ()):
                take = min(want, left[key])
                if take:
                    wanted.append((account, key, take))
                    left[key] -= take
                    need[account] -= take
                    want -= take
    for account in sorted(need):
        for lot in snapshot.unused:
            take = min(need[account], left[lot.key])
            if take:
                wanted.append((account, lot.key, take))
                left[lot.key] -= take
                need[account] -= take
    return Allocation(snapshot.asset, ACTUAL_UNITS, tuple(_merged(cut(snapshot.unused, wanted))))


def _merged(slices: list[Slice]) -> list[Slice]:
    """Adjacent requests for the same account and lot as one slice, in account then lot order."""
    totals: dict[tuple[str, str], list[int | None]] = {}
    first: dict[tuple[str, str], Slice] = {}
    for piece in slices:
        key = (piece.account, piece.key)
        if key not in totals:
            totals[key], first[key] = [0, 0], piece
        entry = totals[key]
        entry[0] = int(entry[0] or 0) + piece.quantity
        entry[1] = None if entry[1] is None or piece.basis is None else entry[1] + piece.basis
    return [
        first[key]._replace(quantity=Amount(int(q or 0)), basis=_amount(b))
        for key, (q, b) in sorted(totals.items(), key=lambda item: (item[0][0], first[item[0]].acquired))
    ]


# -- the constraints ---------------------------------------------------------------------------


def problems(snapshot: AssetSnapshot, slices: Sequence[Slice]) -> list[str]:
    """Why an allocation cannot be recorded (empty when it can): every slice names an unused
    lot; no lot is allocated past its unused quantity (basis used before 2025 cannot be
    allocated again: §5.02(7)); and each account gets exactly the units it held (§5.01)."""
    found: list[str] = []
    asset = snapshot.asset
    unused = {lot.key: int(lot.quantity) for lot in snapshot.unused}
    given: dict[str, int] = {}
    per_account: dict[str, int] = {}
    for piece in slices:
        if piece.key not in unused:
            found.append(f"{asset}: lot {piece.key} is not unused basis as of 2025-01-01 (sold before 2025, "
                         "or not a lot of this asset)")  # fmt: skip
            continue
        given[piece.key] = given.get(piece.key, 0) + piece.quantity
        per_account[piece.account] = per_account.get(piece.account, 0) + piece.quantity
    for key, quantity in given.items():
        if quantity > unused[key]:
            found.append(f"{asset}: lot {key}: {fp.fmt(quantity, 0)} allocated but only "
                         f"{fp.fmt(unused[key], 0)} of its basis is unused")  # fmt: skip
    short_of_basis = snapshot.units_of_basis < snapshot.units_held
    for account in sorted(set(per_account) | set(snapshot.held)):
        got, held = per_account.get(account, 0), int(snapshot.held.get(account, 0))
        if got > held or (got < held and not short_of_basis):
            found.append(f"{asset}: {account} held {fp.fmt(held, 0)} on 2025-01-01 but "
                         f"{fp.fmt(got, 0)} is allocated to it")  # fmt: skip
    if short_of_basis and sum(per_account.values()) < min(snapshot.units_of_basis, snapshot.units_held):
        found.append(f"{asset}: {fp.fmt(sum(per_account.values()), 0)} allocated but "
                     f"{fp.fmt(snapshot.units_of_basis, 0)} of unused basis is there to allocate")  # fmt: skip
    return found
