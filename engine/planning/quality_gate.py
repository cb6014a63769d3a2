"""The data-quality gate: an account/asset with unknown basis, missing history, a trade without
a USD value, an imported row not yet classified or a balance that disagrees with the exchange
gets no advice, and says why."""

from __future__ import annotations

from collections.abc import Sequence

from engine.core import fixedpoint as fp
from engine.core.units import Amount
from engine.ledger.records import LotResult
from engine.store.ledger_tables import Unclassified


def quality_problems(
    lots: LotResult,
    excluded_pools: set[tuple[str, str]],
    mismatches: Sequence[tuple[str, str, Amount, Amount]] = (),
    unclassified: Sequence[Unclassified] = (),
) -> dict[tuple[str, str], list[str]]:
    """Per account/asset: why no advice can be given (unknown basis, missing history, ...)."""
    problems: dict[tuple[str, str], list[str]] = {}
    for lot in lots.open_lots:
        if lot.basis is None:
            problems.setdefault((lot.account, lot.asset), []).append(f"unknown basis (lot {lot.lot_id})")
    for gap in lots.shortfalls:
        problems.setdefault((gap.account, gap.asset), []).append(
            f"missing history: sold {fp.fmt(gap.quantity, 0)} more than held ({gap.sale_id})"
        )
    for pool in excluded_pools:
        problems.setdefault(pool, []).append("a trade has no USD value")
    for account, asset, ledger, exchange in mismatches:
        problems.setdefault((account, asset), []).append(
            f"balance mismatch: exchange reports {fp.fmt(exchange, 0)}, ledger has {fp.fmt(ledger, 0)}"
        )
    for row in unclassified:  # what it did to the holdings is unknown until it is classified
        problems.setdefault((row.account, row.asset), []).append(
            f"unclassified import row: {row.kind} ({row.ref})"
        )
    return {pool: sorted(set(reasons)) for pool, reasons in problems.items()}
