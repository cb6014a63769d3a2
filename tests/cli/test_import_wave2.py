"""`harvest import` with the second wave's options: --address for Etherscan exports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tui.cli.main import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
OWN = "0x5a0b54d5dc17e0aadc383d2db43b0a0d3e029c4c"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    config = tmp_path / "config.yaml"
    config.write_text("tax:\n  timezone: America/New_York\n")
    monkeypatch.setenv("HARVEST_CONFIG", str(config))
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_etherscan_export_names_its_address_account_and_address_overrides(home, capsys):
    named = home / f"export-{'ab' * 20}.csv".replace("export-", "export-0x")
    shutil.copy(FIXTURES / "etherscan" / "Transaction-Hash.csv", named)
    code, _, err = run(capsys, "import", str(named), "--dry-run")  # the name's address is in no row
    assert code == 2
    assert f"{named}:2: From: neither From nor To is 0x{'ab' * 20}: not this address's history" in err
    code, out, _ = run(capsys, "import", str(named), "--address", OWN)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        f"{named}: Etherscan transactions (Transaction Hash, Method, TxnFee(USD), 16 columns), "
        "account ethereum:0x5a0b…9c4c"
    )
    assert lines[1] == "  4 event(s): 2 transfer(s), 2 fee row(s), 3 with a fee (3 paid in crypto)"
    assert lines[-1] == f"imported 4 new event(s) from {named} (0 already in the store)"


def test_a_malformed_address_is_one_line(home, capsys):
    code, _, err = run(capsys, "import", str(FIXTURES / "etherscan" / "Txhash.csv"), "--address", "0x12")
    assert code == 2
    assert err.strip() == "harvest: --address: not an address (0x and 40 hex digits): '0x12'"
