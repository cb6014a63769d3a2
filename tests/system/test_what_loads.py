"""What really loads, in a subprocess: the engine never pulls in a UI library (with and without
the exchanges package), and the CLI's import and report paths stay light — polars only for a file
the columnar import reads, a report with its own command module only, no YAML without a config
file, each command's modules what it uses (the import graph's rules themselves:
tests/system/test_layers.py)."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import engine
from tests.support import ROOT
from tests.system.test_layers import UI_LIBRARIES, within


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return {name.split(".")[0] for name in result.stdout.split()}


@pytest.mark.parametrize(
    "exchanges",
    [False, pytest.param(True, marks=pytest.mark.slow)],  # importing ccxt alone takes seconds
    ids=["without-exchanges", "with-exchanges"],
)
def test_engine_modules_never_import_ui_libraries(exchanges: bool):
    modules = [m.name for m in pkgutil.walk_packages(engine.__path__, "engine.")]
    assert "engine.ledger.lots" in modules  # every module, not just the subpackages' empty inits
    if not exchanges:
        modules = [m for m in modules if not within(m, ["engine.exchanges"])]
    loaded = loaded_after("\n".join(f"import {m}" for m in modules))
    assert ("ccxt" in loaded) == exchanges  # the probe loaded what it meant to
    assert "polars" in loaded  # and the heavy planning modules with it
    assert not loaded & set(UI_LIBRARIES)


def test_cli_import_and_report_paths_stay_light():
    loaded = loaded_after(
        "import tui.cli.main, engine.api, engine.imports.generic_csv, engine.reports.ledger_reports, "
        "engine.planning.checklist"
    )
    assert "tui" in loaded
    assert "engine" in loaded
    assert not loaded & {"textual", "rich", "ccxt", "polars"}


def test_polars_loads_only_for_a_file_the_columnar_import_reads(tmp_path):
    """Importing polars costs about 0.2 s of CPU (with compiled bytecode; 2 s without), more than
    a small file's whole import: it is loaded only for a file of COLUMNAR_MIN_LINES lines or
    more, which the columnar path reads (engine.imports.columnar) and wins it back on."""
    from engine.imports.columnar import COLUMNAR_MIN_LINES

    def loaded_importing(rows: int) -> set[str]:
        path = tmp_path / f"{rows}.csv"
        lines = [f"2024-01-02T03:04:05Z,acct,BTC,buy,1,{n + 1},0" for n in range(rows)]
        path.write_text("\n".join(["timestamp,account,asset,side,quantity,price,fee", *lines]) + "\n")
        (tmp_path / "config.yaml").write_text("tax:\n  timezone: UTC\n")
        setup = f"import os; os.environ.update(HARVEST_HOME={str(tmp_path / str(rows))!r}, HARVEST_CONFIG={str(tmp_path / 'config.yaml')!r})"
        return loaded_after(
            f"{setup}\nfrom tui.cli.main import main\nassert main(['import', {str(path)!r}]) == 0"
        )

    assert "polars" not in loaded_importing(100)
    assert "polars" in loaded_importing(COLUMNAR_MIN_LINES)


def test_a_report_starts_with_its_own_command_module_only(tmp_path):
    """`harvest report realized` imports tui.cli.report_commands and none of the other command
    modules (nor what only they load: the identity decisions, the demo's temp files, the
    watcher's threads), and never builds their parsers."""
    (tmp_path / "config.yaml").write_text("tax:\n  timezone: UTC\n")
    setup = f"import os; os.environ.update(HARVEST_HOME={str(tmp_path / 'home')!r}, HARVEST_CONFIG={str(tmp_path / 'config.yaml')!r})"
    probe = (
        f"{setup}\nimport io, sys\nfrom tui.cli.main import main\nsys.stdout = io.StringIO()\n"
        "assert main(['report', 'realized', '--format', 'csv']) == 0\nsys.stdout = sys.__stdout__\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded = set(result.stdout.split())
    assert "tui.cli.report_commands" in loaded
    assert {m for m in loaded if m.startswith("tui.cli.") and m.endswith(("_command", "_commands"))} == {
        "tui.cli.report_commands"
    }
    assert not loaded & {"engine.ledger.identity_decisions", "tempfile", "threading", "polars"}


def test_a_report_without_a_config_file_loads_no_yaml(tmp_path):
    """The YAML parser loads when there is a config file to read (engine.config.load)."""
    probe = (
        "import io, sys\nfrom tui.cli.main import main\nsys.stdout = io.StringIO()\n"
        "assert main(['report', 'realized', '--format', 'csv']) == 0\nsys.stdout = sys.__stdout__\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    env = {**os.environ, "HARVEST_HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    env.pop("HARVEST_CONFIG", None)
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
    loaded = {name.split(".")[0] for name in result.stdout.split()}
    assert "engine" in loaded
    assert not loaded & {"yaml", "difflib"}


def loaded_by_commands(tmp_path: Path, *commands: list[str]) -> list[set[str]]:
    """The modules loaded by each command, each in a fresh process: `harvest COMMAND` on one
    HARVEST_HOME (made beforehand) with a config file, as bench/bench_cli.py runs them."""
    config = tmp_path / "config.yaml"
    config.write_text("tax:\n  timezone: UTC\n")
    (tmp_path / "home").mkdir()
    env = {**os.environ, "HARVEST_HOME": str(tmp_path / "home"), "HARVEST_CONFIG": str(config)}
    probe = (
        "import io, sys\nfrom tui.cli.main import main\nsys.stdout = io.StringIO()\n"
        "assert main(sys.argv[1:]) == 0\nsys.stdout = sys.__stdout__\nprint(' '.join(sorted(sys.modules)))"
    )
    return [
        set(
            subprocess.run(
                [sys.executable, "-c", probe, *argv],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
                env=env,
            ).stdout.split()
        )
        for argv in commands
    ]


def under(loaded: set[str], *packages: str) -> set[str]:
    return {m for m in loaded if any(m == p or m.startswith(f"{p}.") for p in packages)}


def test_import_and_report_start_with_what_they_use_only(tmp_path):
    """What an import and a report of a small file keep off their start-up (bench_cli.py's two
    processes): the app and the exchanges, polars, the planner; the matcher and gains for the
    import (it writes events, it matches nothing); the importers for the report; the 2025
    transition for both, unless lots.basis_scope is universal_until_2025; and YAML for the
    report, whose config file has not changed since the import parsed it (engine.config.cache);
    json for both (a store without decisions, a report not in JSON); hashlib and OpenSSL for both
    (engine.core.digests); and for the import of a harvest CSV, the other twenty formats
    (engine.imports.harvest_header)."""
    trades = tmp_path / "trades.csv"
    trades.write_text(
        "timestamp,account,asset,side,quantity,price,fee\n2024-01-02T03:04:05Z,acct,BTC,buy,1,5,0\n"
    )
    imported, reported = loaded_by_commands(
        tmp_path, ["import", str(trades)], ["report", "realized", "--format", "csv"]
    )
    for loaded in (imported, reported):
        assert "engine.store.store" in loaded  # the probe ran the command
        assert not under(loaded, "textual", "rich", "ccxt", "polars", "engine.exchanges", "engine.planning")
        assert not under(loaded, "engine.ledger.transition", "engine.ledger.allocation_record")
        assert not under(loaded, "json")
        assert not under(loaded, "hashlib", "_hashlib")
    assert "yaml" in imported  # the config parsed (and cached)...
    assert not under(reported, "yaml")  # ...and served as parsed to the report
    assert "engine.imports.generic_csv" in imported
    assert not under(
        imported, "engine.imports.registry", "engine.imports.coinbase", "engine.imports.etherscan"
    )
    assert not under(imported, "engine.ledger.lots", "engine.ledger.gains", "engine.reports")
    assert "engine.ledger.lots" in reported
    assert not under(reported, "engine.imports")
