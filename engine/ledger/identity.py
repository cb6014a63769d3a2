"""The user's asset-identity decisions (engine.ledger.decisions ALIAS and MIGRATION) applied to
the ledger as it is loaded — never by rewriting stored events, so an undo restores the original.

- An alias names a source's code as another asset (`XDG` is `DOGE`): every pool of the code is
  read as the asset's, so their lots are one pool (FIFO runs across both).
- A migration (`MATIC>POL`) is non-taxable: lots leave the old asset and arrive in the new one
  with their basis and acquisition dates (engine.ledger.lot_migrations). Two shapes:
  - at a time, with a ratio: everything each account (or the accounts named) holds of OLD then
    becomes NEW x ratio;
  - a pair of records the exchange wrote for it (an OLD withdrawal or sale and a NEW deposit or
    buy, named by natural key): they stop being a sale and a buy (no fake loss) and become one
    migration of the quantities they name, at the later of their two times; or one convert
    record (OLD sold for NEW, NEW bought with OLD: `out` and `in` name the same record)."""

from __future__ import annotations

import bisect
from dataclasses import field

from engine.core import fixedpoint as fp
from engine.core.lean_dataclass import lean_dataclass
from engine.core.units import Amount, EpochMicros
from engine.ledger.decisions import ALIAS, MIGRATION, Decision, active_by_subject
from engine.ledger.legs import MIGRATE_HELD, MIGRATE_IN, MIGRATE_OUT
from engine.ledger.records import Ledger, LegRow

OUT_SIDES = ("sell", "spend", "transfer_out")  # how an exchange may show the old asset leaving
IN_SIDES = ("buy", "income", "transfer_in")  # ... and the new one arriving


@lean_dataclass(frozen=True)
class Record:
    """A stored event a migration names, as the ledger load needs it."""

    key: str  # natural key
    account: str
    asset: str
    side: str
    timestamp: EpochMicros
    quantity: Amount
    quote: str
    ref: str  # the trade id, or E<event id>: its legs' ref
    quote_quantity: Amount | None = None  # a trade's quantity of its quote asset


@lean_dataclass(frozen=True)
class Migration:
    """An asset migration decided by the user: at a time (`at`) or by its two records."""

    decision_id: int
    old: str
    new: str
    at: EpochMicros | None = None  # the time form
    ratio: Amount | None = None  # new units per old unit (fixed-point)
    accounts: tuple[str, ...] = ()  # () = every account
    out_key: str | None = None  # the record form: natural keys ...
    in_key: str | None = None
    out_record: Record | None = None  # ... and the records they name (None: not in the store)
    in_record: Record | None = None

    @property
    def by_records(self) -> bool:
        return self.out_key is not None

    @property
    def applicable(self) -> bool:
        """Whether the ledger can apply it (a record form needs both records in the store)."""
        return not self.by_records or (self.out_record is not None and self.in_record is not None)


@lean_dataclass(frozen=True)
class AssetIdentity:
    """The user's asset aliases and migrations, applied to what is read from the store."""

    aliases: dict[str, str] = field(default_factory=dict)  # a source's code -> the asset it is
    migrations: tuple[Migration, ...] = ()

    def canonical(self, code: str) -> str:
        """The asset a code is read as, through chained aliases (a cycle stops where it closes)."""
        seen = {code}
        while code in self.aliases and self.aliases[code] not in seen:
            code = self.aliases[code]
            seen.add(code)
        return code

    def __bool__(self) -> bool:
        return bool(self.aliases or self.migrations)


def split_subject(subject: str) -> tuple[str, str]:
    old, _, new = subject.partition(">")
    return old, new


def migration_keys(decisions: list[Decision]) -> list[str]:
    """The natural keys the record-form migrations in force name (the store looks them up)."""
    return [
        str(d.detail[side])
        for d in decisions
        if d.kind == MIGRATION and d.active
        for side in ("out", "in")
        if side in d.detail
    ]


def identity_from(decisions: list[Decision], records: dict[str, Record]) -> AssetIdentity:
    """The aliases and migrations in force, from the decisions (any order)."""
    aliased = active_by_subject(decisions, ALIAS)
    migrations = []
    for decision in sorted(decisions, key=lambda d: d.id):
        if decision.kind != MIGRATION or not decision.active:
            continue
        try:
            migrations.append(_migration(decision, records))
        except (KeyError, TypeError, ValueError):
            continue  # a detail harvest cannot read (never recorded by it): listed, not applied
    return AssetIdentity(
        aliases={code: str(d.detail["asset"]) for code, d in aliased.items() if "asset" in d.detail},
        migrations=tuple(migrations),
    )


def _migration(decision: Decision, records: dict[str, Record]) -> Migration:
    old, new = split_subject(decision.subject)
    detail = decision.detail
    if "out" in detail:
        out_key, in_key = str(detail["out"]), str(detail["in"])
        return Migration(decision.id, old, new, out_key=out_key, in_key=in_key,
                         out_record=records.get(out_key), in_record=records.get(in_key))  # fmt: skip
    accounts = tuple(str(a) for a in detail.get("accounts", ()))
    at, ratio = EpochMicros(int(detail["at"])), fp.parse(str(detail["ratio"]))
    return Migration(decision.id, old, new, at=at, ratio=ratio, accounts=accounts)


