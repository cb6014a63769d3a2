"""End to end through the real CLI: `harvest import` then `harvest report realized --format csv`.

    uv run python bench/bench_cli.py [TRADES ...]     # default: 10000 50000

Each size runs in a fresh HARVEST_HOME; wall time covers both processes (interpreter start
included), best of 3 runs and the median and range, with compiled bytecode as an installed
harvest has it. Each process's CPU time (user + system, from the kernel's account of the child)
is printed and kept beside the wall times: on a busy machine it is the steadier figure."""

from __future__ import annotations

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

from bench.result import emit, metric  # noqa: E402
from bench.synth import write_csv  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def harvest_command() -> list[str]:
    found = shutil.which("harvest", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "tui"]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(csv_path: Path) -> tuple[float, float, int, float, float]:
    home = Path(tempfile.mkdtemp(prefix="harvest-bench-"))
    env = {**os.environ, "HARVEST_HOME": str(home), "HARVEST_CONFIG": str(home / "none.yaml")}
    # compiled bytecode, as an installed harvest has it (see bench_import.py): without it polars,
    # which a large import loads, would be compiled again on every start (about 1 s)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")
    (home / "none.yaml").write_text("tax:\n  timezone: America/New_York\n")
    cmd = harvest_command()
    cpu_start = children_cpu()
    started = time.perf_counter()
    subprocess.run([*cmd, "import", str(csv_path)], env=env, check=True, stdout=subprocess.DEVNULL)
    imported = time.perf_counter()
    cpu_imported = children_cpu()
    report = subprocess.run(
        [*cmd, "report", "realized", "--format", "csv"], env=env, check=True, capture_output=True
    )
    done = time.perf_counter()
    cpu_done = children_cpu()
    shutil.rmtree(home)
    rows = report.stdout.count(b"\n") - 1
    return imported - started, done - imported, rows, cpu_imported - cpu_start, cpu_done - cpu_imported


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 50_000]
    results = {}
    for trades in sizes:
        csv_path = OUT / f"trades-{trades}-1.csv"
        if not csv_path.exists():
            write_csv(csv_path, trades, 1)
        runs = [run_once(csv_path) for _ in range(3)]
        best = min(runs, key=lambda r: r[0] + r[1])
        totals = [r[0] + r[1] for r in runs]
        reports = [r[1] for r in runs]
        print(
            f"{trades:,} trades: import {best[0]:.2f} s + report realized csv {best[1]:.2f} s "
            f"= {best[0] + best[1]:.2f} s wall ({best[2]:,} rows; best of 3); "
            f"median {statistics.median(totals):.2f} s ({min(totals):.2f}-{max(totals):.2f}), "
            f"report median {statistics.median(reports):.2f} s ({min(reports):.2f}-{max(reports):.2f}); "
            f"CPU median import {statistics.median(r[3] for r in runs):.2f} s, "
            f"report {statistics.median(r[4] for r in runs):.2f} s; "
            f"load {Path('/proc/loadavg').read_text().split()[0]}"
        )
        results[f"total_{trades}_s"] = metric([r[0] + r[1] for r in runs], "s")
        results[f"import_{trades}_s"] = metric([r[0] for r in runs], "s")
        results[f"report_{trades}_s"] = metric([r[1] for r in runs], "s")
        results[f"import_{trades}_cpu_s"] = metric([r[3] for r in runs], "s")
        results[f"report_{trades}_cpu_s"] = metric([r[4] for r in runs], "s")
    emit("cli", results)


if __name__ == "__main__":
    main()
