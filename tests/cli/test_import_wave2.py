"""`harvest import` with the second wave's options: --address for Etherscan exports."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support import run_cli as run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
OWN = "0x5a0b54d5dc17e0aadc383d2db43b0a0d3e029c4c"


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


MAPPING = FIXTURES.parent / "mapping"


def test_map_reads_any_csv_through_a_mapping_file(home, capsys):
    statement = MAPPING / "my-exchange.csv"
    code, out, _ = run(capsys, "import", str(statement), "--map", str(MAPPING / "my-exchange.yaml"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        f"{statement}: My Exchange statement (mapping my-exchange.yaml, 12 columns), account myexchange"
    )
    assert lines[2] == "  skipped 1 internal row(s): Internal 1"
    assert lines[-1] == f"imported 5 new event(s) from {statement} (0 already in the store)"
    code, out, _ = run(capsys, "import", str(statement), "--map", str(MAPPING / "my-exchange.yaml"))
    assert out.splitlines()[-1] == f"imported 0 new event(s) from {statement} (5 already in the store)"


def test_a_bad_mapping_file_is_refused_by_line_and_nothing_is_read(home, capsys):
    bad = home / "bad.yaml"
    bad.write_text("columns:\n  timestamp: Date\n  asset: Coin\n  quantity: Qty\n  sid: Side\n")
    code, out, err = run(capsys, "import", str(MAPPING / "my-exchange.csv"), "--map", str(bad))
    assert (code, out) == (2, "")
    assert err.splitlines()[0].startswith(f"{bad}:5: sid: unknown key; expected one of timestamp, asset")
    assert err.splitlines()[-1] == f"harvest: {bad}: nothing imported (2 problem(s))"
    code, _, err = run(capsys, "import", "x.csv", "--map", str(bad), "--format", "kraken")
    assert (code, err.strip()) == (2, "harvest: import: give --map or --format, not both")


def test_a_gemini_workbook_and_a_wallet_file_in_one_import(home, capsys):
    from tests.engine.imports.gemini_sheet import write_xlsx

    workbook = write_xlsx(home / "gemini_history.xlsx")
    electrum = FIXTURES / "electrum" / "4.x.csv"
    code, _, err = run(capsys, "import", str(workbook), str(electrum), "--dry-run")  # Electrum needs a zone
    assert code == 2
    assert (
        f"{electrum}:1: timestamp: Electrum writes the exporting computer's local time without a zone" in err
    )
    code, out, _ = run(capsys, "import", str(workbook), str(electrum), "--timezone", "America/New_York")
    assert code == 0
    lines = out.splitlines()
    assert (
        lines[0]
        == f"{workbook}: Gemini transaction history (assets USD, BTC, ETH, 27 columns), account gemini"
    )
    assert lines[1] == "  7 event(s): 3 trade(s), 2 transfer(s), 1 income, 4 with a fee (2 paid in crypto)"
    assert f"{electrum}: Electrum history (4.x, 8 columns), account electrum" in lines


def test_formats_lists_the_second_wave_with_their_layouts(home, capsys):
    code, out, _ = run(capsys, "import", "--formats")
    assert code == 0
    assert "etherscan: Etherscan transactions" in out
    assert (
        "  layouts: Txhash, Transaction Hash (with Method, TxnFee(USD)), 2025 (one Amount with its unit"
        in out
    )
    assert "  layouts: the fixed columns and three per asset" in out  # Gemini's columns depend on the account
    assert "  export: Trezor Suite → the account → ⋯ → Export → CSV" in out
