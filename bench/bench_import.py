"""Imports at scale: a generated 100,000-row Coinbase transaction history (2025 layout), a
100,000-row Kraken ledgers.csv and a 100,000-row harvest CSV (bench/synth.py), each detected and
read in-process, then imported end to end through the real CLI (`harvest import FILE`, a fresh
store, interpreter start included). Files of this size take the columnar path
(engine.imports.columnar); `--rows-path` forces the row path, `--columnar` the columnar path at
any size (to find where it starts to pay).

    uv run python bench/bench_import.py [ROWS] [RUNS] [FORMAT...] [--rows-path | --columnar]
        # default: 100000 rows, 5 runs, all three formats; e.g. `1000000 1 harvest`

Deterministic files (a fixed seed), written once to bench/out; the CLI runs with compiled
bytecode, as an installed harvest does. Each figure is the median of the runs with its range,
wall time and CPU time (the process's, or the child's for the CLI, all its threads), and the
CLI's peak memory: on a shared machine the CPU time is the steadier figure, and the load
average is printed beside them. The last line, `summary: ...`, gives the end-to-end figures of
every format on one line."""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.realistic import write_realistic_csv  # noqa: E402
from bench.result import emit, metric  # noqa: E402
from bench.synth import write_csv  # noqa: E402
from engine.imports.formats import Options  # noqa: E402
from engine.imports.importer import read_file  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
START = 1_577_836_800  # 2020-01-01T00:00:00Z
ASSETS = {"BTC": 40_000, "ETH": 2_500, "SOL": 120, "ADA": 0.5, "DOT": 7}
CB_HEADER = (
    "ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,Subtotal,"
    "Total (inclusive of fees and/or spread),Fees and/or Spread,Notes,Sender Address,Recipient Address"
)


