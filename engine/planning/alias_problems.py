"""Asset codes that look like another asset (engine.ledger.asset_suggestions: a known code for a
coin a file kept as it was, an earn or staking code of a coin the ledger holds, a renamed
ticker) as data problems: until the user aliases the code, its lots are a pool of their own (FIFO
runs apart from the coin's) and a transfer whose other end is under the other code stays
unpaired. Each blocks what the gate holds back under the code — the positions its other
problems block (a receive from outside, unknown basis) — so it lists the dollars an alias may
free, and it gates nothing on its own. Resolved by `harvest assets alias CODE ASSET` (or `m` on
the app's Problems screen); an ignore lists it as ignored."""

from __future__ import annotations

from collections.abc import Sequence

from engine.ledger.asset_suggestions import alias_suggestions
from engine.ledger.decisions import IGNORE, Decision, active_by_subject
from engine.planning.data_problems import DataProblem
from engine.store.store import Store

ASSET_ALIAS = "asset_alias"


def alias_problems(
    store: Store, found: Sequence[DataProblem], decisions: Sequence[Decision]
) -> list[DataProblem]:
    """One problem per code the ledger holds that looks like another asset, blocking the
    positions under that code the other problems (`found`) hold back."""
    identity = store.asset_identity()
    held = {identity.canonical(code) for code in store.pool_assets()}
    gated = {pool for problem in found if problem.gates for pool in problem.blocks}
    ignores = active_by_subject(list(decisions), IGNORE)
    problems = []
    for suggestion in alias_suggestions(held):
        code, asset = suggestion.code, suggestion.asset
        key = f"{ASSET_ALIAS}|{code}>{asset}"
        reason = f"{code} may be {asset} ({suggestion.why}): its lots are a pool of their own"
        blocks = tuple(sorted(pool for pool in gated if pool[1] == code))
        problems.append(DataProblem(ASSET_ALIAS, key, "", code, None, None, "", None, reason, blocks,
                                    ignored=ignores.get(key)))  # fmt: skip
    return problems


def alias_of(kind: str, key: str) -> tuple[str, str] | None:
    """(code, asset) an asset alias problem (its kind and key) suggests; None for another kind."""
    if kind != ASSET_ALIAS:
        return None
    code, _, asset = key.removeprefix(f"{ASSET_ALIAS}|").partition(">")
    return code, asset
