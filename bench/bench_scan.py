"""Time the hot path: candidates and savings for N open lots after a price change.

    uv run python bench/bench_scan.py 100000 [--plan 5]

Builds a store of N buys (no sales) across accounts and assets, prepares the scan context once
(the slow path), then times `Planner.scan(prices)` for a series of new prices — or, with
`--plan K`, the app's tick: a plan of the K best candidates valued and the rest ranked after it."""

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

from bench.result import emit, metric  # noqa: E402
from bench.synth import ACCOUNTS, ASSETS  # noqa: E402
from engine.api import Engine  # noqa: E402
from engine.config.load import Config, TaxConfig  # noqa: E402
from engine.core import fixedpoint as fp  # noqa: E402
from engine.core.units import Amount  # noqa: E402
from engine.ledger.events import Event  # noqa: E402
from engine.planning.checklist import PLANNED  # noqa: E402
from engine.planning.planner import Planner  # noqa: E402
from engine.planning.plans import Plan  # noqa: E402
from engine.store.checklist_tables import Step  # noqa: E402
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
    parser.add_argument("--plan", type=int, default=0, metavar="K", help="rank after a plan of K steps")
    args = parser.parse_args()
    path = prepared_store(args.lots)
    config = Config(tax=TaxConfig(timezone="America/New_York", ordinary_taxable_income=Decimal(180_000)))
    planner = Planner(Engine(config, Store(path), clock=lambda: NOW))
    started, cpu_started = time.perf_counter(), time.process_time()
    context = planner.context
    slow, slow_cpu = (
        time.perf_counter() - started,
        time.process_time() - cpu_started,
    )  # CPU: steadier when busy
    rng = random.Random(9)
    timings: list[float] = []
    cpu: list[float] = []
    candidates = []
    steps: list[Step] = []
    if args.plan:
        first = {asset: fp.parse(str(base * 80 / 100)) for asset, base in ASSETS.items()}
        best = planner.scan(first)[0][: args.plan]  # the K best candidates, whole
        steps = steps_in_memory(planner.plan(first, "target", Amount(-sum(c.loss for c in best))), args.plan)
    for _ in range(args.ticks):
        prices = {asset: fp.parse(str(base * rng.randint(60, 110) / 100)) for asset, base in ASSETS.items()}
        tick, tick_cpu = time.perf_counter(), time.process_time()
        candidates = planner.tick(prices, plan=steps).candidates
        timings.append(time.perf_counter() - tick)
        cpu.append(time.process_time() - tick_cpu)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(context.lots.open_lots):,} open lots: slow path {slow:.2f} s (CPU {slow_cpu:.2f} s); scan after a price change "
        f"median {statistics.median(timings) * 1000:.2f} ms (range {min(timings) * 1000:.2f}–"
        f"{max(timings) * 1000:.2f}), CPU median {statistics.median(cpu) * 1000:.2f} ms over {len(timings)} ticks "
        f"({len(candidates)} candidates, {len(steps)} planned); peak RSS {rss:,.0f} MB; "
        f"load {Path('/proc/loadavg').read_text().split()[0]}"
    )
    emit("scan", {"tick_ms": metric([t * 1000 for t in timings], "ms"), "slow_path_s": metric([slow], "s"),
                  "peak_mb": metric([rss], "MB"), "open_lots": metric([len(context.lots.open_lots)], "lots")})  # fmt: skip


def steps_in_memory(plan: Plan, count: int) -> list[Step]:
    """The plan's first `count` steps as the checklist would hold them (not written to the store)."""
    return [
        Step(
            id=s.number,
            number=s.number,
            account=s.account,
            asset=s.asset,
            term=s.term,
            quantity=s.quantity,
            lots=s.identification,
            expected_proceeds=s.expected_proceeds,
            cost_basis=s.cost_basis,
            savings=s.savings_this_year,
            carryforward=s.carryforward_created,
            trading_cost=s.trading_cost,
            rebuy=s.rebuy_after is not None,
            rebuy_wait_hours=24,
            state=PLANNED,
            identified_at=None,
            sold_at=None,
            sale_ref=None,
            rebuy_after=None,
            rebought_at=None,
            rebuy_ref=None,
            reason=None,
        )  # fmt: skip
        for s in plan.steps[:count]
    ]


if __name__ == "__main__":
    main()
