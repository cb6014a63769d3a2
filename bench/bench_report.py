"""Time `harvest report realized --format csv` on a store of N synthetic trades: a fresh process
each run (interpreter start, config, store open, ledger load, match, classify, CSV out).
Each run is a pair: cold (no legs cache beside the store: the legs read from SQLite, as the
first report after an import) then cached (the legs read back from the file the cold run
wrote: engine.store.legs_cache), each printed and summarised apart. The cold process leaves the
file's write to a child it forks at its exit (tui.cli.quick_exit): its wall and CPU are the
process's own, as a user waits for it; the child is waited for before the cached run (reaped
here on Linux, its CPU printed apart; elsewhere the file is polled for).

    uv run python bench/bench_report.py [TRADES] [--runs 5] [--seed 1] [--phases N]   # default 1000000

The store is bench_core's (built once under bench/out, the setup timed apart). Prints each run's
wall and CPU time (the child's user + system: less sensitive to a busy machine than wall time),
then one summary line: median and range of both, the load average before and after.
`--phases N` adds N fresh processes that run the report's steps in-process and time each (wall
and CPU): start (imports, parser, config, store; not the interpreter's own ~20 ms), the ledger load + match
(Engine.lots: another engineer's part), the CSV written to a pipe, "free": what the CLI does after
it (the store closed, the report's data left to the exit, tui.cli.quick_exit.leave: not freed,
as until 2026-12-02 this script did, ~0.35 s the CLI never spends), then (cold) the legs cache's
write that the CLI leaves to its exit, timed apart; so "the report minus load + match" can be told apart."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
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


def reaping() -> bool:
    """Make this process the reaper of its orphans (Linux's PR_SET_CHILD_SUBREAPER), so the
    child a report forks to write the legs cache after its exit (tui.cli.quick_exit) is waited
    for here and its CPU counted apart; False where that cannot be done (then the file is polled)."""
    try:
        import ctypes

        return sys.platform == "linux" and ctypes.CDLL(None).prctl(36, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def background_cpu() -> float:
    """CPU s of the processes the last report left behind (its deferred legs cache write), each
    waited for to its end; 0 if it left none."""
    cpu = 0.0
    while True:
        try:
            _, _, usage = os.wait4(-1, 0)
        except ChildProcessError:
            return cpu
        cpu += usage.ru_utime + usage.ru_stime


def wait_for_cache(home: Path, timeout: float = 120.0) -> None:
    """Poll (bounded) until the legs cache beside the store holds the store's current legs; at
    once for a ledger too small to have one (under legs_cache.MIN_LEGS: `--quick` sizes)."""
    conn = sqlite3.connect(f"file:{home / STORE_NAME}?mode=ro", uri=True)
    try:
        key = legs_cache.cache_key(conn)
        (legs,) = conn.execute("SELECT count(*) FROM legs").fetchone()
    finally:
        conn.close()
    if legs < legs_cache.MIN_LEGS:
        return
    assert key is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if legs_cache.holds(legs_file(home), key):
            return
        time.sleep(0.05)
    raise SystemExit(f"the legs cache was not written within {timeout:.0f} s")


def run_once(home: Path) -> tuple[float, float, int]:
    """(wall s, CPU s, CSV lines) of one `harvest report realized --format csv` (its process
    alone: not the child it may leave writing the legs cache)."""
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
from engine.store import legs_cache
from tui.cli import quick_exit
# as the `harvest` process: a cold load fetches half of the legs in a child, the legs cache's
# write is deferred to the exit (timed apart below), the report's data is left to the exit
quick_exit.arm()
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
    engine.store.close()
    quick_exit.leave(engine)  # as the CLI's report: not freed, left to the exit (os._exit)
    del engine
mark("free")
legs_cache.write_pending()
mark("deferred write")
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
            wait_for_cache(home)
        samples.append(run_phases(home))
    print(f" phases, legs cache {'read' if cached else 'cold (store read + cache written)'}:")
    for name in samples[0]:
        walls, cpus = [s[name][0] for s in samples], [s[name][1] for s in samples]
        print(
            f"  {name}: wall median {statistics.median(walls):.2f} s ({min(walls):.2f}-{max(walls):.2f}), "
            f"CPU median {statistics.median(cpus):.2f} s ({min(cpus):.2f}-{max(cpus):.2f})"
        )
    apart = ("load+match", "deferred write")  # the write: after the CLI's exit, in a child
    rest = [sum(w for n, (w, _) in s.items() if n not in apart) for s in samples]
    rest_cpu = [sum(c for n, (_, c) in s.items() if n not in apart) for s in samples]
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
        reaper = reaping()
        runs: dict[str, list[tuple[float, float]]] = {"cold": [], "cached": []}
        behind: list[float] = []
        for n in range(args.runs):
            legs_file(home).unlink(missing_ok=True)
            for kind in ("cold", "cached"):
                wall, cpu, rows = run_once(home)
                runs[kind].append((wall, cpu))
                extra = ""
                if kind == "cold":  # the cached run must read the file the cold one left to write
                    if reaper:
                        behind.append(background_cpu())
                        extra = f" (+ {behind[-1]:.2f} s CPU after its exit: the legs cache written)"
                    wait_for_cache(home)
                print(f"  run {n + 1} {kind}: {wall:.2f} s wall, {cpu:.2f} s CPU{extra}, {rows:,} rows")
        metrics = {}
        for kind, label, prefix in (
            ("cold", "cold (legs from the store, the cache written after the exit)", "report"),
            ("cached", "from the legs cache", "report_cached"),
        ):
            walls, cpus = [r[0] for r in runs[kind]], [r[1] for r in runs[kind]]
            print(
                f"report realized csv, {args.trades:,} trades, {label}: median {statistics.median(walls):.2f} s "
                f"wall ({min(walls):.2f}-{max(walls):.2f}), CPU {statistics.median(cpus):.2f} s "
                f"({min(cpus):.2f}-{max(cpus):.2f}); {args.runs} runs, load {load_before} -> {load_average()}"
            )
            metrics[f"{prefix}_s"], metrics[f"{prefix}_cpu_s"] = metric(walls, "s"), metric(cpus, "s")
        if behind:
            print(
                f"  the cold runs' legs cache writes, after each process's exit: CPU median "
                f"{statistics.median(behind):.2f} s ({min(behind):.2f}-{max(behind):.2f})"
            )
        emit("report", metrics)
        if args.phases:
            print_phases(home, args.phases, cached=False)
            print_phases(home, args.phases, cached=True)
    finally:
        shutil.rmtree(home)


if __name__ == "__main__":
    main()