def apply_identity(ledger: Ledger, identity: AssetIdentity) -> Ledger:
    """The ledger as the user's decisions read it: pools renamed by alias, the records a
    migration names replaced by it, and migrations' legs in time order."""
    if not identity:
        return ledger
    legs = ledger.legs
    usable = [m for m in identity.migrations if m.applicable]
    named = [r for m in usable for r in (m.out_record, m.in_record) if r is not None]
    if named:
        legs = _without_records(ledger, named)
    pools = {
        pool_id: (account, identity.canonical(asset)) for pool_id, (account, asset) in ledger.pools.items()
    }
    if usable:
        legs = _with_migrations(legs, pools, usable, identity)
    return Ledger(pools, legs)


def _time(leg: LegRow) -> EpochMicros:
    return leg[2]


def _when(migration: Migration) -> tuple[EpochMicros, int]:
    """When a migration happens (the record form: the later of its records), and its id."""
    if migration.out_record is not None and migration.in_record is not None:
        return max(migration.out_record.timestamp, migration.in_record.timestamp), migration.decision_id
    return migration.at or EpochMicros(0), migration.decision_id


def _moves(
    old: str, out_record: Record, in_record: Record, identity: AssetIdentity
) -> tuple[tuple[str, Amount], tuple[str, Amount]]:
    """(account, quantity) of OLD leaving and of NEW arriving: the two records', or one convert
    record's two sides (OLD sold for NEW, or NEW bought with OLD)."""
    if out_record.key != in_record.key:
        return (out_record.account, out_record.quantity), (in_record.account, in_record.quantity)
    account, other = out_record.account, out_record.quote_quantity or Amount(0)
    if identity.canonical(out_record.asset) == old:
        return (account, out_record.quantity), (account, other)
    return (account, other), (account, out_record.quantity)


def _without_records(ledger: Ledger, records: list[Record]) -> list[LegRow]:
    """The legs but those of the records' own asset (and, for a trade, of its quote): a fee
    paid in a crypto asset stays the disposal it is."""
    dropped = set()
    for record in records:
        dropped.add((record.account, record.asset, record.timestamp, record.ref))
        dropped.add((record.account, record.quote, record.timestamp, f"{record.ref}:{record.quote}"))
    pools, times = ledger.pools, {record.timestamp for record in records}
    # most legs are at other times: one set lookup each, the full key only for the rest
    return [
        leg for leg in ledger.legs if leg[2] not in times or (*pools[leg[0]], leg[2], leg[5]) not in dropped
    ]


def _with_migrations(
    legs: list[LegRow],
    pools: dict[int, tuple[str, str]],
    migrations: list[Migration],
    identity: AssetIdentity,
) -> list[LegRow]:
    """Each migration's two legs, placed after every leg of their time (a migration at 10:00
    sees what was held at 10:00); `pools` gains the new assets' pools it needs."""
    pool_of: dict[tuple[str, str], int] = {}
    for pool_id, names in sorted(pools.items()):
        pool_of.setdefault(names, pool_id)

    def pool(account: str, asset: str) -> int:
        found = pool_of.get((account, asset))
        if found is None:
            found = pool_of[(account, asset)] = max(pools, default=0) + 1
            pools[found] = (account, asset)
        return found

    placed: list[tuple[EpochMicros, int, list[LegRow]]] = []
    for migration in sorted(migrations, key=_when):  # in time order: a chain's later step sees the pools
        old, new = identity.canonical(migration.old), identity.canonical(migration.new)
        out_record, in_record = migration.out_record, migration.in_record
        at = _when(migration)[0]
        if out_record is not None and in_record is not None:
            (out_account, out_quantity), (in_account, in_quantity) = _moves(
                old, out_record, in_record, identity
            )
            rows: list[LegRow] = [
                (pool(out_account, old), MIGRATE_OUT, at, out_quantity, None, out_record.ref, None),
                (pool(in_account, new), MIGRATE_IN, at, in_quantity, None, in_record.ref, None),
            ]
        else:
            assert migration.ratio is not None
            ref = f"D{migration.decision_id}"
            holders = sorted({account for account, asset in pool_of if asset == old})
            rows = []
            for account in holders:
                if not migration.accounts or account in migration.accounts:
                    rows.append((pool(account, old), MIGRATE_HELD, at, migration.ratio, None, ref, None))
                    rows.append((pool(account, new), MIGRATE_IN, at, Amount(0), None, ref, None))
        placed.append((at, migration.decision_id, rows))
    merged = list(legs)
    for at, _id, rows in sorted(placed, reverse=True):  # latest first: earlier places stay put
        where = bisect.bisect_right(merged, at, key=_time)
        merged[where:where] = rows
    return merged
