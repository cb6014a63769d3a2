"""Time the app with N open lots: first frame with data, re-render after a price tick, and how
long the UI thread ever stalls (a heartbeat on the event loop, tui.heartbeat).

    uv run python bench/bench_tui.py 100000 [--ticks 20] [--runs 3]

Runs the real HarvestApp headless (Textual's run_test at 120x40) on a copy of a store of N buys
(built once, as in bench_scan.py, kept in bench/out), each run in a new process as a real start
is. Run 1 starts cold (no slow-path cache); later runs start from the cache the previous run
left. Each run: the first load, `--ticks` price ticks, expanding a holding (x), a reload after
another process's import (the store watch), the detail screen (enter: until its rows and chart
are shown, then two price ticks with it open) and the problems screen (p). "First frame" is from
app start until the main screen's three panes show its first snapshot; a "tick" from new prices
until all three panes show them (the holdings, then the candidates and checklist after the
holdings' paint); "gap" is the longest time between
two heartbeats (every 10 ms) — a UI stall. Peak RSS is the process's high-water mark."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_scan import NOW, OUT, prepared_store  # noqa: E402
from bench.gil_watch import Watcher  # noqa: E402
from bench.result import emit, metric, peak_rss_mb  # noqa: E402
from bench.synth import ASSETS  # noqa: E402
from engine.api import Engine  # noqa: E402
from engine.config.load import Config, TaxConfig  # noqa: E402
from engine.core import fixedpoint as fp  # noqa: E402
from engine.ledger.events import Event  # noqa: E402
from engine.store.store import Store, keys_of  # noqa: E402
from tui.app import HarvestApp  # noqa: E402
from tui.feed import PriceFeed  # noqa: E402
from tui.heartbeat import Heartbeat, percentile  # noqa: E402
from tui.screens.detail import DetailScreen  # noqa: E402
from tui.screens.main import MainScreen  # noqa: E402
from tui.screens.problems import ProblemsScreen  # noqa: E402
from tui.session import Session  # noqa: E402
from tui.widgets.chart import BackgroundPlot  # noqa: E402

DETAIL_TICKS = 2  # price ticks while the detail screen is open
PHASES = ("first load", "ticks", "expand", "reload", "detail", "problems")


class QuietFeed(PriceFeed):
    interval = 3600.0

    def poll(self) -> None:
        return None


def random_prices(rng: random.Random) -> dict[str, int]:
    return {asset: fp.parse(str(base * rng.randint(60, 110) / 100)) for asset, base in ASSETS.items()}


def bench_config() -> Config:
    return Config(tax=TaxConfig(timezone="America/New_York", ordinary_taxable_income=Decimal(180_000)))


@dataclass
class Run:
    first: float  # seconds from start to the first snapshot shown
    ticks: list[float]
    heartbeat: Heartbeat
    candidate_rows: int
    started: float = 0.0  # perf_counter at the app's start


async def until(pilot, condition: Callable[[], object], limit: float = 600.0, quiet: bool = False) -> None:  # noqa: ANN001
    """Wait for `condition`, looking every 5 ms. `quiet`: between looks the loop just sleeps —
    pilot.pause also waits for the app to be idle, which costs ~30% of a core while the app
    waits for its load (measured: 0.30 s of CPU a second against the app's own 0.002), CPU a
    real start does not spend and the load (in a worker or a child process) then lacks."""
    deadline = time.perf_counter() + limit
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app never got there")
        await (asyncio.sleep(0.005) if quiet else pilot.pause(0.005))


def import_one(path: Path, n: int) -> None:
    """Another harvest process imports one buy: the store watch sees the ledger moved."""
    event = Event(account="kraken", asset="BTC", side="buy", timestamp=NOW - 86_400_000_000,
                  quantity=fp.parse("0.5"), price=fp.parse("50000"), fee=fp.parse("1"), trade_id=f"R{n}")  # fmt: skip
    with Store(path) as other:
        other.import_events(keys_of([event]), "bench-reload", frozenset({"USD"}))


def detail_done(detail: DetailScreen) -> bool:
    """The detail screen has shown all it was given: its rows and cell changes, and the chart."""
    plot = detail.query_one(BackgroundPlot)
    return (
        not detail.slices
        and not detail.slicing
        and plot.built is not None
        and plot.built[0][0] == plot.version
    )


async def drive(path: Path, ticks: int, reload_tag: int) -> Run:
    """The app on the store at `path`, through every phase, the heartbeat beating throughout."""
    rng = random.Random(3)
    heartbeat = Heartbeat(phase="first load")
    heartbeat.start()
    started = time.perf_counter()
    session = Session(Engine(bench_config(), Store(path), clock=lambda: NOW), use_cache=True)
    session.set_prices(random_prices(rng), NOW)
    app = HarvestApp(session, QuietFeed())
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(
                pilot, lambda: isinstance(app.screen, MainScreen) and app.screen.shown is not None, quiet=True
            )
            first = time.perf_counter() - started
            screen = app.screen
            assert isinstance(screen, MainScreen)
            await pilot.pause(0.1)  # what follows the first frame (toasts, refits) counts here too
            heartbeat.phase = "ticks"
            timings = []
            for _ in range(ticks):
                previous = screen.shown
                tick = time.perf_counter()
                session.set_prices(random_prices(rng), NOW)
                screen.recompute()
                await until(pilot, lambda: screen.shown is not previous)  # noqa: B023
                await pilot.pause()
                timings.append(time.perf_counter() - tick)
            heartbeat.phase = "expand"
            screen.active = 0
            screen.show_active()
            await pilot.press("x")
            await until(pilot, lambda: bool(screen.preview))
            await pilot.pause(0.05)
            heartbeat.phase = "reload"
            context = session.planner.__dict__.get("context")
            screen.STORE_POLL_SECONDS = 0.05  # type: ignore[misc]
            screen.set_interval(0.05, screen.watch_store)
            await asyncio.to_thread(import_one, path, reload_tag)
            await until(
                pilot,
                lambda: (
                    session.planner.__dict__.get("context") not in (None,)
                    and session.planner.__dict__["context"] is not context
                ),
            )
            shown = screen.shown
            await until(pilot, lambda: screen.shown is not shown and bool(screen.preview))
            await pilot.pause(0.05)
            heartbeat.phase = "detail"
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, DetailScreen))
            detail = app.screen
            assert isinstance(detail, DetailScreen)
            await until(pilot, lambda: detail_done(detail))  # every row in and the chart shown
            for _ in range(DETAIL_TICKS):  # live prices with the detail open: its figures follow
                shown_detail = detail.detail
                session.set_prices(random_prices(rng), NOW)
                screen.recompute()
                await until(pilot, lambda: detail.detail is not shown_detail and detail_done(detail))  # noqa: B023
            await pilot.pause(0.05)
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is screen)
            heartbeat.phase = "problems"
            await pilot.press("p")
            await until(pilot, lambda: isinstance(app.screen, ProblemsScreen) and app.screen.view is not None)
            await pilot.pause(0.05)
            await pilot.press("escape")
            await pilot.pause(0.05)
            rows = screen.query_one("#candidates-table").row_count  # type: ignore[attr-defined]
    finally:
        heartbeat.stop()
    return Run(first, timings, heartbeat, rows, started)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def describe(lots: int, number: int, run: Run) -> str:
    beat = run.heartbeat
    gaps = beat.all_gaps()
    phase, worst = beat.worst()
    busy_phase, busiest = beat.worst(busy=True)
    per_phase = ", ".join(
        f"{p} {ms(max(beat.gaps.get(p, [0.0])))}/{ms(max(beat.busy.get(p, [0.0])))}/{ms(max(own(beat, p), default=0.0))}"
        for p in PHASES
    )
    return (
        f"run {number} ({'cold' if number == 1 else 'cached'}): first frame {run.first:.2f} s; tick median "
        f"{ms(statistics.median(run.ticks))}, max {ms(max(run.ticks))}; heartbeat max gap {ms(worst)} "
        f"({phase}), p99 {ms(percentile(gaps, 0.99))}; UI-thread CPU in one beat max {ms(busiest)} ({busy_phase}); "
        f"by phase, max gap/UI CPU/gap less the UI thread's wait for a core: {per_phase}"
    )


def own(beat: Heartbeat, phase: str) -> list[float]:
    """Each beat's gap less the time the UI thread waited for a core in it (the machine's other
    work): what is left is the app's — the UI's own CPU, its waits for the GIL — and the sleep."""
    return [
        gap - wait for gap, wait in zip(beat.gaps.get(phase, []), beat.waited.get(phase, []), strict=True)
    ]


def watched(run: Run, watcher: Watcher, over: float) -> None:
    """Each beat longer than `over` (seconds), by phase: its UI-thread CPU and who held the GIL
    (bench.gil_watch), to stderr."""
    main = threading.main_thread().ident
    assert main is not None
    for phase in PHASES:
        beat = run.heartbeat
        for gap, busy, wait, end in zip(
            beat.gaps.get(phase, []),
            beat.busy.get(phase, []),
            beat.waited.get(phase, []),
            beat.ends.get(phase, []),
            strict=True,
        ):
            if gap > over:
                print(
                    f"{phase}: gap {ms(gap)}, UI CPU {ms(busy)}, UI waiting for a core {ms(wait)}"
                    f" (at {end - run.started:.2f} s)",
                    file=sys.stderr,
                )
                print("\n".join(watcher.explain(end - gap, end, main)), file=sys.stderr)
    print("GIL holds over 15 ms of CPU (longest first):", file=sys.stderr)
    phase_at = sorted((end, phase) for phase, ends in run.heartbeat.ends.items() for end in ends)
    for at, cpu, name, where in watcher.holds():
        phase = next((phase for end, phase in phase_at if end >= at), "after")
        print(f"  {cpu * 1000:.0f} ms on {name} ({phase}, at {at - run.started:.2f} s)", file=sys.stderr)
        print("\n".join(f"      {frame}" for frame in where[:4]), file=sys.stderr)
    print("collections over 5 ms of CPU:", file=sys.stderr)
    print("\n".join(f"  {line}" for line in watcher.slow_collections()), file=sys.stderr)


def child(path: Path, ticks: int, number: int, watch: float | None = None, every: float = 0.001) -> None:
    """One run in this process (a fresh one, as a real start is): its figures as a JSON line;
    `watch`: the beats over that many seconds explained on stderr (bench.gil_watch, a sample
    every `every` seconds)."""
    watcher = Watcher(interval=every)
    if watch is not None:
        watcher.start()
    run = asyncio.run(drive(path, ticks, number))
    if watch is not None:
        watcher.stop()
        watched(run, watcher, watch)
    print(
        json.dumps(
            {
                "first": run.first,
                "first_at": time.time() - (time.perf_counter() - run.started),
                "ticks": run.ticks,
                "gaps": run.heartbeat.gaps,
                "busy": run.heartbeat.busy,
                "waited": run.heartbeat.waited,
                "rows": run.candidate_rows,
                "rss": peak_rss_mb(),
                "cpu": time.process_time(),
            }
        )
    )


def spawn(
    path: Path, ticks: int, number: int, watch: float | None = None, every: float = 0.001
) -> tuple[Run, float, float, float]:
    """A run in a new process: the run, the first frame from the process's launch (imports
    included), its peak RSS (MB) and CPU seconds. `watch`: the child explains its long beats
    on stderr (passed through)."""
    launched = time.time()
    command = [sys.executable, __file__, "--child", str(path), "--ticks", str(ticks), "--number", str(number)]
    command += [] if watch is None else ["--watch", str(watch), "--watch-every", str(every)]
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    got = json.loads(out.strip().splitlines()[-1])
    run = Run(
        got["first"],
        got["ticks"],
        Heartbeat(gaps=got["gaps"], busy=got["busy"], waited=got["waited"]),
        got["rows"],
    )
    return run, got["first_at"] + got["first"] - launched, got["rss"], got["cpu"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("lots", type=int, nargs="?", default=100_000)
    parser.add_argument("--ticks", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3, help="run 1 cold, the rest from the cache")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--number", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument(
        "--watch", type=float, metavar="SECONDS", help="explain each beat over SECONDS (bench.gil_watch)"
    )
    parser.add_argument(
        "--watch-every", type=float, default=0.001, metavar="SECONDS", help="the watcher's sampling interval"
    )
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.ticks, args.number, args.watch, args.watch_every)
        return
    work = OUT / f"tui-{args.lots}"
    shutil.rmtree(work, ignore_errors=True)  # a fresh copy: the reloads add a buy each
    work.mkdir(parents=True)
    path = work / "store.sqlite3"
    shutil.copyfile(prepared_store(args.lots), path)
    runs, launches, rss, cpu = [], [], 0.0, 0.0
    for number in range(1, args.runs + 1):
        run, launch, peak, seconds = spawn(path, args.ticks, number, args.watch, args.watch_every)
        runs.append(run)
        launches.append(launch)
        rss, cpu = max(rss, peak), cpu + seconds
        print(
            describe(args.lots, number, run) + f"; from launch {launch:.2f} s; peak RSS {peak:,.0f} MB",
            flush=True,
        )
    cached = [r.first for r in runs[1:]]
    gaps = [g for r in runs for g in r.heartbeat.all_gaps()]
    busy = [b for r in runs for b in r.heartbeat.all_busy()]
    owns = [max(g for p in PHASES for g in own(r.heartbeat, p)) for r in runs]
    load = Path("/proc/loadavg").read_text().split()[0]
    print(
        f"{args.lots:,} open lots: first frame cold {runs[0].first:.2f} s"
        + (f", cached median {statistics.median(cached):.2f} s (range {min(cached):.2f}–{max(cached):.2f}; "
           f"{statistics.median(launches[1:]):.2f} s from the process's launch)" if cached else "")
        + f"; tick median {ms(statistics.median([t for r in runs for t in r.ticks]))}"
        f", max {ms(max(t for r in runs for t in r.ticks))}; heartbeat max gap {ms(max(gaps))}, "
        f"p99 {ms(percentile(gaps, 0.99))}, UI-thread CPU in one beat max {ms(max(busy))} "
        f"p99 {ms(percentile(busy, 0.99))}, longest gap less the UI's wait for a core "
        f"{'/'.join(ms(o) for o in owns)} over {len(runs)} runs; peak RSS {rss:,.0f} MB; "
        f"CPU {cpu:.1f} s; load {load}"
    )  # fmt: skip
    metrics = {
        "first_frame_s": metric([runs[0].first], "s"),  # cold: the slow path computed
        "tick_ms": metric([t * 1000 for r in runs for t in r.ticks], "ms"),
        "stall_ms": metric([max(r.heartbeat.all_gaps()) * 1000 for r in runs], "ms"),  # the longest gap a run
        "own_stall_ms": metric([o * 1000 for o in owns], "ms"),  # the same less the UI's waits for a core
        "peak_mb": metric([rss], "MB"),
    }
    if cached:
        metrics["first_frame_cached_s"] = metric(cached, "s")
    emit("tui", metrics)  # the RESULT line bench/run_all.py reads


if __name__ == "__main__":
    main()
