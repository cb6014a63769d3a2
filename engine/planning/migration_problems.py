"""A coin migration the exchange wrote as two records (a MATIC sale and a POL buy, or one convert
of MATIC for POL) as a data problem: until the user records it as a migration, the records book
a gain or loss that never happened and the new coin's lots start at the migration's date and
price instead of carrying the old basis and dates. Found by engine.ledger.asset_suggestions (the
records must be there: a migration merely due at its date is a `harvest assets list --suggest`
line, not a problem — many holders never migrated). It blocks what the gate holds back under
either code in that account, and gates nothing on its own. Resolved by the suggestion's
`harvest assets migrate` command (or `m` on the app's Problems screen); an ignore lists it as
ignored."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from engine.core.units import EpochMicros
from engine.ledger.asset_suggestions import suggested_aliases
from engine.ledger.assets import MIGRATED
from engine.ledger.decisions import IGNORE, MIGRATION, Decision, active_by_subject
from engine.planning.data_problems import DataProblem
from engine.store.store import Store

ASSET_MIGRATION = "asset_migration"


class MigrationRecords(NamedTuple):
    """The migration an asset migration problem suggests: OLD, NEW and the records as
    `harvest assets migrate` names them ((out, in) or (convert,))."""

    old: str
    new: str
    refs: tuple[str, ...]

    def command(self) -> str:
        if len(self.refs) == 1:
            return f"harvest assets migrate {self.old} {self.new} --convert {self.refs[0]}"
        return f"harvest assets migrate {self.old} {self.new} --out {self.refs[0]} --in {self.refs[1]}"


def migration_problems(
    store: Store, found: Sequence[DataProblem], decisions: Sequence[Decision]
) -> list[DataProblem]:
    """One problem per pair of records (or convert record) that look like a known migration."""
    identity = store.asset_identity()
    held = {identity.canonical(code) for code in store.pool_assets()}
    if not any(renamed.old in held for renamed in MIGRATED):
        return []  # the common case: no ledger load
    gated = {pool for problem in found if problem.gates for pool in problem.blocks}
    ignores = active_by_subject(list(decisions), IGNORE)
    problems = []
    for suggestion in suggested_aliases(store.ledger(), identity):
        if suggestion.kind != MIGRATION or not suggestion.refs:
            continue
        key = f"{ASSET_MIGRATION}|{suggestion.code}>{suggestion.asset}|{'|'.join(suggestion.refs)}"
        assets = (suggestion.code, suggestion.asset)
        blocks = tuple(sorted(p for p in gated if p[0] == suggestion.account and p[1] in assets))
        at = None if suggestion.at is None else EpochMicros(suggestion.at)
        problems.append(DataProblem(ASSET_MIGRATION, key, suggestion.account, suggestion.code, at, None,
                                    suggestion.refs[0], None, suggestion.why, blocks,
                                    ignored=ignores.get(key)))  # fmt: skip
    return problems


def migration_of(kind: str, key: str) -> MigrationRecords | None:
    """The migration an asset migration problem (its kind and key) suggests; None for another kind."""
    if kind != ASSET_MIGRATION:
        return None
    pair, *refs = key.removeprefix(f"{ASSET_MIGRATION}|").split("|")
    old, _, new = pair.partition(">")
    return MigrationRecords(old, new, tuple(refs))
