"""`harvest import` (and its dry run) and `harvest sync` say which fills the other source already
had, and name file rows kept beside synced fills that match none of them."""

from __future__ import annotations

from engine.core.units import EpochMicros
from engine.exchanges.sync import AccountReport
from engine.ledger.cross_source import Overlap
from engine.store.connection import default_store_path
from engine.store.store import Store, keys_of
from tests.cli.test_import_formats import run
from tests.engine.store.test_cross_source import COINBASE, COINBASE_SYNCED, ORDER_FILLS, synced
from tui.cli.sync_command import account_lines


def test_import_and_its_dry_run_count_fills_already_synced(home, capsys):
    path = home / "cb.csv"
    path.write_text(COINBASE)
    with Store(default_store_path()) as store:
        events = synced("coinbase", "coinbase", COINBASE_SYNCED[0], *ORDER_FILLS[2:])
        store.import_events(keys_of(events), "ccxt:coinbase", frozenset({"USD", "USDC"}))
    code, out, err = run(capsys, "import", str(path), "--dry-run")
    assert code == 0
    assert out.splitlines()[-1] == (
        f"dry run: 1 new event(s) from {path} (1 already in the store, 1 of them already synced from the "
        "exchange); nothing written"
    )
    # c02 (a sale on 2024-03-08) is within a day of a synced BTC/USDC sale and matches none
    warning = (
        "warning: 1 row(s) overlap fills already synced for account coinbase on 2024-03-08 and match none"
    )
    assert err.startswith(warning)
    code, out, err = run(capsys, "import", str(path))
    assert out.splitlines()[-1] == (
        f"imported 1 new event(s) from {path} (1 already in the store, 1 of them already synced from the exchange)"
    )
    assert err.startswith(warning)


def test_sync_lines_count_fills_already_imported_and_name_overlaps():
    report = AccountReport("coinbase", added=2, fetched=5, from_files=3)
    first, last = EpochMicros(1_709_809_200_000_000), EpochMicros(1_709_899_200_000_000)
    report.overlaps.append(Overlap("coinbase", 2, first, last, against_synced=False))
    assert account_lines(report).splitlines() == [
        "coinbase: 2 new record(s) of 5 fetched",
        "  3 already imported from a file (the same records: kept once)",
        "  warning: 2 fill(s) overlap trades imported from a file between 2024-03-07 and 2024-03-08 and match "
        "none of them: kept (see README: Files and sync together)",
    ]
