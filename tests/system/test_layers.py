"""Package boundaries: the engine never loads a UI library; the fast CLI paths load neither
textual nor ccxt."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import engine


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in result.stdout.split()}


def test_engine_modules_never_import_ui_libraries():
    modules = [m.name for m in pkgutil.iter_modules(engine.__path__, "engine.")]
    assert modules
    loaded = loaded_after("\n".join(f"import {m}" for m in modules if m != "engine.exchanges"))
    assert not loaded & {"textual", "rich"}


def test_cli_import_and_report_paths_stay_light():
    loaded = loaded_after(
        "import tui.cli.main, engine.api, engine.imports.generic_csv, engine.reports.ledger_reports, engine.planning.checklist"
    )
    assert not loaded & {"textual", "rich", "ccxt", "polars"}
