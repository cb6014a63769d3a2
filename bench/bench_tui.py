"""Time the app with N open lots: first frame with data, and re-render after a price tick.

    uv run python bench/bench_tui.py 100000

Runs the real HarvestApp headless (Textual's run_test at 120x40) on a store of N buys (built
once, as in bench_scan.py). "First frame" is from app start until the main screen has shown
its first snapshot (slow path + scan + table fill); a "tick" is from new prices until the
panes show them. Peak RSS is the process's high-water mark."""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_scan import NOW, prepared_store  # noqa: E402
from bench.result import emit, metric  # noqa: E402
from bench.synth import ASSETS  # noqa: E402
from engine.api import Engine  # noqa: E402
from engine.config.load import Config, TaxConfig  # noqa: E402
from engine.core import fixedpoint as fp  # noqa: E402
from engine.store.store import Store  # noqa: E402
from tui.app import HarvestApp  # noqa: E402
from tui.feed import PriceFeed  # noqa: E402
from tui.screens.main import MainScreen  # noqa: E402
from tui.session import Session  # noqa: E402


class QuietFeed(PriceFeed):
    interval = 3600.0

    def poll(self) -> None:
        return None


def random_prices(rng: random.Random) -> dict[str, int]:
    return {asset: fp.parse(str(base * rng.randint(60, 110) / 100)) for asset, base in ASSETS.items()}


async def measure(lots: int, ticks: int) -> None:
    path = prepared_store(lots)
    rng = random.Random(3)
    config = Config(tax=TaxConfig(timezone="America/New_York", ordinary_taxable_income=Decimal(180_000)))
    started = time.perf_counter()
    session = Session(Engine(config, Store(path), clock=lambda: NOW))
    session.set_prices(random_prices(rng), NOW)
    app = HarvestApp(session, QuietFeed())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = None
        while screen is None or screen.snapshot is None:
            await pilot.pause(0.01)
            screen = app.screen if isinstance(app.screen, MainScreen) else None
        first = time.perf_counter() - started
        timings = []
        for _ in range(ticks):
            previous = screen.snapshot
            tick = time.perf_counter()
            session.set_prices(random_prices(rng), NOW)
            screen.recompute()
            while screen.snapshot is previous:
                await pilot.pause(0.005)
            await pilot.pause()
            timings.append(time.perf_counter() - tick)
        rows = app.screen.query_one("#candidates-table").row_count
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{lots:,} open lots: first frame with data {first:.2f} s; price tick to re-render median "
        f"{statistics.median(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms over {ticks} ticks "
        f"({rows} candidate rows); peak RSS {rss:,.0f} MB"
    )
    emit("tui", {"first_frame_s": metric([first], "s"), "tick_ms": metric([t * 1000 for t in timings], "ms"),
                 "peak_mb": metric([rss], "MB")})  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("lots", type=int, nargs="?", default=100_000)
    parser.add_argument("--ticks", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(measure(args.lots, args.ticks))


if __name__ == "__main__":
    main()
