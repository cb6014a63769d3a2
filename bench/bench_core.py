"""Time the cost-basis engine: N trades from the store to lots and realized gains.

    uv run python bench/bench_core.py 1000000

Setup (generate CSV, import into a fresh store) is timed and reported apart from the measured
step: load every ledger leg from SQLite, match lots (fifo and hifo), date and classify every
realized slice. Peak RSS is the whole process's high-water mark. As in the `harvest` CLI (where
the platform can fork: tui.cli.quick_exit), the legs cache's write after a fetch from the store
is left out of the timed step: it is done after it, and its time printed apart."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.realistic import write_realistic_csv  # noqa: E402
from bench.result import emit, metric, peak_rss_mb  # noqa: E402
from bench.synth import write_csv  # noqa: E402
from engine.api import Engine  # noqa: E402
from engine.config.load import Config, TaxConfig  # noqa: E402
from engine.core.collector import paused_gc  # noqa: E402
from engine.ledger.gains import realized_rows  # noqa: E402
from engine.ledger.lots import match_lots  # noqa: E402
from engine.store import forked_fetch, forking, legs_cache  # noqa: E402
from engine.store.store import Store  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def prepared_store(trades: int, seed: int, data: str = "plain") -> Path:
    """A store holding `trades` synthetic trades, built once and reused across runs; `data`
    "realistic": bench/realistic.py's heavy user instead of synth.py's trades."""
    tag = "" if data == "plain" else f"{data}-"
    store_path = OUT / f"store-{tag}{trades}-{seed}.sqlite3"
    if store_path.exists():
        return store_path
    writer = write_realistic_csv if data == "realistic" else write_csv
    csv_path = writer(OUT / f"trades-{tag}{trades}-{seed}.csv", trades, seed)
    engine = Engine(Config(tax=TaxConfig(timezone="America/New_York")), Store(store_path))
    started = time.perf_counter()
    summary = engine.import_csv(csv_path, None)
    print(f"setup: imported {summary.added:,} trades in {time.perf_counter() - started:.1f} s")
    engine.store.close()
    return store_path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("trades", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--methods", default="fifo,hifo")
    parser.add_argument("--data", choices=("plain", "realistic"), default="plain", help="see bench/README.md")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per method")
    parser.add_argument(
        "--legs-cache",
        choices=("cold", "cached"),
        default="cold",
        help="cold: each run loads from the store (and writes the legs cache after the timed part, as "
        "the CLI defers it to its exit); cached: each run reads the legs kept beside the store (engine.store.legs_cache)",
    )
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = prepared_store(args.trades, args.seed, args.data)
    if not args.once:
        import statistics
        import subprocess

        results = {}
        for method in args.methods.split(","):
            seconds, cpu, peaks = [], [], []
            load_before = Path("/proc/loadavg").read_text().split()[0]
            legs_file = legs_cache.cache_path(path)
            for run in range(
                args.runs + (args.legs_cache == "cached")
            ):  # cached: one unmeasured run writes it
                if args.legs_cache == "cold":
                    legs_file.unlink(missing_ok=True)
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        str(args.trades),
                        "--seed",
                        str(args.seed),
                        "--data",
                        args.data,
                        "--methods",
                        method,
                        "--once",
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                if args.legs_cache == "cached" and run == 0:
                    continue
                print("  " + out.strip())
                seconds.append(float(out.split(" in ")[1].split(" s ")[0]))
                peaks.append(float(out.split("peak RSS ")[1].split(" MB")[0].replace(",", "")))
                cpu.append(float(out.split("; CPU ")[1].split(" s")[0]))
            print(
                f"{method} (legs cache {args.legs_cache}): median {statistics.median(seconds):.2f} s (min {min(seconds):.2f}, max {max(seconds):.2f}); "
                f"CPU median {statistics.median(cpu):.2f} s ({min(cpu):.2f}-{max(cpu):.2f}); "
                f"load {load_before} -> {Path('/proc/loadavg').read_text().split()[0]}"
            )
            name = method if args.legs_cache == "cold" else f"{method}_cached"
            results[f"{name}_s"], results[f"{name}_peak_mb"] = metric(seconds, "s"), metric(peaks, "MB")
            results[f"{name}_cpu_s"] = metric(cpu, "s")
        emit("core", results)
        return
    deferred = hasattr(os, "fork")  # as the `harvest` CLI: its legs cache write is done after its exit
    if deferred:
        legs_cache.defer_writes()
        forking.allow()  # as the CLI: a cold load fetches half of the legs in a forked child
    for method in args.methods.split(","):
        config = Config(tax=TaxConfig(timezone="America/New_York"))
        engine = Engine(config, Store(path))
        gc.collect()
        started = time.perf_counter()
        cpu_started = time.process_time()  # less sensitive than wall time to a busy machine
        pause = paused_gc()
        pause.__enter__()
        legs = engine.store.ledger()
        loaded = time.perf_counter()
        result = match_lots(legs, method, False, engine.calendar.day_function())
        matched = time.perf_counter()
        rows, excluded = realized_rows(result)
        done = time.perf_counter()
        cpu_used = time.process_time() - cpu_started
        pause.__exit__(None, None, None)
        rss = peak_rss_mb()
        write_started = time.perf_counter()
        wrote = legs_cache.pending()
        legs_cache.write_pending()  # not timed: the CLI's child writes it after the process ends
        written = (
            f"; legs cache written after, not timed: {time.perf_counter() - write_started:.2f} s"
            if wrote
            else ""
        )
        print(
            f"{method}: {args.trades:,} trades -> {len(rows):,} realized slices, "
            f"{len(result.open_lots):,} open lots in {done - started:.2f} s "
            f"(load {loaded - started:.2f} + match {matched - loaded:.2f} "
            f"+ gains {done - matched:.2f}; legs {len(legs.legs):,}; excluded {len(excluded)}"
            f"{'; fetch: ' + forked_fetch.last if forked_fetch.last else ''}); "
            f"peak RSS {rss:,.0f} MB; CPU {cpu_used:.2f} s{written}"
        )
        engine.store.close()
        del legs, result, rows, excluded


if __name__ == "__main__":
    main()