def _when(rng: random.Random, index: int, rows: int, fmt: str) -> str:
    seconds = START + index * (4 * 365 * 86_400 // rows) + rng.randrange(60)
    return datetime.fromtimestamp(seconds, tz=UTC).strftime(fmt)


def write_coinbase(path: Path, rows: int) -> None:
    """Mostly buys and sells, with sends, receives, rewards, converts and staking moves; newest
    first, money as Coinbase prints it."""
    rng = random.Random(13)
    kinds = (
        ["Buy"] * 5
        + ["Sell"] * 3
        + ["Send", "Receive", "Staking Income", "Convert", "Retail Staking Transfer"]
    )
    lines = []
    for n in range(rows):
        kind = rng.choice(kinds)
        asset = rng.choice(list(ASSETS))
        qty = round(rng.uniform(0.001, 2.0) * (1000 if asset == "ADA" else 1), 8)
        price = round(ASSETS[asset] * rng.uniform(0.5, 1.5), 2)
        subtotal = round(qty * price, 2) or 0.01
        fee = round(subtotal * 0.006, 2)
        out = kind in ("Sell", "Send", "Convert", "Retail Staking Transfer")
        total = round(subtotal - fee if out else subtotal + fee, 2)
        notes = {
            "Convert": f"Converted {qty:.8f} {asset} to {subtotal:.2f} USDC",
            "Send": f"Sent {qty:.8f} {asset} to addr{n}",
        }
        lines.append(",".join([
            f"{n:024x}", _when(rng, n, rows, "%Y-%m-%d %H:%M:%S UTC"), kind, asset, f"{'-' if out else ''}{qty:.8f}", "USD",
            f'"${price:,.2f}"', f'"${subtotal:,.2f}"', f'"${total:,.2f}"', f"${fee:.2f}", notes.get(kind, ""), "",
            f"addr{n}" if kind == "Send" else "",
        ]))  # fmt: skip
    lines.reverse()  # newest first, as Coinbase writes it
    path.write_text("\r\n".join(["", "Transactions", "User,Bench,0000", CB_HEADER, *lines]) + "\r\n")


def write_kraken(path: Path, rows: int) -> None:
    """Trades (two rows per refid against USD), staking rewards, deposits and withdrawals, staking moves."""
    rng = random.Random(14)
    codes = {"BTC": "XXBT", "ETH": "XETH", "SOL": "SOL", "ADA": "ADA", "DOT": "DOT"}
    row = '"L{n}{leg}","R{n}","{when}","{kind}","{sub}","currency","crypto","{asset}","spot / main",{amount},{fee},0'
    lines = [
        '"txid","refid","time","type","subtype","aclass","subclass","asset","wallet","amount","fee","balance"'
    ]
    n = 0
    while len(lines) <= rows:
        when = _when(rng, len(lines), rows, "%Y-%m-%d %H:%M:%S.%f")[:-2]
        asset = rng.choice(list(ASSETS))
        qty = round(rng.uniform(0.001, 2.0), 8)
        kind = rng.choice(["trade"] * 6 + ["staking", "deposit", "withdrawal", "transfer"])
        if kind == "trade":
            cost = round(qty * ASSETS[asset] * rng.uniform(0.5, 1.5), 4) or 0.01
            buying = rng.random() < 0.6
            lines.append(row.format(n=n, leg="A", when=when, kind=kind, sub="", asset="ZUSD",
                                    amount=f"{-cost if buying else cost:.4f}", fee=f"{cost * 0.0026:.4f}"))  # fmt: skip
            lines.append(row.format(n=n, leg="B", when=when, kind=kind, sub="", asset=codes[asset],
                                    amount=f"{qty if buying else -qty:.10f}", fee="0.0000000000"))  # fmt: skip
        else:
            sub = "spottostaking" if kind == "transfer" else ""
            code = codes[asset] + (".S" if kind == "staking" else "")
            amount = -qty if kind in ("withdrawal", "transfer") else qty
            lines.append(row.format(n=n, leg="A", when=when, kind=kind, sub=sub, asset=code, amount=f"{amount:.10f}",
                                    fee="0.0000000000"))  # fmt: skip
        n += 1
    path.write_text("\n".join(lines[: rows + 1]) + "\n")


def harvest_command() -> list[str]:
    found = shutil.which("harvest", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "tui"]


def cli_import(path: Path, rows_path: bool = False, columnar: bool = False) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of `harvest import FILE` into a fresh store."""
    home = Path(tempfile.mkdtemp(prefix="harvest-bench-"))
    (home / "none.yaml").write_text("tax:\n  timezone: America/New_York\n")
    env = {**os.environ, "HARVEST_HOME": str(home), "HARVEST_CONFIG": str(home / "none.yaml")}
    # compiled bytecode, as an installed harvest has it (kept under bench/out): with
    # PYTHONDONTWRITEBYTECODE set, as on this project's machines, every start would compile
    # harvest's modules again (about 0.25 s; polars' 2 s)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")
    command = [*harvest_command(), "import", str(path)]
    if rows_path or columnar:  # the same CLI with the columnar path off, or on at any size
        command = [sys.executable, "-c", FORCED.format(10**12 if rows_path else 0), "import", str(path)]
    # started from a small launcher: a child's peak memory counts its parent's from before exec
    found = subprocess.run(
        [sys.executable, "-c", LAUNCH, *command], env=env, check=True, capture_output=True, text=True
    )
    shutil.rmtree(home)
    wall, cpu, peak = map(float, found.stdout.split())
    return wall, cpu, peak


LAUNCH = """
import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
if os.waitstatus_to_exitcode(status):
    sys.exit(f"{sys.argv[1:]} failed")
print(time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)
"""


FORCED = (
    "import sys; from engine.imports import columnar; columnar.COLUMNAR_MIN_LINES = {}; "
    "from tui.cli.main import main; sys.argv[0] = 'harvest'; sys.exit(main(sys.argv[1:]))"
)


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rows_path, columnar = "--rows-path" in sys.argv, "--columnar" in sys.argv
    rows = int(args[0]) if args else 100_000
    runs = int(args[1]) if len(args) > 1 else 5
    OUT.mkdir(exist_ok=True)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    writers = {
        "coinbase": write_coinbase,
        "kraken": write_kraken,
        "harvest": lambda p, n: write_csv(p, n, 1),
        "realistic": lambda p, n: write_realistic_csv(p, n, 1),  # opt-in: bench/realistic.py, harvest CSV
    }
    results = {}
    summary = []
    for name in args[2:] or ["coinbase", "kraken", "harvest"]:
        path = OUT / f"{name}-{rows}.csv"
        if not path.exists():
            writers[name](path, rows)
        reads = []
        for _ in range(runs):
            started, cpu = time.perf_counter(), time.process_time()
            report = read_file(path, Options(None, None, None))
            reads.append((time.perf_counter() - started, time.process_time() - cpu))
        cli_import(path, rows_path, columnar)  # once unmeasured: bytecode written, the file in the page cache
        imports = [cli_import(path, rows_path, columnar) for _ in range(runs)]
        taken = report.frame is not None  # in-process, at this size
        path_name = "row path" if rows_path else "columnar" if columnar or taken else "row path (by size)"
        print(
            f"{name}: {rows:,} rows -> {report.event_count:,} events ({report.format.name}, {report.version}); "
            f"in-process read: {'columnar' if report.frame is not None else 'row path'}; CLI: {path_name}"
        )
        print(
            f"  detect + read in-process: wall {_spread([r[0] for r in reads])}, CPU {_spread([r[1] for r in reads])}"
        )
        print(f"  harvest import end to end: wall {_spread([c[0] for c in imports])}, "
              f"CPU {_spread([c[1] for c in imports])}, peak RSS {max(c[2] for c in imports):.0f} MB "
              f"(median, range; {runs} runs)")  # fmt: skip
        results[f"{name}_read_cpu_s"] = metric([r[1] for r in reads], "s")
        results[f"{name}_import_s"] = metric([c[0] for c in imports], "s")
        results[f"{name}_import_cpu_s"] = metric([c[1] for c in imports], "s")
        results[f"{name}_peak_mb"] = metric([max(c[2] for c in imports)], "MB")
        summary.append(f"{name} {rows:,} rows: wall {_spread([c[0] for c in imports])}, "
                       f"CPU {_spread([c[1] for c in imports])}, peak RSS {max(c[2] for c in imports):.0f} MB")  # fmt: skip
    started, cpu = time.perf_counter(), time.process_time()
    sum(range(10**7))
    print(
        f"machine: sum(range(10**7)) {time.perf_counter() - started:.2f} s ({time.process_time() - cpu:.2f} s CPU); "
        f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(f"summary: harvest import ({runs} runs): {'; '.join(summary)}")
    emit("import", results)  # the RESULT line bench/run_all.py reads


if __name__ == "__main__":
    main()
