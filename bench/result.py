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
