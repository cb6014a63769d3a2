"""Run every bench script at the sizes the README's Performance table reports, print each one's
medians and ranges, and regenerate that table between its markers.

    uv run python bench/run_all.py                 # every run, full sizes; rewrites README.md
    uv run python bench/run_all.py --only scan_100k --only tui_100k   # those runs; other rows kept
    uv run python bench/run_all.py --quick         # small sizes, to see it work: prints, writes nothing
    uv run python bench/run_all.py --list          # the runs and their commands

Each script runs in its own process and ends with a RESULT line (bench/result.py); a run made
`repeat` times pools its samples. Full sizes take the better part of an hour on the 2-core
machine (the 1M-row import and lots, the 1M-lot scan and app): mind the others on it."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.perf_table import Measure, Row, previous_rows, render, replace_block  # noqa: E402
from bench.result import PREFIX, metric  # noqa: E402

BENCH = Path(__file__).resolve().parent
README = BENCH.parent / "README.md"


@dataclass(frozen=True)
class Run:
    name: str
    script: str
    args: tuple[str, ...]
    quick: tuple[str, ...]
    repeat: int = 1  # fresh processes, samples pooled


RUNS = (
    Run("core_1m", "bench_core.py", ("1000000", "--runs", "5"), ("20000", "--runs", "2")),
    Run("cli_10k", "bench_cli.py", ("10000",), ("2000",)),
    Run("cli_50k", "bench_cli.py", ("50000",), ("5000",)),
    Run("report_1m", "bench_report.py", ("1000000", "--runs", "3"), ("20000", "--runs", "2")),
    Run("import_1m", "bench_import.py", ("1000000", "1", "harvest"), ("20000", "1", "harvest")),
    Run("import_100k", "bench_import.py", ("100000", "5"), ("5000", "2")),
    Run("matching_100k", "bench_matching.py", ("100000", "--runs", "5"), ("10000", "--runs", "2")),
    Run("scan_100k", "bench_scan.py", ("100000", "--ticks", "20"), ("10000", "--ticks", "5")),
    Run("scan_plan_100k", "bench_scan.py", ("100000", "--plan", "5", "--ticks", "20"), ("10000", "--plan", "5", "--ticks", "5")),
    Run("scan_1m", "bench_scan.py", ("1000000", "--ticks", "20"), ("50000", "--ticks", "5")),
    Run("tui_100k", "bench_tui.py", ("100000",), ("5000", "--ticks", "5")),  # 3 runs: 1 cold, 2 cached
    Run("tui_1m", "bench_tui.py", ("1000000", "--ticks", "5"), ("20000", "--ticks", "3")),
)  # fmt: skip

# The first cells are the README's (a row's identity across regenerations): keep them stable.
ROWS = (
    Row("1,000,000 trades → lots and realized gains, FIFO (`bench/bench_core.py`, load from the store + match + "
        "classify, fresh process, 5 runs)", "core_1m",
        (Measure("fifo_s", "s", limit=4), Measure("fifo_peak_mb", "MB", "peak RSS", 1500))),
    Row("the same, HIFO", "core_1m", (Measure("hifo_s", "s", limit=4), Measure("hifo_peak_mb", "MB", "peak RSS", 1500))),
    Row("`harvest report realized --format csv` alone, a fresh process on a store of 1,000,000 trades "
        "(`bench/bench_report.py 1000000 --runs 3`)", "report_1m",
        (Measure("report_s", "s", "cold wall (legs from the store)", 5), Measure("report_cpu_s", "s", "cold CPU"),
         Measure("report_cached_s", "s", "wall from the legs cache", 5),
         Measure("report_cached_cpu_s", "s", "cached CPU"))),
    Row("10,000 trades end to end: `harvest import` + `harvest report realized --format csv` (`bench/bench_cli.py`, "
        "two processes, 3 runs)", "cli_10k",
        (Measure("total_{size}_s", "s", limit=0.5), Measure("import_{size}_s", "s", "import"),
         Measure("report_{size}_s", "s", "report"))),
    Row("50,000 trades end to end, same", "cli_50k",
        (Measure("total_{size}_s", "s", limit=1.5), Measure("import_{size}_s", "s", "import"),
         Measure("report_{size}_s", "s", "report"))),
    Row("candidates and savings for 100,000 open lots after a price change (`bench/bench_scan.py`, 20 ticks)",
        "scan_100k", (Measure("tick_ms", "ms", limit=50),)),
    Row("the same with a 5-step plan valued and the rest ranked after it (`--plan 5`, the app's tick)",
        "scan_plan_100k", (Measure("tick_ms", "ms"),)),
    Row("candidates and savings for 1,000,000 open lots after a price change (`bench/bench_scan.py`, 20 ticks), and "
        "the slow path before the first", "scan_1m", (Measure("tick_ms", "ms", limit=20),
                                                      Measure("slow_path_s", "s", "slow path"))),
    Row("importing 1,000,000 trades, harvest CSV (`bench/bench_import.py 1000000 1 harvest`, one run)", "import_1m",
        (Measure("harvest_import_s", "s", "wall", 10), Measure("harvest_import_cpu_s", "s", "CPU"),
         Measure("harvest_peak_mb", "MB", "peak RSS", 400))),
    Row("import, detection + read in-process (`bench/bench_import.py`, 5 runs, median and range): a 100,000-row "
        "Coinbase history (2025 layout, 92,269 events) / a 100,000-row Kraken ledgers.csv (56,309 events) / a "
        "100,000-row harvest CSV", "import_100k",
        (Measure("coinbase_read_cpu_s", "s", "Coinbase CPU"), Measure("kraken_read_cpu_s", "s", "Kraken CPU"),
         Measure("harvest_read_cpu_s", "s", "harvest CSV CPU"))),
    Row("the same files through `harvest import` end to end (a fresh process: start, read, summary, store write)",
        "import_100k", (Measure("coinbase_import_s", "s", "Coinbase wall", 3), Measure("kraken_import_s", "s", "Kraken wall", 3),
                        Measure("harvest_import_s", "s", "harvest CSV wall", 3))),
    Row("transfer matching: the pairing rules over 100,000 transfer legs (`bench/bench_matching.py`, 5 runs, "
        "in-process); the whole lot match, pairing included; the reference loop `sum(range(10**7))`, 0.15–0.26 s "
        "on a quiet machine", "matching_100k",
        (Measure("pairing_s", "s", "pairing", 1), Measure("match_lots_s", "s", "lot match"),
         Measure("reference_loop_s", "s", "reference loop"))),
    Row("the app with 100,000 open lots: first frame with data (`bench/bench_tui.py 100000`, headless 120×40, "
        "each run a new process, from the app's start)", "tui_100k",
        (Measure("first_frame_s", "s", "cold", 1), Measure("first_frame_cached_s", "s", "from the start-up cache", 1))),
    Row("the same, 1,000,000 open lots (3 runs)", "tui_1m",
        (Measure("first_frame_cached_s", "s", "from the cache", 3), Measure("first_frame_s", "s", "cold", 9),
         Measure("tick_ms", "ms", "tick"), Measure("stall_ms", "ms", "longest stall", 50))),
    Row("the app: price tick to re-rendered panes, 100,000 / 1,000,000 lots (20 ticks × 3 runs)", "tui_100k",
        (Measure("tick_ms", "ms", limit=100),)),
    Row("the app: UI stalls, heartbeat every 10 ms through load, 20 ticks, expand, reload after another process's "
        "import, detail, problems (`bench_tui.py`; wall gap and the UI thread's own CPU in one beat)", "tui_100k",
        (Measure("stall_ms", "ms", "longest gap a run, 100,000 lots", 50),)),
    Row("the app: peak memory, 100,000 / 1,000,000 lots", "tui_100k", (Measure("peak_mb", "MB", limit=500),)),
)  # fmt: skip


def pooled(results: list[dict[str, Any]]) -> dict[str, Any]:
    """One RESULT from repeated runs: each metric's samples together, the last run's load."""
    merged: dict[str, Any] = {**results[-1], "metrics": {}}
    for result in results:
        for name, found in result["metrics"].items():
            values = merged["metrics"].get(name, {}).get("values", []) + found["values"]
            merged["metrics"][name] = metric(values, found["unit"])
    return merged


def execute(run: Run, quick: bool) -> dict[str, Any] | None:
    """Run the script (`repeat` times), echoing its output; its RESULT, or None when it failed."""
    args = run.quick if quick else run.args
    found = []
    for attempt in range(1 if quick else run.repeat):
        command = [sys.executable, str(BENCH / run.script), *args]
        print(f"== {run.name} ({attempt + 1}/{run.repeat}): {' '.join(command[1:])}", flush=True)
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        lines = done.stdout.splitlines()
        for line in lines:
            if not line.startswith(PREFIX):
                print("   " + line)
        if done.returncode != 0:
            print(f"   failed (exit {done.returncode}): {done.stderr.strip()[-500:]}", flush=True)
            return None
        result = [json.loads(line[len(PREFIX) :]) for line in lines if line.startswith(PREFIX)]
        if not result:
            print("   no RESULT line", flush=True)
            return None
        found.append(result[-1])
    return pooled(found)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes; prints the table, writes nothing")
    parser.add_argument("--only", action="append", choices=[r.name for r in RUNS], metavar="NAME",
                        help="only this run (repeatable); the other rows keep their README lines")  # fmt: skip
    parser.add_argument("--list", action="store_true", help="the runs and their commands")
    parser.add_argument("--no-write", action="store_true", help="print the table, leave README.md alone")
    args = parser.parse_args()
    if args.list:
        for run in RUNS:
            print(
                f"{run.name:15} {run.script} {' '.join(run.args)}  (quick: {' '.join(run.quick)}; x{run.repeat})"
            )
        return
    chosen = [run for run in RUNS if not args.only or run.name in args.only]
    started_load, started = load_average(), time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = {run.name: result for run in chosen if (result := execute(run, args.quick)) is not None}
    sizes = {run.name: (run.quick if args.quick else run.args)[0] for run in RUNS}
    readme = README.read_text()
    block = render(
        ROWS,
        results,
        sizes,
        started,
        f"{started_load} at the start, {load_average()} at the end",
        previous=None if args.quick else previous_rows(readme),
        note="Quick sizes (`--quick`): not the table's." if args.quick else "",
    )
    print()
    print(block)
    if not args.quick and not args.no_write:
        README.write_text(replace_block(readme, block))
        print(f"\n{README} updated ({len(results)} of {len(chosen)} runs measured)")
    if len(results) < len(chosen):
        sys.exit(1)


if __name__ == "__main__":
    main()
