"""Time `harvest report realized --format csv` on a store of N synthetic trades: a fresh process
each run (interpreter start, config, store open, ledger load, match, classify, CSV out).
Each run is a pair: cold (no legs cache beside the store: the legs read from SQLite and the
cache written, as the first report after an import) then cached (the legs read back from the
file the cold run wrote: engine.store.legs_cache), each printed and summarised apart.

    uv run python bench/bench_report.py [TRADES] [--runs 5] [--seed 1] [--phases N]   # default 1000000

The store is bench_core's (built once under bench/out, the setup timed apart). Prints each run's
wall and CPU time (the child's user + system: less sensitive to a busy machine than wall time),
then one summary line: median and range of both, the load average before and after.
`--phases N` adds N fresh processes that run the report's steps in-process and time each (wall
and CPU): start (imports, parser, config, store; not the interpreter's own ~20 ms), the ledger load + match
(Engine.lots: another engineer's part), the CSV written to a pipe, the report's data freed; so
"the report minus load + match" can be told apart."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_cli import harvest_command  # noqa: E402
from bench.bench_core import OUT, prepared_store  # noqa: E402
from bench.result import emit, metric  # noqa: E402
from engine.store import legs_cache  # noqa: E402
from engine.store.connection import STORE_NAME  # noqa: E402


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


def run_once(home: Path) -> tuple[float, float, int]:
    """(wall s, CPU s, CSV lines) of one `harvest report realized --format csv`."""
    env = {**os.environ, "HARVEST_HOME": str(home), "HARVEST_CONFIG": str(home / "config.yaml")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled bytecode, as an installed harvest has it
    env["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    report = subprocess.run(
        [*harvest_command(), "report", "realized", "--format", "csv"],
        env=env,
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, report.stdout.count(b"\n") - 1


PHASES = """
import sys, time, json
started, cpu = time.perf_counter(), time.process_time()
phases = {}
def mark(name):
    global started, cpu
    phases[name] = (time.perf_counter() - started, time.process_time() - cpu)
    started, cpu = time.perf_counter(), time.process_time()
from tui.cli.main import build_parser, command_named
argv = ["report", "realized", "--format", "csv"]
args = build_parser(command_named(argv)).parse_args(argv)
from engine.core.collector import paused_gc
from engine.reports import ledger_reports
from tui.cli.context import open_engine
engine = open_engine(args)
mark("start")
def report(engine):
    result = engine.lots(None)
    mark("load+match")
    ledger_reports.write_realized_csv(result.realized, sys.stdout)
    mark("csv")
with paused_gc():
    report(engine)
    del engine
mark("free")
print(json.dumps(phases), file=sys.stderr)
"""


def legs_file(home: Path) -> Path:
    return legs_cache.cache_path(home / STORE_NAME)


def run_phases(home: Path) -> dict[str, tuple[float, float]]:
    """{phase: (wall s, CPU s)} of one fresh process running the report's steps (PHASES)."""
    env = {**os.environ, "HARVEST_HOME": str(home), "HARVEST_CONFIG": str(home / "config.yaml")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")
    child = subprocess.run(
        [sys.executable, "-c", PHASES], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    return {name: (wall, cpu) for name, (wall, cpu) in json.loads(child.stderr.splitlines()[-1]).items()}


def print_phases(home: Path, runs: int, cached: bool) -> None:
    samples = []
    for _ in range(runs):
        if not cached:
            legs_file(home).unlink(missing_ok=True)
        elif not legs_file(home).exists():
            run_once(home)  # writes it (not timed)
        samples.append(run_phases(home))
    print(f" phases, legs cache {'read' if cached else 'cold (store read + cache written)'}:")
    for name in samples[0]:
        walls, cpus = [s[name][0] for s in samples], [s[name][1] for s in samples]
        print(
            f"  {name}: wall median {statistics.median(walls):.2f} s ({min(walls):.2f}-{max(walls):.2f}), "
            f"CPU median {statistics.median(cpus):.2f} s ({min(cpus):.2f}-{max(cpus):.2f})"
        )
    rest = [sum(w for n, (w, _) in s.items() if n != "load+match") for s in samples]
    rest_cpu = [sum(c for n, (_, c) in s.items() if n != "load+match") for s in samples]
    print(
        f"  the report minus load+match: wall median {statistics.median(rest):.2f} s "
        f"({min(rest):.2f}-{max(rest):.2f}), CPU median {statistics.median(rest_cpu):.2f} s "
        f"({min(rest_cpu):.2f}-{max(rest_cpu):.2f}); {runs} processes, load {load_average()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("trades", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5, help="fresh processes")
    parser.add_argument("--phases", type=int, default=0, metavar="N", help="N more processes, timed by phase")
    args = parser.parse_args()
    store = prepared_store(args.trades, args.seed)
    home = Path(tempfile.mkdtemp(prefix="harvest-bench-report-"))
    try:
        (home / STORE_NAME).symlink_to(store)
        (home / "config.yaml").write_text("tax:\n  timezone: America/New_York\n")
        load_before = load_average()
        runs: dict[str, list[tuple[float, float]]] = {"cold": [], "cached": []}
        for n in range(args.runs):
            legs_file(home).unlink(missing_ok=True)
            for kind in ("cold", "cached"):
                wall, cpu, rows = run_once(home)
                runs[kind].append((wall, cpu))
                print(f"  run {n + 1} {kind}: {wall:.2f} s wall, {cpu:.2f} s CPU, {rows:,} rows")
        metrics = {}
        for kind, label, prefix in (
            ("cold", "cold (legs from the store, cache written)", "report"),
            ("cached", "from the legs cache", "report_cached"),
        ):
            walls, cpus = [r[0] for r in runs[kind]], [r[1] for r in runs[kind]]
            print(
                f"report realized csv, {args.trades:,} trades, {label}: median {statistics.median(walls):.2f} s "
                f"wall ({min(walls):.2f}-{max(walls):.2f}), CPU {statistics.median(cpus):.2f} s "
                f"({min(cpus):.2f}-{max(cpus):.2f}); {args.runs} runs, load {load_before} -> {load_average()}"
            )
            metrics[f"{prefix}_s"], metrics[f"{prefix}_cpu_s"] = metric(walls, "s"), metric(cpus, "s")
        emit("report", metrics)
        if args.phases:
            print_phases(home, args.phases, cached=False)
            print_phases(home, args.phases, cached=True)
    finally:
        shutil.rmtree(home)


if __name__ == "__main__":
    main()
