"""What the loopback sync tests check after a sync: the report, the lots the history left, the
records stored; and `harvest sync` run as a child process, killed with SIGKILL at a chosen
request and then resumed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from engine.config.load import Config
from engine.core import fixedpoint as fp
from engine.core.units import EpochMillis
from engine.exchanges.sync import AccountReport, sync_accounts
from engine.ledger.lots import match_lots
from engine.store.store import Store
from tests.loopback.server import LoopbackExchange


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


def sync_process(home: Path, config: Path) -> subprocess.Popen[str]:
    """`harvest sync` in a child process, its store under `home` (harvest.sqlite3)."""
    env = {**os.environ, "HARVEST_HOME": str(home), "HARVEST_CONFIG": str(config)}
    return subprocess.Popen([sys.executable, "-m", "tui", "sync"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def killed_at(
    fx: LoopbackExchange, home: Path, config: Path, pattern: str | tuple[str, ...], nth: int
) -> list[str]:
    """Run `harvest sync` and SIGKILL it when the `nth` request holding `pattern` (every part of
    it, for a tuple) arrives, before it is answered; return the requests that run made."""
    parts = (pattern,) if isinstance(pattern, str) else pattern
    fx.requests.clear()
    proc = sync_process(home, config)

    def matches(request: str) -> bool:
        return all(part in request for part in parts)

    def kill(_number: int, request: str) -> None:
        if matches(request) and sum(map(matches, fx.requests)) == nth:
            os.kill(proc.pid, signal.SIGKILL)

    fx.on_request = kill
    try:
        proc.wait(timeout=60)
    finally:
        fx.on_request = None
    output = proc.stderr.read() if proc.stderr else ""
    assert proc.returncode == -signal.SIGKILL, f"not killed at {pattern} #{nth}: {output}"
    return list(fx.requests)


def resumed(fx: LoopbackExchange, home: Path, config: Path) -> list[str]:
    """Run `harvest sync` to its end (it must succeed); return the requests it made."""
    fx.requests.clear()
    proc = sync_process(home, config)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    return list(fx.requests)
