"""A small `harvest report realized --format csv` loads neither polars (the columnar CSV is for
150,000 rows and more) nor the importers: a fresh process's start-up is most of a small report."""

from __future__ import annotations

import subprocess
import sys

from tests.support import HEADER, ROOT

CHECK = """
import sys
from tui.cli.main import main
code = main(["report", "realized", "--format", "csv"])
loaded = sorted(m for m in sys.modules if m == "polars" or m.startswith("engine.imports"))
print(code, loaded, file=sys.stderr)
"""


def test_a_small_report_loads_neither_polars_nor_the_importers(home) -> None:
    (home / "h.csv").write_text(f"{HEADER}\n2026-01-05T15:00:00Z,kraken,BTC,buy,1,100,0,T1\n")

    imported = subprocess.run(
        [sys.executable, "-m", "tui", "import", str(home / "h.csv")], cwd=ROOT, capture_output=True, text=True
    )
    assert imported.returncode == 0, imported.stderr
    report = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True)
    assert report.stderr.strip() == "0 []"
    assert report.stdout.startswith("account,asset,quantity,")
