"""Records shared by the lot matcher, the store and the gains step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field
from datetime import date
from typing import NamedTuple

from engine.core import fixedpoint as fp
from engine.core.lean_dataclass import lean_dataclass
from engine.core.units import Amount, DayOrdinal, EpochMicros

# Fixed-point amounts, or the same int as its decimal digits when it does not fit SQLite's 64
# bits (the matcher applies int() as it reads them).
Units = Amount | str


class LegExtra(NamedTuple):
    """The rarely-set parts of a leg."""

    identification: str | None  # "LOT:QTY;..." on a disposal
    counterpart: str | None  # the other own account of a transfer
    tx_id: str | None
    flag: str | None  # why the USD value is unknown


# A leg as the matcher reads it, in processing order (timestamp, event id, seq):
# (pool_id, kind, timestamp, quantity, usd, ref, extra). kind is one of ledger.ACQUIRE ...;
# extra is None for the common leg.
LegRow = tuple[int, int, EpochMicros, Units, Units | None, str, LegExtra | None]


@lean_dataclass()
class Ledger:
    """Every leg, plus what each pool id names: (account, asset)."""

    pools: dict[int, tuple[str, str]]
    legs: list[LegRow]


SHORT, LONG = "short", "long"


class RealizedRow(NamedTuple):
    """One sale-lot slice. Days are date ordinals in the tax zone. (A NamedTuple: a million of
    these are built per run, and tuples are the cheapest immutable record.)"""

    account: str
    asset: str
    quantity: Amount
    acquired_day: DayOrdinal
    sold_day: DayOrdinal
    proceeds: Amount
    cost_basis: Amount
    gain: Amount
    term: str
    lot_id: str
    sale_id: str

    @property
    def year(self) -> int:
        return date.fromordinal(self.sold_day).year


class Excluded(NamedTuple):
    """A slice left out of realized results, and why (never counted as zero)."""

    account: str
    asset: str
    quantity: Amount
    sold_day: DayOrdinal
    sale_id: str
    lot_id: str | None
    problem: str


class OpenLot(NamedTuple):
    """An open lot after matching. (A NamedTuple: cheap to build by the hundred thousand.)"""

    account: str
    asset: str
    lot_id: str
    quantity: Amount
    basis: Amount | None  # None: unknown basis (e.g. a transfer in with no source)
    acquired: EpochMicros
    acquired_day: DayOrdinal


@lean_dataclass(frozen=True, slots=True)
class Shortfall:
    """A disposal larger than the pool held: history is missing for this account/asset."""

    account: str
    asset: str
    quantity: Amount
    timestamp: EpochMicros
    sale_id: str

    def __init__(
        self, account: str, asset: str, quantity: Amount, timestamp: EpochMicros, sale_id: str
    ) -> None:
        put = object.__setattr__  # (the generated __init__, written out: see lean_dataclass)
        put(self, "account", account)
        put(self, "asset", asset)
        put(self, "quantity", quantity)
        put(self, "timestamp", timestamp)
        put(self, "sale_id", sale_id)


@lean_dataclass(frozen=True, slots=True)
class MoveLeg:
    """A transfer leg as the pairing sees it (engine.ledger.transfers)."""

    index: int  # position in the sorted leg list
    account: str
    asset: str
    kind: int  # MOVE_OUT or MOVE_IN (engine.ledger.legs)
    timestamp: EpochMicros
    quantity: Amount
    counterpart: str | None
    tx_id: str | None
    ref: str = ""  # the record's id, for warnings

    def __init__(
        self,
        index: int,
        account: str,
        asset: str,
        kind: int,
        timestamp: EpochMicros,
        quantity: Amount,
        counterpart: str | None,
        tx_id: str | None,
        ref: str = "",
    ) -> None:
        put = object.__setattr__  # (the generated __init__, written out: see lean_dataclass)
        put(self, "index", index)
        put(self, "account", account)
        put(self, "asset", asset)
        put(self, "kind", kind)
        put(self, "timestamp", timestamp)
        put(self, "quantity", quantity)
        put(self, "counterpart", counterpart)
        put(self, "tx_id", tx_id)
        put(self, "ref", ref)


@lean_dataclass()
class Pairing:
    """What the transfer pairing decided: each paired leg's partner (both ways) and, per
    transfer-out paired, how sure the rule that paired it is (engine.ledger.transfers)."""

    moves: list[MoveLeg] = field(default_factory=list)
    pairs: dict[int, int] = field(default_factory=dict)
    confidence: dict[int, str] = field(default_factory=dict)  # out leg index -> CERTAIN, HIGH, ...
    forbidden: frozenset[tuple[int, int]] = frozenset()  # (out, in) the user said are not one move


class Unresolved(NamedTuple):
    """A leg the matcher could not follow all the way: lots of unknown basis it made, a value it
    lacked, lots sent nowhere known — and why (the problems list reads them)."""

    cause: str  # engine.ledger.lots: RECEIVED_FROM_OUTSIDE, NO_VALUE, SENT_OUTSIDE, ...
    account: str
    asset: str
    timestamp: EpochMicros
    ref: str
    quantity: Amount
    leg: int  # index in the ledger's legs
    basis: Amount | None = None  # the known basis that left the books with it (sent, given, lost)


@lean_dataclass()
class LotResult:
    """What a match of the lots gives: realized slices, exclusions, open lots and what to review."""

    # a match's RealizedSlices (engine.ledger.realized_slices: columns, rows built when read)
    realized: Sequence[RealizedRow] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    # a match's OpenLots (engine.ledger.open_lots: rows built when read), or a plain list
    open_lots: Sequence[OpenLot] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pairing: Pairing = field(default_factory=Pairing)
    unresolved: list[Unresolved] = field(default_factory=list)


def parse_identification(spec: str) -> list[tuple[str, Amount]]:
    """'LOT:QTY;LOT:QTY' to [(lot_id, quantity)]; ValueError on anything else."""
    chosen: list[tuple[str, Amount]] = []
    for raw_part in spec.split(";"):
        part = raw_part.strip()
        if not part:
            continue
        lot_id, sep, qty_text = part.rpartition(":")
        if not sep or not lot_id.strip():
            raise ValueError(f"expected LOT_ID:QTY, got {part!r}")
        quantity = fp.parse(qty_text)
        if quantity <= 0:
            raise ValueError(f"quantity for lot {lot_id.strip()} must be positive")
        chosen.append((lot_id.strip(), quantity))
    if not chosen:
        raise ValueError("empty identification")
    return chosen
