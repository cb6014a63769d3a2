"""The one machine-readable line each bench script ends with, for bench/run_all.py:

    RESULT {"bench": "scan", "argv": [...], "load": [1.2, 0.9, 0.8], "metrics": {"tick_ms": {...}}}

Each metric carries its samples (`values`), their median, min and max and a unit, so run_all can
pool repeated runs and print medians with ranges. Everything the scripts print above it stays
for people."""

from __future__ import annotations

import json
import os
import statistics
import sys
from collections.abc import Sequence

PREFIX = "RESULT "


def peak_rss_mb() -> float:
    """This process's own peak resident memory, in MB. VmHWM belongs to the process's memory map,
    which exec replaces; ru_maxrss is kept across fork and exec, so a child started by a script
    that built a million-row store reported the script's peak, not its own."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def metric(values: Sequence[float], unit: str) -> dict[str, object]:
    samples = [round(float(v), 6) for v in values]
    return {
        "values": samples,
        "median": round(statistics.median(samples), 6),
        "min": min(samples),
        "max": max(samples),
        "unit": unit,
    }


def emit(bench: str, metrics: dict[str, dict[str, object]]) -> None:
    """Print the RESULT line (last, flushed): the script's name, its arguments, the load average."""
    line = {
        "bench": bench,
        "argv": sys.argv[1:],
        "load": [round(x, 2) for x in os.getloadavg()],
        "metrics": metrics,
    }
    print(PREFIX + json.dumps(line, sort_keys=True), flush=True)
