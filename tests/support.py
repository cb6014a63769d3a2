"""Builders shared by tests: a store from CSV text, an engine with a fixed clock."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from engine.api import Engine
from engine.config.load import Config, HarvestConfig, TaxConfig
from engine.core import fixedpoint as fp
from engine.imports.generic_csv import parse_csv
from engine.store.store import Store, keys_of

ROOT = Path(__file__).resolve().parent.parent  # the project
SHARED = ROOT.parent / "shared"  # the read-only reference beside it (fixtures)

HEADER = "timestamp,account,asset,side,quantity,price,fee,trade_id"


def clock_at(iso: str, zone: str = "America/New_York"):  # noqa: ANN201
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    micros = int(moment.timestamp() * 1_000_000)
    return lambda: micros


def engine_from_csv(
    tmp_path: Path,
    text: str,
    *,
    now: str = "2026-11-24T12:00:00",
    income: str = "150000",
    status: str = "single",
    harvest: HarvestConfig | None = None,
    **tax: object,
) -> Engine:
    config = Config(
        tax=TaxConfig(
            timezone="America/New_York", filing_status=status, ordinary_taxable_income=Decimal(income), **tax
        ),  # type: ignore[arg-type]
        harvest=harvest or HarvestConfig(),
    )
    store = Store(tmp_path / "store.sqlite3")
    store.import_events(keys_of(parse_csv(text, "t.csv")), "test", frozenset({"USD"}))
    return Engine(config, store, clock_at(now))


def _drop_triggers(conn, like: str) -> None:  # noqa: ANN001
    for (trigger,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?", (like,)
    ).fetchall():
        conn.execute(f"DROP TRIGGER {trigger}")


def as_schema(conn, version: int) -> None:  # noqa: ANN001
    """Mark a store as an older schema, dropping what later migrations added, so opening it runs
    them as on a store that old (a test's stand-in for a store written by an older harvest)."""
    if version < 15:
        conn.execute("DROP TRIGGER IF EXISTS ledger_generation_legs_deleted")
        conn.execute("DROP TRIGGER IF EXISTS ledger_generation_legs_changed")
        _drop_triggers(conn, "legs_generation%")
        conn.execute("DROP TABLE IF EXISTS legs_generation")
    if version < 14:
        _drop_triggers(conn, "ledger_generation%")
        conn.execute("DROP TABLE IF EXISTS ledger_generation")
    if version < 11:
        conn.execute("DROP TABLE IF EXISTS price_fills")
        conn.execute("DROP TABLE IF EXISTS history_prices")
        conn.execute("DROP INDEX IF EXISTS legs_flagged")
    if version < 10:
        conn.execute("DROP TABLE IF EXISTS cross_source")
        conn.execute("DROP INDEX IF EXISTS events_synced_fills")
    if version < 9:
        conn.execute("DROP INDEX IF EXISTS events_unclassified")
        conn.execute("ALTER TABLE events DROP COLUMN subtotal")
        conn.execute("ALTER TABLE events DROP COLUMN value_usd")
    if version < 8:
        conn.execute("DROP TABLE IF EXISTS amount_steps")
    conn.execute(f"PRAGMA user_version = {version}")


def usd(text: str) -> int:
    return fp.parse(text)


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:  # noqa: ANN001
    """`harvest ARGV...` in-process: (exit code, stdout, stderr)."""
    from tui.cli.main import main

    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
