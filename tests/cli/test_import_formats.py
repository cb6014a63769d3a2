"""`harvest import` with native formats: detection message, summary, --formats, --dry-run,
--format, --timezone, and bad files refused whole with one line per problem."""

from __future__ import annotations

from pathlib import Path

from tests.support import run_cli as run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
COINBASE = FIXTURES / "coinbase" / "2025.csv"


def test_formats_lists_each_format_with_where_to_export_it(home, capsys):
    code, out, _ = run(capsys, "import", "--formats")
    assert code == 0
    assert "coinbase: Coinbase transaction history" in out
    assert "export: coinbase.com → profile → Statements → Transaction history" in out
    assert "2025 (13 columns), 2024 (11 columns)" in out
    assert "harvest: harvest CSV" in out


def test_import_names_the_format_and_summarises_what_the_rows_became(home, capsys):
    code, out, err = run(capsys, "import", str(COINBASE))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"{COINBASE}: Coinbase transaction history (2025, 13 columns), account coinbase"
    assert (
        lines[1]
        == "  16 event(s): 8 trade(s), 2 transfer(s), 3 income, 1 migration(s), 7 with a fee (2 paid in crypto)"
    )
    assert lines[2] == (
        "  skipped 4 internal row(s): Deposit (USD) 1, Retail Staking Transfer 1, Retail Unstaking Transfer 1, "
        "Withdrawal (USD) 1"
    )
    assert f"    {COINBASE}:8: Retail Mgx Dex Trade (BTC)" in lines
    assert f"    {COINBASE}:6: income SOL: no USD price for SOL in USD" in lines
    assert lines[-1] == f"imported 16 new event(s) from {COINBASE} (0 already in the store)"
    # the unclassified rows block advice on their positions and are named in the reports' warnings
    code, _, err = run(capsys, "report", "realized", "--format", "csv")
    assert (
        "a16: unclassified import row (Retail Mgx Dex Trade, coinbase BTC) left out until it is classified"
        in err
    )


def test_dry_run_writes_nothing_and_counts_what_would_be_new(home, capsys):
    code, out, _ = run(capsys, "import", str(COINBASE), "--dry-run")
    assert code == 0
    assert out.splitlines()[-1] == (
        f"dry run: 16 new event(s) from {COINBASE} (0 already in the store); nothing written"
    )
    assert not (home / "home").exists()  # not even an empty store
    run(capsys, "import", str(COINBASE))
    out = run(capsys, "import", str(COINBASE), "--dry-run")[1]
    assert (
        out.splitlines()[-1]
        == f"dry run: 0 new event(s) from {COINBASE} (16 already in the store); nothing written"
    )


def test_format_forces_one_and_timezone_reads_zone_less_times(home, capsys):
    ledger = home / "mine.csv"
    ledger.write_text("timestamp,asset,side,quantity,price,fee\n2026-03-04 10:02:11,BTC,buy,1,100,0\n")
    code, _, err = run(capsys, "import", str(ledger), "--account", "cold")
    assert code == 2
    assert (
        "mine.csv:2: timestamp: timestamp has no time zone (add Z or an offset): 2026-03-04 10:02:11" in err
    )
    code, out, _ = run(capsys, "import", str(ledger), "--account", "cold", "--timezone", "America/New_York",
                       "--format", "harvest")  # fmt: skip
    assert code == 0
    assert out.splitlines()[0] == f"{ledger}: harvest CSV (6 columns), account cold"
    out = run(capsys, "report", "lots", "--format", "csv")[1]
    assert "cold,BTC,E1,1,100.00,100.00,2026-03-04" in out
    code, _, err = run(capsys, "import", str(ledger), "--timezone", "Mars/Olympus")
    assert code == 2
    assert err.strip().splitlines() == [
        "harvest: --timezone: unknown time zone 'Mars/Olympus' (use an IANA name like America/New_York)"
    ]


def test_a_bad_file_refuses_every_file_with_one_line_per_problem(home, capsys):
    bad = home / "bad.csv"
    text = COINBASE.read_text().replace("0.10000000", "0.1O")
    bad.write_text(text)
    code, out, err = run(capsys, "import", str(COINBASE), str(bad))
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        f"{bad}:24: Quantity Transacted: not a number: '0.1O'",
        f"harvest: {bad}: nothing imported (1 problem(s))",
    ]
    assert not (home / "home").exists()  # the good file was not written either
    code, _, err = run(capsys, "import")
    assert (code, err.strip()) == (
        2,
        "harvest: import: give one or more files to import (or --formats to list what harvest reads)",
    )
    code, _, err = run(capsys, "import", str(COINBASE), "--format", "nosuch")
    assert code == 2
    assert "--format: unknown format 'nosuch'; see harvest import --formats" in err
