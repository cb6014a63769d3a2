"""The demo portfolio in a store: an engine on a throwaway directory, loaded the way a user
would load it (a CSV import), with the demo's own config, clock and prices. What `harvest demo`,
the app's tests and the benchmarks start from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from engine.api import Engine
from engine.core.units import ZERO, Amount, EpochMicros
from engine.demo.portfolio import demo_config
from engine.store.store import Store

# The demo's own profile: it never reads or writes the user's config or store.
DEMO_CONFIG = demo_config()


ScaledProgress = Callable[[int, int], None]  # lots imported so far, lots wanted
SCALED_CHUNK = 10_000  # lots per transaction: progress to report, and a bounded batch in memory


def build_demo_engine(
    directory: Path,
    clock: Callable[[], EpochMicros],
    extra_lots: int = 0,
    progress: ScaledProgress | None = None,
) -> Engine:
    """A store in `directory` loaded with the demo ledger, imported as a user would (CSV)."""
    from engine.demo import portfolio as demo

    engine = Engine(DEMO_CONFIG, Store(directory / "demo.sqlite3"), clock)
    today = date.fromordinal(engine.today())
    csv_path = directory / "demo-ledger.csv"
    demo.write_csv(demo.demo_rows(today), csv_path)
    engine.import_csv(csv_path)
    if extra_lots:
        import_scaled_lots(engine, extra_lots, progress)
    return engine


def import_scaled_lots(engine: Engine, count: int, progress: ScaledProgress | None = None) -> int:
    """`--lots N`: N more demo buys, built as events directly (no CSV round trip), imported
    in chunks so `progress` can tell how far it got."""
    from itertools import islice

    from engine.core import fixedpoint as fp
    from engine.core.dates import parse_timestamp
    from engine.demo import portfolio as demo
    from engine.ledger.events import Event
    from engine.store.store import keys_of

    today = date.fromordinal(engine.today())
    rows = demo.scaled_rows(today, count)
    added = done = 0
    while done < count:
        chunk = list(islice(rows, SCALED_CHUNK))
        if not chunk:
            break
        events = [
            Event(
                account=row["account"],
                asset=row["asset"],
                side="buy",
                timestamp=parse_timestamp(row["timestamp"]),
                quantity=fp.parse(row["quantity"]),
                price=fp.parse(row["price"]),
                fee=ZERO,
                trade_id=row["trade_id"],
                source="demo",
            )
            for row in chunk
        ]
        added += engine.store.import_events(keys_of(events), "demo:scaled", engine.usd_assets).added
        done += len(chunk)
        if progress is not None:
            progress(done, count)
    engine.invalidate()
    return added


def demo_prices(engine: Engine) -> dict[str, Amount]:
    from engine.core import fixedpoint as fp
    from engine.demo import portfolio as demo

    today = date.fromordinal(engine.today())
    return {asset: fp.from_decimal(price) for asset, price in demo.demo_prices(today).items()}


def demo_clock(as_of: str | None) -> Callable[[], EpochMicros]:
    from engine.api import system_clock
    from engine.core.dates import fixed_clock

    return fixed_clock(as_of, DEMO_CONFIG.tax.timezone) if as_of else system_clock
