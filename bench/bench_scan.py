"""Time the hot path: candidates and savings for N open lots after a price change.

    uv run python bench/bench_scan.py 100000

Builds a store of N buys (no sales) across accounts and assets, prepares the scan context once
(the slow path), then times `Planner.scan(prices)` for a series of new prices."""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import ACCOUNTS, ASSETS  # noqa: E402
from engine.api import Engine  # noqa: E402
from engine.config.load import Config, TaxConfig  # noqa: E402
from engine.core import fixedpoint as fp  # noqa: E402
from engine.ledger.events import Event  # noqa: E402
from engine.planning.planner import Planner  # noqa: E402
from engine.store.store import Store, keys_of  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
NOW = 1_795_000_000_000_000  # 2026-11-18


def prepared_store(lots: int) -> Path:
    path = OUT / f"lots-{lots}.sqlite3"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    rng = random.Random(5)
    events = []
    for n in range(lots):
        asset = rng.choice(list(ASSETS))
        price = ASSETS[asset] * rng.randint(50, 150) // 100 or 1
        events.append(
            Event(
                account=rng.choice(ACCOUNTS),
                asset=asset,
                side="buy",
                timestamp=NOW - rng.randint(1, 900) * 86_400_000_000,
                quantity=rng.randint(10**15, 10**19),
                price=fp.parse(str(price)),
                fee=fp.parse("1"),
                trade_id=f"B{n}",
            )
        )
    with Store(path) as store:
        store.import_events(keys_of(events), "bench", frozenset({"USD"}))
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("lots", type=int, nargs="?", default=100_000)
    parser.add_argument("--ticks", type=int, default=20)
    args = parser.parse_args()
    path = prepared_store(args.lots)
    config = Config(tax=TaxConfig(timezone="America/New_York", ordinary_taxable_income=Decimal(180_000)))
    planner = Planner(Engine(config, Store(path), clock=lambda: NOW))
    started = time.perf_counter()
    context = planner.context
    slow = time.perf_counter() - started
    rng = random.Random(9)
    timings = []
    candidates = []
    for _ in range(args.ticks):
        prices = {asset: fp.parse(str(base * rng.randint(60, 110) / 100)) for asset, base in ASSETS.items()}
        tick = time.perf_counter()
        candidates, _blocked = planner.scan(prices)
        timings.append(time.perf_counter() - tick)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(context.lots.open_lots):,} open lots: slow path {slow:.2f} s; scan after a price change "
        f"median {statistics.median(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms over {len(timings)} ticks "
        f"({len(candidates)} candidates); peak RSS {rss:,.0f} MB"
    )


if __name__ == "__main__":
    main()
