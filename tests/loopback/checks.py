"""What the loopback sync tests check after a sync: the report, the lots the history left, the
records stored."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from engine.config.load import Config
from engine.core import fixedpoint as fp
from engine.core.units import EpochMillis
from engine.exchanges.sync import AccountReport, sync_accounts
from engine.ledger.lots import match_lots
from engine.store.store import Store


def synced(config: Config, store: Store, now: int | None = None) -> AccountReport:
    """One account's sync with no waiting between retries; it must not have failed."""
    from tests.engine.exchanges.test_sync import no_wait

    clock = None if now is None else (lambda: EpochMillis(now))
    (report,) = sync_accounts(config, store, client_factory=no_wait, now_ms=clock)
    assert report.ok, report.error
    return report


def held(store: Store) -> dict[str, Decimal]:
    """Open lots per asset (FIFO), as decimals: what the history says the account holds."""
    totals: dict[str, int] = {}
    for lot in match_lots(store.ledger(), "fifo").open_lots:
        totals[lot.asset] = totals.get(lot.asset, 0) + lot.quantity
    return {asset: Decimal(fp.fmt(units, 0)) for asset, units in totals.items() if units}


def natural_keys(path: Path) -> set[str]:
    with Store(path) as store:
        return {r[0] for r in store.conn.execute("SELECT natural_key FROM events")}
